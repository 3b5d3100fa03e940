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
        try (CachedSchemaRegistryClient client = new CachedSchemaRegistryClient("http://127.0.0.1:" + closedPort)) {
            RegistryException e = assertThrows(RegistryException.class, () -> client.register("failover", schema));
            assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        }
    }

    @Test
    void shouldServeCachedIdsWithoutTheRegistry() throws Exception {
        Schema schema = new Schema.Parser().parse(TestSchemas.record("Cached", "{\"type\":\"int\",\"name\":\"n\"}"));
        try (RegistryFixture own = new RegistryFixture()) {
            CachedSchemaRegistryClient client = new CachedSchemaRegistryClient(own.startInstance().url());
            int id = client.register("cached", schema);
            own.close();
            assertEquals(id, client.register("cached", schema));
            assertEquals(schema, client.getById(id));
            RegistryException e = assertThrows(RegistryException.class, () -> client.getById(id + 1000));
            assertEquals(-1, e.errorCode(), "an unreachable registry has code -1");
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
