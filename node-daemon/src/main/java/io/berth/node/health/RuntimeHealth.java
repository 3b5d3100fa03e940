package io.berth.node.health;

import io.berth.node.docker.DockerCallStats;

/**
 * Judges the container runtime's health from what the short-call Docker client went through, as
 * kubelet's PLEG health check does ({@code PLEG is not healthy: pleg was last seen active 3m0s ago;
 * threshold is 3m0s}) and node-problem-detector's {@code ContainerRuntimeUnhealthy} condition
 * reports. Pure: the stats snapshot and the time come in as arguments. Any bounded resource running
 * out shows here instead of freezing the daemon silently:
 * <ul>
 *   <li>the Docker API pool: a call found no free connection within its wait (in the last {@code windowMs});</li>
 *   <li>a call stuck beyond {@code slowMs} (an engine that stopped answering);</li>
 *   <li>the relist (the reconciler's listing of the node's containers) not completed for
 *       {@code relistMs}: the worker pool is backed up or every call hangs.</li>
 * </ul>
 */
public final class RuntimeHealth {
    public static final String TYPE = "ContainerRuntimeUnhealthy";
    public static final String HEALTHY = "ContainerRuntimeIsHealthy";
    public static final String PLEG = "PLEGNotHealthy";
    public static final String EXHAUSTED = "DockerAPIExhausted";
    public static final String SLOW = "DockerCallsSlow";

    /** The thresholds; kubelet's relist threshold is 3 minutes. */
    public record Thresholds(long relistMs, long slowMs, long windowMs) {
        public static final Thresholds DEFAULT = new Thresholds(180_000, 120_000, 60_000);
    }

    /** A node condition as the daemon reports it: status "True" means unhealthy (the condition holds). */
    public record Verdict(String type, String status, String reason, String message) {
        public boolean unhealthy() {
            return "True".equals(status);
        }
    }

    private RuntimeHealth() {}

    /** @param startedAt when the daemon started (before its first relist, the relist age counts from there) */
    public static Verdict judge(DockerCallStats.Snapshot s, long now, long startedAt, Thresholds t) {
        long activeAt = Math.max(s.lastRelistAt(), startedAt);
        if (now - activeAt > t.relistMs()) {
            return unhealthy(PLEG, "PLEG is not healthy: pleg was last seen active " + duration(now - activeAt)
                    + " ago; threshold is " + duration(t.relistMs()) + " (" + s.inFlight() + " of " + s.poolSize()
                    + " Docker API connections in use)");
        }
        if (s.lastTimeoutAt() > 0 && now - s.lastTimeoutAt() <= t.windowMs()) {
            return unhealthy(EXHAUSTED, "Docker API connection pool exhausted: a call found none of " + s.poolSize()
                    + " connections free within " + duration(s.waitMs()) + ", last " + duration(now - s.lastTimeoutAt())
                    + " ago (" + s.timeouts() + " such calls since start)");
        }
        if (s.oldestCallStartedAt() > 0 && now - s.oldestCallStartedAt() > t.slowMs()) {
            return unhealthy(SLOW, "a Docker API call has been running for " + duration(now - s.oldestCallStartedAt())
                    + "; threshold is " + duration(t.slowMs()) + " (" + s.inFlight() + " of " + s.poolSize()
                    + " connections in use)");
        }
        return new Verdict(TYPE, "False", HEALTHY, "container runtime on the node is functioning properly");
    }

    private static Verdict unhealthy(String reason, String message) {
        return new Verdict(TYPE, "True", reason, message);
    }

    /** Go's {@code time.Duration} text, as kubelet prints it: 250ms, 4s, 3m0s, 1h2m3s (whole seconds above 1 s). */
    public static String duration(long ms) {
        if (ms < 1000) return ms + "ms";
        long s = ms / 1000;
        long h = s / 3600, m = (s % 3600) / 60, sec = s % 60;
        if (h > 0) return h + "h" + m + "m" + sec + "s";
        if (m > 0) return m + "m" + sec + "s";
        return sec + "s";
    }
}
