package io.berth.scheduler;

import io.berth.schemas.AssignmentPartitioner;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The scheduler's topology:
 * <pre>
 *   berth.state.nodes ──────► [global store nodes]  ─┐ read
 *   berth.assignments ──────► [global store ledger] ─┤
 *   berth.placement-requests ─► scheduler ───────────┘ (+ local stores pending, reasons, in-flight, causes)
 *   berth.ticks ──────────────┘ (retries, time)
 *                                 ├─► berth.assignments   key nodeId/taskId, partitioned by node
 *                                 ├─► berth.task-status   key workloadKey: ASSIGNED / UNSCHEDULABLE, with the verdict
 *                                 ├─► berth.audit         key ns/pod/name: TaskPlaced / TaskUnschedulable
 *                                 └─► berth.dead-letters  undecodable or invalid requests
 * </pre>
 * Requests are read as bytes and decoded inside the processor, so a poison request becomes a dead
 * letter with its offset instead of a stream failure.
 */
public final class SchedulerTopology {
    public static final String NODES_STORE = "scheduler-nodes";
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
        globalStore(t, NODES_STORE, Topics.NODES.name());
        globalStore(t, LEDGER_STORE, Topics.ASSIGNMENTS.name());
        t.addSource("placement-requests", new StringDeserializer(), Serdes.ByteArray().deserializer(), Topics.PLACEMENT_REQUESTS.name());
        // ticks (time as records, written by state-streams) drive the retries; read as bytes too
        t.addSource("ticks", new StringDeserializer(), Serdes.ByteArray().deserializer(), Topics.TICKS.name());
        t.addProcessor(SCHEDULER, () -> new SchedulerProcessor(serdes, settings), "placement-requests", "ticks");
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

    /**
     * In memory (it is rebuilt from its topic on start anyway, and it is scanned often) and as raw
     * bytes: the processor decodes each value once (DecodedCache), and a poison record on these
     * topics can never stop the global thread.
     */
    private static void globalStore(Topology t, String store, String topic) {
        StoreBuilder<KeyValueStore<String, byte[]>> builder = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(store), Serdes.String(), Serdes.ByteArray()).withLoggingDisabled();
        t.addGlobalStore(builder, store + "-source", new StringDeserializer(), new ByteArrayDeserializer(), topic, store + "-updater", mirror(store));
    }

    /** Keeps a global store equal to its compacted topic: a value replaces, a tombstone deletes. */
    private static <V> ProcessorSupplier<String, V, Void, Void> mirror(String store) {
        return () -> new Processor<>() {
            private KeyValueStore<String, V> kv;

            @Override
            public void init(org.apache.kafka.streams.processor.api.ProcessorContext<Void, Void> context) {
                kv = context.getStateStore(store);
            }

            @Override
            public void process(Record<String, V> record) {
                if (record.value() == null) kv.delete(record.key());
                else kv.put(record.key(), record.value());
            }
        };
    }

    /** Changelogged, so pending requests and in-flight placements survive a restart (restored under exactly-once). */
    private static <V> StoreBuilder<KeyValueStore<String, V>> localStore(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values);
    }
}
