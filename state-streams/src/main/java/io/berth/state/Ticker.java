package io.berth.state;

import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.NodeEventType;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.TickAssignment;
import io.berth.schemas.avro.Tick;
import io.berth.schemas.avro.TickLedgerChange;
import io.berth.schemas.avro.TickNode;
import io.berth.state.core.NodeLiveness;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The only wall-clock code of state-streams, and it decides nothing: every {@code tick} it writes a
 * {@link Tick} for its own partition to berth.ticks, carrying the nodes as the global nodes table
 * shows them (ready, draining, address) when they changed or once a minute. The controllers read
 * those ticks back like any input and run their periodic checks then, with now = the tick's
 * timestamp, reading node readiness from the last tick they read. So time and the cluster's
 * node facts reach every decision through the log, and a replay of the log decides the same.
 * A node that stops being schedulable (NotReady, draining, gone) is ticked at once, within
 * {@link #WATCH}, rather than at the next tick: its pods' replacements are the one decision a tick's
 * wait delays that a user times (failover).
 *
 * <p>The ticks of partition 0 also carry what the scheduler needs (it reads only partition 0):
 * each node's capacity, labels and cordon flag ({@code Tick.ledger} = true), and the allocation
 * ledger — the live keys of berth.assignments — as changes ({@code ledgerVersion} 1): before the
 * tick proper, ledger-only records ({@code ledgerMore} = true, which the controllers skip) list the
 * assignments put or released since the previous tick, at most {@link #CHUNK} per record. Which
 * keys changed comes from the {@link LedgerJournal} under the global assignments table, so a tick
 * costs what changed, not what exists. The whole ledger (same records, the first flagged
 * {@code ledgerReset}) is sent when this ticker starts, when the journal overflowed, and every
 * {@code ledgerFullEvery} as a safety net. At 100,000 tasks the whole ledger is ~6 MB; the former
 * design put it in every changed tick as one record, past Kafka's 1 MiB limit at ~20,000 tasks.
 *
 * <p>One instance per stream task of the controllers' sub-topology (it is wired to the ticks
 * stream only to live in that task); it forwards to the berth.ticks sink, whose partitioner sends
 * each tick to {@link Tick#getPartition()}, and with each tick proper a {@link #clock} record to
 * the berth.node-events sink (partition = the tick's).
 */
final class Ticker extends ContextualProcessor<String, Tick, String, SpecificRecord> {
    /** A full node list at least this often, so a reader starting anywhere in the log soon knows every node. */
    static final Duration FULL_EVERY = Duration.ofMinutes(1);
    /** The whole ledger at least this often, although every change is sent: a safety net, not the protocol. */
    static final Duration LEDGER_FULL_EVERY = Duration.ofMinutes(5);
    /** Ledger changes per record: ~100 bytes each, so a record stays well under Kafka's 1 MiB. */
    static final int CHUNK = 4_000;
    /**
     * How often the ticker looks at the nodes journal between ticks: a node that stopped being
     * schedulable (NotReady, draining, gone) is ticked at once, so its pods' replacements wait for
     * this, not for the next tick (up to a whole tick: measured 0.24–0.49 s of a failover).
     */
    static final Duration WATCH = Duration.ofMillis(25);

    private final Duration tick;
    private final LedgerJournal journal;
    private final NodesJournal nodesJournal;
    private final Duration ledgerFullEvery;
    private final java.util.TreeMap<String, TickNode> byId = new java.util.TreeMap<>();  // the global nodes table as last read
    private List<TickNode> nodes;          // byId's values, in id order
    private long nodesReadAt = -1;         // the journal's version when they were read
    private ReadOnlyKeyValueStore<String, ?> globalNodes;
    private ReadOnlyKeyValueStore<String, ?> globalAssignments;
    private List<TickNode> lastSent;
    private java.util.Map<String, TickNode> lastSentById;   // lastSent by id, for the watch
    private long watchedAt = -1;           // the journal's version the watch last looked at
    private long lastFullAt = Long.MIN_VALUE;
    private long lastLedgerFullAt = Long.MIN_VALUE;

    Ticker(Duration tick, LedgerJournal journal, NodesJournal nodesJournal, Duration ledgerFullEvery) {
        this.tick = tick;
        this.journal = journal;
        this.nodesJournal = nodesJournal;
        this.ledgerFullEvery = ledgerFullEvery;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        globalNodes = context.getStateStore(StateStreamsTopology.GLOBAL_NODES_STORE);
        globalAssignments = context.getStateStore(StateStreamsTopology.GLOBAL_ASSIGNMENTS_STORE);
        lastSent = null;
        lastSentById = null;
        watchedAt = -1;
        nodes = null;
        nodesReadAt = -1;
        lastLedgerFullAt = Long.MIN_VALUE;   // a (re)started ticker begins with the whole ledger
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::tick);
        if (tick.compareTo(WATCH.multipliedBy(2)) > 0) context.schedule(WATCH, PunctuationType.WALL_CLOCK_TIME, this::watch);
    }

    /**
     * Between ticks: when a node the last tick listed as schedulable is no longer (NotReady,
     * draining, gone), tick now rather than at the next tick. Only losses: a node that joins or
     * comes back waits for the tick, so a burst of registrations does not multiply the ticks (each
     * one with a node list makes every workload controller check every workload). Costs what
     * changed: at 1,000 nodes the views' periodic refreshes change ~100 nodes a second, and only
     * those are read here, not the whole list every 25 ms.
     */
    private void watch(long now) {
        if (lastSentById == null) return;
        long version = nodesJournal.version();   // before reading, as in refreshNodes
        if (version == watchedAt) return;
        boolean[] lost = {false};
        nodesJournal.changedSince(watchedAt, (id, v) -> {
            if (!lost[0] && lostSchedulable(lastSentById.get(id), current(id))) lost[0] = true;
        });
        watchedAt = version;
        if (lost[0]) tick(now);
    }

    /** The node as the global table shows it now; null when gone. */
    private TickNode current(String id) {
        Object v = globalNodes.get(id);
        if (v instanceof ValueAndTimestamp<?> vt) v = vt.value();
        return v instanceof NodeView n ? tickNode(id, n) : null;
    }

    /** Whether a node the last tick listed as ready and not draining ({@code sent}) is not so, or gone ({@code now} null). */
    static boolean lostSchedulable(TickNode sent, TickNode now) {
        if (sent == null || !sent.getReady() || sent.getDraining()) return false;
        return now == null || !now.getReady() || now.getDraining();
    }

    /** Re-reads the nodes changed since the last read (all of them the first time). */
    private void refreshNodes() {
        long version = nodesJournal.version();   // before reading: a change during the read is read again next time
        if (nodes == null) {
            readNodes();
            nodes = new ArrayList<>(byId.values());
        } else if (version != nodesReadAt) {
            nodesJournal.changedSince(nodesReadAt, (id, v) -> readNode(id));
            nodes = new ArrayList<>(byId.values());
        }
        nodesReadAt = version;
    }

    @Override
    public void process(Record<String, Tick> record) {
        // never called with anything to do: ticks flow from berth.ticks to the controllers directly
    }

    @Override
    public void close() {
        if (context().taskId().partition() == 0) journal.deactivate();
    }

    private void tick(long now) {
        int partition = context().taskId().partition();
        boolean ledger = partition == 0;
        if (ledger) sendLedger(partition, now);
        refreshNodes();
        boolean send = !nodes.equals(lastSent) || now - lastFullAt >= FULL_EVERY.toMillis();
        if (send) {
            lastSent = nodes;
            lastSentById = new java.util.HashMap<>();
            for (TickNode n : nodes) lastSentById.put(n.getId(), n);
            lastFullAt = now;
        }
        Tick t = Tick.newBuilder().setPartition(partition).setNodes(send ? nodes : null).setLedger(ledger)
                .setLedgerVersion(ledger ? 1 : 0).build();
        context().forward(new Record<>(Integer.toString(partition), t, now));
        context().forward(new Record<>(Integer.toString(partition), clock(now), now));
    }

    /**
     * The same instant as a {@code CLOCK} record into the partition's heartbeats (berth.node-events,
     * key = partition): the node controller expires nodes on it, and every heartbeat that reached the
     * broker before it is read before it, however late the controller reads (state-streams README,
     * "Node leases").
     */
    static NodeEvent clock(long now) {
        return NodeEvent.newBuilder().setNodeId("").setType(NodeEventType.CLOCK).setTimestamp(now).build();
    }

    /** The ledger-only records of this tick: what changed since the last, or everything. */
    private void sendLedger(int partition, long now) {
        Set<String> changed = lastLedgerFullAt == Long.MIN_VALUE || now - lastLedgerFullAt >= ledgerFullEvery.toMillis()
                ? null : journal.drain();
        List<TickLedgerChange> changes;
        boolean reset = changed == null;
        if (reset) {
            journal.activate();   // record from now on; a change during the scan is sent again next tick
            changes = readLedger();
            lastLedgerFullAt = now;
        } else {
            changes = readChanges(changed);
        }
        for (int from = 0; from < changes.size() || (reset && from == 0); from += CHUNK) {
            List<TickLedgerChange> slice = changes.subList(from, Math.min(changes.size(), from + CHUNK));
            Tick t = Tick.newBuilder().setPartition(partition).setNodes(null).setLedger(true).setLedgerVersion(1)
                    .setLedgerChanges(new ArrayList<>(slice)).setLedgerReset(reset && from == 0).setLedgerMore(true).build();
            context().forward(new Record<>(Integer.toString(partition), t, now));
        }
    }

    /** Every node of the global table, into {@link #byId}. */
    private void readNodes() {
        byId.clear();
        try (KeyValueIterator<String, ?> it = globalNodes.all()) {
            it.forEachRemaining(kv -> {
                Object v = kv.value instanceof ValueAndTimestamp<?> vt ? vt.value() : kv.value;
                if (v instanceof NodeView n) byId.put(kv.key, tickNode(kv.key, n));
            });
        }
    }

    /** One node again, as the global table shows it now (gone: removed). */
    private void readNode(String id) {
        TickNode n = current(id);
        if (n != null) byId.put(id, n);
        else byId.remove(id);
    }

    static TickNode tickNode(String id, NodeView n) {
        return TickNode.newBuilder().setId(id).setReady(n.getReady()).setDraining(NodeLiveness.draining(n))
                .setAddress(n.getAddress()).setLabels(new HashMap<>(n.getLabels()))
                .setCpuMillis(n.getCapacity() == null ? 0 : n.getCapacity().getCpuMillis())
                .setMemoryBytes(n.getCapacity() == null ? 0 : n.getCapacity().getMemoryBytes())
                .setCordoned(n.getCordoned()).setMaxPods(n.getMaxPods()).setAssignments(List.of()).build();
    }

    /** Every live assignment, sorted by key (so a replay of the same store sends the same records). */
    private List<TickLedgerChange> readLedger() {
        List<TickLedgerChange> out = new ArrayList<>();
        try (KeyValueIterator<String, ?> it = globalAssignments.all()) {
            it.forEachRemaining(kv -> {
                Object v = kv.value instanceof ValueAndTimestamp<?> vt ? vt.value() : kv.value;
                if (v instanceof Assignment a) out.add(change(kv.key, a));
            });
        }
        return out;
    }

    /** The current value of each changed key (null = released), in key order. */
    private List<TickLedgerChange> readChanges(Set<String> keys) {
        List<TickLedgerChange> out = new ArrayList<>(keys.size());
        for (String key : new TreeSet<>(keys)) {
            Object v = globalAssignments.get(key);
            if (v instanceof ValueAndTimestamp<?> vt) v = vt.value();
            out.add(change(key, v instanceof Assignment a ? a : null));
        }
        return out;
    }

    static TickLedgerChange change(String key, Assignment a) {
        int slash = key.lastIndexOf('/');   // nodeId/taskId; a task id has no '/'
        String nodeId = a != null ? a.getNodeId() : slash < 0 ? "" : key.substring(0, slash);
        String taskId = a != null ? a.getTaskId() : key.substring(slash + 1);
        return TickLedgerChange.newBuilder().setNodeId(nodeId).setTaskId(taskId).setAssignment(a == null ? null : tickAssignment(a)).build();
    }
    /** The requests and host ports the scheduler counts for an assignment (host ports as its template declares them). */
    static TickAssignment tickAssignment(Assignment a) {
        TreeSet<Integer> ports = new TreeSet<>();
        if (a.getTemplate() != null) {
            for (ContainerSpec c : a.getTemplate().getContainers()) {
                for (ContainerPort p : c.getPorts()) if (p.getHostPort() != null && p.getHostPort() > 0) ports.add(p.getHostPort());
            }
        }
        return TickAssignment.newBuilder().setTaskId(a.getTaskId()).setWorkloadKey(a.getWorkloadKey())
                .setCpuMillis(a.getRequests() == null ? 0 : a.getRequests().getCpuMillis())
                .setMemoryBytes(a.getRequests() == null ? 0 : a.getRequests().getMemoryBytes())
                .setHostPorts(new ArrayList<>(ports)).build();
    }
}
