package io.berth.scheduler.core;

import java.util.List;
import java.util.Map;

/**
 * Why a task went where it did, or why it went nowhere: the answer to "why is it on that node?"
 * recorded with the decision itself, so nobody has to reconstruct it from a snapshot later.
 *
 * @param nodeId          the chosen node; empty when no node was feasible
 * @param feasible        nodes that passed every check
 * @param total           nodes considered
 * @param scores          the chosen node's score per ranker, in ranker order
 * @param runnerUp        the best node not chosen; empty when at most one node was feasible
 * @param runnerUpScores  the runner-up's score per ranker
 * @param rejected        node id → its reasons joined by ", ", in node id order, at most {@link #MAX_REJECTED} nodes
 * @param rejectedOmitted rejected nodes left out of {@code rejected}
 * @param message         one line, e.g. {@code n2 of 3 feasible — spread 1.00, leastAllocated 0.71; runner-up n3
 *                        (spread 1.00, leastAllocated 0.65); n1: Insufficient memory}
 */
public record Verdict(String nodeId, int feasible, int total, List<RankerScore> scores, String runnerUp,
                      List<RankerScore> runnerUpScores, Map<String, String> rejected, int rejectedOmitted, String message) {
    /** A verdict of a 1000-node cluster must stay small enough for a status record and an annotation. */
    public static final int MAX_REJECTED = 50;

    public Verdict {
        scores = List.copyOf(scores);
        runnerUpScores = List.copyOf(runnerUpScores);
        rejected = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(rejected));
    }

    /**
     * One ranker's score of a node.
     *
     * @param raw        what the Placer compares (higher wins)
     * @param normalized the same on a 0..1 scale among the feasible nodes, for people (1 = best)
     */
    public record RankerScore(String ranker, long raw, double normalized) {}
}
