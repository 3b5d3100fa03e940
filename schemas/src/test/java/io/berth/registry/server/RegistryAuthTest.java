package io.berth.registry.server;

import io.berth.registry.RegistryFixture;
import io.berth.registry.Rest;
import io.berth.registry.TestSchemas;
import io.berth.registry.client.CachedSchemaRegistryClient;
import io.berth.registry.client.SchemaRegistryClient.RegistryException;
import io.berth.schemas.auth.TokenFile;
import io.berth.schemas.service.BerthConfig;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Registry writes need a credential from the token file (HTTP Basic {@code user:token}, as Confluent's
 * {@code basic.auth.user.info}, or a bearer token); reads stay open; a follower forwards the
 * credential and the leader checks it again.
 */
class RegistryAuthTest {
    private static final String TOKEN = "reg-test-token-0123456789";

    static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes());
    }

    @Test
    void shouldRefuseWritesWithoutACredentialAndServeReadsToAnyone() throws Exception {
        Path tokens = Files.createTempDirectory("registry-auth").resolve("tokens.csv");
        TokenFile.write(tokens, List.of(new TokenFile.Entry(TOKEN, "admin", "1", List.of("system:masters"))));
        List<String> schemas = TestSchemas.distinct(3);
        try (RegistryFixture fixture = new RegistryFixture()) {
            BerthConfig config = fixture.config().with("auth-token-file", tokens.toString());
            RegistryServer a = fixture.startInstance(config);
            RegistryServer b = fixture.startInstance(config);
            RegistryServer follower = a.isLeader() ? b : a;
            Rest rest = new Rest(follower.url());

            Rest.Response refused = rest.post("/subjects/s/versions", Rest.schemaBody(schemas.get(0)));
            assertEquals(401, refused.status(), refused.body());
            assertEquals(401, refused.json().path("error_code").asInt());
            assertEquals("Unauthorized", refused.message());
            assertEquals(401, rest.send("POST", "/subjects/s/versions", Rest.schemaBody(schemas.get(0)), "Authorization", basic("admin:wrong")).status());
            assertEquals(401, rest.send("POST", "/subjects/s/versions", Rest.schemaBody(schemas.get(0)), "Authorization", basic("bob:" + TOKEN)).status(),
                    "the Basic user must be the token's user");
            assertEquals(401, rest.put("/config", "{\"compatibility\":\"NONE\"}").status());
            assertEquals(401, rest.delete("/subjects/s").status());
            assertEquals(0, rest.get("/subjects").ok().json().size(), "nothing was written");

            int id = rest.send("POST", "/subjects/s/versions", Rest.schemaBody(schemas.get(0)), "Authorization", basic("admin:" + TOKEN)).id();
            assertTrue(rest.send("POST", "/subjects/s2/versions", Rest.schemaBody(schemas.get(1)), "Authorization", "Bearer " + TOKEN).id() > id);

            // reads (and a lookup, which changes nothing) need nothing
            assertEquals(200, rest.get("/schemas/ids/" + id).status());
            assertEquals(200, rest.get("/subjects/s/versions/latest").status());
            assertEquals(200, rest.post("/subjects/s", Rest.schemaBody(schemas.get(0))).status());

            // Berth's own client with the admin credential, as the services get it through config
            Schema third = new Schema.Parser().parse(schemas.get(2));
            assertThrows(RegistryException.class, () -> new CachedSchemaRegistryClient(follower.url()).register("t", third));
            assertTrue(new CachedSchemaRegistryClient(follower.url(), Duration.ofSeconds(10),
                    CachedSchemaRegistryClient.basicAuth("admin:" + TOKEN)).register("t", third) > 0);

            // revoking the token takes effect without a restart
            TokenFile.write(tokens, List.of());
            long deadline = System.currentTimeMillis() + 10_000;
            while (rest.send("PUT", "/config/s", "{\"compatibility\":\"NONE\"}", "Authorization", "Bearer " + TOKEN).status() != 401) {
                assertTrue(System.currentTimeMillis() < deadline, "the revoked token still writes after 10 s");
                Thread.sleep(100);
            }
        }
    }

    @Test
    void shouldRefuseRegistryWritesWithANodeJoinTokenOrAnExpiredToken() throws Exception {
        Path tokens = Files.createTempDirectory("registry-auth").resolve("tokens.csv");
        java.time.Instant hourAhead = java.time.Instant.now().plusSeconds(3600);
        TokenFile.write(tokens, List.of(new TokenFile.Entry(TOKEN, "admin", "1", List.of("system:masters")),
                new TokenFile.Entry("join-token-0123456789", "system:bootstrap:join-t", "", List.of(io.berth.schemas.auth.User.BOOTSTRAPPERS), hourAhead),
                new TokenFile.Entry("old-token-0123456789", "old", "2", List.of("system:masters"), java.time.Instant.now().minusSeconds(1))));
        List<String> schemas = TestSchemas.distinct(1);
        try (RegistryFixture fixture = new RegistryFixture()) {
            RegistryServer r = fixture.startInstance(fixture.config().with("auth-token-file", tokens.toString()));
            Rest rest = new Rest(r.url());
            assertEquals(401, rest.send("POST", "/subjects/s/versions", Rest.schemaBody(schemas.get(0)), "Authorization", "Bearer join-token-0123456789").status(),
                    "a node join token joins nodes, nothing else");
            assertEquals(401, rest.send("POST", "/subjects/s/versions", Rest.schemaBody(schemas.get(0)), "Authorization", "Bearer old-token-0123456789").status(),
                    "an expired token is no credential");
            assertTrue(rest.send("POST", "/subjects/s/versions", Rest.schemaBody(schemas.get(0)), "Authorization", "Bearer " + TOKEN).id() > 0);
        }
    }

    @Test
    void shouldReadAndWriteATokensExpiry() {
        java.time.Instant at = java.time.Instant.parse("2026-12-05T14:00:00Z");
        List<TokenFile.Entry> e = List.of(new TokenFile.Entry("t1", "system:bootstrap:t1", "", List.of("system:bootstrappers"), at),
                new TokenFile.Entry("t2", "bob", "u2", List.of(), at), new TokenFile.Entry("t3", "carol", "u3", List.of("dev")));
        assertEquals("t2,bob,u2,\"\",2026-12-05T14:00:00Z\n", TokenFile.format(List.of(e.get(1))));
        assertEquals(e, TokenFile.parse(TokenFile.format(e), "x"));
        assertTrue(e.get(0).expiredAt(at) && !e.get(0).expiredAt(at.minusMillis(1)) && !e.get(2).expiredAt(at));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> TokenFile.parse("t,u,1,\"\",tomorrow\n", "f.csv"));
        assertEquals("f.csv line 1: expires \"tomorrow\" is not an ISO-8601 instant (e.g. 2026-12-05T14:00:00Z)", bad.getMessage());
    }

    @Test
    void shouldParseTheKubeTokenFileFormat() {
        List<TokenFile.Entry> e = TokenFile.parse("# comment\nt1,alice,u1,\"dev,ops\"\n\nt2,bob,u2\n", "x");
        assertEquals(List.of(new TokenFile.Entry("t1", "alice", "u1", List.of("dev", "ops")),
                new TokenFile.Entry("t2", "bob", "u2", List.of())), e);
        assertEquals(e, TokenFile.parse(TokenFile.format(e), "x"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> TokenFile.parse("ok,u,1\nonlytoken\n", "f.csv"));
        assertTrue(bad.getMessage().contains("f.csv line 2"), bad.getMessage());
    }
}
