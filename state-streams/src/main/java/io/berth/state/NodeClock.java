package io.berth.state;

import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The node controller's sense of time, from the {@code CLOCK} records in the heartbeat partitions
 * (capped by the ticks read, {@link #tickRead}). After a gap in the ticks longer than the
 * grace (this controller was down, or it is the first tick ever), the stored heartbeats are as old
 * as the gap while the backlog of fresh ones is still being read: nodes expire only once one grace
 * period of ticks has passed since the ticks resumed (Kubernetes' node controller waits likewise
 * after it starts). Kept per partition in a store, so a replay reaches the same verdicts.
 */
final class NodeClock {
    private final KeyValueStore<String, Long> store;
    private final long graceMs;

    /** The newest berth.ticks record read for {@code partition}: a clock record never counts past it. */
    void tickRead(int partition, long at) {
        String key = "tick/" + partition;
        Long held = store.get(key);
        if (held == null || held < at) store.put(key, at);
    }

    /** The newest tick read for {@code partition}, or null before the first. */
    Long lastTick(int partition) {
        return store.get("tick/" + partition);
    }

    NodeClock(KeyValueStore<String, Long> store, long graceMs) {
        this.store = store;
        this.graceMs = graceMs;
    }

    /**
     * Records a clock record of {@code partition} at {@code now}; true when nodes may be expired at
     * it. One older than the last is ignored (false): the clock only moves forward.
     */
    boolean mayExpire(int partition, long now) {
        String last = "last/" + partition, resumed = "resumed/" + partition;
        Long previous = store.get(last);
        if (previous != null && now < previous) return false;
        store.put(last, now);
        Long since = store.get(resumed);
        if (previous == null || now - previous > graceMs || since == null) {
            store.put(resumed, now);
            since = now;
        }
        return now - since >= graceMs;
    }
}
