package io.berth.state;

import io.berth.schemas.avro.NodeView;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

import java.util.HashSet;
import java.util.Set;

/** Reads which nodes are ready from the global copy of berth.state.nodes (every instance sees every node). */
final class NodeReadiness {
    private final ReadOnlyKeyValueStore<String, ?> store;

    NodeReadiness(ReadOnlyKeyValueStore<String, ?> store) {
        this.store = store;
    }

    Set<String> readyNodeIds() {
        Set<String> ready = new HashSet<>();
        try (KeyValueIterator<String, ?> it = store.all()) {
            it.forEachRemaining(kv -> {
                // A GlobalKTable's store holds timestamped values.
                Object v = kv.value instanceof ValueAndTimestamp<?> vt ? vt.value() : kv.value;
                if (v instanceof NodeView n && n.getReady()) ready.add(kv.key);
            });
        }
        return ready;
    }
}
