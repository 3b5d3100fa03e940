package io.berth.scheduler.core;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Everything already booked on one node: the sum of requests, the host ports in use, and how many
 * replicas of each spread key run there. Immutable: {@link #plus} returns a new value.
 */
public record NodeUsage(Quantity allocated, Set<Integer> hostPorts, Map<String, Integer> replicasBySpreadKey, int tasks) {
    public static final NodeUsage EMPTY = new NodeUsage(Quantity.ZERO, Set.of(), Map.of(), 0);

    public NodeUsage {
        hostPorts = Set.copyOf(hostPorts);
        replicasBySpreadKey = Map.copyOf(replicasBySpreadKey);
    }

    public NodeUsage plus(Claim claim) {
        Set<Integer> ports = new HashSet<>(hostPorts);
        ports.addAll(claim.hostPorts());
        Map<String, Integer> replicas = new HashMap<>(replicasBySpreadKey);
        if (!claim.spreadKey().isEmpty()) replicas.merge(claim.spreadKey(), 1, Integer::sum);
        return new NodeUsage(allocated.plus(claim.requests()), ports, replicas, tasks + 1);
    }

    public int replicasOf(String spreadKey) {
        return spreadKey.isEmpty() ? 0 : replicasBySpreadKey.getOrDefault(spreadKey, 0);
    }
}
