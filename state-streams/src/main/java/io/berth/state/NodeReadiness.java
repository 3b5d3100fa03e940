package io.berth.state;

import io.berth.schemas.avro.NodeView;
import io.berth.state.core.NodeLiveness;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/** Reads which nodes are ready from the global copy of berth.state.nodes (every instance sees every node). */
final class NodeReadiness {
    private final ReadOnlyKeyValueStore<String, ?> store;

    NodeReadiness(ReadOnlyKeyValueStore<String, ?> store) {
        this.store = store;
    }

    Set<String> readyNodeIds() {
        return select(NodeView::getReady);
    }

    /** Nodes being drained (see {@link NodeLiveness#DRAINING_LABEL}). */
    Set<String> drainingNodeIds() {
        return select(NodeLiveness::draining);
    }

    private Set<String> select(Predicate<NodeView> p) {
        Set<String> out = new HashSet<>();
        try (KeyValueIterator<String, ?> it = store.all()) {
            it.forEachRemaining(kv -> {
                // A GlobalKTable's store holds timestamped values.
                Object v = kv.value instanceof ValueAndTimestamp<?> vt ? vt.value() : kv.value;
                if (v instanceof NodeView n && p.test(n)) out.add(kv.key);
            });
        }
        return out;
    }
}
