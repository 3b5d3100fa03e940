package io.berth.registry.interop;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.registry.RegistryFixture;
import io.berth.registry.Rest;
import io.berth.registry.SharedKafka;
import io.berth.registry.client.CachedSchemaRegistryClient;
import io.berth.schemas.avro.LogLine;
import io.berth.schemas.serde.AvroSerde;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Berth's registry driven by a client nobody here wrote: Confluent's Python client (Debian's
 * python3-confluent-kafka, legacy {@code confluent_kafka.avro} API, with python3-avro and
 * python3-requests) registers, produces and consumes an Avro record on the embedded broker. The
 * record it produced is then decoded with Berth's {@link AvroSerde}, and the Python consumer reads
 * one Berth produced: the wire formats agree both ways.
 */
class ConfluentPythonClientTest {
    private static final String PYTHON = "/usr/bin/python3";

    @Test
    void shouldServeConfluentsPythonClientAndAgreeOnTheWireFormat(@TempDir Path dir) throws Exception {
        requirePythonClient();
        try (RegistryFixture fixture = new RegistryFixture(); Admin admin = SharedKafka.get().admin()) {
            String url = fixture.startInstance().url();
            String pyTopic = "interop-python-" + fixture.topic().substring(fixture.topic().lastIndexOf('-') + 1);
            String javaTopic = pyTopic.replace("python", "java");
            admin.createTopics(List.of(new NewTopic(pyTopic, 1, (short) 1), new NewTopic(javaTopic, 1, (short) 1))).all().get();

            // the serde first: its static initializer trusts io.berth for Avro before LogLine loads
            AvroSerde<LogLine> serde = new AvroSerde<>(new CachedSchemaRegistryClient(url), LogLine.class);
            LogLine fromJava = LogLine.newBuilder().setTaskId("api-1a2b3c-q9w8e").setLine("hello from java").setTimestamp(42L).build();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", SharedKafka.get().bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(javaTopic, null, serde.serialize(javaTopic, fromJava))).get(); // AvroConsumer decodes keys too: none
            }

            Path schemaFile = dir.resolve("LogLine.avsc");
            Files.writeString(schemaFile, LogLine.getClassSchema().toString());
            Path script = dir.resolve("confluent_python_roundtrip.py");
            try (InputStream in = getClass().getResourceAsStream("/interop/confluent_python_roundtrip.py")) {
                Files.copy(in, script);
            }
            List<JsonNode> events = run(List.of(PYTHON, script.toString(), SharedKafka.get().bootstrapServers(), url,
                    schemaFile.toString(), pyTopic, javaTopic));

            int id = event(events, "registered").get("id").asInt();
            assertEquals(id, event(events, "re-registered").get("id").asInt());
            assertEquals(id, new Rest(url).get("/subjects/" + pyTopic + "-value/versions/latest").ok().json().get("id").asInt());
            JsonNode consumedPy = events.stream().filter(e -> e.path("event").asText().equals("consumed") && e.path("topic").asText().equals(pyTopic))
                    .findFirst().orElseThrow().get("value");
            assertEquals("hello from python", consumedPy.get("line").asText());
            JsonNode consumedJava = events.stream().filter(e -> e.path("event").asText().equals("consumed") && e.path("topic").asText().equals(javaTopic))
                    .findFirst().orElseThrow().get("value");
            assertEquals("hello from java", consumedJava.get("line").asText());
            assertEquals("api-1a2b3c-q9w8e", consumedJava.get("taskId").asText());
            JsonNode refused = event(events, "incompatible-refused");
            assertTrue(refused.get("error").asText().contains("incompatible"), refused.toString());

            byte[] produced = readOne(pyTopic);
            assertEquals(0, produced[0], "magic byte");
            assertEquals(id, java.nio.ByteBuffer.wrap(produced, 1, 4).getInt(), "schema id, int32 big endian");
            LogLine decoded = serde.deserialize(pyTopic, produced);
            assertEquals("hello from python", decoded.getLine());
            assertEquals("web-abc123-xyz01", decoded.getTaskId());
            assertEquals(1700000000000L, decoded.getTimestamp());
            assertEquals("node-1", decoded.getNodeId());
        }
    }

    /** Fails (never skips) when the Python client is missing: ops/test installs it. */
    private static void requirePythonClient() throws Exception {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " is missing. Install Debian's python3 python3-confluent-kafka python3-avro python3-requests (apt-get install -y ...).");
        }
        Process p = new ProcessBuilder(PYTHON, "-c", "import confluent_kafka.avro, avro, requests").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("Confluent's Python client is not importable by " + PYTHON + " (" + output.trim() + "). Install the Debian packages "
                    + "python3-confluent-kafka python3-avro python3-requests: apt-get install -y python3-confluent-kafka python3-avro python3-requests");
        }
    }

    private static List<JsonNode> run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] stderr;
        String stdout;
        try (InputStream out = p.getInputStream(); InputStream err = p.getErrorStream()) {
            var errBytes = new java.io.ByteArrayOutputStream();
            Thread errReader = new Thread(() -> {
                try {
                    err.transferTo(errBytes);
                } catch (IOException ignored) {
                    // process ended
                }
            });
            errReader.start();
            stdout = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            errReader.join(5000);
            stderr = errBytes.toByteArray();
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python client did not finish");
        String diagnostics = "\nstdout:\n" + stdout + "\nstderr:\n" + new String(stderr, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "python client failed" + diagnostics);
        List<JsonNode> events = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            if (line.startsWith("{")) events.add(Rest.JSON.readTree(line));
        }
        assertFalse(events.isEmpty(), "python client printed nothing" + diagnostics);
        return events;
    }

    private static JsonNode event(List<JsonNode> events, String name) {
        return events.stream().filter(e -> e.path("event").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("python client never reported '" + name + "': " + events));
    }

    private static byte[] readOne(String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", SharedKafka.get().bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) return r.value();
            }
            throw new AssertionError("no record on " + topic);
        }
    }
}
