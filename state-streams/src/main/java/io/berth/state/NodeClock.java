package io.berth.state;

import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The node controller's sense of time, from ticks only. After a gap in the ticks longer than the
 * grace (this controller was down, or it is the first tick ever), the stored heartbeats are as old
 * as the gap while the backlog of fresh ones is still being read: nodes expire only once one grace
 * period of ticks has passed since the ticks resumed (Kubernetes' node controller waits likewise
 * after it starts). Kept per partition in a store, so a replay reaches the same verdicts.
 */
final class NodeClock {
    private final KeyValueStore<String, Long> store;
    private final long graceMs;

    NodeClock(KeyValueStore<String, Long> store, long graceMs) {
        this.store = store;
        this.graceMs = graceMs;
    }

    /** Records a tick of {@code partition} at {@code now}; true when nodes may be expired at it. */
    boolean mayExpire(int partition, long now) {
        String last = "last/" + partition, resumed = "resumed/" + partition;
        Long previous = store.get(last);
        store.put(last, now);
        Long since = store.get(resumed);
        if (previous == null || now - previous > graceMs || since == null) {
            store.put(resumed, now);
            since = now;
        }
        return now - since >= graceMs;
    }
}
