package io.berth.state;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.PlacementRequest;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.testing.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The acceptance on a real broker: poison records are dead-lettered and the stream goes on. */
class StateStreamsServiceTest {

    @Test
    @Timeout(120)
    void shouldDeadLetterGarbageOnIntentsAndTaskStatusAndKeepProcessing(@TempDir Path dir) throws Exception {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        BerthSerdes serdes = new BerthSerdes(registry);
        String key = Fixtures.key("web");
        try (TestKafka kafka = TestKafka.start().withBerthTopics();
             StateStreamsService service = new StateStreamsService(
                     BerthConfig.of(kafka.bootstrapServers(), "in-memory", dir).with("replication-factor", "1"), registry)) {
            service.start();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    "bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.INTENTS.name(), key, "garbage".getBytes(StandardCharsets.UTF_8)));
                producer.send(new ProducerRecord<>(Topics.TASK_STATUS.name(), key, new byte[] {0, 0, 0, 0, 42}));
                byte[] valid = serdes.value(Intent.class).serialize(Topics.INTENTS.name(), Fixtures.deployment("web", 1));
                producer.send(new ProducerRecord<>(Topics.INTENTS.name(), key, valid)).get();
            }

            List<ConsumerRecord<byte[], byte[]>> dead = readUntil(kafka, Topics.DEAD_LETTERS.name(), 2);
            List<DeadLetter> letters = dead.stream().map(r -> serdes.value(DeadLetter.class).deserialize(r.topic(), r.value())).toList();
            assertEquals(List.of(Topics.INTENTS.name(), Topics.TASK_STATUS.name()),
                    letters.stream().map(DeadLetter::getSourceTopic).sorted().toList());
            for (DeadLetter dl : letters) {
                assertTrue(dl.getReason().startsWith("cannot deserialize"), dl.getReason());
                assertEquals("org.apache.kafka.common.errors.SerializationException", dl.getExceptionClass());
                assertEquals("berth-state-streams", dl.getComponent());
                assertNotNull(dl.getValue());
                assertEquals(key, new String(dead.get(0).key(), StandardCharsets.UTF_8));
            }

            List<ConsumerRecord<byte[], byte[]>> placed = readUntil(kafka, Topics.PLACEMENT_REQUESTS.name(), 1);
            PlacementRequest req = serdes.value(PlacementRequest.class).deserialize(Topics.PLACEMENT_REQUESTS.name(), placed.get(0).value());
            assertEquals(key, req.getWorkloadKey());
        }
    }

    /** Reads committed records only: what exactly_once_v2 actually published. */
    private static List<ConsumerRecord<byte[], byte[]>> readUntil(TestKafka kafka, String topic, int count) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            while (out.size() < count && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        assertTrue(out.size() >= count, "expected " + count + " records on " + topic + ", got " + out.size());
        return out;
    }
}
