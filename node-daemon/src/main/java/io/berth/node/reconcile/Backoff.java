package io.berth.node.reconcile;

/**
 * Kubelet-style restart back-off. The first restart is immediate so that a one-off crash (or a
 * {@code docker kill}) heals at once; after that the delay doubles (1 s, 2 s, 4 s …) up to a cap
 * of 60 s, and resets once a container has kept running for 60 s.
 */
public final class Backoff {
    public static final long CAP_MS = 60_000;
    public static final long RESET_AFTER_MS = 60_000;

    private Backoff() {}

    /**
     * Delay before restart number {@code step} since the last reset.
     * Worked example: step 0 → 0 ms, 1 → 1 s, 2 → 2 s, 3 → 4 s, 7 → 60 s (64 s capped).
     */
    public static long delayMs(int step) {
        if (step <= 0) return 0;
        if (step > 16) return CAP_MS;
        return Math.min(CAP_MS, 1000L << (step - 1));
    }

    /** True when a container that ran from {@code startedAt} to {@code exitedAt} earns a fresh back-off. */
    public static boolean ranLongEnough(long startedAt, long exitedAt) {
        return startedAt > 0 && exitedAt - startedAt >= RESET_AFTER_MS;
    }
}
