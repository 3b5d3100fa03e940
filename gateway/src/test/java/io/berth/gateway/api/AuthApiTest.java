package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.schemas.Topics;
import io.berth.schemas.auth.TokenFile;
import io.berth.schemas.avro.Intent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 12, first slice: every route but health and version needs a bearer token from the token file
 * (re-read when it changes); a browser cannot drive the API (Origin, content types, no cookies); the
 * audit's actor is the token's user, never a header.
 */
class AuthApiTest extends GatewayApiFixture {
    /** What the issue's reporter sent from a web page: a pod mounting the host's root read-write. */
    static final String HOST_ROOT_POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: evil}
            spec:
              containers:
              - name: c
                image: berth/busybox:latest
                volumeMounts: [{name: host, mountPath: /host}]
              volumes:
              - name: host
                hostPath: {path: /}
            """;

    @Override
    boolean withStateStreams() {
        return true;
    }

    Path tokenFile() {
        return gateway.tokenFile();
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest.Builder anonymous(String path) {
        return HttpRequest.newBuilder(URI.create(base + path));
    }

    static void assertUnauthorized(HttpResponse<String> r) throws Exception {
        assertEquals(401, r.statusCode(), r.body());
        JsonNode s = JSON.readTree(r.body());
        assertEquals("Status", s.path("kind").asText());
        assertEquals("v1", s.path("apiVersion").asText());
        assertEquals("Failure", s.path("status").asText());
        assertEquals("Unauthorized", s.path("reason").asText());
        assertEquals("Unauthorized", s.path("message").asText());
        assertEquals(401, s.path("code").asInt());
    }

    List<Intent> intents() {
        try (KafkaConsumer<String, Intent> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringDeserializer(), serdes.value(Intent.class).deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.INTENTS.name()).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<Intent> out = new ArrayList<>();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                for (ConsumerRecord<String, Intent> r : c.poll(Duration.ofMillis(200))) out.add(r.value());
            }
            return out;
        }
    }

    @Test
    void shouldServeHealthAndVersionWithoutACredential() throws Exception {
        for (String p : List.of("/healthz", "/readyz", "/livez", "/version")) {
            assertEquals(200, send(anonymous(p)).statusCode(), p);
        }
    }

    @Test
    void shouldRefuseEveryOtherRouteWithoutOrWithAWrongToken() throws Exception {
        for (String p : List.of("/api/v1/pods", "/api/v1/namespaces/default/pods/x", "/apis/apps/v1/deployments", "/api/v1/nodes",
                "/apis/berth.io/v1/audit", "/api/v1/pods?watch=true", "/api", "/nope")) {
            assertUnauthorized(send(anonymous(p)));
            assertUnauthorized(send(anonymous(p).header("Authorization", "Bearer not-a-token")));
            assertUnauthorized(send(anonymous(p).header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((USER + ":wrong").getBytes()))));
        }
        assertUnauthorized(send(anonymous("/apis/berth.io/v1/apply").header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(HOST_ROOT_POD))));
        HttpResponse<String> cookie = send(anonymous("/api/v1/pods").header("Cookie", "token=" + TOKEN + "; session=" + TOKEN));
        assertUnauthorized(cookie);
        assertTrue(cookie.headers().allValues("Set-Cookie").isEmpty(), "no cookies are set");

        HttpResponse<String> ok = get("/api/v1/pods");
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(ok.headers().allValues("Set-Cookie").isEmpty(), "no cookies are set");
        assertEquals(200, get("/api/v1/nodes").statusCode());
    }

    @Test
    void shouldRefuseAWebSocketWatchWithoutAToken() throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + gateway.port() + "/api/v1/pods?watch=true");
        for (WebSocket.Builder b : List.of(http.newWebSocketBuilder(), http.newWebSocketBuilder().header("Authorization", "Bearer wrong"),
                http.newWebSocketBuilder().subprotocols("base64url.bearer.authorization.k8s.io."
                        + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("wrong".getBytes())))) {
            CompletionException e = assertThrows(CompletionException.class, () -> b.buildAsync(uri, new WebSocket.Listener() {}).join());
            assertTrue(e.getCause() instanceof java.net.http.WebSocketHandshakeException, e.toString());
            assertEquals(401, ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
        }
        WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN).buildAsync(uri, new WebSocket.Listener() {}).join();
        ws.abort();
    }

    /** The issue's attack: a web page posts a hostPath:/ pod as text/plain from another origin. Nothing reaches berth.intents. */
    @Test
    void shouldRefuseTheCrossSiteRequestOfTheIssueBeforeAnySideEffect() throws Exception {
        String apply = "/apis/berth.io/v1/apply";
        HttpRequest.BodyPublisher pod = HttpRequest.BodyPublishers.ofString(HOST_ROOT_POD);
        // exactly what the browser sends: no credential (it has none), text/plain, a foreign Origin
        HttpResponse<String> attack = send(anonymous(apply).header("Content-Type", "text/plain").header("Origin", "http://evil.example").POST(pod));
        assertEquals(403, attack.statusCode(), attack.body());
        assertEquals("Forbidden", JSON.readTree(attack.body()).path("reason").asText());
        // even a request that somehow carried the token is refused for its origin
        assertEquals(403, send(request(apply).header("Content-Type", "application/yaml").header("Origin", "http://evil.example").POST(pod)).statusCode());
        assertEquals(403, send(request("/api/v1/pods").header("Origin", "http://evil.example")).statusCode());
        // and for its content types, which a page can send without a preflight
        for (String type : List.of("text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
            HttpResponse<String> r = send(request(apply).header("Content-Type", type).POST(pod));
            assertEquals(415, r.statusCode(), type + ": " + r.body());
            assertEquals("UnsupportedMediaType", JSON.readTree(r.body()).path("reason").asText());
        }
        assertEquals(415, send(request(apply).POST(pod)).statusCode(), "a body without a Content-Type");
        // the gateway's own origin is fine (a same-origin client)
        assertEquals(202, send(request(apply + "?wait=false").header("Content-Type", "application/yaml")
                .header("Origin", "http://127.0.0.1:" + gateway.port()).POST(HttpRequest.BodyPublishers.ofString(
                        "apiVersion: v1\nkind: Pod\nmetadata: {name: fine}\nspec:\n  containers: [{name: c, image: berth/busybox:latest}]\n"))).statusCode());
        List<Intent> all = intents();
        assertTrue(all.stream().anyMatch(i -> i.getName().equals("fine")), "the accepted apply is on the bus");
        assertTrue(all.stream().noneMatch(i -> i.getName().equals("evil")), "nothing of the refused requests reached berth.intents");
    }

    @Test
    void shouldTakeTokenChangesWithoutARestartAndAuditTheTokensUserNotAHeader() throws Exception {
        String alice = "alice-token-" + System.nanoTime();
        assertUnauthorized(send(anonymous("/api/v1/pods").header("Authorization", "Bearer " + alice)));
        List<TokenFile.Entry> before = TokenFile.read(tokenFile());
        List<TokenFile.Entry> with = new ArrayList<>(before);
        with.add(new TokenFile.Entry(alice, "alice", "1001", List.of("dev", "system:masters"))); // an admin: what RBAC refuses is RbacApiTest's
        TokenFile.write(tokenFile(), with);
        eventually(() -> status(anonymous("/api/v1/pods").header("Authorization", "Bearer " + alice)) == 200);

        HttpResponse<String> r = send(anonymous("/apis/berth.io/v1/apply?wait=false").header("Authorization", "Bearer " + alice)
                .header("Content-Type", "application/yaml").header("X-Berth-User", "mallory").header("X-Remote-User", "mallory")
                .POST(HttpRequest.BodyPublishers.ofString("apiVersion: v1\nkind: Pod\nmetadata: {name: alices}\nspec:\n  containers: [{name: c, image: berth/busybox:latest}]\n")));
        assertEquals(202, r.statusCode(), r.body());
        Intent sent = intents().stream().filter(i -> i.getName().equals("alices")).findFirst().orElseThrow();
        assertEquals("api:alice", sent.getActor(), "the actor is the token's user; the forged header is ignored");
        eventually(() -> {
            try {
                JsonNode items = getJson(AuditApi.PATH + "?actor=api%3Aalice").path("items");
                for (JsonNode i : items) if (i.path("resource").path("key").asText().endsWith("/alices")) return true;
                return false;
            } catch (Exception e) {
                return false;
            }
        });

        TokenFile.write(tokenFile(), before);
        eventually(() -> status(anonymous("/api/v1/pods").header("Authorization", "Bearer " + alice)) == 401);
        assertEquals(200, get("/api/v1/pods").statusCode(), "the other tokens still work");
    }

    int status(HttpRequest.Builder b) {
        try {
            return send(b).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
