package io.berth.scheduler;

import io.berth.scheduler.core.ClusterSnapshot;
import io.berth.scheduler.core.Placement;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.NodeView;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What is booked where. The truth is the compacted assignments topic (a global store: every live
 * key {@code nodeId/taskId} holds its requests; the controller's tombstones free them). The
 * scheduler's own writes reach that store only after its transaction commits and the global
 * thread reads them back, so its recent placements are also kept in a local "in-flight" store and
 * counted until the ledger shows them (or, if the ledger saw them come and go already, until
 * {@code inFlightTtl} has passed — erring on the side of holding capacity a little longer).
 */
final class Ledger {
    private final ReadOnlyKeyValueStore<String, NodeView> nodes;
    private final ReadOnlyKeyValueStore<String, Assignment> assignments;
    private final KeyValueStore<String, Assignment> inFlight;
    private final Duration inFlightTtl;

    Ledger(ReadOnlyKeyValueStore<String, NodeView> nodes, ReadOnlyKeyValueStore<String, Assignment> assignments,
           KeyValueStore<String, Assignment> inFlight, Duration inFlightTtl) {
        this.nodes = nodes;
        this.assignments = assignments;
        this.inFlight = inFlight;
        this.inFlightTtl = inFlightTtl;
    }

    /** The current snapshot and the ids of every task already placed. Settles in-flight entries on the way. */
    View read(long now) {
        ClusterSnapshot.Builder builder = ClusterSnapshot.builder();
        Set<String> placed = new HashSet<>();
        forEach(nodes, view -> builder.node(Conversions.node(view)));
        forEach(assignments, a -> {
            builder.claim(a.getNodeId(), Conversions.claim(a));
            placed.add(a.getTaskId());
        });
        countInFlight(now, builder, placed);
        return new View(builder.build(), placed);
    }

    /** Remembers a placement just written, until the ledger shows it. */
    void recordPlacement(Assignment assignment) {
        inFlight.put(assignment.getTaskId(), assignment);
    }

    private void countInFlight(long now, ClusterSnapshot.Builder builder, Set<String> placed) {
        List<String> settled = new ArrayList<>();
        try (KeyValueIterator<String, Assignment> it = inFlight.all()) {
            while (it.hasNext()) {
                Assignment a = it.next().value;
                if (visibleInLedger(a) || now - a.getAssignedAt() > inFlightTtl.toMillis()) {
                    settled.add(a.getTaskId());
                } else {
                    builder.claim(a.getNodeId(), Conversions.claim(a));
                    placed.add(a.getTaskId());
                }
            }
        }
        settled.forEach(inFlight::delete);
    }

    private boolean visibleInLedger(Assignment a) {
        return assignments.get(Topics.assignmentKey(a.getNodeId(), a.getTaskId())) != null;
    }

    private static <V> void forEach(ReadOnlyKeyValueStore<String, V> store, Consumer<V> action) {
        try (KeyValueIterator<String, V> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, V> kv = it.next();
                if (kv.value != null) action.accept(kv.value);
            }
        }
    }

    /** A snapshot plus the placed task ids; {@link #with} folds in a decision of the current batch. */
    record View(ClusterSnapshot snapshot, Set<String> placedTaskIds) {
        boolean isPlaced(String taskId) {
            return placedTaskIds.contains(taskId);
        }

        View with(Placement placement) {
            if (!(placement instanceof Placement.Placed)) return this;
            Set<String> placed = new HashSet<>(placedTaskIds);
            placed.add(placement.task().taskId());
            return new View(snapshot.with(placement), placed);
        }
    }
}
