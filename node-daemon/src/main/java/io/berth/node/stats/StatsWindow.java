package io.berth.node.stats;

import io.berth.schemas.avro.ContainerStats;
import io.berth.schemas.avro.NodeStats;
import io.berth.schemas.avro.PodStats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rates from two samples, as the kubelet's summary and metrics-server do: CPU in nanocores is the growth of the
 * cumulative CPU time over the window; memory is the later sample's working set. A container is reported only
 * when both samples hold it (same container id) and its counter did not go back (a restart): its first window
 * comes one period after it started. Plain functions.
 */
public final class StatsWindow {
    private StatsWindow() {}

    /**
     * Nanocores used between two readings of a cumulative CPU counter (ns), {@code elapsedNanos} apart; empty
     * when the counter went back (reset) or no time passed. Example: 2.5e9 ns of CPU over 10 s → 250,000,000 n (250m).
     */
    public static Optional<Long> nanoCores(long cpuNanosBefore, long cpuNanosAfter, long elapsedNanos) {
        if (elapsedNanos <= 0 || cpuNanosAfter < cpuNanosBefore) return Optional.empty();
        return Optional.of(Math.round((double) (cpuNanosAfter - cpuNanosBefore) * 1e9 / elapsedNanos));
    }

    /** The node's record for the window {@code before → after}; empty when the two samples give no rate. */
    public static Optional<NodeStats> between(String nodeId, String nodeName, StatsSource.Sample before, StatsSource.Sample after) {
        long elapsed = after.monotonicNanos() - before.monotonicNanos();
        Optional<Long> nodeCpu = nanoCores(before.nodeCpuNanos(), after.nodeCpuNanos(), elapsed);
        if (nodeCpu.isEmpty()) return Optional.empty();
        Map<String, StatsSource.ContainerUsage> earlier = new LinkedHashMap<>();
        for (StatsSource.ContainerUsage c : before.containers()) earlier.put(c.ref().containerId(), c);
        Map<String, PodStats> pods = new LinkedHashMap<>();
        for (StatsSource.ContainerUsage c : after.containers()) {
            StatsSource.ContainerUsage b = earlier.get(c.ref().containerId());
            if (b == null) continue;
            Optional<Long> cpu = nanoCores(b.cpuNanos(), c.cpuNanos(), elapsed);
            if (cpu.isEmpty()) continue;
            StatsSource.ContainerRef r = c.ref();
            pods.computeIfAbsent(r.taskId(), t -> new PodStats(t, r.namespace(), r.pod(), new ArrayList<>()))
                    .getContainers().add(new ContainerStats(r.container(), cpu.get(), c.memoryWorkingSetBytes()));
        }
        List<PodStats> out = new ArrayList<>(pods.values());
        for (PodStats p : out) p.getContainers().sort(java.util.Comparator.comparing(ContainerStats::getName));
        out.sort(java.util.Comparator.comparing(PodStats::getTaskId));
        return Optional.of(NodeStats.newBuilder().setNodeId(nodeId).setNodeName(nodeName).setTimestamp(after.epochMillis())
                .setWindowMs(Math.max(1, Math.round(elapsed / 1e6))).setCpuNanoCores(nodeCpu.get())
                .setMemoryWorkingSetBytes(after.nodeMemoryWorkingSetBytes()).setPods(out).build());
    }
}
