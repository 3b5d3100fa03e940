package io.berth.scheduler.core;

import java.util.Map;
import java.util.Set;

/**
 * A task waiting for a node: the pure core's view of a placement request.
 *
 * @param spreadKey replicas sharing this key are spread across nodes; empty means no spreading
 */
public record Pending(String taskId, Quantity requests, Map<String, String> nodeSelector,
                      Set<Integer> hostPorts, String spreadKey) {
    public Pending {
        nodeSelector = Map.copyOf(nodeSelector);
        hostPorts = Set.copyOf(hostPorts);
        spreadKey = spreadKey == null ? "" : spreadKey;
    }

    /** A task with only resource requests. */
    public static Pending of(String taskId, Quantity requests, String spreadKey) {
        return new Pending(taskId, requests, Map.of(), Set.of(), spreadKey);
    }

    /** What this task will hold on the node it lands on. */
    public Claim claim() {
        return new Claim(taskId, requests, hostPorts, spreadKey);
    }
}
