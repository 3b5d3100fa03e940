package io.berth.ops.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class EmbeddedKafkaTest {

    @Test
    void formatsOnFirstStartAndKeepsRecordsAcrossRestart(@TempDir Path dataDir) throws Exception {
        int port = EmbeddedKafka.freePort("127.0.0.1");
        String value = "written-before-restart-" + System.nanoTime();

        try (EmbeddedKafka k = EmbeddedKafka.start(dataDir, port)) {
            assertTrue(k.formattedOnStart(), "first start formats the storage");
            assertTrue(Files.exists(dataDir.resolve("kafka/data/meta.properties")), "data lives under <dataDir>/kafka");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", k.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("restart-test", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", k.bootstrapServers(),
                    "acks", "all"), new StringSerializer(), new StringSerializer())) {
                p.send(new ProducerRecord<>("restart-test", "k", value)).get(30, TimeUnit.SECONDS);
            }
        }
        assertTrue(EmbeddedKafka.isFree("127.0.0.1", port), "port released after a clean stop");

        try (EmbeddedKafka k = EmbeddedKafka.start(dataDir, port)) {
            assertFalse(k.formattedOnStart(), "restart reuses the existing storage");
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", k.bootstrapServers(),
                    "group.id", "restart-test", "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer())) {
                c.subscribe(Set.of("restart-test"));
                List<String> seen = new ArrayList<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (!seen.contains(value) && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) seen.add(r.value());
                }
                assertEquals(List.of(value), seen, "the record written before the restart is read after it");
            }
        }
    }

    /**
     * Issue 13: daemons left over from an earlier cluster produced to a fresh one, the broker created
     * Berth's topics for them with the default cleanup policy, and berth up refused to start. The
     * embedded broker creates no topic on a producer's or consumer's behalf.
     */
    @Test
    void createsNoTopicForAProducerOrAConsumer(@TempDir Path dataDir) throws Exception {
        try (EmbeddedKafka k = EmbeddedKafka.start(dataDir, EmbeddedKafka.freePort("127.0.0.1"))) {
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", k.bootstrapServers(),
                    "max.block.ms", "3000"), new StringSerializer(), new StringSerializer())) {
                Exception e = assertThrows(Exception.class, () -> p.send(new ProducerRecord<>("berth.assignments", "k", "v")).get(30, TimeUnit.SECONDS));
                assertTrue(String.valueOf(e).contains("not present in metadata") || String.valueOf(e.getCause()).contains("not present in metadata"),
                        String.valueOf(e));
            }
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", k.bootstrapServers(),
                    "group.id", "leftover", "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer())) {
                c.subscribe(Set.of("berth.task-status"));
                c.poll(Duration.ofSeconds(2)); // a consumer's metadata request would auto-create with allow.auto.create.topics
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", k.bootstrapServers()))) {
                Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertFalse(topics.contains("berth.assignments"), topics.toString());
                assertFalse(topics.contains("berth.task-status"), topics.toString());
            }
        }
    }
}
