package io.berth.gateway.quota;

import io.berth.gateway.manifest.Quantities;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodTemplate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * ResourceQuota arithmetic, at admission. Kubernetes charges a quota per pod as each pod is created (a
 * ReplicaSet over quota reports FailedCreate and runs fewer pods); Berth knows a workload's whole demand
 * up front (replicas × the pod's requests and limits), so it admits or refuses the apply or scale as a
 * whole, in the quota admission plugin's words. Pure: no Kafka, no Vert.x.
 *
 * <p>Worked example: quota {@code pods: 6}, the namespace runs 3 pods, a Deployment asks for 5 replicas:
 * {@code exceeded quota: q, requested: pods=5, used: pods=3, limited: pods=6}.
 */
public final class Quotas {
    /** What a {@code spec.hard} may name; {@code cpu} and {@code memory} are aliases of the requests. */
    public static final Set<String> RESOURCES = Set.of("pods", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "cpu", "memory");

    private Quotas() {}

    /** One ResourceQuota: its name and {@code spec.hard} (resource → amount, in the resource's unit: pods, millicores, bytes). */
    public record Quota(String name, Map<String, Long> hard) {}

    /** The usage of one pod of this template: pods=1 and its requests and limits (an init container counts when it is larger than all containers together). */
    public static Map<String, Long> perPod(PodTemplate t) {
        long reqCpu = 0, reqMem = 0, limCpu = 0, limMem = 0;
        for (ContainerSpec c : t.getContainers()) {
            reqCpu += c.getRequests().getCpuMillis();
            reqMem += c.getRequests().getMemoryBytes();
            limCpu += c.getLimits().getCpuMillis();
            limMem += c.getLimits().getMemoryBytes();
        }
        for (ContainerSpec c : t.getInitContainers()) {
            reqCpu = Math.max(reqCpu, c.getRequests().getCpuMillis());
            reqMem = Math.max(reqMem, c.getRequests().getMemoryBytes());
            limCpu = Math.max(limCpu, c.getLimits().getCpuMillis());
            limMem = Math.max(limMem, c.getLimits().getMemoryBytes());
        }
        Map<String, Long> u = new TreeMap<>();
        u.put("pods", 1L);
        u.put("requests.cpu", reqCpu);
        u.put("cpu", reqCpu);
        u.put("requests.memory", reqMem);
        u.put("memory", reqMem);
        u.put("limits.cpu", limCpu);
        u.put("limits.memory", limMem);
        return u;
    }

    /** {@code pods} copies of a pod's usage. */
    public static Map<String, Long> times(Map<String, Long> perPod, long pods) {
        Map<String, Long> out = new TreeMap<>();
        perPod.forEach((k, v) -> out.put(k, Math.multiplyExact(v, pods)));
        return out;
    }

    public static Map<String, Long> plus(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> out = new TreeMap<>(a);
        b.forEach((k, v) -> out.merge(k, v, Math::addExact));
        return out;
    }

    /**
     * Kubernetes' {@code must specify} refusal: the quota limits a compute resource that a container
     * (after LimitRange defaults) does not set, e.g. {@code failed quota: q: must specify limits.cpu for: web; requests.memory for: web,side}.
     */
    public static Optional<String> mustSpecify(Quota q, PodTemplate t) {
        Map<String, List<String>> missing = new TreeMap<>();
        List<ContainerSpec> all = new ArrayList<>(t.getInitContainers());
        all.addAll(t.getContainers());
        for (String r : new TreeSet<>(q.hard().keySet())) {
            if (r.equals("pods") || !RESOURCES.contains(r)) continue;
            String canonical = r.equals("cpu") || r.equals("memory") ? "requests." + r : r;
            for (ContainerSpec c : all) {
                long v = switch (canonical) {
                    case "requests.cpu" -> c.getRequests().getCpuMillis();
                    case "requests.memory" -> c.getRequests().getMemoryBytes();
                    case "limits.cpu" -> c.getLimits().getCpuMillis();
                    default -> c.getLimits().getMemoryBytes();
                };
                if (v == 0) {
                    List<String> names = missing.computeIfAbsent(canonical, k -> new ArrayList<>());
                    if (!names.contains(c.getName())) names.add(c.getName());
                }
            }
        }
        if (missing.isEmpty()) return Optional.empty();
        List<String> parts = new ArrayList<>();
        missing.forEach((r, names) -> parts.add(r + " for: " + String.join(",", names)));
        return Optional.of("failed quota: " + q.name() + ": must specify " + String.join("; ", parts));
    }

    /**
     * The refusal when {@code used + requested} goes over a hard limit: only the resources that do, sorted,
     * as {@code exceeded quota: NAME, requested: pods=5, used: pods=3, limited: pods=6}. Only the
     * resources the quota names are charged; a request of 0 never exceeds.
     */
    public static Optional<String> exceeded(Quota q, Map<String, Long> used, Map<String, Long> requested) {
        Map<String, String[]> over = new LinkedHashMap<>();
        for (String r : new TreeSet<>(q.hard().keySet())) {
            long req = requested.getOrDefault(r, 0L), u = used.getOrDefault(r, 0L), hard = q.hard().get(r);
            if (req > 0 && u + req > hard) over.put(r, new String[]{format(r, req), format(r, u), format(r, hard)});
        }
        if (over.isEmpty()) return Optional.empty();
        return Optional.of("exceeded quota: " + q.name() + ", requested: " + join(over, 0) + ", used: " + join(over, 1) + ", limited: " + join(over, 2));
    }

    private static String join(Map<String, String[]> over, int i) {
        List<String> parts = new ArrayList<>();
        over.forEach((r, v) -> parts.add(r + "=" + v[i]));
        return String.join(",", parts);
    }

    /** An amount in the resource's Kubernetes form: {@code 500m}, {@code 64Mi}, {@code 3}. */
    public static String format(String resource, long amount) {
        if (resource.endsWith("cpu")) return Quantities.formatCpu(amount);
        if (resource.endsWith("memory")) return Quantities.formatMemory(amount);
        return Long.toString(amount);
    }

    /** Parses an amount of {@code resource} ({@code cpu}: millicores; memory: bytes; pods: a count). */
    public static long parse(String resource, String text) {
        if (resource.endsWith("cpu")) return Quantities.cpuMillis(text);
        if (resource.endsWith("memory")) return Quantities.memoryBytes(text);
        long v = Quantities.memoryBytes(text); // a plain count: same grammar, rounded up
        return v;
    }
}
