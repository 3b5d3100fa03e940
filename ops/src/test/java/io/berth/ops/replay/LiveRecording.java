package io.berth.ops.replay;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.deadletter.DeadLetterDeserializationHandler;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.state.StateStreamsTopology;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.*;

/**
 * Records a history the way a live cluster would: the real state-streams topology (with
 * {@code replayPartitions} = 6, so each tick checks one partition's keys, as six live tasks would),
 * fed by a simulated cluster around it — six tickers writing a tick per partition every 250 ms
 * with the node list as the nodes view shows it, node daemons heartbeating every second (each at
 * its own phase) and reporting ASSIGNED/RUNNING/READY/EXITED/REMOVED with small delays, a
 * round-robin scheduler answering placement requests. Every input gets a simulated Kafka
 * position (partition by key hash, offsets per partition) and the controllers' cause headers are
 * translated from the driver's single partition to those positions, as a live log would show them.
 */
final class LiveRecording implements AutoCloseable {
    static final int PARTITIONS = 6;
    static final long GRACE_MS = 3000;
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    final BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
    final List<Recorded> inputs = new ArrayList<>();
    final List<Recorded> outputs = new ArrayList<>();
    private final TopologyTestDriver driver;
    private final Map<String, TestInputTopic<String, byte[]>> in = new HashMap<>();
    private final Map<String, TestOutputTopic<String, byte[]>> out = new LinkedHashMap<>();
    /** Per input topic, driver offset → simulated {partition, offset}. */
    private final Map<String, List<long[]>> positions = new HashMap<>();
    private final Map<String, Long> nextOffset = new HashMap<>();
    private final Map<String, NodeView> nodeViews = new TreeMap<>();
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final Set<String> alive = new TreeSet<>();
    private final Map<String, String> placedOn = new HashMap<>();
    private final Map<String, Integer> restarts = new HashMap<>();
    private long now = T0.toEpochMilli();
    private long seq;
    private int roundRobin;

    private record Event(long at, long seq, Runnable action) implements Comparable<Event> {
        public int compareTo(Event o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
        }
    }

    LiveRecording() throws Exception {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "berth-state-streams");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("berth-recording").toString());
        DeadLetterDeserializationHandler.configure(p, serdes.registry(), "berth-state-streams");
        driver = new TopologyTestDriver(StateStreamsTopology.build(serdes,
                new StateStreamsTopology.Settings(GRACE_MS, Duration.ofMillis(250), PARTITIONS)), p, T0);
        for (Topic<?> t : Replayer.INPUTS) in.put(t.name(), driver.createInputTopic(t.name(), new StringSerializer(), new ByteArraySerializer()));
        for (Topic<?> t : Replayer.OUTPUTS) out.put(t.name(), driver.createOutputTopic(t.name(), new StringDeserializer(), new ByteArrayDeserializer()));
        every(250, 0, this::ticks);
    }

    // ---- the cluster around the controllers ----

    void node(String id, long phaseMs) {
        alive.add(id);
        NodeRegistration r = NodeRegistration.newBuilder().setName(id).setCapacity(new Resources(4000L, 8L << 30))
                .setIncarnation("inc-" + id).setAddress("10.0.0." + (id.hashCode() & 0x3f)).build();
        pipe(Topics.NODE_EVENTS, id, NodeEvent.newBuilder().setNodeId(id).setType(NodeEventType.REGISTER).setRegistration(r).build());
        every(1000, phaseMs, () -> {
            if (alive.contains(id)) pipe(Topics.NODE_EVENTS, id, NodeEvent.newBuilder().setNodeId(id).setType(NodeEventType.HEARTBEAT).build());
        });
    }

    /** The node goes silent: no heartbeats, no reports. */
    void kill(String id) {
        alive.remove(id);
    }

    void intent(Intent i) {
        pipe(Topics.INTENTS, Topics.resourceKey(i.getNamespace(), i.getKind(), i.getName()), i);
    }

    void rawIntent(String key, byte[] bytes) {
        pipeBytes(Topics.INTENTS.name(), key, bytes, partitionOf(key));
    }

    /** Runs the simulated cluster for {@code ms}. */
    void run(long ms) {
        long until = now + ms;
        while (!queue.isEmpty() && queue.peek().at() <= until) {
            Event e = queue.poll();
            now = Math.max(now, e.at());
            e.action().run();
        }
        now = until;
    }

    private void every(long period, long phase, Runnable r) {
        at(now + phase, () -> {
            r.run();
            every(period, period, r);
        });
    }

    private void at(long when, Runnable r) {
        queue.add(new Event(when, seq++, r));
    }

    private void ticks() {
        List<TickNode> nodes = nodeViews.values().stream().map(n -> TickNode.newBuilder().setId(n.getNodeId()).setReady(n.getReady())
                .setDraining("true".equals(n.getLabels().get("berth.io/draining"))).setAddress(n.getAddress()).build()).toList();
        for (int p = 0; p < PARTITIONS; p++) {
            pipeBytes(Topics.TICKS.name(), Integer.toString(p),
                    serdes.value(Tick.class).serialize(Topics.TICKS.name(), Tick.newBuilder().setPartition(p).setNodes(nodes).build()), p);
            // with each tick the ticker writes a CLOCK record into the partition's heartbeats: the node controller expires on it
            pipeBytes(Topics.NODE_EVENTS.name(), Integer.toString(p), serdes.value(NodeEvent.class).serialize(Topics.NODE_EVENTS.name(),
                    NodeEvent.newBuilder().setNodeId("").setType(NodeEventType.CLOCK).setTimestamp(now).build()), p);
        }
    }

    /** The scheduler: round robin over the ready nodes, 10 ms after the request. */
    private void place(PlacementRequest r) {
        at(now + 10, () -> {
            List<String> ready = nodeViews.values().stream().filter(NodeView::getReady).map(NodeView::getNodeId).toList();
            if (ready.isEmpty()) return;
            String node = ready.get(roundRobin++ % ready.size());
            placedOn.put(r.getTaskId(), node);
            report(r.getWorkloadKey(), r.getTaskId(), node, TaskState.ASSIGNED, "Scheduled", 0);
            boolean crashes = r.getTemplate().getContainers().get(0).getImage().contains("crash");
            at(now + 60, () -> report(r.getWorkloadKey(), r.getTaskId(), node, TaskState.RUNNING, "", 0));
            if (crashes) crashLoop(r.getWorkloadKey(), r.getTaskId(), node, 1);
            else at(now + 150, () -> report(r.getWorkloadKey(), r.getTaskId(), node, TaskState.READY, "", 0));
        });
    }

    private void crashLoop(String workload, String task, String node, int n) {
        at(now + 200, () -> {
            if (!node.equals(placedOn.get(task))) return;
            restarts.merge(task, 1, Integer::sum);
            report(workload, task, node, TaskState.EXITED, n > 1 ? "CrashLoopBackOff" : "Error", restarts.get(task));
            if (n < 5) {
                at(now + 300, () -> {
                    if (node.equals(placedOn.get(task))) report(workload, task, node, TaskState.RUNNING, "", restarts.get(task));
                });
                crashLoop(workload, task, node, n + 1);
            }
        });
    }

    /** The node daemon removes a revoked task's container 40 ms after the tombstone. */
    private void revoked(String assignmentKey, String workload) {
        String node = Topics.nodeOfAssignmentKey(assignmentKey), task = assignmentKey.substring(node.length() + 1);
        placedOn.remove(task);
        at(now + 40, () -> report(workload, task, node, TaskState.REMOVED, "", 0));
    }

    private void report(String workload, String task, String node, TaskState state, String reason, int restartCount) {
        if (!alive.contains(node)) return;
        TaskStatus s = TaskStatus.newBuilder().setTaskId(task).setWorkloadKey(workload).setNodeId(node).setState(state)
                .setReason(reason).setRestartCount(restartCount).setTimestamp(now)
                .setExitCode(state == TaskState.EXITED ? 1 : null)
                .setContainerId(state == TaskState.RUNNING || state == TaskState.READY ? "c-" + task : null).build();
        pipe(Topics.TASK_STATUS, workload, s);
    }

    // ---- the log ----

    private <V extends SpecificRecord> void pipe(Topic<V> topic, String key, V value) {
        pipeBytes(topic.name(), key, serdes.value(topic).serialize(topic.name(), value), partitionOf(key));
    }

    private void pipeBytes(String topic, String key, byte[] value, int partition) {
        long offset = nextOffset.merge(topic + "/" + partition, 1L, Long::sum) - 1;
        positions.computeIfAbsent(topic, t -> new ArrayList<>()).add(new long[]{partition, offset});
        inputs.add(new Recorded(topic, partition, offset, now, key, value, Map.of()));
        in.get(topic).pipeInput(new TestRecord<>(key, value, new org.apache.kafka.common.header.internals.RecordHeaders(), now));
        collect();
    }

    static int partitionOf(String key) {
        return Replayer.partition(key, PARTITIONS);
    }

    private void collect() {
        out.forEach((topic, t) -> {
            while (!t.isEmpty()) {
                TestRecord<String, byte[]> r = t.readRecord();
                Map<String, String> headers = new LinkedHashMap<>();
                for (Header h : r.headers()) headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
                if (headers.containsKey(Recorded.CAUSE)) headers.put(Recorded.CAUSE, translateCause(headers.get(Recorded.CAUSE)));
                if (headers.containsKey(Recorded.SEEN)) headers.put(Recorded.SEEN, translateSeen(headers.get(Recorded.SEEN)));
                int partition = r.key() == null ? 0 : partitionOf(r.key());
                long offset = nextOffset.merge(topic + "/" + partition, 1L, Long::sum) - 1;
                outputs.add(new Recorded(topic, partition, offset, r.timestamp() == null ? now : r.timestamp(), r.key(), r.value(), headers));
                react(topic, r.key(), r.value(), headers);
            }
        });
    }

    private void react(String topic, String key, byte[] value, Map<String, String> headers) {
        if (topic.equals(Topics.PLACEMENT_REQUESTS.name()) && value != null) {
            place(serdes.value(Topics.PLACEMENT_REQUESTS).deserialize(topic, value));
        } else if (topic.equals(Topics.NODES.name()) && value != null) {
            NodeView n = serdes.value(Topics.NODES).deserialize(topic, value);
            nodeViews.put(n.getNodeId(), n);
        } else if (topic.equals(Topics.ASSIGNMENTS.name()) && value == null) {
            String task = key.substring(Topics.nodeOfAssignmentKey(key).length() + 1);
            workloadOf.computeIfPresent(task, (t, w) -> {
                revoked(key, w);
                return w;
            });
        } else if (topic.equals(Topics.TASKS.name()) && value != null) {
            TaskView t = serdes.value(Topics.TASKS).deserialize(topic, value);
            workloadOf.put(t.getTaskId(), t.getWorkloadKey());
        }
    }

    private final Map<String, String> workloadOf = new HashMap<>();

    /** {@code topic/0[@via]/driverOffset} → {@code topic/P[@via]/offset}. */
    private String translateCause(String cause) {
        int lastSlash = cause.lastIndexOf('/');
        String lane = cause.substring(0, lastSlash);
        long driverOffset = Long.parseLong(cause.substring(lastSlash + 1));
        String topic = lane.substring(0, lane.indexOf('/'));
        List<long[]> pos = positions.get(topic);
        if (pos == null || driverOffset >= pos.size()) return cause;  // an internal topic: no live position
        long[] p = pos.get((int) driverOffset);
        String via = lane.contains("@") ? lane.substring(lane.indexOf('@')) : "";
        return topic + "/" + p[0] + via + "/" + p[1];
    }

    /** One driver lane stands for every partition: for each, the last offset at or before the driver offset. */
    private String translateSeen(String seen) {
        List<String> entries = new ArrayList<>();
        for (String e : seen.split(",")) {
            int eq = e.lastIndexOf('=');
            String lane = e.substring(0, eq);
            long driverOffset = Long.parseLong(e.substring(eq + 1));
            String topic = lane.substring(0, lane.indexOf('/'));
            List<long[]> pos = positions.get(topic);
            if (pos == null) {
                entries.add(e);
                continue;
            }
            String via = lane.contains("@") ? lane.substring(lane.indexOf('@')) : "";
            long[] last = new long[PARTITIONS];
            Arrays.fill(last, -1);
            for (int i = 0; i <= driverOffset && i < pos.size(); i++) last[(int) pos.get(i)[0]] = pos.get(i)[1];
            for (int q = 0; q < PARTITIONS; q++) if (last[q] >= 0) entries.add(topic + "/" + q + via + "=" + last[q]);
        }
        return String.join(",", entries);
    }

    @Override
    public void close() {
        driver.close();
    }
}
