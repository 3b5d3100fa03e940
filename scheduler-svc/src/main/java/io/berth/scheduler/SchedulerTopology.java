package io.berth.scheduler;

import io.berth.schemas.AssignmentPartitioner;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.TickLedgerChange;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The scheduler's topology:
 * <pre>
 *   berth.placement-requests ─► scheduler (local stores tick, ledger, pending, reasons, in-flight, causes)
 *   berth.ticks ──────────────┘ (time, retries, and on partition 0 the cluster: nodes, and the ledger as changes)
 *                                 ├─► berth.assignments   key nodeId/taskId, partitioned by node
 *                                 ├─► berth.task-status   key workloadKey: ASSIGNED / UNSCHEDULABLE, with the verdict
 *                                 ├─► berth.audit         key ns/pod/name: TaskPlaced / TaskUnschedulable
 *                                 └─► berth.dead-letters  undecodable or invalid requests
 * </pre>
 * Requests are read as bytes and decoded inside the processor, so a poison request becomes a dead
 * letter with its offset instead of a stream failure. There is no global store: everything a
 * placement reads came through the two sources, so a replay of them places the same.
 */
public final class SchedulerTopology {
    /** The last tick that carried the cluster (nodes and their live assignments). */
    public static final String TICK_STORE = "scheduler-tick";
    /** The allocation ledger, one entry per live assignment (nodeId/taskId), as the ticks' ledger changes say. */
    public static final String LEDGER_STORE = "scheduler-ledger";
    public static final String PENDING_STORE = "scheduler-pending";
    public static final String REASONS_STORE = "scheduler-reasons";
    public static final String IN_FLIGHT_STORE = "scheduler-in-flight";
    public static final String CAUSES_STORE = "scheduler-causes";
    static final String ASSIGNMENT_SINK = "assignments-sink";
    static final String STATUS_SINK = "task-status-sink";
    static final String DEAD_LETTER_SINK = "dead-letters-sink";
    static final String AUDIT_SINK = "audit-sink";
    private static final String SCHEDULER = "scheduler";

    private SchedulerTopology() {}

    public static Topology build(BerthSerdes serdes, SchedulerSettings settings) {
        Topology t = new Topology();
        t.addSource("placement-requests", new StringDeserializer(), Serdes.ByteArray().deserializer(), Topics.PLACEMENT_REQUESTS.name());
        // ticks (time as records, written by state-streams) drive the retries; read as bytes too
        t.addSource("ticks", new StringDeserializer(), Serdes.ByteArray().deserializer(), Topics.TICKS.name());
        t.addProcessor(SCHEDULER, () -> new SchedulerProcessor(serdes, settings), "placement-requests", "ticks");
        t.addStateStore(localStore(TICK_STORE, serdes.value(Topics.TICKS)), SCHEDULER);
        t.addStateStore(localStore(LEDGER_STORE, serdes.value(TickLedgerChange.class)), SCHEDULER);
        t.addStateStore(localStore(PENDING_STORE, serdes.value(Topics.PLACEMENT_REQUESTS)), SCHEDULER);
        t.addStateStore(localStore(REASONS_STORE, Serdes.String()), SCHEDULER);
        t.addStateStore(localStore(IN_FLIGHT_STORE, serdes.value(Assignment.class)), SCHEDULER);
        t.addStateStore(localStore(CAUSES_STORE, Serdes.String()), SCHEDULER);
        t.addSink(ASSIGNMENT_SINK, Topics.ASSIGNMENTS.name(), new StringSerializer(), serdes.value(Topics.ASSIGNMENTS).serializer(),
                new AssignmentPartitioner<>(), SCHEDULER);
        t.addSink(STATUS_SINK, Topics.TASK_STATUS.name(), new StringSerializer(), serdes.value(Topics.TASK_STATUS).serializer(), SCHEDULER);
        t.addSink(DEAD_LETTER_SINK, Topics.DEAD_LETTERS.name(), new StringSerializer(), serdes.value(Topics.DEAD_LETTERS).serializer(), SCHEDULER);
        t.addSink(AUDIT_SINK, Topics.AUDIT.name(), new StringSerializer(), serdes.value(Topics.AUDIT).serializer(), SCHEDULER);
        return t;
    }

    /** Changelogged, so pending requests and in-flight placements survive a restart (restored under exactly-once). */
    private static <V> StoreBuilder<KeyValueStore<String, V>> localStore(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values);
    }
}
