package io.berth.scheduler.core;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Places one task on a snapshot: every node goes through the feasibility chain (the first check
 * that rejects it records why), feasible nodes are ranked, the best wins. Pure: same snapshot,
 * same task, same seed → same decision, which is what lets a replay of the log reproduce it.
 * Each decision carries its {@link Verdict}: the chosen node's normalized scores, the runner-up
 * (tracked in the same pass) and every rejected node's reason.
 */
public final class Placer {
    private final List<FeasibilityCheck> checks;
    private final List<Ranker> rankers;

    public Placer(List<FeasibilityCheck> checks, List<Ranker> rankers) {
        this.checks = List.copyOf(checks);
        this.rankers = List.copyOf(rankers);
    }

    /** Ready → schedulable → selector → resources → host ports; then spread, then least-allocated. */
    public static Placer standard() {
        return new Placer(Checks.STANDARD, Ranker.STANDARD);
    }

    /** The seed a task is placed with: derived from its id (FNV-1a), so a replay picks the same node. */
    public static long seedOf(String taskId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : taskId.getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        return h;
    }

    public Placement place(ClusterSnapshot snapshot, Pending task) {
        return place(snapshot, task, seedOf(task.taskId()));
    }

    public Placement place(ClusterSnapshot snapshot, Pending task, long seed) {
        Map<String, List<String>> rejected = new TreeMap<>();
        Candidate best = null;
        Candidate runnerUp = null;
        Range range = new Range(rankers.size());
        int feasible = 0;
        List<Node> nodes = snapshot.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            NodeUsage usage = snapshot.usageAt(i);
            List<String> reasons = firstRejection(node, usage, task);
            if (!reasons.isEmpty()) {
                rejected.put(node.id(), reasons);
                continue;
            }
            feasible++;
            Candidate c = rank(node, usage, task, seed);
            range.include(c.scores);
            if (best == null || c.beats(best)) {
                runnerUp = best;
                best = c;
            } else if (runnerUp == null || c.beats(runnerUp)) {
                runnerUp = c;
            }
        }
        Verdict verdict = verdict(best, runnerUp, feasible, nodes.size(), range, rejected);
        return best == null
                ? new Placement.Unplaceable(task, rejected, UnplaceableMessage.of(nodes.size(), rejected.values()), verdict)
                : new Placement.Placed(task, best.node.id(), best.score(rankers), feasible, verdict);
    }

    /** Built in one pass over what the loop already kept: the runner-up and the score ranges cost O(1) per node. */
    private Verdict verdict(Candidate best, Candidate runnerUp, int feasible, int total, Range range, Map<String, List<String>> rejected) {
        Map<String, String> listed = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> r : rejected.entrySet()) {
            if (listed.size() == Verdict.MAX_REJECTED) break;
            listed.put(r.getKey(), String.join(", ", r.getValue()));
        }
        String nodeId = best == null ? "" : best.node.id();
        String second = runnerUp == null ? "" : runnerUp.node.id();
        List<Verdict.RankerScore> scores = scores(best, range);
        List<Verdict.RankerScore> secondScores = scores(runnerUp, range);
        String message = VerdictMessage.of(nodeId, total, scores, second, secondScores, listed, rejected.size());
        return new Verdict(nodeId, feasible, total, scores, second, secondScores, listed, rejected.size() - listed.size(), message);
    }

    private List<Verdict.RankerScore> scores(Candidate c, Range range) {
        if (c == null) return List.of();
        Verdict.RankerScore[] out = new Verdict.RankerScore[rankers.size()];
        for (int i = 0; i < out.length; i++) {
            Ranker r = rankers.get(i);
            out[i] = new Verdict.RankerScore(r.name(), c.scores[i], r.normalized(c.scores[i], range.min[i], range.max[i]));
        }
        return List.of(out);
    }

    /** Lowest and highest raw score per ranker among the feasible nodes, for {@link Ranker#normalized}. */
    private static final class Range {
        final long[] min;
        final long[] max;
        boolean empty = true;

        Range(int rankers) {
            min = new long[rankers];
            max = new long[rankers];
        }

        void include(long[] scores) {
            for (int i = 0; i < scores.length; i++) {
                if (empty || scores[i] < min[i]) min[i] = scores[i];
                if (empty || scores[i] > max[i]) max[i] = scores[i];
            }
            empty = false;
        }
    }

    /** The chain stops at the first check that rejects, as a Kubernetes filter pass does. */
    private List<String> firstRejection(Node node, NodeUsage usage, Pending task) {
        for (FeasibilityCheck check : checks) {
            List<String> reasons = check.reject(node, usage, task);
            if (!reasons.isEmpty()) return reasons;
        }
        return List.of();
    }

    private Candidate rank(Node node, NodeUsage usage, Pending task, long seed) {
        long[] scores = new long[rankers.size()];
        for (int i = 0; i < scores.length; i++) scores[i] = rankers.get(i).score(node, usage, task);
        return new Candidate(node, scores, tieBreak(seed, node.id()));
    }

    /**
     * SplitMix64 of seed and node id: a per-task permutation of the nodes, stable across JVMs
     * (String.hashCode is specified by the language and cached, so this costs no hashing per call).
     */
    static long tieBreak(long seed, String nodeId) {
        long z = seed + nodeId.hashCode() * 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private record Candidate(Node node, long[] scores, long tieBreak) {
        boolean beats(Candidate other) {
            for (int i = 0; i < scores.length; i++) {
                if (scores[i] != other.scores[i]) return scores[i] > other.scores[i];
            }
            return Long.compareUnsigned(tieBreak, other.tieBreak) < 0;
        }

        Placement.Score score(List<Ranker> rankers) {
            Map<String, Long> byRanker = new LinkedHashMap<>();
            for (int i = 0; i < scores.length; i++) byRanker.put(rankers.get(i).name(), scores[i]);
            return new Placement.Score(byRanker, tieBreak);
        }
    }
}
