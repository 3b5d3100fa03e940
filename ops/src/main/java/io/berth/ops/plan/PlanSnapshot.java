package io.berth.ops.plan;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.manifest.Quantities;
import io.berth.scheduler.core.Claim;
import io.berth.scheduler.core.ClusterSnapshot;
import io.berth.scheduler.core.Node;
import io.berth.scheduler.core.Pending;
import io.berth.scheduler.core.Quantity;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The scheduler's {@link ClusterSnapshot}, rebuilt from what the gateway serves: {@code v1 Node}s
 * (allocatable, else capacity; labels; {@code spec.unschedulable}; the Ready condition) and
 * {@code v1 Pod}s bound to a node ({@code spec.nodeName}) that still hold it (not Succeeded or
 * Failed): their container requests, host ports, and their owner ({@code berth.io/workload}) as
 * the spread key, which is what the scheduler's ledger counts replicas by. Nodes are named as
 * pods name them ({@code metadata.name}).
 */
public final class PlanSnapshot {
    static final String OWNER = "berth.io/workload";

    private PlanSnapshot() {}

    /** {@code nodes} and {@code pods} are v1 Lists (or arrays); pods {@code skip} accepts are left out (a revision about to be replaced). */
    public static ClusterSnapshot of(JsonNode nodes, JsonNode pods, Predicate<JsonNode> skip) {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder();
        for (JsonNode n : items(nodes)) b.node(node(n));
        for (JsonNode p : items(pods)) {
            String nodeName = p.path("spec").path("nodeName").asText("");
            String phase = p.path("status").path("phase").asText("");
            if (nodeName.isEmpty() || phase.equals("Succeeded") || phase.equals("Failed") || skip.test(p)) continue;
            b.claim(nodeName, claim(p));
        }
        return b.build();
    }

    static Node node(JsonNode n) {
        JsonNode status = n.path("status");
        JsonNode resources = status.path("allocatable").isObject() ? status.path("allocatable") : status.path("capacity");
        boolean ready = false;
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asText().equals("Ready")) ready = c.path("status").asText().equals("True");
        }
        return new Node(n.path("metadata").path("name").asText(), strings(n.path("metadata").path("labels")),
                quantity(resources), ready, n.path("spec").path("unschedulable").asBoolean(false));
    }

    static Claim claim(JsonNode pod) {
        String owner = pod.path("metadata").path("annotations").path(OWNER).asText("");
        return new Claim(pod.path("metadata").path("name").asText(), requests(pod.path("spec")), hostPorts(pod.path("spec")), owner);
    }

    /** A pod still to be placed, from its {@code spec} as the gateway renders a template (requests, nodeSelector, hostPorts). */
    public static Pending pending(String taskId, JsonNode podSpec, String spreadKey) {
        return new Pending(taskId, requests(podSpec), strings(podSpec.path("nodeSelector")), hostPorts(podSpec), spreadKey);
    }

    static Quantity requests(JsonNode podSpec) {
        long cpu = 0, memory = 0;
        for (JsonNode c : podSpec.path("containers")) {
            JsonNode r = c.path("resources").path("requests");
            cpu += r.hasNonNull("cpu") ? Quantities.cpuMillis(r.path("cpu").asText()) : 0;
            memory += r.hasNonNull("memory") ? Quantities.memoryBytes(r.path("memory").asText()) : 0;
        }
        return new Quantity(cpu, memory);
    }

    static Quantity quantity(JsonNode resources) {
        long cpu = resources.hasNonNull("cpu") ? Quantities.cpuMillis(resources.path("cpu").asText()) : 0;
        long memory = resources.hasNonNull("memory") ? Quantities.memoryBytes(resources.path("memory").asText()) : 0;
        return new Quantity(cpu, memory);
    }

    static Set<Integer> hostPorts(JsonNode podSpec) {
        Set<Integer> ports = new HashSet<>();
        for (JsonNode c : podSpec.path("containers")) {
            for (JsonNode p : c.path("ports")) {
                if (p.path("hostPort").asInt(0) > 0) ports.add(p.path("hostPort").asInt());
            }
        }
        return ports;
    }

    private static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new HashMap<>();
        map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static Iterable<JsonNode> items(JsonNode list) {
        return list.isArray() ? list : list.path("items");
    }
}
