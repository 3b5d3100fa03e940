package io.berth.scheduler.core;

import java.util.List;
import java.util.Map;

/** The feasibility checks, in the order the chain runs them (cheapest and most decisive first). */
public final class Checks {
    private Checks() {}

    public static final String NOT_READY = "node(s) were not ready";
    public static final String UNSCHEDULABLE = "node(s) were unschedulable";
    public static final String SELECTOR_MISMATCH = "node(s) didn't match Pod's node affinity/selector";
    public static final String INSUFFICIENT_CPU = "Insufficient cpu";
    public static final String INSUFFICIENT_MEMORY = "Insufficient memory";
    /** Kubernetes' NodeResourcesFit wording when a node already runs {@code capacity.pods} pods. */
    public static final String TOO_MANY_PODS = "Too many pods";
    public static final String PORTS_IN_USE = "node(s) didn't have free ports for the requested pod ports";

    /** The chain {@link Placer#standard()} uses. */
    public static final List<FeasibilityCheck> STANDARD = List.of(
            Checks::nodeReady,        // a node without heartbeats would never start the task
            Checks::nodeSchedulable,  // cordoned: the operator asked for no new work here
            Checks::nodeSelector,     // the task asked for specific node labels
            Checks::resourcesFit,     // both resources in one check, as Kubernetes' NodeResourcesFit
            Checks::hostPortsFree);   // two tasks cannot bind the same port on one host

    static List<String> nodeReady(Node node, NodeUsage usage, Pending task) {
        return node.ready() ? List.of() : List.of(NOT_READY);
    }

    static List<String> nodeSchedulable(Node node, NodeUsage usage, Pending task) {
        return node.cordoned() ? List.of(UNSCHEDULABLE) : List.of();
    }

    static List<String> nodeSelector(Node node, NodeUsage usage, Pending task) {
        for (Map.Entry<String, String> wanted : task.nodeSelector().entrySet()) {
            if (!wanted.getValue().equals(label(node, wanted.getKey()))) return List.of(SELECTOR_MISMATCH);
        }
        return List.of();
    }

    /** A node's label, with the well-known {@code kubernetes.io/hostname} = its id when it was not given one (as on Kubernetes nodes). */
    static String label(Node node, String key) {
        String v = node.labels().get(key);
        return v == null && key.equals(io.berth.schemas.NodeLabels.HOSTNAME) ? node.id() : v;
    }

    /**
     * Reports every short resource, as Kubernetes does, so "3 Insufficient cpu, 3 Insufficient memory" can add up past the node count.
     * The pod count is one of them (Kubernetes' NodeResourcesFit checks {@code pods} first): a node
     * with {@code maxPods} tasks booked takes no more, whatever they request.
     */
    static List<String> resourcesFit(Node node, NodeUsage usage, Pending task) {
        boolean pods = podsFit(node, usage);
        boolean cpu = fits(task.requests().cpuMillis(), usage.allocated().cpuMillis(), node.capacity().cpuMillis());
        boolean memory = fits(task.requests().memoryBytes(), usage.allocated().memoryBytes(), node.capacity().memoryBytes());
        if (pods && cpu && memory) return List.of();
        List<String> reasons = new java.util.ArrayList<>(3);
        if (!pods) reasons.add(TOO_MANY_PODS);
        if (!cpu) reasons.add(INSUFFICIENT_CPU);
        if (!memory) reasons.add(INSUFFICIENT_MEMORY);
        return List.copyOf(reasons);
    }

    /** One more task fits while fewer than {@code maxPods} are booked; 0 = no limit. */
    static boolean podsFit(Node node, NodeUsage usage) {
        return node.maxPods() <= 0 || usage.tasks() < node.maxPods();
    }

    /** A request of 0 always fits, even on a node whose capacity is unknown (0) or already full. */
    static boolean fits(long request, long allocated, long capacity) {
        return request == 0 || allocated + request <= capacity;
    }

    static List<String> hostPortsFree(Node node, NodeUsage usage, Pending task) {
        for (int port : task.hostPorts()) {
            if (usage.hostPorts().contains(port)) return List.of(PORTS_IN_USE);
        }
        return List.of();
    }
}
