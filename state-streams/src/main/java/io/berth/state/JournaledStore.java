package io.berth.state;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

import java.util.List;

/**
 * A timestamped RocksDB key-value store that tells a listener the key of every put and delete. Used
 * under the global tables the {@link Ticker} reads, whose updates arrive on the global thread: under
 * berth.assignments a {@link LedgerJournal} lets partition 0's ticker send only what changed; under
 * berth.state.nodes a version counter lets every ticker skip re-reading the nodes when none changed.
 * Restoration writes the inner store directly (not through {@link #put}); the tickers read the
 * store once after restoration anyway.
 */
final class JournaledStore extends WrappedStateStore<KeyValueStore<Bytes, byte[]>, Bytes, byte[]>
        implements KeyValueStore<Bytes, byte[]>, TimestampedBytesStore {
    private final java.util.function.Consumer<byte[]> journal;

    JournaledStore(KeyValueStore<Bytes, byte[]> inner, java.util.function.Consumer<byte[]> journal) {
        super(inner);
        this.journal = journal;
    }

    static KeyValueBytesStoreSupplier supplier(String name, java.util.function.Consumer<byte[]> journal) {
        KeyValueBytesStoreSupplier inner = Stores.persistentTimestampedKeyValueStore(name);
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return inner.name();
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new JournaledStore(inner.get(), journal);
            }

            @Override
            public String metricsScope() {
                return inner.metricsScope();
            }
        };
    }

    @Override
    public void put(Bytes key, byte[] value) {
        wrapped().put(key, value);
        journal.accept(key.get());
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] old = wrapped().putIfAbsent(key, value);
        if (old == null) journal.accept(key.get());
        return old;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        wrapped().putAll(entries);
        entries.forEach(e -> journal.accept(e.key.get()));
    }

    @Override
    public byte[] delete(Bytes key) {
        byte[] old = wrapped().delete(key);
        journal.accept(key.get());
        return old;
    }

    @Override
    public byte[] get(Bytes key) {
        return wrapped().get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return wrapped().reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return wrapped().reverseAll();
    }

    @Override
    public <PS extends org.apache.kafka.common.serialization.Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
        return wrapped().prefixScan(prefix, serializer);
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries();
    }
}
