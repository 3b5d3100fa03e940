package io.berth.node.docker;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the short-call Docker client went through: calls in flight (and since when), the last time
 * a call found no free connection, the last successful relist of the node's containers. Written by
 * worker threads, read by the heartbeat; a snapshot is what {@code RuntimeHealth} judges.
 */
public final class DockerCallStats {
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, Long> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong timeouts = new AtomicLong();
    private volatile long lastTimeoutAt;
    private volatile long lastRelistAt;
    private final int poolSize;
    private final long waitMs;

    public DockerCallStats(int poolSize, long waitMs) {
        this.poolSize = poolSize;
        this.waitMs = waitMs;
    }

    long begin(long now) {
        long id = ids.incrementAndGet();
        inFlight.put(id, now);
        return id;
    }

    void end(long id, long now) {
        inFlight.remove(id);
    }

    void timedOut(long now) {
        timeouts.incrementAndGet();
        lastTimeoutAt = now;
    }

    /** A listing of the node's containers completed (kubelet's PLEG relist). */
    public void relisted(long now) {
        lastRelistAt = now;
    }

    /** What the health detector judges, as of now. */
    public Snapshot snapshot() {
        long oldest = inFlight.values().stream().mapToLong(Long::longValue).min().orElse(0);
        return new Snapshot(poolSize, waitMs, inFlight.size(), oldest, timeouts.get(), lastTimeoutAt, lastRelistAt);
    }

    /**
     * @param oldestCallStartedAt start of the longest-running call in flight, 0 when none
     * @param lastTimeoutAt the last time a call found no connection within {@code waitMs}, 0 never
     * @param lastRelistAt the last successful listing of the node's containers, 0 never
     */
    public record Snapshot(int poolSize, long waitMs, int inFlight, long oldestCallStartedAt, long timeouts,
                           long lastTimeoutAt, long lastRelistAt) {}
}
