package io.berth.gateway.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.schemas.auth.NodeKeys;
import io.berth.schemas.auth.User;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Pattern;

/**
 * {@code POST /apis/berth.io/v1/nodes/{name}/join}: a node presents a node join token
 * ({@code berth token create --node}: group {@code system:bootstrappers}, expiring) and receives the
 * key it signs its records with, {@code HMAC-SHA256(cluster secret, node)} ({@link NodeKeys#nodeKey}).
 * The {@link Guard} authenticates the token (unknown, revoked or expired: 401) and lets a join token
 * reach this route only; here any other principal is 403. Without a cluster secret nobody can join (503).
 * The answer holds the node key and nothing else: never the Secrets' encryption key. A node reads the
 * Secrets of its own pods from the gateway, with requests signed by that key ({@link io.berth.gateway.rbac.NodeAuthorizer}).
 */
public final class NodeJoinApi {
    public static final String PATH = "/apis/berth.io/v1/nodes/:name/join";
    private static final Logger LOG = LoggerFactory.getLogger(NodeJoinApi.class);
    /** Node ids as Berth uses them (host names, Kubernetes node names): letters, digits, '.', '-', '_'. */
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?");

    private final byte[] clusterSecret;

    /** @param clusterSecret null when the control plane has none: every join is then 503 */
    public NodeJoinApi(byte[] clusterSecret) {
        this.clusterSecret = clusterSecret == null ? null : clusterSecret.clone();
    }

    /** Whether {@code path} is the join route (the one route a join token may use). */
    static boolean isJoin(String path) {
        return path.startsWith("/apis/berth.io/v1/nodes/") && path.endsWith("/join")
                && path.substring("/apis/berth.io/v1/nodes/".length(), path.length() - "/join".length()).indexOf('/') < 0;
    }

    public void mount(Router router) {
        router.post(PATH).handler(this::handleJoin);
    }

    private void handleJoin(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        User user = Guard.user(ctx);
        if (!user.isBootstrapper()) {
            ReadApi.json(ctx, 403, Status.failure(403, "Forbidden", "nodes \"" + name + "\" is forbidden: User \"" + user.name()
                    + "\" cannot join a node: only a node join token (group " + User.BOOTSTRAPPERS + ", berth token create --node) can", "nodes", name));
            return;
        }
        if (name == null || !NODE_NAME.matcher(name).matches()) {
            ReadApi.json(ctx, 400, Status.failure(400, "BadRequest", "name: \"" + name
                    + "\" is not a valid node name (letters, digits, '.', '-', '_', starting and ending with a letter or digit, at most 253)", "nodes", name));
            return;
        }
        if (clusterSecret == null) {
            ReadApi.json(ctx, 503, Status.failure(503, "ServiceUnavailable",
                    "this control plane has no cluster secret (cluster-secret-file): it issues no node keys", "nodes", name));
            return;
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("kind", "NodeJoin").put("apiVersion", "berth.io/v1").put("nodeName", name)
                .put("key", NodeKeys.encodeKey(NodeKeys.nodeKey(clusterSecret, name)))
                .put("signature", "HMAC-SHA256(key, topic 0x00 key 0x00 SHA-256(value)) in header " + NodeKeys.SIG_HEADER
                        + ", node id in " + NodeKeys.NODE_HEADER);
        LOG.info("node {} joined with a join token of {}", name, user.name());
        ReadApi.json(ctx, 200, body);
    }
}
