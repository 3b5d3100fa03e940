package io.berth.scheduler.core;

import java.util.List;
import java.util.Map;

/** The outcome of placing one task: a value, never a side effect. */
public sealed interface Placement permits Placement.Placed, Placement.Unplaceable {
    Pending task();

    /** Why this decision: what describe, the pod annotation and the audit show. */
    Verdict verdict();

    /**
     * The task goes to {@code nodeId}.
     *
     * @param score         why this node won: each ranker's score and the seeded tie-break
     * @param feasibleNodes how many nodes passed every check
     * @param verdict       the same for people: normalized scores, the runner-up, the rejected nodes' reasons
     */
    record Placed(Pending task, String nodeId, Score score, int feasibleNodes, Verdict verdict) implements Placement {}

    /**
     * No node can take the task.
     *
     * @param reasonsByNode every node's rejection reasons, by node id
     * @param message       Kubernetes' summary, e.g. "0/3 nodes are available: 2 Insufficient memory, 1 node(s) were unschedulable."
     * @param verdict       each rejected node's reason (at most {@link Verdict#MAX_REJECTED}), for describe and the audit
     */
    record Unplaceable(Pending task, Map<String, List<String>> reasonsByNode, String message, Verdict verdict) implements Placement {}

    /**
     * A node's ranking: one score per ranker (in ranker order, higher better), then a tie-break
     * drawn from the seed (lower wins), so equal nodes are chosen reproducibly but not always alike.
     */
    record Score(Map<String, Long> byRanker, long tieBreak) {
        @Override
        public String toString() {
            return byRanker + " tieBreak=" + Long.toHexString(tieBreak);
        }
    }
}
