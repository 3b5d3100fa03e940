package io.berth.ops.replay;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.IntentAction;
import io.berth.scheduler.SchedulerSettings;
import io.berth.scheduler.SchedulerTopology;
import io.berth.schemas.deadletter.DeadLetterDeserializationHandler;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.state.StateStreamsTopology;
import io.berth.state.core.TaskNames;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.*;

/**
 * Re-runs the state-streams controllers over recorded inputs in an isolated, in-process
 * {@link TopologyTestDriver} (its own state directory and an in-memory schema registry: nothing is
 * written to Kafka or to the live registry) and compares every decision with what was recorded.
 *
 * <p>Inputs are berth.intents, berth.task-status (the node daemons' and the scheduler's reports),
 * berth.node-events and berth.ticks, fed in {@link ReplayOrder}; the driver runs every partition in
 * one task, with {@code replayPartitions} set so that a tick of partition P checks exactly P's keys.
 * Recorded decisions are the records of the output topics that carry a {@code berth.cause} header
 * and no {@value #DECIDER} header (written by state-streams' controllers; the gateway's records have
 * none, the scheduler's name it as {@code berth.decider: scheduler} and are left out of this
 * replay and its ordering: its placements reach the controllers as the TaskStatus inputs).
 */
public final class Replayer {
    /** The topics the controllers decide on. */
    public static final List<Topic<?>> INPUTS = List.of(Topics.INTENTS, Topics.TASK_STATUS, Topics.NODE_EVENTS, Topics.TICKS);
    /** The topics the controllers write their decisions to. */
    public static final List<Topic<?>> OUTPUTS = List.of(Topics.PLACEMENT_REQUESTS, Topics.ASSIGNMENTS, Topics.WORKLOADS, Topics.TASKS,
            Topics.NODES, Topics.ENDPOINTS, Topics.AUDIT, Topics.EVENTS, Topics.DEAD_LETTERS);

    /**
     * @param partitions the live partition count of the inputs (berth.intents)
     * @param since      decisions before this instant are replayed (to rebuild state) but not compared
     * @param until      inputs after this instant are not fed, decisions after it not compared
     */
    /** The header the scheduler marks its outputs with (they carry cause headers too, for a replay of the scheduler alone). */
    static final String DECIDER = "berth.decider";

    public record Options(int partitions, long since, long until, long nodeGraceMs, Duration tick) {}

    public record Result(DecisionDiff.Report report, int inputs, int orderConflicts, long replayMillis) {}

    private Replayer() {}

    /**
     * @param liveRegistry decodes the recorded bytes (schema ids of the live registry; only read)
     * @param inputs       recorded input records (any order)
     * @param outputs      recorded output records
     */
    public static Result verify(SchemaRegistryClient liveRegistry, List<Recorded> inputs, List<Recorded> outputs, Options o) {
        BerthSerdes live = new BerthSerdes(liveRegistry);
        outputs = outputs.stream().filter(r -> r.header(DECIDER) == null).toList();
        List<Decision> recorded = new ArrayList<>();
        for (Recorded r : outputs) {
            if (r.header(Recorded.CAUSE) == null) continue;
            recorded.add(Decision.of(r.topic(), r.key(), r.timestamp(), decode(live, r)));
        }
        long started = System.nanoTime();
        List<Recorded> fed = inputs.stream().filter(r -> r.timestamp() <= o.until()).toList();
        ReplayOrder.Result order = order(live, fed, outputs, o.partitions());
        List<Decision> replayed = drive(order.order(), live, o);
        long ms = (System.nanoTime() - started) / 1_000_000;
        return new Result(DecisionDiff.compare(recorded, replayed, o.since(), o.until()), fed.size(), order.conflicts(), ms);
    }

    // ---- the scheduler ----

    /** The topics the scheduler decides on: its requests (one partition) and the ticks of partition 0. */
    public static final List<Topic<?>> SCHEDULER_INPUTS = List.of(Topics.PLACEMENT_REQUESTS, Topics.TICKS);
    /** The topics the scheduler writes its decisions to. */
    public static final List<Topic<?>> SCHEDULER_OUTPUTS = List.of(Topics.ASSIGNMENTS, Topics.TASK_STATUS, Topics.AUDIT);

    /**
     * Re-runs the scheduler ({@code SchedulerTopology}, default settings) over its recorded lanes —
     * berth.placement-requests/0 and berth.ticks/0, found among {@code inputs} and {@code outputs}
     * alike (requests are the controllers' outputs) — in the order its {@code berth.seen} headers
     * name, and compares its placements, unschedulable verdicts and audit records with the recorded
     * ones (records of either list marked {@code berth.decider: scheduler}).
     */
    public static Result verifyScheduler(SchemaRegistryClient liveRegistry, List<Recorded> inputs, List<Recorded> outputs, Options o) {
        BerthSerdes live = new BerthSerdes(liveRegistry);
        Map<String, Recorded> lanes = new LinkedHashMap<>();   // by position: a record may be in both lists
        for (List<Recorded> l : List.of(inputs, outputs)) {
            for (Recorded r : l) {
                boolean request = r.topic().equals(Topics.PLACEMENT_REQUESTS.name());
                boolean tick = r.topic().equals(Topics.TICKS.name()) && r.partition() == 0;
                if ((request || tick) && r.header(DECIDER) == null && r.timestamp() <= o.until()) lanes.putIfAbsent(r.position(), r);
            }
        }
        // the scheduler's statuses are on berth.task-status, which the controllers read: look in both lists
        Map<String, Recorded> byPosition = new LinkedHashMap<>();
        for (List<Recorded> l : List.of(outputs, inputs)) {
            for (Recorded r : l) if ("scheduler".equals(r.header(DECIDER))) byPosition.putIfAbsent(r.position(), r);
        }
        List<Recorded> decided = new ArrayList<>(byPosition.values());
        List<Decision> recorded = decided.stream().map(r -> Decision.of(r.topic(), r.key(), r.timestamp(), decode(live, r))).toList();
        long started = System.nanoTime();
        List<Recorded> fed = new ArrayList<>(lanes.values());
        ReplayOrder.Result order = order(live, fed, decided, o.partitions());
        List<Decision> replayed = driveScheduler(order.order(), live);
        long ms = (System.nanoTime() - started) / 1_000_000;
        return new Result(DecisionDiff.compare(recorded, replayed, o.since(), o.until()), fed.size(), order.conflicts(), ms);
    }

    private static List<Decision> driveScheduler(List<Recorded> order, BerthSerdes live) {
        BerthSerdes sandbox = new BerthSerdes(new InMemorySchemaRegistryClient());
        List<Decision> out = new ArrayList<>();
        inSandbox("berth-replay-scheduler", p -> SchedulerTopology.build(sandbox, SchedulerSettings.DEFAULTS), order, driver -> {
            Map<String, TestInputTopic<String, byte[]>> in = inputs(driver, SCHEDULER_INPUTS);
            Map<String, TestOutputTopic<String, ? extends SpecificRecord>> outs = outputs(driver, sandbox, SCHEDULER_OUTPUTS);
            for (Recorded r : order) {
                in.get(r.topic()).pipeInput(new TestRecord<>(r.key(), reencode(live, sandbox, r), new RecordHeaders(), r.timestamp()));
                collect(outs, out);
            }
        });
        return out;
    }

    // ---- order ----

    static ReplayOrder.Result order(BerthSerdes serdes, List<Recorded> inputs, List<Recorded> outputs, int partitions) {
        Map<String, ReplayOrder.Item> byPosition = new HashMap<>();   // unqualified lane + "/" + offset
        Map<String, String> taskOfItem = new HashMap<>();
        List<ReplayOrder.Item> items = new ArrayList<>();
        for (Recorded r : inputs) {
            String[] lane = lane(serdes, r, partitions);
            ReplayOrder.Item item = new ReplayOrder.Item(r, lane[0] + "#" + lane[1], r.offset());
            items.add(item);
            byPosition.put(lane[0] + "/" + r.offset(), item);
            taskOfItem.put(lane[0] + "/" + r.offset(), lane[1]);
        }
        Map<ReplayOrder.Item, Map<String, Long>> seen = new HashMap<>();
        for (Recorded out : outputs) {
            String cause = out.header(Recorded.CAUSE), s = out.header(Recorded.SEEN);
            if (cause == null || s == null) continue;
            String[] anchor = anchor(cause, s, taskOfItem);
            ReplayOrder.Item item = anchor == null ? null : byPosition.get(anchor[0]);
            if (item == null) continue;  // e.g. the endpoints controller's, caused by a repartition topic
            String task = anchor[1];
            Map<String, Long> v = seen.computeIfAbsent(item, x -> new HashMap<>());
            for (String entry : s.split(",")) {
                int eq = entry.lastIndexOf('=');
                if (eq < 0) continue;
                v.merge(entry.substring(0, eq) + "#" + task, Long.parseLong(entry.substring(eq + 1)), Math::max);
            }
        }
        return ReplayOrder.order(items, seen::get);
    }

    /**
     * {position of the input an output was decided on (unqualified lane + "/" + offset), partition of the task that
     * decided}, or null when unknown. A status that heartbeats found missing reaches the workload controller through
     * {@code node-gaps-by-workload} and names its heartbeat as its cause
     * ({@code berth.node-events/P@node-gaps-by-workload/OFFSET}); the replay driver forwards such a status to the
     * workload controller as soon as the heartbeat is fed, so the heartbeat is the input to order, under the
     * constraints of the workload's task, whose partition its direct lanes in {@code berth.seen} name
     * ({@code berth.task-status/Q}, {@code berth.intents/Q}, {@code berth.ticks/Q}).
     */
    static String[] anchor(String cause, String seen, Map<String, String> taskOfItem) {
        String gap = "@" + StateStreamsTopology.NODE_GAPS + "/";
        int at = cause.indexOf(gap);
        if (at < 0) return taskOfItem.containsKey(cause) ? new String[]{cause, taskOfItem.get(cause)} : null;
        String heartbeat = cause.substring(0, at) + "/" + cause.substring(at + gap.length());
        for (String entry : seen.split(",")) {
            int eq = entry.lastIndexOf('=');
            String lane = eq < 0 ? entry : entry.substring(0, eq);
            int slash = lane.lastIndexOf('/');
            if (lane.contains("@") || slash < 0) continue;
            return new String[]{heartbeat, lane.substring(slash + 1)};
        }
        return null;
    }

    /** {unqualified lane as the controller names it, partition of the task that decides on it}. */
    static String[] lane(BerthSerdes serdes, Recorded r, int partitions) {
        String direct = r.topic() + "/" + r.partition();
        if (!r.topic().equals(Topics.INTENTS.name()) || r.value() == null) return new String[]{direct, Integer.toString(r.partition())};
        Intent i;
        try {
            i = serdes.value(Intent.class).deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            return new String[]{direct, Integer.toString(r.partition())};
        }
        if (i.getKind() == ResourceKind.NODE) {
            return new String[]{direct + "@node-intents-by-node", Integer.toString(partition(i.getName(), partitions))};
        }
        if (i.getKind() == ResourceKind.HORIZONTALPODAUTOSCALER && i.getHpa() != null && !i.getHpa().getTargetName().isEmpty()) {
            String targetKey = Topics.resourceKey(i.getNamespace(), ResourceKind.DEPLOYMENT, i.getHpa().getTargetName());
            return new String[]{direct + "@" + io.berth.state.StateStreamsTopology.HPAS_BY_TARGET, Integer.toString(partition(targetKey, partitions))};
        }
        Optional<String> owner = TaskNames.ownerOf(i.getName());
        if (i.getKind() == ResourceKind.POD && i.getAction() == IntentAction.DELETE && owner.isPresent()) {
            String ownerKey = Topics.resourceKey(i.getNamespace(), ResourceKind.DEPLOYMENT, owner.get());
            return new String[]{direct + "@pod-deletes-by-owner", Integer.toString(partition(ownerKey, partitions))};
        }
        return new String[]{direct, Integer.toString(r.partition())};
    }

    static int partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    // ---- drive ----

    private static List<Decision> drive(List<Recorded> order, BerthSerdes live, Options o) {
        BerthSerdes sandbox = new BerthSerdes(new InMemorySchemaRegistryClient());
        List<Decision> out = new ArrayList<>();
        inSandbox("berth-replay", p -> {
            DeadLetterDeserializationHandler.configure(p, sandbox.registry(), StateStreamsTopology.APPLICATION_ID);
            return StateStreamsTopology.build(sandbox, new StateStreamsTopology.Settings(o.nodeGraceMs(), o.tick(), o.partitions()));
        }, order, driver -> {
            Map<String, TestInputTopic<String, byte[]>> in = inputs(driver, INPUTS);
            Map<String, TestOutputTopic<String, ? extends SpecificRecord>> outs = outputs(driver, sandbox, OUTPUTS);
            for (Recorded r : order) {
                RecordHeaders headers = new RecordHeaders();
                r.headers().forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
                in.get(r.topic()).pipeInput(new TestRecord<>(r.key(), reencode(live, sandbox, r), headers, r.timestamp()));
                collect(outs, out);
            }
            collect(outs, out);
        });
        return out;
    }

    /**
     * Runs {@code body} on a TopologyTestDriver of its own: a fresh application id and a temporary
     * state directory (deleted afterwards), its clock at the first recorded input; nothing reaches Kafka.
     *
     * @param topology builds the topology; may add to the driver's properties first
     */
    private static void inSandbox(String name, java.util.function.Function<Properties, org.apache.kafka.streams.Topology> topology,
                                  List<Recorded> order, java.util.function.Consumer<TopologyTestDriver> body) {
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, name + "-" + UUID.randomUUID());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "replay.invalid:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        long start = order.stream().mapToLong(Recorded::timestamp).min().orElse(0);
        try (TopologyTestDriver driver = new TopologyTestDriver(topology.apply(p), p, Instant.ofEpochMilli(start))) {
            body.accept(driver);
        } finally {
            try {
                Utils.delete(stateDir.toFile());
            } catch (IOException ignored) {
                // a temp directory left behind is harmless
            }
        }
    }

    private static Map<String, TestInputTopic<String, byte[]>> inputs(TopologyTestDriver driver, List<Topic<?>> topics) {
        Map<String, TestInputTopic<String, byte[]>> in = new HashMap<>();
        for (Topic<?> t : topics) in.put(t.name(), driver.createInputTopic(t.name(), new StringSerializer(), new ByteArraySerializer()));
        return in;
    }

    private static Map<String, TestOutputTopic<String, ? extends SpecificRecord>> outputs(TopologyTestDriver driver, BerthSerdes sandbox,
                                                                                        List<Topic<?>> topics) {
        Map<String, TestOutputTopic<String, ? extends SpecificRecord>> outs = new LinkedHashMap<>();
        for (Topic<?> t : topics) outs.put(t.name(), driver.createOutputTopic(t.name(), new StringDeserializer(), sandbox.value(t).deserializer()));
        return outs;
    }

    private static void collect(Map<String, TestOutputTopic<String, ? extends SpecificRecord>> outs, List<Decision> into) {
        outs.forEach((topic, t) -> {
            while (!t.isEmpty()) {
                TestRecord<String, ? extends SpecificRecord> r = t.readRecord();
                // as recorded: only the controllers' decisions (the dead-letter handlers' records name no cause)
                if (r.headers().lastHeader(Recorded.CAUSE) != null) into.add(Decision.of(topic, r.key(), r.timestamp(), r.value()));
            }
        });
    }

    /** Decoded with the live registry's ids, encoded again for the sandbox registry; undecodable bytes go as they are. */
    private static byte[] reencode(BerthSerdes live, BerthSerdes sandbox, Recorded r) {
        if (r.value() == null) return null;
        Topic<?> t = Topics.ALL.stream().filter(x -> x.name().equals(r.topic())).findFirst().orElseThrow();
        try {
            return encode(sandbox.value(t), r.topic(), live.value(t).deserialize(r.topic(), r.value()));
        } catch (RuntimeException e) {
            return r.value();
        }
    }

    @SuppressWarnings("unchecked")
    private static <V extends SpecificRecord> byte[] encode(AvroSerde<V> serde, String topic, Object value) {
        return serde.serialize(topic, (V) value);
    }

    static SpecificRecord decode(BerthSerdes serdes, Recorded r) {
        if (r.value() == null) return null;
        Topic<?> t = Topics.ALL.stream().filter(x -> x.name().equals(r.topic())).findFirst().orElseThrow();
        return serdes.value(t).deserialize(r.topic(), r.value());
    }
}
