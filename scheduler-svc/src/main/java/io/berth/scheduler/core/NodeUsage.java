package io.berth.scheduler.core;

import java.util.Collection;
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

    /** The usage of many claims at once, without a copy per claim (a snapshot read sums thousands). */
    public static NodeUsage of(Collection<Claim> claims) {
        if (claims.isEmpty()) return EMPTY;
        long cpu = 0, memory = 0;
        Set<Integer> ports = new HashSet<>();
        Map<String, Integer> replicas = new HashMap<>();
        for (Claim c : claims) {
            cpu += c.requests().cpuMillis();
            memory += c.requests().memoryBytes();
            ports.addAll(c.hostPorts());
            if (!c.spreadKey().isEmpty()) replicas.merge(c.spreadKey(), 1, Integer::sum);
        }
        return new NodeUsage(new Quantity(cpu, memory), ports, replicas, claims.size());
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
