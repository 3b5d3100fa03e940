package io.berth.ops.bench;

import io.berth.schemas.service.BerthConfig;
import io.berth.gateway.timetravel.SnapshotWriter;
import io.berth.gateway.timetravel.TimeMachine;
import io.berth.schemas.serde.AvroJson;
import io.berth.ops.kafka.EmbeddedKafka;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.AvroTrust;
import io.berth.schemas.TopicAdmin;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.*;

/**
 * Time travel at 100,000 audit records: an embedded broker, a realistic churning history written
 * straight onto {@code berth.audit} per the audit contract (about 2,000 live resources — deployments
 * scaled and rolled, pods created, placed, running, flipping readiness, restarting, failing and
 * removed, nodes heartbeating and cordoned — with intents and placements as non-view records in
 * between), the gateway's snapshot writer left to cut its snapshots, then the state at several
 * instants rebuilt with and without snapshots. Not a test: it prints figures. Run, after
 * {@code mvn -B -q -DskipTests package}:
 * <pre>java -Xmx1g -cp "ops/target/berth-ops-0.1.0-SNAPSHOT.jar:$(cat ops/target/classpath.txt)" io.berth.ops.bench.TimeTravelBenchmark [records] [snapshotEvery] [repetitions]</pre>
 */
public final class TimeTravelBenchmark {
    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int every = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        AvroTrust.ensure();
        Path dir = Files.createTempDirectory("berth-tt-bench");
        double loadStart = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, EmbeddedKafka.freePort("127.0.0.1"))) {
            Properties props = BerthConfig.of(kafka.bootstrapServers(), null, null).clientProps("bench-timetravel");
            try (Admin admin = Admin.create(props)) {
                TopicAdmin.ensureTopics(admin);
            }
            BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
            long step = 100; // one record every 100 ms of history
            long base = System.currentTimeMillis() - (long) records * step - 60_000;
            long t0 = System.nanoTime();
            History h = new History(new Random(42), base, step);
            long bytes = 0;
            AvroSerde<AuditRecord> serde = serdes.value(AuditRecord.class);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(BerthConfig.of(kafka.bootstrapServers(), null, null).clientMap("bench-timetravel",
                    "linger.ms", "20", "batch.size", "262144", "compression.type", "lz4"), new StringSerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < records; i++) {
                    AuditRecord a = h.next();
                    byte[] v = serde.serialize(Topics.AUDIT.name(), a);
                    bytes += v.length;
                    producer.send(new ProducerRecord<>(Topics.AUDIT.name(), null, a.getTimestamp(), a.getKey(), v));
                }
            }
            double writeS = (System.nanoTime() - t0) / 1e9;
            System.out.printf("wrote %,d audit records (%,d view changes, %.1f MB Avro) spanning %s .. %s in %.1f s; %d live resources at the end%n",
                    records, h.views, bytes / 1e6, Instant.ofEpochMilli(base), Instant.ofEpochMilli(h.now), writeS, h.live());

            long s0 = System.nanoTime();
            Map<Integer, Long> expected = expectedSnapshots(kafka.bootstrapServers(), every);
            try (SnapshotWriter writer = new SnapshotWriter(props, serdes, every)) {
                writer.start();
                long deadline = System.currentTimeMillis() + 600_000;
                while (!writer.lastOffsets().equals(expected)) {
                    if (System.currentTimeMillis() > deadline) throw new IllegalStateException("snapshots not written: " + writer.lastOffsets() + " vs " + expected);
                    Thread.sleep(100);
                }
                System.out.printf("snapshot writer: %d snapshots (one per %d records per partition) in %.1f s, newest per partition %s%n",
                        writer.written(), every, (System.nanoTime() - s0) / 1e9, new TreeMap<>(writer.lastOffsets()));
            }
            System.out.println("snapshot topic: " + snapshotBytes(kafka.bootstrapServers()));

            try (TimeMachine machine = new TimeMachine(props, serdes, 5000)) {
            double[] fractions = {0.05, 0.25, 0.5, 0.75, 0.95, 1.0};
            machine.stateAt(h.now, true); // warm-up: JIT, registry cache
            machine.stateAt(base + (h.now - base) / 2, false);
            for (boolean snapshots : new boolean[]{true, false}) {
                List<Long> all = new ArrayList<>();
                StringBuilder per = new StringBuilder();
                for (double f : fractions) {
                    long at = base + (long) ((h.now - base) * f);
                    List<Long> times = new ArrayList<>();
                    TimeMachine.Result last = null;
                    for (int r = 0; r < reps; r++) {
                        long q0 = System.nanoTime();
                        last = machine.stateAt(at, snapshots);
                        times.add((System.nanoTime() - q0) / 1_000_000);
                    }
                    Collections.sort(times);
                    all.addAll(times);
                    TimeMachine.Stats st = last.stats();
                    per.append(String.format("  T at %3.0f%% of history: median %4d ms, max %4d ms (%d objects; %d snapshots, %,d snapshot entries, %,d tail records; last query: offsets %d, snapshots %d, tail %d, render %d ms)%n",
                            f * 100, times.get(times.size() / 2), times.get(times.size() - 1), last.state().items().size(), st.snapshotsUsed(),
                            st.snapshotEntries(), st.tailRecords(), st.offsetsMs(), st.snapshotsMs(), st.tailMs(), st.renderMs()));
                }
                Collections.sort(all);
                System.out.printf("%s snapshots: %d queries, median %d ms, p95 %d ms, max %d ms%n%s",
                        snapshots ? "with" : "without", all.size(), all.get(all.size() / 2),
                        all.get(Math.min(all.size() - 1, (int) Math.ceil(0.95 * all.size()) - 1)), all.get(all.size() - 1), per);
            }
            }
        }
        System.out.printf("machine: %d cores, %s %s, Java %s, load average %.2f at start, %.2f at end; %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("java.version"), loadStart,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Instant.now());
    }

    /** Where the writer's last snapshot of each partition must be: the last multiple of {@code every} below the end. */
    private static Map<Integer, Long> expectedSnapshots(String bootstrap, int every) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(BerthConfig.of(bootstrap, null, null).clientMap("bench-timetravel"), new StringDeserializer(), new ByteArrayDeserializer())) {
            Map<Integer, Long> out = new HashMap<>();
            List<TopicPartition> tps = c.partitionsFor(Topics.AUDIT.name()).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.endOffsets(tps).forEach((tp, end) -> {
                long last = (end - 1) / every * every;
                if (last > 0) out.put(tp.partition(), last);
            });
            return out;
        }
    }

    private static String snapshotBytes(String bootstrap) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(BerthConfig.of(bootstrap, null, null).clientMap("bench-timetravel"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(Topics.AUDIT_SNAPSHOTS.name()).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            long chunks = c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
            return chunks + " chunk records";
        }
    }

    /** A churning cluster, one audit record at a time. Deterministic for a seed. */
    static final class History {
        final Random rnd;
        long now;
        final long step;
        long views;
        int podSeq;
        final List<String> nodes = new ArrayList<>();
        final Map<String, NodeView> nodeViews = new HashMap<>();
        final Map<String, WorkloadView> deployments = new LinkedHashMap<>();
        final Map<String, TaskView> pods = new LinkedHashMap<>();
        final List<String> podKeys = new ArrayList<>();

        History(Random rnd, long start, long step) {
            this.rnd = rnd;
            this.now = start;
            this.step = step;
        }

        int live() {
            return nodeViews.size() + deployments.size() + pods.size();
        }

        AuditRecord next() {
            now += step;
            if (nodeViews.size() < 10) {
                String id = "n" + (nodeViews.size() + 1);
                NodeView n = NodeView.newBuilder().setNodeId(id).setName(id).setAddress("10.0.0." + (nodeViews.size() + 1))
                        .setCapacity(new Resources(8000L, 32L << 30)).setAllocated(new Resources(0L, 0L)).setReady(true)
                        .setLabels(Map.of("zone", "z" + nodeViews.size() % 3)).setRegisteredAt(now).setLastHeartbeat(now).build();
                nodes.add(id);
                return view("/node/" + id, "node", "NodeRegistered", "node/" + id, nodeViews.put(id, n), n);
            }
            if (deployments.size() < 100) return deployment(null);
            int roll = rnd.nextInt(100);
            if (roll < 10) return other();
            if (roll < 13) {
                String id = nodes.get(rnd.nextInt(nodes.size()));
                NodeView before = nodeViews.get(id);
                boolean cordon = rnd.nextInt(20) == 0;
                NodeView n = NodeView.newBuilder(before).setLastHeartbeat(now).setCordoned(cordon ? !before.getCordoned() : before.getCordoned())
                        .setAllocated(new Resources(250L * (pods.size() / 10), 64L * (pods.size() / 10) << 20)).build();
                nodeViews.put(id, n);
                return view("/node/" + id, "node", cordon ? (n.getCordoned() ? "NodeCordoned" : "NodeUncordoned") : "NodeReady", "node/" + id, before, n);
            }
            if (roll < 18) {
                List<String> keys = new ArrayList<>(deployments.keySet());
                return deployment(keys.get(rnd.nextInt(keys.size())));
            }
            if (pods.size() < 1890 || roll < 30) return createPod();
            String key = podKeys.get(rnd.nextInt(podKeys.size()));
            TaskView before = pods.get(key);
            TaskView.Builder b = TaskView.newBuilder(before);
            String change;
            switch (before.getPhase()) {
                case PENDING -> {
                    b.setPhase(TaskPhase.RUNNING).setNodeId(nodes.get(rnd.nextInt(nodes.size()))).setStartedAt(now).setContainerId(Long.toHexString(rnd.nextLong()));
                    change = "TaskPhaseChanged";
                }
                case RUNNING -> {
                    int r = rnd.nextInt(10);
                    if (r < 5) {
                        b.setReady(!before.getReady());
                        change = "TaskReadinessChanged";
                    } else if (r < 7) {
                        b.setRestartCount(before.getRestartCount() + 1).setReady(false).setUpdatedAt(now);
                        change = "TaskRestarted";
                    } else {
                        b.setPhase(r < 9 ? TaskPhase.SUCCEEDED : TaskPhase.FAILED).setReady(false).setUpdatedAt(now).setReason(r < 9 ? "Completed" : "Error");
                        change = "TaskStopped";
                    }
                }
                default -> {
                    pods.remove(key);
                    podKeys.remove(key);
                    return view(key, "pod", "TaskRemoved", "controller/workload", before, null);
                }
            }
            TaskView after = b.build();
            pods.put(key, after);
            return view(key, "pod", change, "node/" + after.getNodeId(), before, after);
        }

        private AuditRecord createPod() {
            List<WorkloadView> ws = new ArrayList<>(deployments.values());
            WorkloadView w = ws.get(rnd.nextInt(ws.size()));
            String name = w.getName() + "-" + Integer.toHexString(w.getDeployment().getTemplate().hashCode() & 0xfffff) + "-" + (podSeq++);
            TaskView t = TaskView.newBuilder().setTaskId(name).setPodName(name).setNamespace("default").setWorkloadKey(w.getKey())
                    .setLabels(Map.of("app", w.getName())).setTemplate(w.getDeployment().getTemplate()).setTemplateHash("h" + w.getRevision())
                    .setPhase(TaskPhase.PENDING).setCreatedAt(now).build();
            String key = "default/pod/" + name;
            pods.put(key, t);
            podKeys.add(key);
            return view(key, "pod", "TaskCreated", "controller/workload", null, t);
        }

        private AuditRecord deployment(String key) {
            if (key == null) {
                String name = "app" + deployments.size();
                key = "default/deployment/" + name;
                WorkloadView w = WorkloadView.newBuilder().setKey(key).setKind(ResourceKind.DEPLOYMENT).setName(name).setNamespace("default")
                        .setUid(UUID.nameUUIDFromBytes(key.getBytes()).toString()).setLabels(Map.of("app", name)).setGeneration(1)
                        .setCreatedAt(now).setDeployment(spec(name, 1, 19)).setRevision(1).build();
                deployments.put(key, w);
                return view(key, "deployment", "WorkloadCreated", "user:bench", null, w);
            }
            WorkloadView before = deployments.get(key);
            WorkloadView.Builder b = WorkloadView.newBuilder(before);
            String change;
            if (rnd.nextInt(4) == 0) {
                long image = before.getRevision() + 1;
                b.setDeployment(spec(before.getName(), image, 15 + rnd.nextInt(10))).setGeneration(before.getGeneration() + 1).setRevision(image);
                change = "WorkloadChanged";
            } else {
                b.setReadyReplicas(rnd.nextInt(20)).setAvailableReplicas(rnd.nextInt(20)).setUpdatedReplicas(rnd.nextInt(20)).setReplicas(19);
                change = "WorkloadStatusChanged";
            }
            WorkloadView after = b.build();
            deployments.put(key, after);
            return view(key, "deployment", change, change.equals("WorkloadChanged") ? "user:bench" : "controller/workload", before, after);
        }

        private static DeploymentSpec spec(String name, long image, int replicas) {
            ContainerSpec c = ContainerSpec.newBuilder().setName(name).setImage("registry.example/" + name + ":1." + image)
                    .setCommand(List.of("/bin/server", "--port", "8080")).setEnv(List.of(new EnvVar("MODE", "production", null)))
                    .setPorts(List.of(ContainerPort.newBuilder().setContainerPort(8080).setName("http").build()))
                    .setRequests(new Resources(250L, 128L << 20)).setLimits(new Resources(1000L, 256L << 20)).build();
            PodTemplate t = PodTemplate.newBuilder().setLabels(Map.of("app", name)).setContainers(List.of(c)).build();
            return DeploymentSpec.newBuilder().setTemplate(t).setReplicas(replicas).setSelector(Map.of("app", name)).build();
        }

        private AuditRecord other() {
            String change = rnd.nextBoolean() ? "IntentAccepted" : "TaskPlaced";
            String key = change.equals("TaskPlaced") && !podKeys.isEmpty() ? podKeys.get(rnd.nextInt(podKeys.size()))
                    : new ArrayList<>(deployments.keySet()).get(rnd.nextInt(deployments.size()));
            String[] k = key.split("/", 3);
            return AuditRecord.newBuilder().setKey(key).setNamespace(k[0]).setKind(k[1]).setName(k[2]).setChange(change)
                    .setActor(change.equals("TaskPlaced") ? "controller/scheduler" : "user:bench").setTimestamp(now)
                    .setIntentId(UUID.randomUUID().toString()).setAfter("{\"note\":\"not a view\"}").build();
        }

        private AuditRecord view(String key, String kind, String change, String actor, SpecificRecord before, SpecificRecord after) {
            views++;
            String[] k = key.split("/", 3);
            String type = (after != null ? after : before).getSchema().getFullName();
            return AuditRecord.newBuilder().setKey(key).setNamespace(k[0]).setKind(kind).setName(k[2]).setChange(change).setActor(actor)
                    .setCause("berth.intents/0/" + views).setTimestamp(now).setViewType(type)
                    .setBefore(before == null ? null : AvroJson.encode(before)).setAfter(after == null ? null : AvroJson.encode(after)).build();
        }
    }
}
