package io.berth.registry.server;

import io.berth.registry.RegistryFixture;
import io.berth.registry.Rest;
import io.berth.registry.SharedKafka;
import io.berth.registry.TestSchemas;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.berth.registry.Rest.assertJson;
import static org.junit.jupiter.api.Assertions.*;

/** The {@code _schemas} topic: Confluent's record layout, rebuilding on restart, topic verification. */
class RegistryStorageTest {

    @Test
    void shouldRebuildEverythingFromTheTopicAfterARestart() throws Exception {
        List<String> schemas = TestSchemas.distinct(3);
        try (RegistryFixture fixture = new RegistryFixture()) {
            Rest first = new Rest(fixture.startInstance().url());
            first.setCompatibility(null, "NONE");
            first.registerOk("a", schemas.get(0));
            first.registerOk("a", schemas.get(1));
            first.registerOk("b", schemas.get(1));
            first.setCompatibility("b", "FULL");
            first.put("/mode/a", "{\"mode\":\"READONLY\"}").ok();
            first.delete("/subjects/b/versions/1").ok();
            fixture.close();

            try (RegistryFixture again = fixture.reopen()) {
                Rest second = new Rest(again.startInstance().url());
                assertJson("[\"a\"]", second.get("/subjects").ok().json());
                assertJson("[1,2]", second.get("/subjects/a/versions").ok().json());
                assertJson("{\"compatibilityLevel\":\"NONE\"}", second.get("/config").ok().json());
                assertJson("{\"compatibilityLevel\":\"FULL\"}", second.get("/config/b").ok().json());
                assertJson("{\"mode\":\"READONLY\"}", second.get("/mode/a").ok().json());
                assertEquals(2, second.get("/subjects/b/versions/1?deleted=true").ok().json().get("id").asInt());
                assertEquals(schemas.get(1), second.get("/schemas/ids/2").ok().json().get("schema").asText());
                assertEquals(3, second.registerOk("c", schemas.get(2)), "ids continue after the highest one in the log");
                assertEquals(2, second.registerOk("b", schemas.get(1)), "a known schema keeps its id");
                assertJson("[2]", second.get("/subjects/b/versions").ok().json());
            }
        }
    }

    @Test
    void shouldWriteConfluentsExactKeyAndValueLayout() throws Exception {
        String schema = TestSchemas.distinct(1).get(0);
        try (RegistryFixture fixture = new RegistryFixture()) {
            Rest rest = new Rest(fixture.startInstance().url());
            rest.setCompatibility(null, "NONE");
            rest.registerOk("t-value", schema);
            rest.delete("/subjects/t-value").ok();
            rest.put("/mode/t-value", "{\"mode\":\"READONLY\"}").ok();

            List<String[]> records = readAll(fixture.topic());
            assertContains(records, "{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}", "{\"compatibilityLevel\":\"NONE\"}");
            assertContains(records, "{\"keytype\":\"SCHEMA\",\"subject\":\"t-value\",\"version\":1,\"magic\":1}",
                    "{\"subject\":\"t-value\",\"version\":1,\"id\":1,\"schema\":" + Rest.JSON.valueToTree(schema) + ",\"deleted\":false}");
            assertContains(records, "{\"keytype\":\"DELETE_SUBJECT\",\"subject\":\"t-value\",\"magic\":0}", "{\"subject\":\"t-value\",\"version\":1}");
            assertContains(records, "{\"keytype\":\"MODE\",\"subject\":\"t-value\",\"magic\":0}", "{\"mode\":\"READONLY\"}");
            assertContains(records, "{\"keytype\":\"NOOP\",\"magic\":0}", null);
        }
    }

    @Test
    void shouldApplyRecordsWrittenByAnotherRegistryImplementation() throws Exception {
        try (RegistryFixture fixture = new RegistryFixture()) {
            fixture.startInstance();
            // a record as Confluent 7.x writes it, with properties Berth does not use
            String key = "{\"keytype\":\"SCHEMA\",\"subject\":\"foreign\",\"version\":1,\"magic\":1}";
            String value = "{\"subject\":\"foreign\",\"version\":1,\"id\":77,\"md5\":\"abc\",\"schema\":\"\\\"string\\\"\",\"deleted\":false,\"ts\":1}";
            try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(Map.of("bootstrap.servers", SharedKafka.get().bootstrapServers()),
                    new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.StringSerializer())) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(fixture.topic(), 0, key, value)).get();
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(fixture.topic(), 0, "{\"keytype\":\"SOMETHING_NEW\",\"magic\":0}", "{}")).get();
            }
            Rest rest = new Rest(fixture.startInstance().url());
            assertEquals("\"string\"", rest.get("/schemas/ids/77").ok().json().get("schema").asText());
            assertEquals(78, rest.registerOk("next", TestSchemas.distinct(1).get(0)));
        }
    }

    @Test
    void shouldRefuseToStartOnATopicWithTwoPartitions() throws Exception {
        try (RegistryFixture fixture = new RegistryFixture(); Admin admin = SharedKafka.get().admin()) {
            admin.createTopics(List.of(new NewTopic(fixture.topic(), 2, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
            Exception e = assertThrows(IllegalStateException.class, fixture::startInstance);
            assertTrue(e.getMessage().contains("exactly 1 partition"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseToStartOnATopicThatIsNotCompacted() throws Exception {
        try (RegistryFixture fixture = new RegistryFixture(); Admin admin = SharedKafka.get().admin()) {
            admin.createTopics(List.of(new NewTopic(fixture.topic(), 1, (short) 1).configs(Map.of("cleanup.policy", "delete")))).all().get();
            Exception e = assertThrows(IllegalStateException.class, fixture::startInstance);
            assertTrue(e.getMessage().contains("cleanup.policy=compact"), e.getMessage());
        }
    }

    private static void assertContains(List<String[]> records, String key, String value) {
        for (String[] r : records) {
            if (r[0].equals(key) && (value == null ? r[1] == null : value.equals(r[1]))) return;
        }
        StringBuilder all = new StringBuilder();
        for (String[] r : records) all.append("\n  ").append(r[0]).append(" -> ").append(r[1]);
        fail("no record " + key + " -> " + value + " in" + all);
    }

    private static List<String[]> readAll(String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", SharedKafka.get().bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            List<String[]> out = new ArrayList<>();
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    out.add(new String[]{new String(r.key(), StandardCharsets.UTF_8), r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8)});
                }
            }
            return out;
        }
    }
}
