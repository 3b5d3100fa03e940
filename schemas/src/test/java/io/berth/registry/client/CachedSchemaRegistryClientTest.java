package io.berth.registry.client;

import io.berth.registry.RegistryFixture;
import io.berth.registry.Rest;
import io.berth.registry.TestSchemas;
import io.berth.registry.client.SchemaRegistryClient.RegistryException;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Berth's HTTP client against Berth's registry: ids, caching, and errors carrying Confluent's codes. */
class CachedSchemaRegistryClientTest {
    private static RegistryFixture fixture;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        fixture = new RegistryFixture();
        url = fixture.startInstance().url();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void shouldRegisterAndFetchBySchemaId() {
        Schema schema = new Schema.Parser().parse(TestSchemas.record("ClientRecord", "{\"type\":\"string\",\"name\":\"a\"}"));
        try (CachedSchemaRegistryClient client = new CachedSchemaRegistryClient(url + "/")) {
            int id = client.register("client-a", schema);
            assertEquals(id, client.register("client-b", schema), "same schema, same id under another subject");
            assertEquals(schema, client.getById(id));
        }
        try (CachedSchemaRegistryClient fresh = new CachedSchemaRegistryClient(url)) {
            int id = fresh.register("client-a", schema);
            assertEquals(schema, fresh.getById(id), "fetched over HTTP by a client with an empty cache");
        }
    }

    @Test
    void shouldSkipARegistryThatRefusesTheConnectionForTheNextInTheList() throws Exception {
        Schema schema = new Schema.Parser().parse(TestSchemas.record("Failover", "{\"type\":\"long\",\"name\":\"n\"}"));
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // nothing listens there once closed: the connection is refused
        }
        try (CachedSchemaRegistryClient client = new CachedSchemaRegistryClient("http://127.0.0.1:" + closedPort + ", " + url)) {
            int id = client.register("failover", schema);
            assertEquals(schema, client.getById(id), "the write and the read went to the second registry");
        }
        try (CachedSchemaRegistryClient client = new CachedSchemaRegistryClient("http://127.0.0.1:" + closedPort, java.time.Duration.ofSeconds(30), null, null, java.time.Duration.ZERO)) {
            RegistryException e = assertThrows(RegistryException.class, () -> client.register("failover", schema));
            assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
            assertTrue(e.isTransient(), "an unreachable registry is a transient failure");
        }
    }

    @Test
    void shouldServeCachedIdsWithoutTheRegistry() throws Exception {
        Schema schema = new Schema.Parser().parse(TestSchemas.record("Cached", "{\"type\":\"int\",\"name\":\"n\"}"));
        try (RegistryFixture own = new RegistryFixture()) {
            CachedSchemaRegistryClient client = new CachedSchemaRegistryClient(own.startInstance().url(), java.time.Duration.ofSeconds(30), null, null,
                    java.time.Duration.ofMillis(500));
            int id = client.register("cached", schema);
            own.close();
            assertEquals(id, client.register("cached", schema));
            assertEquals(schema, client.getById(id));
            RegistryException e = assertThrows(RegistryException.class, () -> client.getById(id + 1000));
            assertEquals(-1, e.errorCode(), "an unreachable registry has code -1");
            assertTrue(e.isTransient());
        }
    }

    /**
     * The registries of {@code berth up --ha} between leaders answer 50004 / 50003 (chaos run, 2026-12-05: a
     * killed leader made state-streams dead-letter a good intent): the client retries such answers and an
     * unreachable registry until its retry time is up, and throws a refusal (4xx) at once.
     */
    @Test
    void shouldRetryTransientFailuresButNotRefusals() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer between = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        between.createContext("/", ex -> {
            int n = calls.incrementAndGet();
            boolean refusal = ex.getRequestURI().getPath().contains("refused");
            byte[] body = (refusal ? "{\"error_code\":42201,\"message\":\"Invalid schema\"}"
                    : n <= 2 ? "{\"error_code\":" + (n == 1 ? 50004 : 50003) + ",\"message\":\"No registry leader is known yet\"}"
                    : "{\"id\":7}").getBytes();
            ex.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
            ex.sendResponseHeaders(refusal ? 422 : n <= 2 ? 500 : 200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        between.start();
        Schema schema = new Schema.Parser().parse(TestSchemas.record("Retried", "{\"type\":\"int\",\"name\":\"n\"}"));
        String at = "http://127.0.0.1:" + between.getAddress().getPort();
        try (CachedSchemaRegistryClient client = new CachedSchemaRegistryClient(at, java.time.Duration.ofSeconds(5), null, null, java.time.Duration.ofSeconds(20))) {
            assertEquals(7, client.register("retried", schema), "answered once the registry had a leader again");
            assertEquals(3, calls.get(), "two transient answers, then the id");
            calls.set(10);
            RegistryException refused = assertThrows(RegistryException.class, () -> client.register("refused", schema));
            assertEquals(42201, refused.errorCode());
            assertFalse(refused.isTransient());
            assertEquals(11, calls.get(), "a refusal is not retried");
        } finally {
            between.stop(0);
        }
        try (CachedSchemaRegistryClient client = new CachedSchemaRegistryClient(at, java.time.Duration.ofSeconds(5), null, null, java.time.Duration.ofMillis(300))) {
            RegistryException gone = assertThrows(RegistryException.class, () -> client.register("gone", schema));
            assertTrue(gone.isTransient() && gone.getMessage().contains("unreachable"), gone.getMessage());
        }
    }

    @Test
    void shouldCarryTheRegistrysErrorCodeAndMessage() {
        try (CachedSchemaRegistryClient client = new CachedSchemaRegistryClient(url)) {
            RegistryException missing = assertThrows(RegistryException.class, () -> client.getById(9999));
            assertEquals(40403, missing.errorCode());
            assertTrue(missing.getMessage().contains("9999"), missing.getMessage());

            Schema v1 = new Schema.Parser().parse(TestSchemas.record("Evolving", "{\"type\":\"string\",\"name\":\"a\"}"));
            Schema v2 = new Schema.Parser().parse(TestSchemas.record("Evolving", "{\"type\":\"int\",\"name\":\"a\"}"));
            client.register("evolving", v1);
            RegistryException incompatible = assertThrows(RegistryException.class, () -> client.register("evolving", v2));
            assertEquals(409, incompatible.errorCode());
            assertTrue(incompatible.getMessage().contains("incompatible"), incompatible.getMessage());

            RegistryException badSubject = assertThrows(RegistryException.class, () -> client.register("bad\nsubject", v1));
            assertEquals(42208, badSubject.errorCode());
        }
        new Rest(url).get("/subjects/evolving/versions").ok();
    }
}
