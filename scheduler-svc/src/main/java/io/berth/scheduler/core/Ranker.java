package io.berth.scheduler.core;

import java.util.List;

/**
 * Scores a feasible node for a task; higher is better. Rankers are compared in order: a later
 * ranker only separates nodes the earlier ones scored equal (spread first, then least-allocated).
 */
public interface Ranker {
    String name();

    long score(Node node, NodeUsage usage, Pending task);

    /**
     * The raw score on a 0..1 scale for people, given the lowest and highest raw score among the
     * feasible nodes: by default relative (the best feasible node 1.0, the worst 0.0, all equal 1.0),
     * which is what a spread count means; a ranker with an absolute scale overrides it.
     */
    default double normalized(long raw, long min, long max) {
        return max == min ? 1.0 : (double) (raw - min) / (max - min);
    }

    /** The rankers {@link Placer#standard()} uses. */
    List<Ranker> STANDARD = List.of(new Spread(), new LeastAllocated());

    /** Fewest replicas of the same spread key first, so one node's loss takes the fewest replicas. */
    record Spread() implements Ranker {
        public String name() {
            return "spread";
        }

        public long score(Node node, NodeUsage usage, Pending task) {
            return -usage.replicasOf(task.spreadKey());
        }
    }

    /**
     * Kubernetes' LeastAllocated: for each resource (capacity - requested) * 100 / capacity, with
     * requested including this task, averaged over cpu and memory with equal weights; a resource
     * of unknown (0) capacity or over-requested scores 0. Emptier nodes win, spreading load.
     */
    record LeastAllocated() implements Ranker {
        static final long MAX = 100;

        public String name() {
            return "leastAllocated";
        }

        public long score(Node node, NodeUsage usage, Pending task) {
            Quantity after = usage.allocated().plus(task.requests());
            long cpu = free(after.cpuMillis(), node.capacity().cpuMillis());
            long mem = free(after.memoryBytes(), node.capacity().memoryBytes());
            return (cpu + mem) / 2;
        }

        /** Absolute: 0.71 means 71% of the node stays free after this task, whatever the other nodes hold. */
        @Override
        public double normalized(long raw, long min, long max) {
            return (double) raw / MAX;
        }

        static long free(long requested, long capacity) {
            if (capacity <= 0 || requested > capacity) return 0;
            return (capacity - requested) * MAX / capacity;
        }
    }
}
