package io.berth.state;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Which nodes of the global nodes table changed, for the tickers: every change counts a version,
 * and each node id remembers the version of its last change. A ticker that read the nodes at
 * version V re-reads only the ids changed after V — not all 1,000 views on every tick because one
 * of them was rewritten (node leases rewrite each view every {@code node-status-refresh-ms}, so at
 * 1,000 nodes some view changes in almost every 250 ms tick).
 *
 * <p>The global thread calls {@link #changed} after it applied the change to the store; readers
 * (the stream threads' tickers) take {@link #version()} before they read, so a change during the
 * read has a later version and is read again on the next tick. One entry per node id ever seen.
 */
final class NodesJournal {
    private final AtomicLong version = new AtomicLong();
    private final Map<String, Long> changedAt = new ConcurrentHashMap<>();

    /** The global store's change callback: the raw key of the node that changed. */
    void changed(byte[] key) {
        changedAt.put(new String(key, StandardCharsets.UTF_8), version.incrementAndGet());
    }

    long version() {
        return version.get();
    }

    /** Calls {@code action} for each node id changed after version {@code since}. */
    void changedSince(long since, BiConsumer<String, Long> action) {
        changedAt.forEach((id, v) -> { if (v > since) action.accept(id, v); });
    }
}
