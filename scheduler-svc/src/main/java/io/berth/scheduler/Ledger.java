package io.berth.scheduler;

import io.berth.scheduler.core.Claim;
import io.berth.scheduler.core.ClusterSnapshot;
import io.berth.scheduler.core.Node;
import io.berth.scheduler.core.Placement;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.Tick;
import io.berth.schemas.avro.TickAssignment;
import io.berth.schemas.avro.TickNode;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What is booked where, as of the scheduler's own input. The cluster (nodes with capacity, labels,
 * readiness, cordon, and every node's live assignments) is the last tick of partition 0 that carried
 * it ({@code Tick.ledger}; state-streams' ticker reads it from berth.state.nodes and berth.assignments).
 * That tick is kept in a local changelogged store, so the snapshot is a function of the records
 * this processor has read, never of a global store that changes on another thread: a replay of the
 * same inputs in the same order places the same.
 *
 * <p>The scheduler's own writes reach a tick only after its transaction commits, the ticker's global
 * table reads them back and the next tick is written, so its recent placements are also kept in a
 * local "in-flight" store and counted until a tick shows them (or, if no tick ever does,
 * until {@code inFlightTtl} has passed by record time — erring on the side of holding capacity a
 * little longer). Releases (the controller's assignment tombstones) reach the scheduler the same
 * way: a later tick no longer lists the assignment.
 */
final class Ledger {
    static final String LAST_TICK = "ledger";

    private final KeyValueStore<String, Tick> ticks;
    private final KeyValueStore<String, Assignment> inFlight;
    private final Duration inFlightTtl;
    private Base base;   // the stored tick, converted once

    Ledger(KeyValueStore<String, Tick> ticks, KeyValueStore<String, Assignment> inFlight, Duration inFlightTtl) {
        this.ticks = ticks;
        this.inFlight = inFlight;
        this.inFlightTtl = inFlightTtl;
    }

    /** The cluster of one tick: nodes, their bookings, and the {@code nodeId/taskId} pairs it shows. */
    private record Base(List<Node> nodes, List<Booking> bookings, Set<String> visible) {
        static Base of(Tick t) {
            List<Node> nodes = new ArrayList<>();
            List<Booking> bookings = new ArrayList<>();
            Set<String> visible = new HashSet<>();
            for (TickNode n : t.getNodes()) {
                nodes.add(Conversions.node(n));
                for (TickAssignment a : n.getAssignments()) {
                    bookings.add(new Booking(n.getId(), Conversions.claim(a)));
                    visible.add(n.getId() + "/" + a.getTaskId());
                }
            }
            return new Base(nodes, bookings, visible);
        }
    }

    private record Booking(String nodeId, Claim claim) {}

    /**
     * Takes a tick of the scheduler's partition: one that carries the cluster replaces the stored
     * one; any other (no ledger, or {@code nodes} null = unchanged) keeps it. True when it changed.
     */
    boolean accept(Tick t) {
        if (!t.getLedger() || t.getNodes() == null) return false;
        ticks.put(LAST_TICK, t);
        base = Base.of(t);
        return true;
    }

    private Optional<Base> base() {
        if (base == null) {
            Tick t = ticks.get(LAST_TICK);   // after a restart: restored from the changelog
            if (t != null) base = Base.of(t);
        }
        return Optional.ofNullable(base);
    }

    /**
     * The snapshot and the ids of every task placed, or empty before any tick carried the cluster
     * (nothing is decided then: a verdict on an unknown cluster would be a false UNSCHEDULABLE).
     * Settles in-flight entries on the way.
     */
    Optional<View> read(long now) {
        Optional<Base> b = base();
        if (b.isEmpty()) return Optional.empty();
        ClusterSnapshot.Builder builder = ClusterSnapshot.builder();
        Set<String> placed = new HashSet<>();
        b.get().nodes().forEach(builder::node);
        for (Booking booking : b.get().bookings()) {
            builder.claim(booking.nodeId(), booking.claim());
            placed.add(booking.claim().taskId());
        }
        countInFlight(now, builder, placed);
        return Optional.of(new View(builder.build(), placed, Set.of()));
    }

    /** Remembers a placement just written, until a tick shows it. */
    void recordPlacement(Assignment assignment) {
        inFlight.put(assignment.getTaskId(), assignment);
    }

    /**
     * Forgets in-flight placements a tick already shows (or that are past their TTL). Called on
     * every tick, not only when placing: an entry left in flight after its assignment became
     * visible would, once the controller tombstones that assignment (a lost node's tasks), look
     * "not yet visible" again and count as a phantom replica on that node until its TTL.
     */
    void settle(long now) {
        countInFlight(now, null, null);
    }

    private void countInFlight(long now, ClusterSnapshot.Builder builder, Set<String> placed) {
        List<String> settled = new ArrayList<>();
        Set<String> visible = base().map(Base::visible).orElse(Set.of());
        try (KeyValueIterator<String, Assignment> it = inFlight.all()) {
            while (it.hasNext()) {
                Assignment a = it.next().value;
                if (visible.contains(a.getNodeId() + "/" + a.getTaskId()) || now - a.getAssignedAt() > inFlightTtl.toMillis()) {
                    settled.add(a.getTaskId());
                } else if (builder != null) {
                    builder.claim(a.getNodeId(), Conversions.claim(a));
                    placed.add(a.getTaskId());
                }
            }
        }
        settled.forEach(inFlight::delete);
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
