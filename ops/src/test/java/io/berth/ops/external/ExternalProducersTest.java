package io.berth.ops.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.registry.client.CachedSchemaRegistryClient;
import io.berth.registry.server.RegistryServer;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.state.StateStreamsService;
import io.berth.testing.TestKafka;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * "Deploy by producing an event", with clients nobody here wrote, straight onto the bus (no
 * gateway): kafkajs + @kafkajs/confluent-schema-registry (npm) and Confluent's Python client
 * (Debian's python3-confluent-kafka) read ops/examples/external-intent.json, fetch the latest
 * schema of berth.intents-value from Berth's registry, and produce it with a berth.client-id
 * header. A real broker, Berth's HTTP registry and state-streams run in-process; no nodes, so the
 * two tasks are created and wait for placement. Records Berth cannot take (another subject's
 * schema id, an id the registry does not know, an invalid spec) are dead-lettered with the reason
 * and the streams go on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class ExternalProducersTest {
    static final Path EXAMPLE = Path.of("examples/external-intent.json").toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();

    TestKafka kafka;
    RegistryServer registry;
    StateStreamsService streams;
    BerthSerdes serdes;
    TopicTail<WorkloadView> workloads;
    TopicTail<TaskView> tasks;
    TopicTail<AuditRecord> audit;
    TopicTail<DeadLetter> deadLetters;

    @BeforeAll
    void start() throws Exception {
        ExternalClients.requireNode();
        ExternalClients.requirePython();
        kafka = TestKafka.start().withBerthTopics();
        BerthConfig config = BerthConfig.of(kafka.bootstrapServers(), null, Files.createTempDirectory("berth-external"))
                .with("replication-factor", "1");
        registry = new RegistryServer(config, "localhost", 0);
        registry.start();
        serdes = new BerthSerdes(new CachedSchemaRegistryClient(registry.url()));
        streams = new StateStreamsService(config, new CachedSchemaRegistryClient(registry.url()));
        streams.start();
        workloads = new TopicTail<>(kafka.bootstrapServers(), Topics.WORKLOADS, serdes);
        tasks = new TopicTail<>(kafka.bootstrapServers(), Topics.TASKS, serdes);
        audit = new TopicTail<>(kafka.bootstrapServers(), Topics.AUDIT, serdes);
        deadLetters = new TopicTail<>(kafka.bootstrapServers(), Topics.DEAD_LETTERS, serdes);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[]{workloads, tasks, audit, deadLetters}) {
            try {
                if (c != null) c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (streams != null) streams.close();
        if (registry != null) registry.close();
        if (kafka != null) kafka.close();
    }

    @Test
    void shouldDeployFromKafkajsOnceWhenTheSameRecordIsProducedTwice() throws Exception {
        List<JsonNode> events = ExternalClients.kafkajs(kafka.bootstrapServers(), registry.url(), EXAMPLE, "kafkajs-test", 2, "ext-web-js", "js-apply-1");
        assertDeployedOnce("default/deployment/ext-web-js", "js-apply-1", "external:kafkajs-test", events);
    }

    @Test
    void shouldDeployFromConfluentsPythonClientOnceWhenTheSameRecordIsProducedTwice() throws Exception {
        List<JsonNode> events = ExternalClients.python(kafka.bootstrapServers(), registry.url(), EXAMPLE, "python-test", 2, "ext-web-py", "py-apply-1");
        assertDeployedOnce("default/deployment/ext-web-py", "py-apply-1", "external:python-test", events);
    }

    @Test
    void shouldDeadLetterRecordsItCannotTakeAndKeepRunning() throws Exception {
        String badKey = "default/deployment/ext-bad";
        // 1. a TaskStatus (its id is registered under berth.task-status-value) produced onto berth.intents
        byte[] status = serdes.value(TaskStatus.class).serialize(Topics.TASK_STATUS.name(), TaskStatus.newBuilder().setTaskId("t-1")
                .setWorkloadKey(badKey).setNodeId("n1").setState(TaskState.RUNNING).build());
        int statusId = schemaId(status);
        // 2. a producer of another system's topic (TopicNameStrategy: shop.orders-value) pointed at berth.intents
        Schema order = SchemaBuilder.record("Order").namespace("com.example.shop").fields()
                .requiredString("name").requiredInt("replicas").endRecord();
        int otherId = serdes.registry().register("shop.orders-value", order);
        byte[] otherSubject = genericWireFormat(otherId, order, new GenericRecordBuilder(order).set("name", "ext-bad").set("replicas", 2).build());
        Intent valid = Intent.newBuilder().setIntentId("bad-subject").setAction(IntentAction.SCALE).setKind(ResourceKind.DEPLOYMENT)
                .setNamespace("default").setName("ext-bad").setPayload(new ScaleSpec(1)).build();
        // 3. an id the registry never issued
        byte[] unknown = serdes.value(Intent.class).serialize(Topics.INTENTS.name(), valid);
        ByteBuffer.wrap(unknown).putInt(1, 987654);
        // 4. a well-formed Intent with an invalid spec
        DeploymentSpec spec = DeploymentSpec.newBuilder().setReplicas(-1).setTemplate(PodTemplate.newBuilder()
                .setContainers(List.of(ContainerSpec.newBuilder().setName("web").setImage("berth/busybox:latest").build())).build()).build();
        byte[] invalid = serdes.value(Intent.class).serialize(Topics.INTENTS.name(), Intent.newBuilder(valid).setIntentId("bad-replicas")
                .setAction(IntentAction.APPLY).setPayload(spec).build());

        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (byte[] value : List.of(status, otherSubject, unknown, invalid)) {
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.INTENTS.name(), badKey, value);
                r.headers().add("berth.client-id", "bad-producer".getBytes(StandardCharsets.UTF_8));
                p.send(r).get();
            }
        }

        DeadLetter wrongSubject = deadLetters.await("dead letter of the TaskStatus record",
                dl -> dl.getReason().contains("schema id " + statusId + " is registered under subject berth.task-status-value, not berth.intents-value"));
        assertEquals(Topics.INTENTS.name(), wrongSubject.getSourceTopic());
        deadLetters.await("dead letter of the record written under shop.orders-value",
                dl -> dl.getReason().contains("schema id " + otherId + " is registered under subject shop.orders-value, not berth.intents-value"));
        deadLetters.await("dead letter of the unknown schema id",
                dl -> dl.getReason().contains("names schema id 987654, which is unknown to the registry"));
        deadLetters.await("dead letter of the invalid spec", dl -> dl.getReason().contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0"));
        AuditRecord rejected = audit.await("audit of the rejected intent",
                a -> a.getChange().equals("IntentRejected") && a.getKey().equals(badKey) && a.getMessage().contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0"));
        assertEquals("deployment", rejected.getKind());
        AuditRecord undecodable = audit.await("audit of the dead-lettered record written under another subject",
                a -> a.getChange().equals("DeadLettered") && a.getMessage().contains("is registered under subject shop.orders-value"));
        assertEquals("external:bad-producer", undecodable.getActor());
        assertEquals(Topics.INTENTS.name(), undecodable.getCauseTopic());
        assertTrue(undecodable.getCauseOffset() >= 0, "the dead letter's audit names the record's offset");

        // the streams went on: a later valid intent still applies
        ExternalClients.python(kafka.bootstrapServers(), registry.url(), EXAMPLE, "python-test", 1, "ext-after-bad", "after-bad-1");
        workloads.await("the deployment produced after the bad records", v -> v.getKey().equals("default/deployment/ext-after-bad"));
        assertEquals(KafkaStreams.State.RUNNING, streams.streams().state());
        assertTrue(workloads.all().stream().noneMatch(v -> v.getKey().equals(badKey)), "nothing of the bad records was applied");
    }

    private void assertDeployedOnce(String key, String intentId, String actor, List<JsonNode> events) throws Exception {
        List<JsonNode> produced = events.stream().filter(e -> e.path("event").asText().equals("produced")).toList();
        assertEquals(2, produced.size(), events.toString());
        int expectedPartition = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % Topics.INTENTS.partitions();
        for (JsonNode p : produced) {
            assertEquals(expectedPartition, p.get("partition").asInt(), "partitioned like Berth's Java producers (murmur2): " + p);
        }

        WorkloadView view = workloads.await(key + " applied", v -> v.getKey().equals(key) && v.getLastIntentId().equals(intentId));
        assertEquals(2, view.getDeployment().getReplicas());
        assertEquals("berth/busybox:latest", view.getDeployment().getTemplate().getContainers().get(0).getImage());
        tasks.awaitCount(key + " has 2 tasks", t -> t.getWorkloadKey().equals(key), 2);

        AuditRecord dup = audit.await("the second copy audited as a duplicate",
                a -> a.getChange().equals("IntentDuplicate") && a.getKey().equals(key));
        assertEquals(intentId, dup.getIntentId());
        assertEquals(actor, dup.getActor());
        assertEquals(Topics.INTENTS.name(), dup.getCauseTopic());
        assertEquals(produced.get(1).get("offset").asLong(), dup.getCauseOffset());

        // the duplicate changed nothing: one generation, one revision, two tasks
        List<WorkloadView> views = workloads.all().stream().filter(v -> v.getKey().equals(key)).toList();
        WorkloadView last = views.get(views.size() - 1);
        assertEquals(1, last.getGeneration());
        assertEquals(1, last.getRevision());
        assertEquals(2, tasks.all().stream().filter(t -> t.getWorkloadKey().equals(key)).map(TaskView::getTaskId).distinct().count());
        assertEquals(1, audit.all().stream().filter(a -> a.getKey().equals(key) && a.getChange().equals("IntentAccepted")).count(),
                "one intent accepted");
        assertEquals(1, audit.all().stream().filter(a -> a.getKey().equals(key) && a.getChange().equals("WorkloadCreated")).count(),
                "one workload created");
    }

    private static byte[] genericWireFormat(int id, Schema schema, GenericRecord value) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(value, enc);
        enc.flush();
        return out.toByteArray();
    }

    private static int schemaId(byte[] confluentWireFormat) {
        return ByteBuffer.wrap(confluentWireFormat, 1, 4).getInt();
    }
}
