package io.berth.ops.bench;

import io.berth.node.sim.SimCluster;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.AvroTrust;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.*;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The simulated-cluster scenarios of {@code ops/bench sim}, against a control plane that runs
 * elsewhere (another process for the benchmark, in-process for the smoke test): {@link SimCluster}
 * nodes, Deployments applied on berth.intents, and a watcher that reads every task status and node
 * event, so each figure is taken from what the nodes reported (status timestamps, one clock: one machine).
 */
public final class SimScenario implements AutoCloseable {
    static {
        AvroTrust.ensure();
    }

    /** What the watcher knows of a task: the last status and when it first ran on its current node. */
    public static final class Task {
        public volatile String workload = "", node = "";
        public volatile TaskState state;
        public volatile long runningAt;
    }

    private final BerthConfig config;
    private final BerthSerdes serdes;
    private final SimCluster cluster;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final Map<String, Long> lastHeartbeat = new ConcurrentHashMap<>();
    private final Map<String, Long> intentAt = new ConcurrentHashMap<>();
    private final Map<String, Boolean> nodeReady = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> notReadyAt = new ConcurrentHashMap<>();
    private final Map<String, Long> lastBeatRecordAt = new ConcurrentHashMap<>();
    private final Map<String, String> notReadyWhy = new ConcurrentHashMap<>();
    private final List<Long> nodeViewTimes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, List<long[]>> heartbeatGaps = new ConcurrentHashMap<>();
    private final Thread watcher;
    private volatile boolean running = true;
    private volatile Consumer<String> onRunning = t -> { };
    private int seq;

    /** @param config bootstrap servers and the daemons' settings (heartbeat-ms, sim-start-delay, capacity …) */
    public SimScenario(BerthConfig config, SchemaRegistryClient registry, boolean sharedAssignments) {
        this.config = config;
        this.serdes = new BerthSerdes(registry);
        this.cluster = new SimCluster(config, registry, sharedAssignments);
        this.producer = new KafkaProducer<>(config.clientMap("bench-simscenario", "linger.ms", "5", "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());
        watcher = new Thread(this::watch, "bench-sim-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    public SimCluster cluster() {
        return cluster;
    }

    public Map<String, Task> tasks() {
        return tasks;
    }

    public Map<String, Long> lastHeartbeats() {
        return lastHeartbeat;
    }

    /** Per node, the record times of its NodeView turning from Ready to NotReady (berth.state.nodes, read_committed). */
    public Map<String, List<Long>> notReadyAt() {
        return notReadyAt;
    }

    /** NodeView records (committed) whose record time is in [from, to): what state-streams wrote for that stretch of input time. */
    public long nodeViewsStamped(long from, long to) {
        synchronized (nodeViewTimes) {
            return nodeViewTimes.stream().filter(t -> t >= from && t < to).count();
        }
    }

    /** Per node, its partition, when and why it was last declared NotReady (for a diagnosis). */
    public Map<String, String> notReadyWhy() {
        return notReadyWhy;
    }

    /**
     * Per node, the gaps between two of its consecutive REGISTER/HEARTBEAT records longer than
     * {@code minMs}, as {at, gap} (record times: when the daemon's producer sent them).
     */
    public Map<String, List<long[]>> heartbeatGaps(long minMs) {
        Map<String, List<long[]>> out = new HashMap<>();
        heartbeatGaps.forEach((node, gaps) -> {
            synchronized (gaps) {
                List<long[]> big = gaps.stream().filter(g -> g[1] > minMs).toList();
                if (!big.isEmpty()) out.put(node, big);
            }
        });
        return out;
    }

    /** The sum of the end offsets of a topic's partitions (records written so far, transaction markers included). */
    public long endOffsets(Topic<?> topic) {
        Map<String, Object> p = config.clientMap("bench-simscenario", "enable.auto.commit", "false");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < topic.partitions(); i++) tps.add(new TopicPartition(topic.name(), i));
            return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Applies {@code count} Deployments {@code <prefix>0 …} of {@code replicas} each; returns the time the first was sent. */
    public long apply(String prefix, int count, int replicas) {
        long t0 = System.currentTimeMillis();
        for (int d = 0; d < count; d++) {
            String name = prefix + d;
            long now = System.currentTimeMillis();
            intentAt.put(Topics.resourceKey("default", ResourceKind.DEPLOYMENT, name), now);
            send(Topics.INTENTS, Topics.resourceKey("default", ResourceKind.DEPLOYMENT, name), deployment(name, replicas, now));
        }
        producer.flush();
        return t0;
    }

    /** When the Deployment of a workload key was applied (its intent's timestamp); null when not applied here. */
    public Long intentAt(String workloadKey) {
        Long t = intentAt.get(workloadKey);
        if (t != null) return t;
        for (Map.Entry<String, Long> e : intentAt.entrySet()) if (workloadKey.startsWith(e.getKey())) return e.getValue();
        return null;
    }

    /** Tasks whose last status says they run, on a node that is alive. */
    public int runningOnLiveNodes() {
        Map<String, SimCluster.Node> nodes = cluster.nodes();
        int n = 0;
        for (Task t : tasks.values()) {
            SimCluster.Node node = nodes.get(t.node);
            if (isRunning(t.state) && node != null && node.alive()) n++;
        }
        return n;
    }

    public static boolean isRunning(TaskState s) {
        return s == TaskState.RUNNING || s == TaskState.READY || s == TaskState.UNREADY;
    }

    /** Called (on the watcher thread) with a task id each time a task starts running on a node. */
    public void onRunning(Consumer<String> c) {
        onRunning = c;
    }

    private void watch() {
        Map<String, Object> p = config.clientMap("bench-simscenario", "enable.auto.commit", "false",
                "max.poll.records", "10000", "fetch.max.bytes", String.valueOf(64 << 20), "isolation.level", "read_committed");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (Topic<?> t : List.of(Topics.TASK_STATUS, Topics.NODE_EVENTS, Topics.NODES)) {
                for (int i = 0; i < t.partitions(); i++) tps.add(new TopicPartition(t.name(), i));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    if (r.value() == null) continue;
                    if (r.topic().equals(Topics.NODES.name())) {
                        NodeView v = serdes.value(Topics.NODES).deserialize(r.topic(), r.value());
                        nodeViewTimes.add(r.timestamp());
                        Boolean was = nodeReady.put(r.key(), v.getReady());
                        if (Boolean.TRUE.equals(was) && !v.getReady()) {
                            notReadyAt.computeIfAbsent(r.key(), k -> Collections.synchronizedList(new ArrayList<>())).add(r.timestamp());
                            notReadyWhy.put(r.key(), "partition " + r.partition() + " at " + r.timestamp() + ": "
                                    + (v.getConditions().isEmpty() ? "" : v.getConditions().get(0).getMessage())
                                    + " (last heartbeat record read here at " + lastBeatRecordAt.get(r.key()) + ")");
                        }
                        continue;
                    }
                    if (r.topic().equals(Topics.NODE_EVENTS.name())) {
                        NodeEvent e = serdes.value(Topics.NODE_EVENTS).deserialize(r.topic(), r.value());
                        if (e.getType() == NodeEventType.HEARTBEAT || e.getType() == NodeEventType.REGISTER) {
                            lastHeartbeat.merge(e.getNodeId(), e.getTimestamp(), Math::max);
                            Long prev = lastBeatRecordAt.put(e.getNodeId(), r.timestamp());
                            if (prev != null && r.timestamp() - prev > 1500) {
                                heartbeatGaps.computeIfAbsent(e.getNodeId(), k -> Collections.synchronizedList(new ArrayList<>()))
                                        .add(new long[] {r.timestamp(), r.timestamp() - prev});
                            }
                        }
                        continue;
                    }
                    TaskStatus s = serdes.value(Topics.TASK_STATUS).deserialize(r.topic(), r.value());
                    Task t = tasks.computeIfAbsent(s.getTaskId(), k -> new Task());
                    boolean wasRunningHere = isRunning(t.state) && t.node.equals(s.getNodeId());
                    t.workload = s.getWorkloadKey();
                    if (!s.getNodeId().isEmpty()) t.node = s.getNodeId();
                    t.state = s.getState();
                    if (isRunning(s.getState()) && !wasRunningHere) {
                        t.runningAt = s.getTimestamp();
                        onRunning.accept(s.getTaskId());
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // closing
        }
    }

    private Intent deployment(String name, int replicas, long now) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("main").setImage("sim/" + name + ":1")
                .setRequests(new Resources(10L, 16L << 20)).build();
        PodTemplate t = PodTemplate.newBuilder().setLabels(Map.of("app", name)).setContainers(List.of(c)).build();
        return Intent.newBuilder().setIntentId("sim-" + (++seq) + "-" + UUID.randomUUID()).setAction(IntentAction.APPLY)
                .setKind(ResourceKind.DEPLOYMENT).setNamespace("default").setName(name).setActor("user:bench").setTimestamp(now)
                .setPayload(DeploymentSpec.newBuilder().setReplicas(replicas).setTemplate(t).build()).build();
    }

    private <V extends SpecificRecord> void send(Topic<V> topic, String key, V value) {
        producer.send(new ProducerRecord<>(topic.name(), key, serdes.value(topic).serialize(topic.name(), value)));
    }

    /** The tasks view (berth.state.tasks) read to its end, by task key; tombstones drop a task. */
    public Map<String, TaskView> taskViews() {
        Map<String, Object> p = config.clientMap("bench-simscenario", "enable.auto.commit", "false",
                "max.poll.records", "10000", "isolation.level", "read_committed");
        Map<String, TaskView> out = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < Topics.TASKS.partitions(); i++) tps.add(new TopicPartition(Topics.TASKS.name(), i));
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) out.remove(r.key());
                    else out.put(r.key(), serdes.value(Topics.TASKS).deserialize(r.topic(), r.value()));
                }
            }
        }
        return out;
    }

    /** p-th percentile (0..100) of the values, nearest rank; NaN when empty. */
    public static double percentile(List<Long> values, double p) {
        if (values.isEmpty()) return Double.NaN;
        List<Long> s = new ArrayList<>(values);
        Collections.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
        return s.get(Math.max(0, Math.min(s.size() - 1, i)));
    }

    @Override
    public void close() throws Exception {
        running = false;
        watcher.join(5000);
        producer.close();
        cluster.close();
    }
}
