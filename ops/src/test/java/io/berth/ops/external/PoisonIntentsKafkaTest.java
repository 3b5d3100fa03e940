package io.berth.ops.external;

import io.berth.registry.client.CachedSchemaRegistryClient;
import io.berth.registry.server.RegistryServer;
import io.berth.scheduler.SchedulerService;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.state.StateStreamsService;
import io.berth.state.StateStreamsTopology;
import io.berth.testing.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13, "no poison input", on real components: a real KRaft broker, Berth's HTTP registry,
 * the real state-streams and scheduler topologies in-process, and a node announced on
 * berth.node-events. Each poison record is produced straight onto {@code berth.intents} (no
 * gateway, no CLI): replicas 2147483647, negative replicas, a 5 MB object (the topic's
 * max.message.bytes raised so the broker takes it, as an operator might), garbage bytes, a
 * valid-schema record with absurd nested sizes, a scale to Integer.MAX_VALUE, a rollout with
 * overflowing maxSurge. Then both Streams apps are RUNNING, each poison record is in
 * berth.dead-letters with its reason, and a Deployment produced afterwards is placed. The second
 * test restarts state-streams over the same log with its committed offsets deleted, so it
 * replays every poison record: it comes up RUNNING, refuses them again, and the state is as before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class PoisonIntentsKafkaTest {
    static final Duration DEADLINE = Duration.ofSeconds(90);
    static final int BIG = 8 << 20;

    TestKafka kafka;
    RegistryServer registry;
    BerthConfig config;
    StateStreamsService streams;
    SchedulerService scheduler;
    BerthSerdes serdes;
    KafkaProducer<String, byte[]> producer;
    ScheduledExecutorService heartbeats;
    TopicTail<DeadLetter> deadLetters;
    TopicTail<Assignment> assignments;
    TopicTail<WorkloadView> workloads;
    /** key → a fragment its dead letter's reason must hold. */
    final Map<String, String> poisons = new LinkedHashMap<>();

    @BeforeAll
    void start() throws Exception {
        kafka = TestKafka.start().withBerthTopics();
        try (Admin admin = kafka.admin()) {  // let the broker take a 5 MB intent: Berth must not rely on the broker's limit
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.INTENTS.name()),
                    List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", Integer.toString(BIG)), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        config = BerthConfig.of(kafka.bootstrapServers(), null, Files.createTempDirectory("berth-poison")).with("replication-factor", "1");
        registry = new RegistryServer(config, "localhost", 0);
        registry.start();
        serdes = new BerthSerdes(new CachedSchemaRegistryClient(registry.url()));
        streams = new StateStreamsService(config, new CachedSchemaRegistryClient(registry.url()));
        streams.start();
        scheduler = new SchedulerService(config, new CachedSchemaRegistryClient(registry.url()));
        scheduler.start();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, BIG), new StringSerializer(), new ByteArraySerializer());
        deadLetters = new TopicTail<>(kafka.bootstrapServers(), Topics.DEAD_LETTERS, serdes);
        assignments = new TopicTail<>(kafka.bootstrapServers(), Topics.ASSIGNMENTS, serdes);
        workloads = new TopicTail<>(kafka.bootstrapServers(), Topics.WORKLOADS, serdes);
        announceNode("p1");
    }

    @AfterAll
    void stop() {
        if (heartbeats != null) heartbeats.shutdownNow();
        for (AutoCloseable c : new AutoCloseable[]{deadLetters, assignments, workloads, producer, scheduler, streams, registry, kafka}) {
            try {
                if (c != null) c.close();
            } catch (Exception ignored) {
                // best effort: the next one still closes
            }
        }
    }

    @Test
    @Order(1)
    void shouldDeadLetterEveryPoisonRecordKeepBothStreamsRunningAndStillPlaceTheNextDeployment() throws Exception {
        produce(key("web"), deployment("web", 1, null));
        awaitPlaced("default/deployment/web", 1);

        poison(key("huge"), deployment("huge", Integer.MAX_VALUE, null),
                "spec.replicas: Invalid value: 2147483647: must be less than or equal to 10000");
        poison(key("negative"), deployment("negative", -1, null),
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0");
        poison(key("fat"), deployment("fat", 1, c -> c.setEnv(List.of(new EnvVar("BLOB", "x".repeat(5 << 20), null)))),
                "Request entity too large");
        poison(key("nested"), deployment("nested", 1, c -> c.setArgs(Collections.nCopies(100_000, "a"))
                        .setPorts(Collections.nCopies(10_000, ContainerPort.newBuilder().setContainerPort(80).build()))),
                "spec.template.spec.containers[0].args: Too many: 100000: must have at most 256 items");
        poison(key("web"), Intent.newBuilder(intent("web", IntentAction.SCALE)).setPayload(new ScaleSpec(Integer.MAX_VALUE)).build(),
                "spec.replicas: Invalid value: 2147483647: must be less than or equal to 10000");
        Intent surge = deployment("surge", 3, null);
        ((DeploymentSpec) surge.getPayload()).setRollingUpdate(new RollingUpdate("2147483647", "100%"));
        poison(key("surge"), surge, "spec.strategy.rollingUpdate.maxSurge");
        producer.send(new ProducerRecord<>(Topics.INTENTS.name(), key("garbage"), "not avro at all".getBytes(StandardCharsets.UTF_8))).get();
        poisons.put(key("garbage"), "cannot deserialize");

        for (Map.Entry<String, String> p : poisons.entrySet()) {
            DeadLetter dl = deadLetters.await("a dead letter of " + p.getKey() + " naming \"" + p.getValue() + "\"",
                    d -> key(d).equals(p.getKey()) && d.getReason().contains(p.getValue()));
            assertEquals(Topics.INTENTS.name(), dl.getSourceTopic());
        }
        assertRunning();

        produce(key("after"), deployment("after", 2, null));
        awaitPlaced("default/deployment/after", 2);
        assertEquals(1, latestView(key("web")).getDeployment().getReplicas(), "the scale to 2^31-1 changed nothing");
        assertEquals(1, assignments.all().stream().filter(a -> a.getWorkloadKey().equals(key("web"))).count());
        for (String k : List.of("huge", "negative", "fat", "nested", "surge")) {
            assertTrue(workloads.all().stream().noneMatch(w -> w.getKey().equals(key(k))), k + " has no view");
        }
        assertRunning();
    }

    @Test
    @Order(2)
    void shouldComeUpRunningAndCorrectAfterARestartThatReplaysThePoisonRecords() throws Exception {
        long before = deadLetters.all().stream().filter(d -> poisons.containsKey(key(d))).count();
        assertTrue(before >= poisons.size(), "the first test left its dead letters");
        streams.close();
        try (Admin admin = kafka.admin()) {  // forget the committed offsets: the restart reads berth.intents from its start
            awaitTrue("state-streams' group deleted", () -> {
                try {
                    admin.deleteConsumerGroups(List.of(StateStreamsTopology.APPLICATION_ID)).all().get(10, TimeUnit.SECONDS);
                    return true;
                } catch (Exception e) {
                    return false;  // the group is still emptying after the close
                }
            });
        }
        streams = new StateStreamsService(config, new CachedSchemaRegistryClient(registry.url()));
        streams.start();  // throws unless RUNNING within its start timeout
        for (String k : poisons.keySet()) {
            deadLetters.awaitCount("the replayed " + k + " refused again", d -> key(d).equals(k), 2);
        }
        assertRunning();
        assertEquals(1, latestView(key("web")).getDeployment().getReplicas());
        assertEquals(2, latestView(key("after")).getDeployment().getReplicas());
        produce(key("after-restart"), deployment("after-restart", 1, null));
        awaitPlaced("default/deployment/after-restart", 1);
        assertRunning();
    }

    // ---- helpers ----

    private void assertRunning() {
        awaitTrue("both Streams apps RUNNING", () -> streams.streams().state() == KafkaStreams.State.RUNNING
                && scheduler.streams().state() == KafkaStreams.State.RUNNING);
    }

    private void poison(String key, Intent i, String reason) throws Exception {
        produce(key, i);
        poisons.put(key, reason);
    }

    private void produce(String key, Intent i) throws Exception {
        producer.send(new ProducerRecord<>(Topics.INTENTS.name(), key, serdes.value(Topics.INTENTS).serialize(Topics.INTENTS.name(), i))).get();
    }

    private void awaitPlaced(String workloadKey, int n) {
        assignments.awaitCount(n + " assignments of " + workloadKey, a -> a.getWorkloadKey().equals(workloadKey), n);
    }

    private WorkloadView latestView(String key) {
        List<WorkloadView> all = workloads.all().stream().filter(w -> w.getKey().equals(key)).toList();
        assertFalse(all.isEmpty(), "a view of " + key);
        return all.get(all.size() - 1);
    }

    private static String key(DeadLetter d) {
        if (d.getKey() == null) return "";
        java.nio.ByteBuffer b = d.getKey().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String key(String name) {
        return Topics.resourceKey("default", ResourceKind.DEPLOYMENT, name);
    }

    private static Intent intent(String name, IntentAction action) {
        return Intent.newBuilder().setIntentId(UUID.randomUUID().toString()).setAction(action).setKind(ResourceKind.DEPLOYMENT)
                .setNamespace("default").setName(name).setActor("poison-test").build();
    }

    private static Intent deployment(String name, int replicas, java.util.function.UnaryOperator<ContainerSpec.Builder> spoil) {
        ContainerSpec.Builder c = ContainerSpec.newBuilder().setName("main").setImage("berth/busybox:latest")
                .setRequests(new Resources(10L, 16L << 20));
        if (spoil != null) c = spoil.apply(c);
        DeploymentSpec spec = DeploymentSpec.newBuilder().setReplicas(replicas).setSelector(Map.of("app", name))
                .setTemplate(PodTemplate.newBuilder().setLabels(Map.of("app", name)).setContainers(List.of(c.build())).build()).build();
        return Intent.newBuilder(intent(name, IntentAction.APPLY)).setPayload(spec).build();
    }

    /** A node for the scheduler: registered, then heartbeating every second (the node grace is 3 s). */
    private void announceNode(String id) throws Exception {
        long now = System.currentTimeMillis();
        produceNode(NodeEvent.newBuilder().setNodeId(id).setType(NodeEventType.REGISTER).setTimestamp(now).setSequence(1)
                .setRunningTaskIds(List.of()).setRegistration(NodeRegistration.newBuilder().setName(id).setAddress("10.0.0.9")
                        .setLabels(Map.of()).setCapacity(new Resources(64_000L, 64L << 30)).setDaemonVersion("test").setStartedAt(now)
                        .setIncarnation("i1").build()).build());
        long[] seq = {2};
        heartbeats = Executors.newSingleThreadScheduledExecutor();
        heartbeats.scheduleAtFixedRate(() -> {
            try {
                produceNode(NodeEvent.newBuilder().setNodeId(id).setType(NodeEventType.HEARTBEAT).setTimestamp(System.currentTimeMillis())
                        .setSequence(seq[0]++).setRunningTaskIds(List.of()).build());
            } catch (Exception e) {
                // the broker is closing at the end of the class
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    private void produceNode(NodeEvent e) throws Exception {
        producer.send(new ProducerRecord<>(Topics.NODE_EVENTS.name(), e.getNodeId(),
                serdes.value(Topics.NODE_EVENTS).serialize(Topics.NODE_EVENTS.name(), e))).get();
    }

    private static void awaitTrue(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what);
            try {
                TimeUnit.MILLISECONDS.sleep(100);  // poll interval of the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
