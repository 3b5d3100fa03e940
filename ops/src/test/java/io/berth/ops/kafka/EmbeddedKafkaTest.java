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
}
