package io.berth.state;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The keys of berth.assignments that changed since partition 0's {@link Ticker} last looked, so it
 * can send the scheduler the ledger's changes instead of the whole ledger every tick (at 100,000
 * tasks the whole ledger is ~6 MB: more than a Kafka record may hold, and a scan of the global
 * store every 250 ms). Written by the global thread (the {@link JournaledStore} under the global
 * assignments table), drained by the stream thread that runs partition 0's ticker.
 *
 * <p>It records only while a ticker of partition 0 lives in this instance ({@link #activate()}
 * before that ticker's first full scan, {@link #deactivate()} when its task leaves): an instance
 * without that task keeps nothing. A set of keys, not a queue of values: the ticker reads each
 * key's latest value from the store when it drains, so a key changed many times is sent once, and
 * replaying a change already in the scan is harmless (an absolute put or release, not a delta).
 * Bounded: past {@link #MAX_KEYS} undrained keys it gives up and asks for a full ledger instead.
 */
final class LedgerJournal {
    static final int MAX_KEYS = 1_000_000;

    private final AtomicReference<Set<String>> keys = new AtomicReference<>();   // null = not recording
    private volatile boolean overflowed;

    /** Starts (or restarts) recording: everything before is forgotten, the caller scans the store next. */
    void activate() {
        overflowed = false;
        keys.set(ConcurrentHashMap.newKeySet());
    }

    void deactivate() {
        keys.set(null);
    }

    /** Called by the store on every put and delete (the global thread). */
    void changed(byte[] key) {
        Set<String> s = keys.get();
        if (s == null || key == null) return;
        if (s.size() >= MAX_KEYS) {
            overflowed = true;
            return;
        }
        s.add(new String(key, StandardCharsets.UTF_8));   // BerthSerdes.key() is Serdes.String(): UTF-8
    }

    /**
     * The keys changed since the last drain, or null when recording overflowed or never started
     * (then the caller must send the whole ledger, after {@link #activate()}).
     */
    Set<String> drain() {
        Set<String> s = keys.get();
        if (s == null || overflowed) return null;
        Set<String> fresh = ConcurrentHashMap.newKeySet();
        return keys.compareAndSet(s, fresh) ? s : null;
    }
}
