package io.berth.scheduler.core;

import java.util.List;
import java.util.Map;

/**
 * The one-line form of a {@link Verdict}, as describe, the pod annotation and the audit show it:
 * <pre>
 * n2 of 3 feasible — spread 1.00, leastAllocated 0.71; runner-up n3 (spread 1.00, leastAllocated 0.65); n1: Insufficient memory
 * none of 3 feasible; n1: Insufficient memory; n2: node(s) were unschedulable; n3: node(s) were not ready
 * </pre>
 * "n2 of 3" names the chosen node out of all nodes considered; the rejected ones follow. At most
 * {@link #MAX_LISTED} rejected nodes are spelled out on the line ("; 7 more rejected"): the
 * verdict itself keeps up to {@link Verdict#MAX_REJECTED} for describe.
 */
public final class VerdictMessage {
    static final int MAX_LISTED = 5;

    private VerdictMessage() {}

    public static String of(String nodeId, int total, List<Verdict.RankerScore> scores, String runnerUp,
                            List<Verdict.RankerScore> runnerUpScores, Map<String, String> rejected, int rejectedCount) {
        StringBuilder b = new StringBuilder(96);
        if (nodeId.isEmpty()) {
            b.append("none of ").append(total).append(" feasible");
        } else {
            b.append(nodeId).append(" of ").append(total).append(" feasible — ");
            scores(b, scores);
        }
        if (!runnerUp.isEmpty()) {
            b.append("; runner-up ").append(runnerUp).append(" (");
            scores(b, runnerUpScores).append(')');
        }
        int listed = 0;
        for (Map.Entry<String, String> r : rejected.entrySet()) {
            if (listed++ == MAX_LISTED) break;
            b.append("; ").append(r.getKey()).append(": ").append(r.getValue());
        }
        int more = rejectedCount - Math.min(listed, MAX_LISTED);
        if (more > 0) b.append("; ").append(more).append(" more rejected");
        return b.toString();
    }

    private static StringBuilder scores(StringBuilder b, List<Verdict.RankerScore> scores) {
        for (int i = 0; i < scores.size(); i++) {
            if (i > 0) b.append(", ");
            b.append(scores.get(i).ranker()).append(' ').append(twoDecimals(scores.get(i).normalized()));
        }
        return b;
    }

    /** "0.71": fixed two decimals without String.format (this runs once per decision, on the hot path). */
    static String twoDecimals(double x) {
        long hundredths = Math.round(x * 100);
        long abs = Math.abs(hundredths);
        String frac = abs % 100 < 10 ? "0" + abs % 100 : String.valueOf(abs % 100);
        return (hundredths < 0 ? "-" : "") + abs / 100 + "." + frac;
    }
}
