package io.berth.scheduler;

import io.berth.scheduler.core.Claim;
import io.berth.scheduler.core.ClusterSnapshot;
import io.berth.scheduler.core.Node;
import io.berth.scheduler.core.Placement;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.NodeView;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * What is booked where. The truth is the compacted assignments topic (a global store: every live
 * key {@code nodeId/taskId} holds its requests; the controller's tombstones free them). The
 * scheduler's own writes reach that store only after its transaction commits and the global
 * thread reads them back, so its recent placements are also kept in a local "in-flight" store and
 * counted until the ledger shows them (or, if the ledger saw them come and go already, until
 * {@code inFlightTtl} has passed — erring on the side of holding capacity a little longer).
 */
final class Ledger {
    private final ReadOnlyKeyValueStore<String, byte[]> nodes;
    private final ReadOnlyKeyValueStore<String, byte[]> assignments;
    private final KeyValueStore<String, Assignment> inFlight;
    private final Duration inFlightTtl;
    private final DecodedCache<Node> nodeViews;
    private final DecodedCache<Booking> ledgerEntries;

    /** The global stores hold raw bytes (see {@link DecodedCache}); {@code decoders} turn them into records. */
    Ledger(ReadOnlyKeyValueStore<String, byte[]> nodes, ReadOnlyKeyValueStore<String, byte[]> assignments,
           KeyValueStore<String, Assignment> inFlight, Duration inFlightTtl, Decoders decoders) {
        this.nodes = nodes;
        this.assignments = assignments;
        this.inFlight = inFlight;
        this.inFlightTtl = inFlightTtl;
        this.nodeViews = new DecodedCache<>("node view", decoders.node().andThen(Conversions::node));
        this.ledgerEntries = new DecodedCache<>("assignment", decoders.assignment().andThen(Booking::of));
    }

    record Decoders(Function<byte[], NodeView> node, Function<byte[], Assignment> assignment) {}

    /** One live ledger entry as the core sees it; cached per key, so a scan converts nothing. */
    private record Booking(String nodeId, Claim claim) {
        static Booking of(Assignment a) {
            return new Booking(a.getNodeId(), Conversions.claim(a));
        }
    }

    /** The current snapshot and the ids of every task already placed. Settles in-flight entries on the way. */
    View read(long now) {
        ClusterSnapshot.Builder builder = ClusterSnapshot.builder();
        Set<String> placed = new HashSet<>();
        nodeViews.scan(nodes, (key, node) -> builder.node(node));
        ledgerEntries.scan(assignments, (key, b) -> {
            builder.claim(b.nodeId(), b.claim());
            placed.add(b.claim().taskId());
        });
        countInFlight(now, builder, placed);
        return new View(builder.build(), placed, Set.of());
    }

    /** Remembers a placement just written, until the ledger shows it. */
    void recordPlacement(Assignment assignment) {
        inFlight.put(assignment.getTaskId(), assignment);
    }

    /**
     * Forgets in-flight placements the ledger already shows (or that are past their TTL). Called on
     * every tick, not only when placing: an entry left in flight after its assignment became
     * visible would, once the controller tombstones that assignment (a lost node's tasks), look
     * "not yet visible" again and count as a phantom replica on that node until its TTL.
     */
    void settle(long now) {
        List<String> settled = new ArrayList<>();
        try (KeyValueIterator<String, Assignment> it = inFlight.all()) {
            while (it.hasNext()) {
                Assignment a = it.next().value;
                if (visibleInLedger(a) || now - a.getAssignedAt() > inFlightTtl.toMillis()) settled.add(a.getTaskId());
            }
        }
        settled.forEach(inFlight::delete);
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

    /**
     * A snapshot plus the placed task ids: those read ({@code placedAtRead}, thousands, shared) and
     * those decided since ({@code placedSince}, a few, copied per decision).
     */
    record View(ClusterSnapshot snapshot, Set<String> placedAtRead, Set<String> placedSince) {
        boolean isPlaced(String taskId) {
            return placedAtRead.contains(taskId) || placedSince.contains(taskId);
        }

        View with(Placement placement) {
            if (!(placement instanceof Placement.Placed)) return this;
            Set<String> since = new HashSet<>(placedSince);
            since.add(placement.task().taskId());
            return new View(snapshot.with(placement), placedAtRead, since);
        }
    }
}
