package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.schemas.auth.ClusterSecret;
import io.berth.schemas.auth.NodeKeys;
import io.berth.schemas.auth.TokenFile;
import io.berth.schemas.auth.User;
import io.berth.schemas.service.BerthConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Node join (issue 12, item 4): a node join token (group system:bootstrappers, expiring) buys the
 * node's signing key at {@code POST /apis/berth.io/v1/nodes/{name}/join}, and nothing else.
 */
class NodeJoinApiTest extends GatewayApiFixture {
    private byte[] secret;

    @Override
    boolean withStateStreams() {
        return false;
    }

    @Override
    BerthConfig configure(BerthConfig config) {
        try {
            secret = ClusterSecret.readOrCreate(config.dataDir().resolve(ClusterSecret.FILE_NAME));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return config;
    }

    private HttpResponse<String> join(String node, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/apis/berth.io/v1/nodes/" + node + "/join"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int get(String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** Adds a node join token to the gateway's token file and waits until the gateway reads it. */
    private String nodeToken(Instant expires) throws Exception {
        String token = TokenFile.newToken();
        List<TokenFile.Entry> all = new ArrayList<>(TokenFile.read(gateway.tokenFile()));
        all.add(new TokenFile.Entry(token, "system:bootstrap:" + token.substring(0, 6), "", List.of(User.BOOTSTRAPPERS), expires));
        TokenFile.write(gateway.tokenFile(), all);
        return token;
    }

    private void awaitStatus(String node, String token, int code) throws Exception {
        eventually(() -> {
            try {
                return join(node, token).statusCode() == code;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void shouldGiveTheHolderOfANodeJoinTokenTheNodesKey() throws Exception {
        String token = nodeToken(Instant.now().plusSeconds(3600));
        awaitStatus("worker-1", token, 200);
        HttpResponse<String> r = join("worker-1", token);
        JsonNode body = JSON.readTree(r.body());
        assertEquals("NodeJoin", body.path("kind").asText());
        assertEquals("worker-1", body.path("nodeName").asText());
        assertArrayEquals(NodeKeys.nodeKey(secret, "worker-1"), NodeKeys.decodeKey(body.path("key").asText(), "key"),
                "the key state-streams recomputes from the cluster secret");
        assertFalse(r.body().contains(java.util.Base64.getEncoder().encodeToString(secret)), "never the cluster secret itself");
    }

    @Test
    void shouldRefuseAnExpiredJoinToken() throws Exception {
        String live = nodeToken(Instant.now().plusSeconds(3600));
        String expired = nodeToken(Instant.now().minusSeconds(1));
        awaitStatus("worker-2", live, 200); // the file with both tokens is read
        HttpResponse<String> r = join("worker-2", expired);
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("Unauthorized", JSON.readTree(r.body()).path("reason").asText());
    }

    @Test
    void shouldRefuseARevokedJoinToken() throws Exception {
        String token = nodeToken(null);
        awaitStatus("worker-3", token, 200);
        List<TokenFile.Entry> kept = new ArrayList<>(TokenFile.read(gateway.tokenFile()));
        kept.removeIf(e -> e.token().equals(token));
        TokenFile.write(gateway.tokenFile(), kept);
        awaitStatus("worker-3", token, 401);
        assertEquals(401, join("worker-3", token).statusCode());
    }

    @Test
    void shouldRefuseAnyTokenButANodeJoinTokenAndNoToken() throws Exception {
        HttpResponse<String> admin = join("worker-4", TOKEN);
        assertEquals(403, admin.statusCode(), admin.body());
        assertTrue(JSON.readTree(admin.body()).path("message").asText().contains("only a node join token"), admin.body());
        assertEquals(401, join("worker-4", null).statusCode());
        assertEquals(401, join("worker-4", "not-a-token").statusCode());
    }

    @Test
    void shouldLetAJoinTokenDoNothingElse() throws Exception {
        String token = nodeToken(Instant.now().plusSeconds(3600));
        awaitStatus("worker-5", token, 200);
        assertEquals(403, get("/api/v1/pods", token), "a join token cannot read the API");
        assertEquals(403, get("/api/v1/nodes", token));
        HttpResponse<String> bad = join("bad..name-", token);
        assertEquals(400, bad.statusCode(), bad.body());
    }
}
