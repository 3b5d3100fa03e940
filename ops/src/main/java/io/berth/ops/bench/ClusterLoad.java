package io.berth.ops.bench;

import io.berth.ops.kafka.EmbeddedKafka;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.AvroTrust;
import io.berth.schemas.Topic;
import io.berth.schemas.TopicAdmin;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.state.StateStreamsService;
import io.berth.state.StateStreamsTopology;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.*;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loaded cluster for the benchmarks: an embedded broker, the real state-streams service
 * ({@link StateStreamsService}: {@link StateStreamsTopology}, exactly_once_v2) and a simulated
 * cluster around it — node daemons that register and heartbeat every second, a scheduler that
 * answers every placement request at once round robin (ASSIGNED, RUNNING, READY), deployments
 * applied and scaled through berth.intents — and then a flood of node reports flipping the
 * running pods between RUNNING and READY, now and then EXITED and restarted, produced as fast as
 * the controllers take them (the backlog is kept at most {@code maxBacklog} records so node
 * heartbeats are not starved behind an unbounded queue). A read_committed consumer counts what
 * is written to berth.audit.
 */
final class ClusterLoad implements AutoCloseable {
    final EmbeddedKafka kafka;
    final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    final BerthSerdes serdes = new BerthSerdes(registry);
    final AtomicLong audits = new AtomicLong();
    final Map<String, AtomicLong> auditChanges = new ConcurrentHashMap<>();
    /** taskId → {workloadKey, nodeId}, as the simulated scheduler placed it. */
    final Map<String, String[]> placed = new ConcurrentHashMap<>();
    private final Path dir;
    private final StateStreamsService streams;
    private final KafkaProducer<String, byte[]> producer;
    private final Admin admin;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final List<String> nodes = new ArrayList<>();
    private int intentSeq;
    /** The real scheduler, when the cluster runs with it ({@link #ClusterLoad(int, boolean)}). */
    private final io.berth.scheduler.SchedulerService scheduler;
    /** Tasks answered by the fake nodes with a terminal READY, when the real scheduler runs. */
    final AtomicLong answered = new AtomicLong();

    ClusterLoad(int nodeCount) throws Exception {
        this(nodeCount, false);
    }

    /**
     * With {@code realScheduler}, the real scheduler ({@link io.berth.scheduler.SchedulerService},
     * {@code SchedulerTopology}) places the tasks on berth.assignments, and the nodes answer each new
     * assignment as a node daemon without probes does: RUNNING, then READY (no audit counter runs).
     */
    ClusterLoad(int nodeCount, boolean realScheduler) throws Exception {
        AvroTrust.ensure();
        dir = Files.createTempDirectory("berth-bench");
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), EmbeddedKafka.freePort("127.0.0.1"));
        admin = Admin.create(BerthConfig.of(kafka.bootstrapServers(), null, null).clientMap("bench-clusterload"));
        TopicAdmin.ensureTopics(admin);
        streams = new StateStreamsService(BerthConfig.of(kafka.bootstrapServers(), null, dir), registry);
        streams.start();
        producer = new KafkaProducer<>(BerthConfig.of(kafka.bootstrapServers(), null, null).clientMap("bench-clusterload", "linger.ms", "5", "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());
        if (realScheduler) {
            scheduler = new io.berth.scheduler.SchedulerService(BerthConfig.of(kafka.bootstrapServers(), null, dir), registry);
            scheduler.start();
            daemon("nodes", this::answerAssignments);
        } else {
            scheduler = null;
            daemon("audit-counter", this::countAudits);
            daemon("scheduler", this::schedule);
        }
        for (int i = 1; i <= nodeCount; i++) {
            String id = "n" + i;
            nodes.add(id);
            NodeRegistration r = NodeRegistration.newBuilder().setName(id).setCapacity(new Resources(64_000L, 256L << 30))
                    .setIncarnation("inc-" + id).setAddress("10.0.0." + i).build();
            send(Topics.NODE_EVENTS, id, NodeEvent.newBuilder().setNodeId(id).setType(NodeEventType.REGISTER).setRegistration(r).build());
        }
        daemon("heartbeats", () -> {
            while (running.get()) {
                for (String id : nodes) send(Topics.NODE_EVENTS, id, NodeEvent.newBuilder().setNodeId(id).setType(NodeEventType.HEARTBEAT).build());
                sleep(1000);
            }
        });
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    int nodeCount() {
        return nodes.size();
    }

    Path dataDir() {
        return dir;
    }

    /** Applies one deployment of {@code replicas} pods labelled {@code app=<name>} in {@code namespace}. */
    void apply(String namespace, String name, int replicas) {
        intent(deployment(namespace, name, replicas));
        producer.flush();
    }

    /** A node's report for a placed task (a readiness flip, a crash …), as its daemon would send it. */
    void report(String task, TaskState state) {
        String[] wn = placed.get(task);
        status(wn[0], task, wn[1], state, "", 0);
    }

    /** Applies {@code deployments} deployments of {@code replicas}, scales each to {@code scaledTo} and waits until every pod was reported READY. */
    void deploy(int deployments, int replicas, int scaledTo, Duration timeout) throws InterruptedException {
        for (int d = 0; d < deployments; d++) intent(deployment("app" + d, replicas));
        for (int d = 0; d < deployments; d++) {
            intent(Intent.newBuilder().setIntentId("bench-" + (++intentSeq)).setAction(IntentAction.SCALE).setKind(ResourceKind.DEPLOYMENT)
                    .setNamespace("default").setName("app" + d).setActor("user:bench").setTimestamp(System.currentTimeMillis())
                    .setPayload(new ScaleSpec(scaledTo)).build());
        }
        producer.flush();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (placed.size() < deployments * scaledTo || backlog() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + placed.size() + " of " + deployments * scaledTo + " pods placed, backlog " + backlog());
            }
            Thread.sleep(200);
        }
    }

    /**
     * Node reports for the placed pods, as fast as the controllers take them, until {@code records}
     * are sent or {@code stop} says so. Each pod flips READY → RUNNING (not ready) → READY; one
     * flip in ten is a crash: EXITED, then RUNNING with one more restart.
     */
    long flood(long records, long maxBacklog, AtomicBoolean stop) {
        Random rnd = new Random(7);
        List<String> tasks = new ArrayList<>(placed.keySet());
        Collections.sort(tasks);
        Map<String, TaskState> state = new HashMap<>();
        Map<String, Integer> restarts = new HashMap<>();
        long sent = 0;
        while (sent < records && !stop.get()) {
            if (sent % 2000 == 0) {
                while (backlog() > maxBacklog && !stop.get()) sleep(20);
            }
            String task = tasks.get(rnd.nextInt(tasks.size()));
            String[] wn = placed.get(task);
            TaskState now = state.getOrDefault(task, TaskState.READY);
            TaskState next = switch (now) {
                case READY -> rnd.nextInt(10) == 0 ? TaskState.EXITED : TaskState.RUNNING;
                case EXITED -> TaskState.RUNNING;
                default -> TaskState.READY;
            };
            if (now == TaskState.EXITED) restarts.merge(task, 1, Integer::sum);
            state.put(task, next);
            status(wn[0], task, wn[1], next, next == TaskState.EXITED ? "Error" : "", restarts.getOrDefault(task, 0));
            sent++;
        }
        producer.flush();
        return sent;
    }

    /** Sum of the committed offsets of state-streams on berth.intents, berth.task-status and berth.node-events. */
    long consumed() {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(StateStreamsTopology.APPLICATION_ID)
                    .partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> isInput(e.getKey().topic()) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Records on the inputs not yet committed by state-streams. */
    long backlog() {
        try {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (Topic<?> t : List.of(Topics.INTENTS, Topics.TASK_STATUS, Topics.NODE_EVENTS)) {
                for (int p = 0; p < t.partitions(); p++) latest.put(new TopicPartition(t.name(), p), OffsetSpec.latest());
            }
            long end = admin.listOffsets(latest).all().get().values().stream().mapToLong(r -> r.offset()).sum();
            return end - consumed();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isInput(String topic) {
        return topic.equals(Topics.INTENTS.name()) || topic.equals(Topics.TASK_STATUS.name()) || topic.equals(Topics.NODE_EVENTS.name());
    }

    /** Waits until the inputs are consumed and the audit count has not moved for a second. */
    void drain(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        while (backlog() > 0 || audits.get() != last) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("not drained: backlog " + backlog());
            last = audits.get();
            Thread.sleep(1000);
        }
    }

    static String machine(double loadStart) {
        return String.format("machine: %d cores, %s %s, Java %s, load average %.2f at start, %.2f at end; %s",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("java.version"), loadStart, load(), Instant.now());
    }

    static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    // ---- the simulated cluster ----

    private void schedule() {
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < Topics.PLACEMENT_REQUESTS.partitions(); p++) tps.add(new TopicPartition(Topics.PLACEMENT_REQUESTS.name(), p));
            c.assign(tps);
            c.seekToBeginning(tps);
            int rr = 0;
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    if (r.value() == null) continue;
                    PlacementRequest req = serdes.value(Topics.PLACEMENT_REQUESTS).deserialize(r.topic(), r.value());
                    if (placed.containsKey(req.getTaskId())) continue;
                    String node = nodes.get(rr++ % nodes.size());
                    status(req.getWorkloadKey(), req.getTaskId(), node, TaskState.ASSIGNED, "Scheduled", 0);
                    status(req.getWorkloadKey(), req.getTaskId(), node, TaskState.RUNNING, "", 0);
                    status(req.getWorkloadKey(), req.getTaskId(), node, TaskState.READY, "", 0);
                    placed.put(req.getTaskId(), new String[]{req.getWorkloadKey(), node});
                }
            }
        }
    }

    /**
     * The fake node daemons: every new assignment on berth.assignments (all nodes' partitions) is
     * answered RUNNING then READY, as a daemon whose container started without readiness probes.
     */
    private void answerAssignments() {
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < Topics.ASSIGNMENTS.partitions(); p++) tps.add(new TopicPartition(Topics.ASSIGNMENTS.name(), p));
            c.assign(tps);
            c.seekToBeginning(tps);
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    if (r.value() == null) continue;
                    Assignment a = serdes.value(Topics.ASSIGNMENTS).deserialize(r.topic(), r.value());
                    if (placed.putIfAbsent(a.getTaskId(), new String[]{a.getWorkloadKey(), a.getNodeId()}) != null) continue;
                    status(a.getWorkloadKey(), a.getTaskId(), a.getNodeId(), TaskState.RUNNING, "Started", 0);
                    status(a.getWorkloadKey(), a.getTaskId(), a.getNodeId(), TaskState.READY, "", 0);
                    answered.incrementAndGet();
                }
            }
        }
    }

    private void countAudits() {
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < Topics.AUDIT.partitions(); p++) tps.add(new TopicPartition(Topics.AUDIT.name(), p));
            c.assign(tps);
            c.seekToBeginning(tps);
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    audits.incrementAndGet();
                    if (r.value() != null) {
                        AuditRecord a = serdes.value(Topics.AUDIT).deserialize(r.topic(), r.value());
                        auditChanges.computeIfAbsent(a.getChange(), k -> new AtomicLong()).incrementAndGet();
                    }
                }
            }
        }
    }

    private void status(String workload, String task, String node, TaskState state, String reason, int restartCount) {
        TaskStatus s = TaskStatus.newBuilder().setTaskId(task).setWorkloadKey(workload).setNodeId(node).setState(state)
                .setReason(reason).setRestartCount(restartCount).setTimestamp(System.currentTimeMillis())
                .setExitCode(state == TaskState.EXITED ? 1 : null)
                .setContainerId(state == TaskState.RUNNING || state == TaskState.READY ? "c-" + task : null).build();
        send(Topics.TASK_STATUS, workload, s);
    }

    private void intent(Intent i) {
        send(Topics.INTENTS, Topics.resourceKey(i.getNamespace(), i.getKind(), i.getName()), i);
    }

    private Intent deployment(String name, int replicas) {
        return deployment("default", name, replicas);
    }

    private Intent deployment(String namespace, String name, int replicas) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("main").setImage("registry.example/" + name + ":1")
                .setRequests(new Resources(10L, 16L << 20)).build();
        PodTemplate t = PodTemplate.newBuilder().setLabels(Map.of("app", name)).setContainers(List.of(c)).build();
        return Intent.newBuilder().setIntentId("bench-" + (++intentSeq)).setAction(IntentAction.APPLY).setKind(ResourceKind.DEPLOYMENT)
                .setNamespace(namespace).setName(name).setActor("user:bench").setTimestamp(System.currentTimeMillis())
                .setPayload(DeploymentSpec.newBuilder().setReplicas(replicas).setTemplate(t).build()).build();
    }

    private <V extends SpecificRecord> void send(Topic<V> topic, String key, V value) {
        producer.send(new ProducerRecord<>(topic.name(), key, serdes.value(topic).serialize(topic.name(), value)));
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(BerthConfig.of(kafka.bootstrapServers(), null, null).clientMap("bench-clusterload", "isolation.level", "read_committed",
                "enable.auto.commit", "false", "max.poll.records", "5000"), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void daemon(String name, Runnable r) {
        Thread t = new Thread(r, "bench-" + name);
        t.setDaemon(true);
        t.start();
        threads.add(t);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        running.set(false);
        for (Thread t : threads) t.join(5000);
        producer.close();
        if (scheduler != null) scheduler.close();
        streams.close();
        admin.close();
        kafka.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
