package io.berth.scheduler;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Decodes the values of a byte store once per distinct (key, bytes). The global stores are scanned
 * on every snapshot read, and decoding ten thousand Avro assignments each time cost ~100 ms; an
 * assignment never changes under its key, so after the first scan a read only hashes bytes.
 * An undecodable value is logged once and skipped (it books nothing).
 */
final class DecodedCache<V> {
    private static final Logger LOG = LoggerFactory.getLogger(DecodedCache.class);
    private final String what;
    private final Function<byte[], V> decode;
    private Map<String, Entry<V>> entries = new HashMap<>();

    private record Entry<V>(int hash, int length, V value) {
        boolean matches(byte[] bytes) {
            return length == bytes.length && hash == Arrays.hashCode(bytes);
        }
    }

    DecodedCache(String what, Function<byte[], V> decode) {
        this.what = what;
        this.decode = decode;
    }

    /** Visits every decodable value of the store; forgets keys the store no longer has. */
    void scan(ReadOnlyKeyValueStore<String, byte[]> store, BiConsumer<String, V> action) {
        Map<String, Entry<V>> seen = new HashMap<>(Math.max(16, entries.size() * 2));
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (kv.value == null) continue; // deleted while we iterate
                Entry<V> e = entry(kv.key, kv.value);
                seen.put(kv.key, e);
                if (e.value() != null) action.accept(kv.key, e.value());
            }
        }
        entries = seen;
    }

    private Entry<V> entry(String key, byte[] bytes) {
        Entry<V> cached = entries.get(key);
        if (cached != null && cached.matches(bytes)) return cached;
        return new Entry<>(Arrays.hashCode(bytes), bytes.length, decodeOrNull(key, bytes));
    }

    private V decodeOrNull(String key, byte[] bytes) {
        try {
            return decode.apply(bytes);
        } catch (RuntimeException e) {
            LOG.warn("ignoring undecodable {} under key {}: {}", what, key, e.getMessage());
            return null;
        }
    }
}
