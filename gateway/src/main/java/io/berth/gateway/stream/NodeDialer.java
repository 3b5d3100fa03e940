package io.berth.gateway.stream;

import io.berth.schemas.auth.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Opens a WebSocket to a node daemon's stream server, signed as the gateway for that node
 * ({@code Authorization: BerthGateway <node>:<millis>:<HMAC(node key, method, target, millis)>}; the node key
 * derived from the cluster secret, as at join). A refusal before the upgrade fails the future with the node's
 * own message ({@link NodeRefused}).
 */
public final class NodeDialer {
    private final byte[] clusterSecret;
    private final LongSupplier clock;
    private final WebSocketClient client;

    public NodeDialer(Vertx vertx, byte[] clusterSecret, LongSupplier clock) {
        this.clusterSecret = clusterSecret == null ? null : clusterSecret.clone();
        this.clock = clock;
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(5000)
                .setMaxMessageSize(16 << 20).setIdleTimeout(0));
    }

    /** Whether nodes can be reached at all (the gateway holds the cluster secret their keys derive from). */
    public boolean enabled() {
        return clusterSecret != null;
    }

    /** A node's refusal (or unreachability), with the HTTP status to answer and what the node said. */
    public static final class NodeRefused extends RuntimeException {
        public final int status;

        NodeRefused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** Connects to {@code target} (path and query) on node {@code nodeId} at {@code host:port}, offering {@code protocols}. */
    public Future<WebSocket> dial(String nodeId, String host, int port, String target, List<String> protocols) {
        byte[] key = NodeKeys.nodeKey(clusterSecret, nodeId);
        WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(host).setPort(port).setURI(target)
                .setSubProtocols(protocols.isEmpty() ? null : protocols)
                .putHeader("Authorization", NodeKeys.gatewayAuthorization(nodeId, key, "GET", target, clock.getAsLong()));
        return client.connect(o).recover(e -> {
            if (e instanceof UpgradeRejectedException r) {
                String body = r.getBody() == null ? "" : r.getBody().toString().strip();
                int status = r.getStatus() == 401 || r.getStatus() >= 500 ? 502 : r.getStatus();
                return Future.failedFuture(new NodeRefused(status, body.isEmpty() ? "node " + nodeId + " answered " + r.getStatus() : body));
            }
            return Future.failedFuture(new NodeRefused(502, "node " + nodeId + " at " + host + ":" + port + " is unreachable: " + e.getMessage()));
        });
    }

    public Future<Void> close() {
        return client.close();
    }
}
