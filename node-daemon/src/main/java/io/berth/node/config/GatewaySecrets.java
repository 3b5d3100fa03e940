package io.berth.node.config;

import io.berth.schemas.auth.NodeKeys;
import io.vertx.core.json.JsonObject;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The kubelet's secret manager, without a cache: the values of a Secret one of this node's pods needs,
 * read from the gateway as this node ({@code GET /api/v1/namespaces/NS/secrets/NAME?pod=TASK}, signed with
 * the node key: {@link NodeKeys#authorization}), over the gateway's TLS when it serves HTTPS. The gateway's
 * Node authorizer answers only for a pod assigned to this node that references the Secret, with only the
 * keys that pod references. The values live in the answer and the caller's memory, never in a log line.
 * Blocking: call on a worker.
 */
public final class GatewaySecrets {
    private final String gatewayUrl;
    private final String nodeId;
    private final byte[] nodeKey;
    private final HttpClient http;
    private final LongSupplier clock;

    /** @param ssl what an https gateway's certificate is checked against (null: the JVM's trust store) */
    public GatewaySecrets(String gatewayUrl, String nodeId, byte[] nodeKey, SSLContext ssl, LongSupplier clock) {
        this.gatewayUrl = gatewayUrl.replaceAll("/+$", "");
        this.nodeId = nodeId;
        this.nodeKey = nodeKey.clone();
        this.clock = clock;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
        if (ssl != null) b.sslContext(ssl);
        this.http = b.build();
    }

    /** A Secret's values the gateway cannot or will not give: the pod waits with CreateContainerConfigError, this message. */
    public static final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The (decoded) values of Secret {@code namespace/name} for pod {@code taskId}; empty when it does not exist;
     * {@link Unavailable} when the gateway is unreachable or refuses (401, 403, anything else), naming why.
     */
    public Optional<Map<String, byte[]>> get(String namespace, String name, String taskId) {
        String target = "/api/v1/namespaces/" + enc(namespace) + "/secrets/" + enc(name) + "?pod=" + enc(taskId);
        HttpRequest req = HttpRequest.newBuilder(URI.create(gatewayUrl + target)).timeout(Duration.ofSeconds(40))
                .header("Authorization", NodeKeys.authorization(nodeId, nodeKey, "GET", target, clock.getAsLong()))
                .header("Accept", "application/json").GET().build();
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unavailable(couldNotGet(namespace, name) + "the gateway at " + gatewayUrl + " is unreachable (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable(couldNotGet(namespace, name) + "interrupted");
        }
        if (resp.statusCode() == 404) return Optional.empty();
        JsonObject body;
        try {
            body = new JsonObject(resp.body());
        } catch (RuntimeException e) {
            body = null;
        }
        if (resp.statusCode() != 200 || body == null) {
            String message = body != null && body.getString("message") != null ? body.getString("message") : "HTTP " + resp.statusCode();
            if (resp.statusCode() == 401) message += " (the gateway does not accept this node's key: did it join this control plane?)";
            throw new Unavailable(couldNotGet(namespace, name) + message);
        }
        Map<String, byte[]> values = new HashMap<>();
        JsonObject data = body.getJsonObject("data", new JsonObject());
        for (String k : data.fieldNames()) values.put(k, Base64.getDecoder().decode(data.getString(k)));
        return Optional.of(values);
    }

    /** The kubelet's prefix: {@code couldn't get secret default/db: }. */
    private static String couldNotGet(String namespace, String name) {
        return "couldn't get secret " + namespace + "/" + name + ": ";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
