package io.berth.scheduler;

import io.berth.scheduler.core.Claim;
import io.berth.scheduler.core.ClusterSnapshot;
import io.berth.scheduler.core.Node;
import io.berth.scheduler.core.Placement;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.Tick;
import io.berth.schemas.avro.TickAssignment;
import io.berth.schemas.avro.TickLedgerChange;
import io.berth.schemas.avro.TickNode;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What is booked where, as of the scheduler's own input. The cluster (nodes with capacity, labels,
 * readiness, cordon) is the last tick of partition 0 that listed the nodes ({@code Tick.ledger});
 * the bookings are the allocation ledger (the live keys of berth.assignments) that state-streams'
 * ticker sends along those ticks as changes ({@code ledgerVersion} 1: ledger-only records before the
 * tick proper, a whole ledger after {@code ledgerReset}). Both are kept in local changelogged
 * stores — the node list as one small tick, the ledger one entry per assignment (at 100,000 tasks
 * a single value would pass Kafka's record limit) — and mirrored in memory, so the snapshot is a
 * function of the records this processor has read, never of a global store that changes on another
 * thread: a replay of the same inputs in the same order places the same.
 *
 * <p>A whole ledger replaces the entries when the tick proper that closes it arrives (only the
 * differences are written). A restart that resumes inside one (its first records already
 * committed) folds the rest as changes: what it would have released is then released at the next
 * whole ledger (every few minutes) — held capacity, never double-booked capacity, since the
 * ticker's changes are absolute values. An older ticker's tick ({@code ledgerVersion} 0, the whole
 * ledger inside {@code TickNode.assignments}) is read as a whole ledger.
 *
 * <p>The scheduler's own writes reach a tick only after its transaction commits, the ticker's global
 * table reads them back and the next tick is written, so its recent placements are also kept in a
 * local "in-flight" store and counted until a tick shows them (or, if no tick ever does,
 * until {@code inFlightTtl} has passed by record time — erring on the side of holding capacity a
 * little longer). Releases (the controller's assignment tombstones) reach the scheduler the same
 * way: a later tick lists the assignment as released.
 */
final class Ledger {
    static final String LAST_TICK = "ledger";

    private final KeyValueStore<String, Tick> ticks;
    private final KeyValueStore<String, TickLedgerChange> entries;   // nodeId/taskId → the live assignment
    private final KeyValueStore<String, Assignment> inFlight;
    private final Duration inFlightTtl;
    private List<Node> nodes;                       // the stored tick's nodes, converted once; null = not read yet
    private Map<String, TickLedgerChange> mirror;   // the entries store in memory; null = not read yet
    private Map<String, TickLedgerChange> whole;    // a whole ledger being received; null = none

    Ledger(KeyValueStore<String, Tick> ticks, KeyValueStore<String, TickLedgerChange> entries,
           KeyValueStore<String, Assignment> inFlight, Duration inFlightTtl) {
        this.ticks = ticks;
        this.entries = entries;
        this.inFlight = inFlight;
        this.inFlightTtl = inFlightTtl;
    }

    /**
     * Takes a tick of the scheduler's partition: ledger changes are folded in, a node list
     * replaces the stored one. True when the cluster changed (the next read builds a new snapshot).
     */
    boolean accept(Tick t) {
        if (!t.getLedger()) return false;
        if (t.getLedgerVersion() == 0) return acceptWhole(t);
        boolean changed = false;
        if (t.getLedgerReset()) whole = new HashMap<>();
        for (TickLedgerChange c : t.getLedgerChanges()) {
            if (whole != null) {
                if (c.getAssignment() != null) whole.put(key(c), c);
            } else {
                changed |= apply(c);
            }
        }
        if (t.getLedgerMore()) return changed;
        if (whole != null) {
            changed |= replace(whole);
            whole = null;
        }
        if (t.getNodes() != null) {
            ticks.put(LAST_TICK, t);
            nodes = convert(t);
            changed = true;
        }
        return changed;
    }

    /** An older ticker's tick: nodes and the whole ledger in one record. */
    private boolean acceptWhole(Tick t) {
        if (t.getNodes() == null) return false;
        Map<String, TickLedgerChange> all = new HashMap<>();
        for (TickNode n : t.getNodes()) {
            for (TickAssignment a : n.getAssignments()) {
                TickLedgerChange c = new TickLedgerChange(n.getId(), a.getTaskId(), a);
                all.put(key(c), c);
            }
        }
        ticks.put(LAST_TICK, t);
        nodes = convert(t);
        replace(all);
        return true;
    }

    private static List<Node> convert(Tick t) {
        List<Node> out = new ArrayList<>();
        for (TickNode n : t.getNodes()) out.add(Conversions.node(n));
        return out;
    }

    private static String key(TickLedgerChange c) {
        return c.getNodeId() + "/" + c.getTaskId();
    }

    /** One put or release; true when it changed the ledger. */
    private boolean apply(TickLedgerChange c) {
        Map<String, TickLedgerChange> m = mirror();
        String key = key(c);
        if (c.getAssignment() == null) {
            if (m.remove(key) == null) return false;
            entries.delete(key);
            return true;
        }
        if (c.equals(m.get(key))) return false;
        m.put(key, c);
        entries.put(key, c);
        return true;
    }

    /** Makes the ledger equal to {@code all}, writing only the differences. */
    private boolean replace(Map<String, TickLedgerChange> all) {
        Map<String, TickLedgerChange> m = mirror();
        boolean changed = false;
        for (String key : new ArrayList<>(m.keySet())) {
            if (!all.containsKey(key)) {
                m.remove(key);
                entries.delete(key);
                changed = true;
            }
        }
        for (TickLedgerChange c : all.values()) changed |= apply(c);
        return changed;
    }

    private Map<String, TickLedgerChange> mirror() {
        if (mirror == null) {   // after a restart: restored from the changelog
            mirror = new HashMap<>();
            try (KeyValueIterator<String, TickLedgerChange> it = entries.all()) {
                it.forEachRemaining(kv -> mirror.put(kv.key, kv.value));
            }
        }
        return mirror;
    }

    private Optional<List<Node>> nodes() {
        if (nodes == null) {
            Tick t = ticks.get(LAST_TICK);   // after a restart: restored from the changelog
            if (t != null) nodes = convert(t);
        }
        return Optional.ofNullable(nodes);
    }

    private boolean visible(Assignment a) {
        return mirror().containsKey(a.getNodeId() + "/" + a.getTaskId());
    }

    /**
     * The snapshot and the ids of every task placed, or empty before any tick carried the cluster
     * (nothing is decided then: a verdict on an unknown cluster would be a false UNSCHEDULABLE).
     * Settles in-flight entries on the way.
     */
    Optional<View> read(long now) {
        Optional<List<Node>> n = nodes();
        if (n.isEmpty()) return Optional.empty();
        ClusterSnapshot.Builder builder = ClusterSnapshot.builder();
        Set<String> placed = new HashSet<>();
        n.get().forEach(builder::node);
        for (TickLedgerChange c : mirror().values()) {
            builder.claim(c.getNodeId(), Conversions.claim(c.getAssignment()));
            placed.add(c.getTaskId());
        }
        countInFlight(now, builder, placed);
        return Optional.of(View.of(builder.build(), placed));
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
        try (KeyValueIterator<String, Assignment> it = inFlight.all()) {
            while (it.hasNext()) {
                Assignment a = it.next().value;
                if (visible(a) || now - a.getAssignedAt() > inFlightTtl.toMillis()) {
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
     * A snapshot plus the placed task ids: those read ({@code placedAtRead}) and those decided since
     * ({@code placedSince}). Each decision returns a new view with the new snapshot; the id sets are
     * shared and the new id added in place, since the processor keeps only the latest view (copying
     * {@code placedSince} per decision made a burst of n arrivals between two reads O(n²): at 100,000
     * tasks the scheduler thread spent its time in {@code HashSet.add} of those copies).
     */
    record View(ClusterSnapshot snapshot, Set<String> placedAtRead, Set<String> placedSince) {
        static View of(ClusterSnapshot snapshot, Set<String> placedAtRead) {
            return new View(snapshot, placedAtRead, new HashSet<>());
        }

        boolean isPlaced(String taskId) {
            return placedAtRead.contains(taskId) || placedSince.contains(taskId);
        }

        /** The view after a decision; this view must not be used any more (its id sets are shared). */
        View with(Placement placement) {
            if (!(placement instanceof Placement.Placed)) return this;
            placedSince.add(placement.task().taskId());
            return new View(snapshot.with(placement), placedAtRead, placedSince);
        }
    }

}
