package io.berth.state;

import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.Map;
import java.util.TreeMap;

/**
 * The workloads that received task statuses since they were last converged, with the last such
 * status as the cause ("RUNNING web-…"). A status only folds into its task's view and marks its
 * workload here; the next tick of the partition converges each marked workload once, however many
 * of its statuses arrived in between (at 1,000 replicas a workload's converge is O(replicas), and a
 * placement brings ~3 statuses per task: converging per status was O(replicas²)).
 *
 * <p>Kept in the changelogged store {@value StateStreamsTopology#DIRTY_STORE}, so under
 * exactly_once_v2 the marks commit with the statuses that made them: after a crash, a rebalance or
 * in a replay the set is exactly what the log up to the committed offsets says, and the next tick
 * converges what was pending. An in-memory copy avoids a store read per status; it is rebuilt from
 * the store on every processor {@code init}, and this class is the store's only writer. The store
 * is written when a workload becomes dirty or its cause changes, and cleared when it is converged.
 */
final class DirtyWorkloads {
    private final KeyValueStore<String, String> store;
    /** workload key → cause, ascending (the order the tick converges them in). */
    private final TreeMap<String, String> marked = new TreeMap<>();

    DirtyWorkloads(KeyValueStore<String, String> store) {
        this.store = store;
        try (KeyValueIterator<String, String> it = store.all()) {
            it.forEachRemaining(kv -> marked.put(kv.key, kv.value));
        }
    }

    void mark(String workloadKey, String cause) {
        if (cause.equals(marked.put(workloadKey, cause))) return;
        store.put(workloadKey, cause);
    }

    boolean isDirty(String workloadKey) {
        return marked.containsKey(workloadKey);
    }

    /** The cause of the pending converge, or null when the workload is not marked. */
    String cause(String workloadKey) {
        return marked.get(workloadKey);
    }

    /** Converged (by a tick or an intent): no longer pending. */
    void clear(String workloadKey) {
        if (marked.remove(workloadKey) != null) store.delete(workloadKey);
    }

    /** The marked workloads in key order (a copy: converging clears marks). */
    Map<String, String> all() {
        return new TreeMap<>(marked);
    }
}
