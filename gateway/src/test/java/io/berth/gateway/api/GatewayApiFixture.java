package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.gateway.GatewayService;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topic;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.state.StateStreamsService;
import io.berth.testing.TestKafka;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Test fixture for the REST API tests: a real broker, the gateway on a free port and (unless
 * {@link #withStateStreams()} says no) the real state-streams, in-process, started once per test class;
 * a producer for the views and intents the test plays, and an HTTP client on {@link #base}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
abstract class GatewayApiFixture {
    static final ObjectMapper JSON = new ObjectMapper();
    TestKafka kafka;
    InMemorySchemaRegistryClient registry;
    BerthSerdes serdes;
    GatewayService gateway;
    StateStreamsService streams;
    KafkaProducer<String, byte[]> producer;
    final HttpClient http = HttpClient.newHttpClient();
    String base;
    /** The token of the fixture's user (in the gateway's token file); {@link #request} sends it. */
    static final String TOKEN = "fixture-token-0123456789abcdef";
    static final String USER = "tester";

    /** Whether the real state-streams runs (else the test plays it by producing the views). */
    boolean withStateStreams() {
        return true;
    }

    /** The config of the gateway (and state-streams), from the defaults here. */
    BerthConfig configure(BerthConfig config) {
        return config;
    }

    @BeforeAll
    void startGateway() throws Exception {
        kafka = TestKafka.start().withBerthTopics();
        registry = new InMemorySchemaRegistryClient();
        serdes = new BerthSerdes(registry);
        java.nio.file.Path dataDir = Files.createTempDirectory(getClass().getSimpleName());
        io.berth.schemas.auth.TokenFile.write(dataDir.resolve(io.berth.schemas.auth.TokenFile.FILE_NAME),
                List.of(new io.berth.schemas.auth.TokenFile.Entry(TOKEN, USER, "1000", List.of("system:masters"))));
        BerthConfig config = configure(BerthConfig.of(kafka.bootstrapServers(), "in-memory", dataDir)
                .with("replication-factor", "1").with("gateway-port", "0").with("gateway-write-wait-ms", "20000"));
        if (withStateStreams()) {
            streams = new StateStreamsService(config, registry);
            streams.start();
        }
        gateway = new GatewayService(config, registry);
        gateway.start();
        base = "http://127.0.0.1:" + gateway.port();
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    void stopGateway() {
        if (producer != null) producer.close();
        if (gateway != null) gateway.close();
        if (streams != null) streams.close();
        if (kafka != null) kafka.close();
    }

    /** Produces {@code value} (null: a tombstone) to {@code topic}. */
    <V extends SpecificRecord> void produce(Topic<V> topic, String key, V value) throws Exception {
        producer.send(new ProducerRecord<>(topic.name(), key, value == null ? null : serdes.value(topic).serialize(topic.name(), value))).get();
    }

    /** A request to {@code base + path} with the fixture's bearer token, as every client of the API sends it. */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + TOKEN);
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode getJson(String path) throws Exception {
        return JSON.readTree(get(path).body());
    }

    static void eventually(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.get()) {
            if (System.currentTimeMillis() > deadline) fail("condition not met in 20 s");
            Thread.sleep(50);
        }
    }

    /** A chunked watch on {@code path} (from {@link #base}): lines arrive on a queue; close() disconnects. */
    final class Watch implements AutoCloseable {
        final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        /** Counted down when the server ends the stream (or it breaks). */
        final CountDownLatch ended = new CountDownLatch(1);
        final InputStream in;
        final int status;

        Watch(String path) throws Exception {
            HttpResponse<InputStream> r = http.send(request(path).build(), HttpResponse.BodyHandlers.ofInputStream());
            status = r.statusCode();
            in = r.body();
            Thread t = new Thread(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) if (!line.isBlank()) events.add(JSON.readTree(line));
                } catch (Exception ignored) {
                    // disconnected
                } finally {
                    ended.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
        }

        JsonNode next() throws InterruptedException {
            JsonNode e = events.poll(15, TimeUnit.SECONDS);
            assertNotNull(e, "no watch event within 15 s");
            return e;
        }

        List<String> next(int n) throws InterruptedException {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                JsonNode e = next();
                out.add(e.path("type").asText() + " " + e.path("object").path("metadata").path("name").asText()
                        + " " + e.path("object").path("status").path("phase").asText());
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            in.close();
        }
    }
}
