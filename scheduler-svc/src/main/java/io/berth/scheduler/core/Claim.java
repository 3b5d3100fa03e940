package io.berth.scheduler.core;

import java.util.Set;

/**
 * What one placed task holds on its node: resources, host ports, and the spread key its replicas
 * share (so a later replica of the same workload can be steered elsewhere).
 */
public record Claim(String taskId, Quantity requests, Set<Integer> hostPorts, String spreadKey) {
    public Claim {
        hostPorts = Set.copyOf(hostPorts);
        spreadKey = spreadKey == null ? "" : spreadKey;
    }
}
