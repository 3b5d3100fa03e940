package io.berth.state.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The HorizontalPodAutoscaler's arithmetic as pure functions (Kubernetes'
 * pkg/controller/podautoscaler: {@code replica_calculator.go} GetResourceReplicas and
 * {@code horizontal.go} normalizeDesiredReplicasWithBehaviors), so that the decision Berth takes
 * from its log is the one a Kubernetes user expects from the same numbers.
 *
 * <p>Two steps, as in Kubernetes:
 * <ol>
 * <li>{@link #recommend}: from the pods' usage and requests, the replica count that brings the
 *     utilization to the target — {@code ceil(ready × usage/target)}, nothing within the 10 %
 *     tolerance; pods without a sample are assumed to use 100 % of their request when scaling
 *     down and 0 % when scaling up, unready pods 0 % when scaling up, and a recomputation that
 *     flips direction keeps the current count (Kubernetes' rules against flapping).</li>
 * <li>{@link #normalize}: the stabilization window (scale down to the highest recommendation of
 *     the last 300 s, up to the lowest of the last 0 s by default), the rate policies (up: the more
 *     of +100 % and +4 pods per 15 s; down: −100 % per 15 s), then {@code minReplicas}/
 *     {@code maxReplicas}.</li>
 * </ol>
 * Nothing here reads a clock: {@code now} and the history come from the caller, which takes them
 * from the log, so a replay decides the same.
 */
public final class Autoscaler {
    /** Kubernetes' --horizontal-pod-autoscaler-tolerance. */
    public static final double TOLERANCE = 0.1;

    private Autoscaler() {}

    /** One pod of the target as the metrics and the workload see it. */
    public record Pod(String name, boolean ready, long requestMilli, Long usageMilli) {
        /** @param usageMilli null: no sample for this pod yet (missing) */
        public Pod {
            Objects.requireNonNull(name, "name");
        }
    }

    /** Why a recommendation is what it is (for the event and the audit record). */
    public record Recommendation(int replicas, int utilizationPercent, String reason) {}

    /**
     * Kubernetes' GetResourceReplicas for one resource metric with a target utilization.
     *
     * @param currentReplicas the target's replicas now (spec)
     * @param targetUtilizationPercent e.g. 50 for 50 % of the request
     * @return the replica count this metric asks for, with the measured utilization (of the pods with samples)
     * @throws IllegalArgumentException when a pod with a sample has no request: utilization is undefined
     *         (Kubernetes: "missing request for cpu")
     */
    public static Recommendation recommend(int currentReplicas, int targetUtilizationPercent, List<Pod> pods, String resource) {
        if (targetUtilizationPercent <= 0) throw new IllegalArgumentException("target utilization must be positive, was " + targetUtilizationPercent);
        if (pods.isEmpty()) throw new IllegalArgumentException("no pods of the target to measure");
        List<Pod> withSample = new ArrayList<>();
        List<Pod> unready = new ArrayList<>();
        List<Pod> missing = new ArrayList<>();
        for (Pod p : pods) {
            if (p.usageMilli() == null) missing.add(p);
            else if (!p.ready()) unready.add(p);
            else withSample.add(p);
        }
        for (Pod p : pods) {
            if (p.requestMilli() <= 0) throw new IllegalArgumentException("missing request for " + resource + " in pod " + p.name());
        }
        // Kubernetes: "did not receive metrics for targeted pods (pods might be unready)"
        if (withSample.isEmpty()) throw new IllegalArgumentException("no " + resource + " metrics for the ready pods of the target yet");

        int readyCount = withSample.size();
        int utilization = utilizationOf(withSample, List.of());
        double usageRatio = ratio(withSample, List.of(), targetUtilizationPercent);

        boolean scaleUpWithUnready = !unready.isEmpty() && usageRatio > 1.0;
        if (!scaleUpWithUnready && missing.isEmpty()) {
            if (Math.abs(1.0 - usageRatio) <= TOLERANCE) {
                return new Recommendation(currentReplicas, utilization, "within tolerance of the target");
            }
            return new Recommendation((int) Math.ceil(usageRatio * readyCount), utilization, resource + " utilization " + utilization + "% of request, target " + targetUtilizationPercent + "%");
        }

        // Kubernetes' conservative assumptions: missing pods use their whole request when scaling down, nothing
        // when scaling up; unready pods use nothing when scaling up
        List<Pod> assumedFull = new ArrayList<>();
        List<Pod> assumedZero = new ArrayList<>();
        if (!missing.isEmpty()) {
            if (usageRatio < 1.0) assumedFull.addAll(missing);
            else assumedZero.addAll(missing);
        }
        if (scaleUpWithUnready) assumedZero.addAll(unready);
        List<Pod> counted = new ArrayList<>(withSample);
        counted.addAll(assumedFull);
        double newRatio = ratio(counted, assumedZero, targetUtilizationPercent);
        int newUtilization = utilizationOf(counted, assumedZero);
        if (Math.abs(1.0 - newRatio) <= TOLERANCE || (usageRatio < 1.0 && newRatio > 1.0) || (usageRatio > 1.0 && newRatio < 1.0)) {
            return new Recommendation(currentReplicas, utilization, "within tolerance once missing and unready pods are counted");
        }
        int newReplicas = (int) Math.ceil(newRatio * (counted.size() + assumedZero.size()));
        if ((newRatio < 1.0 && newReplicas > currentReplicas) || (newRatio > 1.0 && newReplicas < currentReplicas)) {
            return new Recommendation(currentReplicas, utilization, "the change would go against the metric");
        }
        // Kubernetes reports the utilization measured on the ready pods with metrics, not the one with assumptions
        return new Recommendation(newReplicas, utilization, resource + " utilization " + utilization + "% of request ("
                + newUtilization + "% with missing/unready pods assumed), target " + targetUtilizationPercent + "%");
    }

    /** Usage and request summed: counted pods at their sample (a missing one at its request), zero-pods at nothing. */
    private static long[] sums(List<Pod> counted, List<Pod> zero) {
        long usage = 0;
        long request = 0;
        for (Pod p : counted) {
            usage += p.usageMilli() == null ? p.requestMilli() : p.usageMilli();
            request += p.requestMilli();
        }
        for (Pod p : zero) request += p.requestMilli();
        return new long[]{usage, request};
    }

    private static double ratio(List<Pod> counted, List<Pod> zero, int target) {
        long[] s = sums(counted, zero);
        return (double) s[0] * 100.0 / s[1] / target;
    }

    private static int utilizationOf(List<Pod> counted, List<Pod> zero) {
        long[] s = sums(counted, zero);
        return (int) Math.min(Integer.MAX_VALUE, s[0] * 100 / s[1]);
    }

    /** A rate policy: at most {@code value} pods or percent of the replicas per {@code periodSeconds}. */
    public record Policy(Kind kind, int value, int periodSeconds) {
        public enum Kind { PODS, PERCENT }
    }

    /** One direction's behavior: its stabilization window, its policies and how they combine. */
    public record Rules(int stabilizationWindowSeconds, List<Policy> policies, Select select) {
        public enum Select { MAX, MIN, DISABLED }
    }

    /** Kubernetes' defaults for {@code behavior.scaleUp}: no window, the more of +100 % and +4 pods per 15 s. */
    public static final Rules DEFAULT_SCALE_UP = new Rules(0,
            List.of(new Policy(Policy.Kind.PERCENT, 100, 15), new Policy(Policy.Kind.PODS, 4, 15)), Rules.Select.MAX);
    /** Kubernetes' defaults for {@code behavior.scaleDown}: a 300 s window, −100 % per 15 s. */
    public static final Rules DEFAULT_SCALE_DOWN = new Rules(300,
            List.of(new Policy(Policy.Kind.PERCENT, 100, 15)), Rules.Select.MAX);

    /** A past recommendation (for the stabilization window). */
    public record Past(long atMillis, int replicas) {}

    /** A past scaling (for the rate policies): {@code change} pods added (positive) or removed (negative). */
    public record Scaling(long atMillis, int change) {}

    /** The decision: the replicas to set, why, and the history to keep for the next call. */
    public record Decision(int replicas, String reason, List<Past> recommendations, List<Scaling> scalings) {}

    /**
     * Kubernetes' normalizeDesiredReplicasWithBehaviors: stabilization, rate policies, min/max.
     *
     * @param recommendations recommendations of earlier calls (any order); those older than both windows are dropped.
     *        Empty (an autoscaler seen for the first time) counts as the current replicas recommended now, as
     *        Kubernetes seeds it: a new HPA does not scale down before its window has passed.
     * @param scalings scalings done earlier (any order); those older than every policy period are dropped
     */
    public static Decision normalize(long now, int currentReplicas, int recommended, int minReplicas, int maxReplicas,
                                     Rules up, Rules down, List<Past> recommendations, List<Scaling> scalings) {
        if (minReplicas < 1 || maxReplicas < minReplicas) throw new IllegalArgumentException("need 1 <= minReplicas <= maxReplicas, got " + minReplicas + ".." + maxReplicas);
        long upCutoff = now - up.stabilizationWindowSeconds() * 1000L;
        long downCutoff = now - down.stabilizationWindowSeconds() * 1000L;
        if (recommendations.isEmpty()) recommendations = List.of(new Past(now, currentReplicas));
        int upRecommendation = recommended;
        int downRecommendation = recommended;
        for (Past r : recommendations) {
            if (r.atMillis() > upCutoff) upRecommendation = Math.min(upRecommendation, r.replicas());
            if (r.atMillis() > downCutoff) downRecommendation = Math.max(downRecommendation, r.replicas());
        }
        int stabilized = currentReplicas;
        if (stabilized < upRecommendation) stabilized = upRecommendation;
        if (stabilized > downRecommendation) stabilized = downRecommendation;
        String reason = stabilized == recommended ? "recommended " + recommended
                : "recommended " + recommended + ", stabilized to " + stabilized + " (the " + (stabilized > recommended ? "scale-down" : "scale-up") + " window)";

        int decided = stabilized;
        if (stabilized > currentReplicas) {
            int limit = scaleUpLimit(now, currentReplicas, up, scalings);
            int allowed = Math.min(limit, maxReplicas);
            if (decided > allowed) {
                decided = allowed;
                reason += allowed == maxReplicas && limit >= maxReplicas ? "; capped at maxReplicas " + maxReplicas : "; limited by the scale-up policy to " + allowed;
            }
            if (decided < minReplicas) decided = minReplicas;
        } else if (stabilized < currentReplicas) {
            int limit = scaleDownLimit(now, currentReplicas, down, scalings);
            int allowed = Math.max(limit, minReplicas);
            if (decided < allowed) {
                decided = allowed;
                reason += allowed == minReplicas && limit <= minReplicas ? "; held at minReplicas " + minReplicas : "; limited by the scale-down policy to " + allowed;
            }
            if (decided > maxReplicas) decided = maxReplicas;
        } else {
            if (decided > maxReplicas) {
                decided = maxReplicas;
                reason += "; capped at maxReplicas " + maxReplicas;
            }
            if (decided < minReplicas) {
                decided = minReplicas;
                reason += "; raised to minReplicas " + minReplicas;
            }
        }

        long keepRecommendations = now - Math.max(up.stabilizationWindowSeconds(), down.stabilizationWindowSeconds()) * 1000L;
        List<Past> keptRecs = new ArrayList<>();
        for (Past r : recommendations) if (r.atMillis() > keepRecommendations) keptRecs.add(r);
        keptRecs.add(new Past(now, recommended));
        long longestPeriod = 0;
        for (Policy p : up.policies()) longestPeriod = Math.max(longestPeriod, p.periodSeconds());
        for (Policy p : down.policies()) longestPeriod = Math.max(longestPeriod, p.periodSeconds());
        List<Scaling> keptScalings = new ArrayList<>();
        for (Scaling s : scalings) if (s.atMillis() > now - longestPeriod * 1000L) keptScalings.add(s);
        if (decided != currentReplicas) keptScalings.add(new Scaling(now, decided - currentReplicas));
        return new Decision(decided, reason, List.copyOf(keptRecs), List.copyOf(keptScalings));
    }

    static int scaleUpLimit(long now, int current, Rules rules, List<Scaling> scalings) {
        if (rules.select() == Rules.Select.DISABLED) return current;
        int result = rules.select() == Rules.Select.MAX ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        for (Policy p : rules.policies()) {
            int added = 0;
            for (Scaling s : scalings) if (s.change() > 0 && s.atMillis() > now - p.periodSeconds() * 1000L) added += s.change();
            int periodStart = current - added;
            int limit = p.kind() == Policy.Kind.PODS ? periodStart + p.value()
                    : (int) Math.min(Integer.MAX_VALUE, (long) Math.ceil(periodStart * (1.0 + p.value() / 100.0)));
            result = rules.select() == Rules.Select.MAX ? Math.max(result, limit) : Math.min(result, limit);
        }
        return result;
    }

    static int scaleDownLimit(long now, int current, Rules rules, List<Scaling> scalings) {
        if (rules.select() == Rules.Select.DISABLED) return current;
        int result = rules.select() == Rules.Select.MAX ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        for (Policy p : rules.policies()) {
            int removed = 0;
            for (Scaling s : scalings) if (s.change() < 0 && s.atMillis() > now - p.periodSeconds() * 1000L) removed -= s.change();
            int periodStart = current + removed;
            int limit = p.kind() == Policy.Kind.PODS ? periodStart - p.value()
                    : (int) (periodStart * (1.0 - p.value() / 100.0)); // Kubernetes truncates here (and rounds up when scaling up)
            // MAX selects the policy that allows the most change: the lowest limit
            result = rules.select() == Rules.Select.MAX ? Math.min(result, limit) : Math.max(result, limit);
        }
        return result;
    }

    /** The per-metric recommendations combined as Kubernetes does: the largest wins. */
    public static Recommendation largest(Map<String, Recommendation> byMetric) {
        Recommendation best = null;
        for (Recommendation r : byMetric.values()) if (best == null || r.replicas() > best.replicas()) best = r;
        if (best == null) throw new IllegalArgumentException("no metric");
        return best;
    }
}
