package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.gateway.GatewayService;
import io.berth.registry.client.CachedSchemaRegistryClient;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.registry.server.RegistryServer;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.LogLine;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.state.StateStreamsService;
import io.berth.testing.TestKafka;
import io.vertx.core.Context;
import io.vertx.core.internal.VertxInternal;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.*;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13, "leave the house better": nothing blocks the gateway's event loops. The real broker, the
 * real schema registry over HTTP, the real state-streams and the gateway with a low maximum event-loop
 * execute time and a fast blocked-thread checker (as node-daemon's ReconcilerVerticleTest): applies
 * (intents, RBAC objects, ConfigMaps: each subject's first write), lists, gets, watches and log reads
 * must neither trip the checker nor call the registry from an event loop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class EventLoopTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "event-loop-token-0123456789abcdef";
    TestKafka kafka;
    RegistryServer registryServer;
    GatewayService gateway;
    StateStreamsService streams;
    final HttpClient http = HttpClient.newHttpClient();
    String base;
    final Queue<String> blocked = new ConcurrentLinkedQueue<>();
    final Queue<String> registryCallsOnLoop = new ConcurrentLinkedQueue<>();

    /**
     * The real HTTP client, noting every call from an event loop thread that goes to the registry over
     * HTTP: as {@link CachedSchemaRegistryClient} caches, the first registration of a subject's schema
     * and the first fetch of an id (later ones are answered from memory).
     */
    final class OnLoopCalls implements SchemaRegistryClient {
        final SchemaRegistryClient real;
        final java.util.Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();

        OnLoopCalls(SchemaRegistryClient real) {
            this.real = real;
        }

        private void note(String call) {
            if (known.add(call) && Context.isOnEventLoopThread()) {
                registryCallsOnLoop.add(call + " on " + Thread.currentThread().getName() + " at\n  "
                        + String.join("\n  ", java.util.Arrays.stream(Thread.currentThread().getStackTrace()).limit(40).map(String::valueOf).toList()));
            }
        }

        @Override
        public int register(String subject, Schema schema) {
            note("register " + subject + " " + schema.getFullName());
            int id = real.register(subject, schema);
            known.add("getById " + id);
            return id;
        }

        @Override
        public Schema getById(int id) {
            note("getById " + id);
            return real.getById(id);
        }

        @Override
        public List<String> subjectsOf(int id) {
            // not cached by the real client: every call is HTTP
            if (Context.isOnEventLoopThread()) registryCallsOnLoop.add("subjectsOf " + id + " on " + Thread.currentThread().getName());
            return real.subjectsOf(id);
        }
    }

    @BeforeAll
    void start() throws Exception {
        kafka = TestKafka.start().withBerthTopics();
        registryServer = new RegistryServer(BerthConfig.of(kafka.bootstrapServers(), null, Path.of("target")), "127.0.0.1", 0);
        registryServer.start();
        SchemaRegistryClient registry = new OnLoopCalls(new CachedSchemaRegistryClient(registryServer.url()));
        Path dataDir = Files.createTempDirectory("EventLoopTest");
        io.berth.schemas.auth.TokenFile.write(dataDir.resolve(io.berth.schemas.auth.TokenFile.FILE_NAME),
                List.of(new io.berth.schemas.auth.TokenFile.Entry(TOKEN, "tester", "1000", List.of("system:masters"))));
        BerthConfig config = BerthConfig.of(kafka.bootstrapServers(), registryServer.url(), dataDir)
                .with("replication-factor", "1").with("gateway-port", "0").with("gateway-write-wait-ms", "30000")
                .with("gateway-max-event-loop-execute-ms", "500").with("gateway-blocked-thread-check-ms", "50");
        streams = new StateStreamsService(config, registry);
        streams.start();
        gateway = new GatewayService(config, registry);
        gateway.start();
        base = "http://127.0.0.1:" + gateway.port();
        // One round of the same requests first, then the checker: on a cold JVM the first apply loads and
        // interprets hundreds of classes (parser, Avro resolvers, admission) on the loop, 0.5-0.7 s of CPU on a
        // busy 2-core machine: work, not waiting. The registry check is on from the start, so the first write
        // of every subject is still covered.
        exercise("warm");
        ((VertxInternal) gateway.vertx()).blockedThreadChecker().setThreadBlockedHandler(e -> blocked.add(e.thread().getName() + " blocked "
                + TimeUnit.NANOSECONDS.toMillis(e.duration()) + " ms at\n  "
                + String.join("\n  ", java.util.Arrays.stream(e.thread().getStackTrace()).limit(40).map(String::valueOf).toList())));
    }

    @AfterAll
    void stop() {
        if (gateway != null) gateway.close();
        if (streams != null) streams.close();
        if (registryServer != null) registryServer.close();
        if (kafka != null) kafka.close();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + TOKEN).timeout(java.time.Duration.ofSeconds(60));
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    static final String MANIFEST = """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: loops
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              namespace: loops
            data:
              mode: fast
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata:
              name: reader
              namespace: loops
            rules:
            - apiGroups: [""]
              resources: ["pods"]
              verbs: ["get", "list", "watch"]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: loops
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                spec:
                  containers:
                  - name: web
                    image: berth/busybox:latest
            """;

    /** Applies, lists, gets, a scale, an HTTP watch and log reads in namespace {@code ns}. */
    void exercise(String ns) throws Exception {
        // a watch first, so that the apply's changes reach it live
        HttpResponse<InputStream> watch = http.send(request("/apis/apps/v1/namespaces/" + ns + "/deployments?watch=true").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, watch.statusCode());
        LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) if (!line.isBlank()) events.add(JSON.readTree(line));
            } catch (Exception ignored) {
                // closed
            }
        });
        reader.setDaemon(true);
        reader.start();

        HttpResponse<String> applied = http.send(request("/apis/berth.io/v1/apply").header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(MANIFEST.replace("loops", ns))).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(applied.statusCode() < 300, applied.statusCode() + " " + applied.body());
        JsonNode added = events.poll(30, TimeUnit.SECONDS);
        assertNotNull(added, "the watch saw no event");
        assertEquals("web", added.path("object").path("metadata").path("name").asText());

        for (int i = 0; i < 20; i++) {
            assertEquals(200, get("/apis/apps/v1/namespaces/" + ns + "/deployments").statusCode());
            assertEquals(200, get("/api/v1/pods").statusCode());
            assertEquals(200, get("/apis/apps/v1/namespaces/" + ns + "/deployments/web").statusCode());
            assertEquals(200, get("/api/v1/namespaces/" + ns + "/configmaps/settings").statusCode());
        }
        HttpResponse<String> scaled = http.send(request("/apis/apps/v1/namespaces/" + ns + "/deployments/web/scale").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"web\",\"namespace\":\"" + ns + "\"},\"spec\":{\"replicas\":3}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scaled.statusCode(), scaled.body());

        // log reads: the lines' schema is fetched by the reader (its own thread), never on the loop
        BerthSerdes serdes = new BerthSerdes(new CachedSchemaRegistryClient(registryServer.url()));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 5; i++) {
                LogLine l = LogLine.newBuilder().setTaskId("talker-" + ns).setPodName("talker-" + ns).setNamespace(ns).setContainer("web")
                        .setLine("line " + i).setTimestamp(System.currentTimeMillis()).setNodeId("n1").build();
                producer.send(new ProducerRecord<>(Topics.LOGS.name(), "talker-" + ns, serdes.value(Topics.LOGS).serialize(Topics.LOGS.name(), l))).get();
            }
        }
        long deadline = System.currentTimeMillis() + 30_000;
        String log;
        while (!(log = get("/api/v1/namespaces/" + ns + "/pods/talker-" + ns + "/log").body()).endsWith("line 4\n")) {
            assertTrue(System.currentTimeMillis() < deadline, "log not read in 30 s: " + log);
            Thread.sleep(100);
        }
        assertEquals("line 3\nline 4\n", get("/api/v1/namespaces/" + ns + "/pods/talker-" + ns + "/log?tailLines=2").body());
        watch.body().close();
    }

    @Test
    void shouldNeverBlockAnEventLoopWhileApplyingListingWatchingAndReadingLogs() throws Exception {
        exercise("loops");
        assertTrue(registryCallsOnLoop.isEmpty(), "the schema registry was called from an event loop:\n" + String.join("\n--\n", registryCallsOnLoop));
        assertTrue(blocked.isEmpty(), "an event loop was blocked:\n" + String.join("\n--\n", new java.util.LinkedHashSet<>(blocked)));
    }
}
