package io.berth.state.core;

import io.berth.schemas.limits.Limits;

/**
 * How a deployment replaces tasks of an old template, resolved to task counts and millis.
 *
 * @param recreate       stop every old task before creating new ones (strategy Recreate)
 * @param maxSurge       how many tasks above replicas may exist during a rolling update
 * @param maxUnavailable how many tasks below replicas may be unavailable during it
 * @param minReadyMs     a task is available once ready this long (minReadySeconds)
 * @param paused         spec.paused: no rollout step, only what scaling needs
 * @param updateDelayMs  after a new task became available, wait this long before creating more (Swarm's update_delay)
 * @param newTarget      how many tasks of the current template the rollout aims at now ({@link #ALL} = replicas):
 *                       a canary step's weight, or the tasks already created of a failed revision (no more of it)
 */
public record RolloutPolicy(boolean recreate, int maxSurge, int maxUnavailable, long minReadyMs, boolean paused,
                            long updateDelayMs, int newTarget) {
    public static final int ALL = -1;
    /** A failed revision: keep the new-template tasks that exist, create no more of them (replacements excepted). */
    public static final int HOLD = -2;

    public RolloutPolicy(boolean recreate, int maxSurge, int maxUnavailable) {
        this(recreate, maxSurge, maxUnavailable, 0, false, 0, ALL);
    }

    /**
     * Kubernetes' resolution: percentages of replicas, surge rounded up, unavailable rounded down;
     * if both come out 0 no progress is possible, so unavailable becomes 1. Example: 10 replicas,
     * "25%"/"25%" → surge 3, unavailable 2; 1 replica → surge 1, unavailable 0.
     */
    public static RolloutPolicy rollingUpdate(String maxSurge, String maxUnavailable, int replicas) {
        int surge = resolve(maxSurge, replicas, true);
        int unavailable = resolve(maxUnavailable, replicas, false);
        return new RolloutPolicy(false, surge, surge == 0 && unavailable == 0 ? 1 : unavailable);
    }

    public static RolloutPolicy recreateAll() {
        return new RolloutPolicy(true, 0, 0);
    }

    /**
     * A canary step's share of replicas on the new template: ceil(weight% × replicas), at least 1
     * when the weight is above 0. Example: 10% of 4 → 1, 50% of 5 → 3, 0% → 0, 100% → replicas.
     */
    public static int canaryTarget(int weightPercent, int replicas) {
        if (weightPercent <= 0 || replicas <= 0) return 0;
        return Math.max(1, Limits.percentOf(replicas, Math.min(100, weightPercent), true));
    }

    public RolloutPolicy withMinReadyMs(long ms) {
        return new RolloutPolicy(recreate, maxSurge, maxUnavailable, ms, paused, updateDelayMs, newTarget);
    }

    public RolloutPolicy withPaused(boolean p) {
        return new RolloutPolicy(recreate, maxSurge, maxUnavailable, minReadyMs, p, updateDelayMs, newTarget);
    }

    public RolloutPolicy withUpdateDelayMs(long ms) {
        return new RolloutPolicy(recreate, maxSurge, maxUnavailable, minReadyMs, paused, ms, newTarget);
    }

    public RolloutPolicy withNewTarget(int n) {
        return new RolloutPolicy(recreate, maxSurge, maxUnavailable, minReadyMs, paused, updateDelayMs, n);
    }

    /**
     * Unparseable values count as 0 (the gateway and the intent gate reject them before they get here);
     * the arithmetic is in longs and clamped ({@link Limits#percentOf}), so no value overflows into a
     * negative or enormous step.
     */
    static int resolve(String raw, int replicas, boolean roundUp) {
        String v = raw == null ? "" : raw.trim();
        try {
            if (!v.endsWith("%")) return Limits.clampCount(Long.parseLong(v));
            return Limits.percentOf(replicas, Long.parseLong(v.substring(0, v.length() - 1)), roundUp);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
