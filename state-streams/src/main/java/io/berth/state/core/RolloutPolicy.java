package io.berth.state.core;

/**
 * How a deployment replaces tasks of an old template, resolved to task counts.
 *
 * @param recreate       stop every old task before creating new ones (strategy Recreate)
 * @param maxSurge       how many tasks above replicas may exist during a rolling update
 * @param maxUnavailable how many tasks below replicas may be unavailable during it
 */
public record RolloutPolicy(boolean recreate, int maxSurge, int maxUnavailable) {

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

    /** Unparseable values count as 0 (the gateway rejects them before they get here). */
    static int resolve(String raw, int replicas, boolean roundUp) {
        String v = raw == null ? "" : raw.trim();
        try {
            if (!v.endsWith("%")) return Math.max(0, Integer.parseInt(v));
            int pct = Integer.parseInt(v.substring(0, v.length() - 1));
            return Math.max(0, roundUp ? (replicas * pct + 99) / 100 : replicas * pct / 100);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
