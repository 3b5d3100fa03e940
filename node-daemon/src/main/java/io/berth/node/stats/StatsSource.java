package io.berth.node.stats;

import java.util.List;

/**
 * Where a node's usage comes from: cgroup files and {@code /proc} ({@link CgroupStatsSource}) or the
 * {@code sim} runtime's synthetic usage. A sample holds cumulative counters; rates come from two samples
 * ({@link StatsWindow}). {@link #sample()} may block (file I/O, a container list): call it from a worker.
 */
@FunctionalInterface
public interface StatsSource {
    Sample sample() throws Exception;

    /** A running app container of a pod on this node (infra containers are not reported, as the kubelet leaves out pause). */
    record ContainerRef(String containerId, String taskId, String namespace, String pod, String container) {}

    /** One container's cumulative CPU time (ns) and its memory working set (bytes) at the sample's instant. */
    record ContainerUsage(ContainerRef ref, long cpuNanos, long memoryWorkingSetBytes) {}

    /**
     * Counters at one instant: {@code monotonicNanos} (for rates, from {@link System#nanoTime()}) and
     * {@code epochMillis} (the timestamp users see); the node's cumulative CPU time and working set; its containers'.
     */
    record Sample(long monotonicNanos, long epochMillis, long nodeCpuNanos, long nodeMemoryWorkingSetBytes,
                  List<ContainerUsage> containers) {
        public Sample {
            containers = List.copyOf(containers);
        }
    }
}
