package io.berth.scheduler;

import io.berth.scheduler.core.Claim;
import io.berth.scheduler.core.Node;
import io.berth.scheduler.core.Pending;
import io.berth.scheduler.core.Quantity;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.PlacementRequest;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Resources;
import io.berth.schemas.avro.TickAssignment;
import io.berth.schemas.avro.TickNode;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Translates bus records into the pure core's values; the only place that knows both. */
final class Conversions {
    private Conversions() {}

    static Node node(NodeView view) {
        return new Node(view.getNodeId(), view.getLabels(), quantity(view.getCapacity()), view.getReady(), view.getCordoned(), view.getMaxPods());
    }

    /** A node as the last tick listed it (state-streams' ticker copies these facts from berth.state.nodes). */
    static Node node(TickNode n) {
        return new Node(n.getId(), n.getLabels(), new Quantity(n.getCpuMillis(), n.getMemoryBytes()), n.getReady(), n.getCordoned(), n.getMaxPods());
    }

    /** A booking as the last tick listed it: requests, host ports (from the template) and workload key. */
    static Claim claim(TickAssignment a) {
        return new Claim(a.getTaskId(), new Quantity(a.getCpuMillis(), a.getMemoryBytes()), new HashSet<>(a.getHostPorts()), a.getWorkloadKey());
    }

    static Quantity quantity(Resources r) {
        return r == null ? Quantity.ZERO : new Quantity(r.getCpuMillis(), r.getMemoryBytes());
    }

    /**
     * The ledger only knows an assignment's workload key, so that is what its replicas are
     * counted under; {@link #spreadKey} falls back to the same key.
     */
    static Claim claim(Assignment a) {
        return new Claim(a.getTaskId(), quantity(a.getRequests()), hostPorts(a.getTemplate()), a.getWorkloadKey());
    }

    /** The template's node selector and host ports count too: the node daemon will honour them. */
    static Pending pending(PlacementRequest r) {
        Map<String, String> selector = new HashMap<>();
        if (r.getTemplate() != null) selector.putAll(r.getTemplate().getNodeSelector());
        selector.putAll(r.getNodeSelector());
        Set<Integer> ports = new HashSet<>(r.getHostPorts());
        ports.addAll(hostPorts(r.getTemplate()));
        return new Pending(r.getTaskId(), quantity(r.getRequests()), selector, ports, spreadKey(r));
    }

    static String spreadKey(PlacementRequest r) {
        return r.getSpreadKey().isEmpty() ? r.getWorkloadKey() : r.getSpreadKey();
    }

    static Set<Integer> hostPorts(PodTemplate template) {
        Set<Integer> ports = new HashSet<>();
        if (template == null) return ports;
        for (ContainerSpec c : template.getContainers()) {
            for (ContainerPort p : c.getPorts()) {
                if (p.getHostPort() != null && p.getHostPort() > 0) ports.add(p.getHostPort());
            }
        }
        return ports;
    }
}
