package io.berth.node.join;

import io.berth.node.bus.NodeSigner;
import io.berth.schemas.auth.ClusterSecret;
import io.berth.schemas.auth.NodeKeys;
import io.berth.schemas.service.BerthConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a daemon gets its credential, the key it signs its records and its requests to the gateway (its
 * pods' Secrets) with, in this order:
 * <ol>
 *   <li>{@code node-key}: the key itself (base64), as a join printed it;</li>
 *   <li>{@code join-token}: joins: {@code POST <gateway-url>/apis/berth.io/v1/nodes/<node>/join} with the token
 *       (from {@code berth token create --node}) as bearer; the gateway answers with the node's key. A refusal
 *       (unknown, revoked or expired token, not a node token) fails the start with the gateway's reason;</li>
 *   <li>{@code cluster-secret-file}: derives it from the cluster secret (the control plane's own local node,
 *       {@code berth node start} on the control-plane machine);</li>
 *   <li>none: unsigned, with a loud warning (fixtures whose control plane checks nothing); no Secrets.</li>
 * </ol>
 * A join answer holds the node key only: a node never receives the Secrets' encryption key.
 */
public final class NodeJoin {
    private static final Logger LOG = LoggerFactory.getLogger(NodeJoin.class);
    public static final String DEFAULT_GATEWAY = "http://127.0.0.1:7070";

    private NodeJoin() {}

    /** The signer of node {@code nodeId} ({@link #nodeKey}; unsigned without a credential); throws {@link JoinRefused} with the reason when a join is refused. */
    public static NodeSigner signer(BerthConfig config, String nodeId) throws IOException, InterruptedException {
        return signer(nodeId, nodeKey(config, nodeId));
    }

    /** The signer of a node whose key is {@code key} (empty: unsigned, with a loud warning). */
    public static NodeSigner signer(String nodeId, java.util.Optional<byte[]> key) {
        if (key.isPresent()) return NodeSigner.of(nodeId, key.get());
        LOG.warn("node {}: NO NODE CREDENTIAL (join-token, node-key or cluster-secret-file): its records go unsigned, "
                + "and a control plane with a cluster secret refuses every one of them", nodeId);
        return NodeSigner.none();
    }

    /**
     * The node's credential, from the settings in the order above (a join happens here): the key it signs its
     * records and its requests to the gateway with; empty when it has none.
     */
    public static java.util.Optional<byte[]> nodeKey(BerthConfig config, String nodeId) throws IOException, InterruptedException {
        String key = config.get("node-key", null);
        if (key != null) return java.util.Optional.of(NodeKeys.decodeKey(key, "node-key"));
        String token = config.get("join-token", null);
        if (token != null) return java.util.Optional.of(join(gatewayUrl(config), nodeId, token, gatewayTrust(config)));
        String secretFile = config.get(ClusterSecret.CONFIG_KEY, null);
        if (secretFile != null) {
            byte[] secret = ClusterSecret.read(Path.of(secretFile))
                    .orElseThrow(() -> new IllegalStateException(ClusterSecret.CONFIG_KEY + ": " + secretFile + " does not exist"));
            return java.util.Optional.of(NodeKeys.nodeKey(secret, nodeId));
        }
        return java.util.Optional.empty();
    }

    /** The gateway this node joins through and reads its pods' Secrets from: {@code gateway-url}, default {@value #DEFAULT_GATEWAY}. */
    public static String gatewayUrl(BerthConfig config) {
        return config.get("gateway-url", DEFAULT_GATEWAY).replaceAll("/+$", "");
    }

    /**
     * What an https gateway's certificate is checked against: {@code gateway-ca-file} (PEM), else the
     * {@code registry-ca-file} ({@code berth up --tls} signs both with one CA); null: the JVM's trust store.
     */
    public static javax.net.ssl.SSLContext gatewayTrust(BerthConfig config) throws IOException {
        String ca = config.get("gateway-ca-file", config.get(io.berth.schemas.tls.Tls.REGISTRY_CA_FILE, null));
        return ca == null || ca.isBlank() ? null : io.berth.schemas.tls.Tls.trusting(java.nio.file.Files.readString(Path.of(ca)));
    }

    /** Joins through the gateway: the node's key, or {@link JoinRefused} naming why not. */
    public static byte[] join(String gatewayUrl, String nodeId, String token) throws IOException, InterruptedException {
        return join(gatewayUrl, nodeId, token, null);
    }

    /** @param ssl what an https gateway's certificate is checked against ({@code gateway-ca-file}; null: the JVM's trust store) */
    public static byte[] join(String gatewayUrl, String nodeId, String token, javax.net.ssl.SSLContext ssl) throws IOException, InterruptedException {
        String url = gatewayUrl.replaceAll("/+$", "") + "/apis/berth.io/v1/nodes/" + URLEncoder.encode(nodeId, StandardCharsets.UTF_8) + "/join";
        HttpClient.Builder hb = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10));
        if (ssl != null) hb.sslContext(ssl);
        HttpClient http = hb.build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token.strip()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new JoinRefused("node " + nodeId + " could not join: the gateway at " + gatewayUrl + " is unreachable (" + e + ")");
        }
        io.vertx.core.json.JsonObject body;
        try {
            body = new io.vertx.core.json.JsonObject(resp.body());
        } catch (RuntimeException e) {
            body = null;
        }
        if (resp.statusCode() != 200 || body == null || body.getString("key") == null) {
            String message = body != null && body.getString("message") != null ? body.getString("message") : resp.body();
            throw new JoinRefused("node " + nodeId + " was refused by " + gatewayUrl + ": " + resp.statusCode() + " " + message
                    + (resp.statusCode() == 401 ? " (the join token is unknown, revoked or expired: create one with 'berth token create --node')" : ""));
        }
        LOG.info("node {} joined through {}", nodeId, gatewayUrl);
        return NodeKeys.decodeKey(body.getString("key"), "key");
    }

    /** A join the gateway refused: its message is the reason the daemon exits with. */
    public static final class JoinRefused extends IllegalStateException {
        public JoinRefused(String message) {
            super(message);
        }
    }
}
