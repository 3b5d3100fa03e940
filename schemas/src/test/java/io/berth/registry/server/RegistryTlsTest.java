package io.berth.registry.server;

import io.berth.registry.RegistryFixture;
import io.berth.registry.TestSchemas;
import io.berth.registry.client.CachedSchemaRegistryClient;
import io.berth.registry.client.SchemaRegistryClient.RegistryException;
import io.berth.schemas.auth.TokenFile;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.tls.Tls;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The registry serves HTTPS with the certificate {@code berth up --tls} makes (the gateway's), on a
 * real broker: Berth's client trusts exactly the CA it is given, writes with its Basic credential
 * through a follower that forwards to the HTTPS leader, and a client that cannot verify the server is
 * refused; plain HTTP to the port gets no answer; off the loopback without TLS the registry refuses
 * to start, naming the setting.
 */
class RegistryTlsTest {
    private static final String TOKEN = "reg-tls-token-0123456789";

    @Test
    void shouldServeHttpsAndForwardWritesToAnHttpsLeader() throws Exception {
        Path dir = Files.createTempDirectory("registry-tls");
        Tls.Files3 tls = Tls.ensure(dir.resolve("tls"), List.of("localhost"));
        Path tokens = dir.resolve("tokens.csv");
        TokenFile.write(tokens, List.of(new TokenFile.Entry(TOKEN, "admin", "1", List.of("system:masters"))));
        List<String> schemas = TestSchemas.distinct(2);
        try (RegistryFixture fixture = new RegistryFixture()) {
            BerthConfig config = fixture.config().with("auth-token-file", tokens.toString())
                    .with("tls-cert-file", tls.cert().toString()).with("tls-private-key-file", tls.key().toString())
                    .with(Tls.REGISTRY_CA_FILE, tls.ca().toString());
            RegistryServer a = fixture.startInstance(config);
            RegistryServer b = fixture.startInstance(config);
            RegistryServer follower = a.isLeader() ? b : a;
            assertTrue(follower.url().startsWith("https://localhost:"), follower.url());

            javax.net.ssl.SSLContext trust = Tls.registryTrust(config);
            HttpClient verified = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> subjects = verified.send(HttpRequest.newBuilder(URI.create(follower.url() + "/subjects")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, subjects.statusCode(), subjects.body());

            // a write through the follower: forwarded to the leader over HTTPS, checked there
            Schema first = new Schema.Parser().parse(schemas.get(0));
            int id = new CachedSchemaRegistryClient(follower.url(), Duration.ofSeconds(10),
                    CachedSchemaRegistryClient.basicAuth("admin:" + TOKEN), trust).register("s", first);
            assertTrue(id > 0);

            // a client that does not trust the CA is refused by the handshake, not answered
            Schema second = new Schema.Parser().parse(schemas.get(1));
            RegistryException unverified = assertThrows(RegistryException.class, () -> new CachedSchemaRegistryClient(follower.url(),
                    Duration.ofSeconds(10), CachedSchemaRegistryClient.basicAuth("admin:" + TOKEN)).register("s", second));
            assertTrue(String.valueOf(unverified.getMessage()).toLowerCase().contains("ssl")
                    || String.valueOf(unverified.getCause()).toLowerCase().contains("ssl"), String.valueOf(unverified));
            assertFalse(unverified.isTransient(), "a refused handshake is not retried: " + unverified);

            // plain HTTP on the HTTPS port: no registry answer
            String plain = follower.url().replace("https://", "http://");
            assertThrows(Exception.class, () -> {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(plain + "/subjects"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return; // an answer would be the failure this asserts against
                throw new IllegalStateException("HTTP " + r.statusCode());
            });
        }
    }

    @Test
    void shouldRefuseToServeWithoutTlsOffTheLoopback() {
        RegistryServer server = new RegistryServer(BerthConfig.of("127.0.0.1:1", null, Path.of("target")), "0.0.0.0", 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, server::start);
        assertTrue(e.getMessage().contains("registry-host 0.0.0.0 is not a loopback address: TLS is required"), e.getMessage());
        server.close();
    }
}
