package io.berth.state;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.deadletter.DeadLetterDeserializationHandler;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.*;

/**
 * A TopologyTestDriver around the state-streams topology with a mock wall clock, typed inputs and
 * outputs, and a record of everything written (so a test can ask "the latest view of X").
 */
final class Harness implements AutoCloseable {
    static final long GRACE_MS = 3000;
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    final BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
    final TopologyTestDriver driver;
    private final java.nio.file.Path stateDir;   // removed on close
    private final TestInputTopic<String, Intent> intents;
    private final TestInputTopic<String, TaskStatus> statuses;
    private final TestInputTopic<String, NodeEvent> nodeEvents;
    private final TestInputTopic<String, Tick> ticks;
    final TestInputTopic<String, byte[]> rawIntents;
    final TestInputTopic<String, byte[]> rawStatuses;
    final TestInputTopic<String, byte[]> rawNodeEvents;
    private final TestInputTopic<String, NodeStats> nodeStats;
    final TestInputTopic<String, byte[]> rawNodeStats;
    private final Map<String, TestOutputTopic<String, ? extends SpecificRecord>> outputs = new HashMap<>();
    /** Latest value per key per topic (null = tombstoned), folded from everything read so far. */
    private final Map<String, Map<String, SpecificRecord>> latest = new HashMap<>();
    /** Every record read per topic, in order. */
    private final Map<String, List<KeyValue<String, SpecificRecord>>> all = new HashMap<>();

    Harness() throws Exception {
        this(new StateStreamsTopology.Settings(GRACE_MS, Duration.ofMillis(250)));
    }

    Harness(StateStreamsTopology.Settings settings) throws Exception {
        this(settings, List.of(), null);
    }

    /** @param hostPaths the admission policy's hostPath allow-list */
    Harness(StateStreamsTopology.Settings settings, List<String> hostPaths) throws Exception {
        this(settings, hostPaths, null);
    }

    /** With node-record verification on when {@code clusterSecret} is given. */
    Harness(StateStreamsTopology.Settings settings, byte[] clusterSecret) throws Exception {
        this(settings, List.of(), clusterSecret);
    }

    Harness(StateStreamsTopology.Settings settings, List<String> hostPaths, byte[] clusterSecret) throws Exception {
        this(settings, hostPaths, clusterSecret, false);
    }

    /** @param processingHandler dead-letter a record whose processing throws, as the service does (else the driver rethrows) */
    Harness(StateStreamsTopology.Settings settings, List<String> hostPaths, byte[] clusterSecret, boolean processingHandler) throws Exception {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "test-state-streams");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        stateDir = Files.createTempDirectory("berth-ttd");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);  // as the service runs
        DeadLetterDeserializationHandler.configure(p, serdes.registry(), "state-streams-test");
        if (processingHandler) io.berth.schemas.deadletter.DeadLetterProcessingHandler.configure(p);
        driver = new TopologyTestDriver(StateStreamsTopology.build(serdes, settings, hostPaths, clusterSecret), p, T0);
        intents = driver.createInputTopic(Topics.INTENTS.name(), new StringSerializer(), serdes.value(Intent.class).serializer());
        statuses = driver.createInputTopic(Topics.TASK_STATUS.name(), new StringSerializer(), serdes.value(TaskStatus.class).serializer());
        nodeEvents = driver.createInputTopic(Topics.NODE_EVENTS.name(), new StringSerializer(), serdes.value(NodeEvent.class).serializer());
        ticks = driver.createInputTopic(Topics.TICKS.name(), new StringSerializer(), serdes.value(Tick.class).serializer());
        rawIntents = driver.createInputTopic(Topics.INTENTS.name(), new StringSerializer(), new ByteArraySerializer());
        rawStatuses = driver.createInputTopic(Topics.TASK_STATUS.name(), new StringSerializer(), new ByteArraySerializer());
        rawNodeEvents = driver.createInputTopic(Topics.NODE_EVENTS.name(), new StringSerializer(), new ByteArraySerializer());
        nodeStats = driver.createInputTopic(Topics.NODE_STATS.name(), new StringSerializer(), serdes.value(NodeStats.class).serializer());
        rawNodeStats = driver.createInputTopic(Topics.NODE_STATS.name(), new StringSerializer(), new ByteArraySerializer());
        for (Topic<?> t : List.of(Topics.PLACEMENT_REQUESTS, Topics.ASSIGNMENTS, Topics.WORKLOADS, Topics.TASKS,
                Topics.NODES, Topics.ENDPOINTS, Topics.AUDIT, Topics.EVENTS, Topics.DEAD_LETTERS, Topics.INTENTS)) {
            outputs.put(t.name(), driver.createOutputTopic(t.name(), new StringDeserializer(), serdes.value(t).deserializer()));
        }
    }

    void intent(String key, Intent i) {
        intent(key, i, new RecordHeaders());
    }

    /** An intent with headers (e.g. an external producer's berth.client-id). */
    void intent(String key, Intent i, Headers headers) {
        piped(Topics.INTENTS);
        intents.pipeInput(new TestRecord<>(key, i, headers, now()));
        drain();
    }

    /**
     * A status and, at the same time, a tick without a node list: the workload controller folds a
     * status at once but converges its workload on the next tick ({@code DirtyWorkloads}), so this
     * is "a status and what it leads to". {@link #statusBeforeTick} leaves the tick out.
     */
    void status(TaskStatus s) {
        statusBeforeTick(s);
        tick();
    }

    /** Only the status: its workload is converged by the next tick ({@link #tick} or {@link #advanceMs}). */
    void statusBeforeTick(TaskStatus s) {
        piped(Topics.TASK_STATUS);
        statuses.pipeInput(s.getWorkloadKey(), s, now());
        drain();
    }

    /** A tick of partition 0 without a node list, now (as the ticker writes between node changes). */
    void tick() {
        tickAt(elapsed);
    }

    /** A tick of partition 0 without a node list stamped {@code ms} after T0 (the ticker's wall clock is not moved). */
    void tickAt(long ms) {
        piped(Topics.TICKS);
        ticks.pipeInput("0", Tick.newBuilder().setPartition(0).setNodes(null).build(), T0.plusMillis(ms));
        drain();
    }

    /** A node event stamped {@code ms} after T0 (one its node sent then but the controller reads only now). */
    void nodeAt(NodeEvent e, long ms) {
        piped(Topics.NODE_EVENTS);
        nodeEvents.pipeInput(e.getNodeId(), e, T0.plusMillis(ms));
        drain();
    }

    /** The ticker's CLOCK record of partition 0 in the heartbeat partition, stamped {@code ms} after T0. */
    void clockAt(long ms) {
        piped(Topics.NODE_EVENTS);
        nodeEvents.pipeInput("0", Ticker.clock(T0.plusMillis(ms).toEpochMilli()), T0.plusMillis(ms));
        drain();
    }

    /** A node daemon's usage sample (berth.node-stats, keyed by node id) stamped {@code ms} after T0. */
    void statsAt(NodeStats s, long ms) {
        piped(Topics.NODE_STATS);
        nodeStats.pipeInput(s.getNodeId(), s, T0.plusMillis(ms));
        drain();
    }

    void node(NodeEvent e) {
        piped(Topics.NODE_EVENTS);
        nodeEvents.pipeInput(e.getNodeId(), e, now());
        drain();
    }

    /** A node event signed as {@code signer} with {@code nodeKey} (as a node daemon's publisher signs it); key = its node id. */
    void signedNode(NodeEvent e, String signer, byte[] nodeKey) {
        piped(Topics.NODE_EVENTS);
        byte[] bytes = serdes.value(NodeEvent.class).serialize(Topics.NODE_EVENTS.name(), e);
        Headers h = new RecordHeaders();
        io.berth.schemas.auth.NodeKeys.sign(h, signer, nodeKey, Topics.NODE_EVENTS.name(), e.getNodeId(), bytes);
        rawNodeEvents.pipeInput(new TestRecord<>(e.getNodeId(), bytes, h, now()));
        drain();
    }

    /** A task status signed as {@code signer} with {@code nodeKey}; key = its workload key. */
    void signedStatus(TaskStatus s, String signer, byte[] nodeKey) {
        piped(Topics.TASK_STATUS);
        byte[] bytes = serdes.value(TaskStatus.class).serialize(Topics.TASK_STATUS.name(), s);
        Headers h = new RecordHeaders();
        io.berth.schemas.auth.NodeKeys.sign(h, signer, nodeKey, Topics.TASK_STATUS.name(), s.getWorkloadKey(), bytes);
        rawStatuses.pipeInput(new TestRecord<>(s.getWorkloadKey(), bytes, h, now()));
        drain();
        tick();
    }

    /** Records piped per input topic through the typed methods (offset of the last one = count - 1). */
    private final Map<String, Long> piped = new HashMap<>();

    private void piped(Topic<?> t) {
        piped.merge(t.name(), 1L, Long::sum);
    }

    /** The offset of the last record piped to {@code t}; valid when a test feeds {@code t} only through the typed methods. */
    long lastOffset(Topic<?> t) {
        return piped.getOrDefault(t.name(), 0L) - 1;
    }

    void advance(Duration d) {
        advanceMs(d.toMillis());
    }

    Instant now() {
        return T0.plusMillis(elapsed);
    }

    private long elapsed;

    /** Advances in tick-sized steps so heartbeats can be interleaved by the caller. */
    void advanceMs(long ms) {
        elapsed += ms;
        driver.advanceWallClockTime(Duration.ofMillis(ms));
        drain();
    }

    /** Reads every pending output into {@link #latest} and {@link #all}. */
    void drain() {
        outputs.forEach((name, topic) -> {
            while (!topic.isEmpty()) {
                KeyValue<String, ? extends SpecificRecord> kv = topic.readKeyValue();
                latest.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(kv.key, kv.value);
                all.computeIfAbsent(name, n -> new ArrayList<>()).add(new KeyValue<>(kv.key, kv.value));
            }
        });
    }

    @SuppressWarnings("unchecked")
    <V extends SpecificRecord> Map<String, V> latest(Topic<V> t) {
        return (Map<String, V>) (Map<String, ?>) latest.getOrDefault(t.name(), Map.of());
    }

    /** Live (non-tombstoned) values of a compacted topic. */
    <V extends SpecificRecord> Map<String, V> live(Topic<V> t) {
        Map<String, V> out = new LinkedHashMap<>();
        latest(t).forEach((k, v) -> { if (v != null) out.put(k, v); });
        return out;
    }

    @SuppressWarnings("unchecked")
    <V extends SpecificRecord> List<KeyValue<String, V>> all(Topic<V> t) {
        return (List<KeyValue<String, V>>) (List<?>) all.getOrDefault(t.name(), List.of());
    }

    /** Tasks in the view whose phase is not leaving. */
    List<TaskView> liveTasks(String workloadKey) {
        return live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(workloadKey))
                .filter(t -> t.getPhase() != TaskPhase.TERMINATING && t.getPhase() != TaskPhase.LOST).toList();
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            try (java.util.stream.Stream<java.nio.file.Path> files = Files.walk(stateDir)) {   // the driver leaves its (empty) state dir
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException ignored) {
                // nothing left to remove
            }
        }
    }
}
