package io.berth.gateway.stream;

import io.berth.gateway.api.ApiException;
import io.berth.gateway.api.Caps;
import io.berth.gateway.api.Status;
import io.berth.gateway.api.ViewCache;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskView;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * {@code pods/exec} and {@code pods/portforward}, as kube-apiserver serves them to kubectl ≥ 1.30, relayed to the
 * node daemon that runs the pod ({@link NodeDialer}). Authorized before this (RBAC {@code create pods/exec},
 * {@code create pods/portforward}, whatever the method, as Kubernetes' websocket upgrade check does), so here:
 * the pod (404), its node (400 when it has none, as Kubernetes' "does not have a host assigned"), the node's
 * stream port, the cap on streams (429), the upgrade.
 * <ul>
 *   <li>exec: WebSocket, {@code v5.channel.k8s.io} or {@code v4.channel.k8s.io}; the channels are relayed
 *       message by message ({@link Relay}) to the node, which runs {@code docker exec};</li>
 *   <li>port-forward: {@code SPDY/3.1+portforward.k8s.io} (kubectl: SPDY in WebSocket messages,
 *       {@link SpdyPortForward}) or {@code v4.channel.k8s.io} with {@code ?ports=P} (the kubelet's WebSocket
 *       protocol, {@code berth port-forward}: {@link ChannelPortForward}).</li>
 * </ul>
 * A plain SPDY/3.1 upgrade (kubectl before 1.30, or with {@code KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false}) is
 * served on the raw connection: exec with {@code v4.channel.k8s.io} ({@link SpdyExec}), port-forward with
 * {@code portforward.k8s.io} ({@link SpdyPortForward} over a {@link Tunnel} of the socket).
 */
public final class PodStreamsApi {
    public static final List<String> SUBPROTOCOLS = List.of("v5.channel.k8s.io", "v4.channel.k8s.io", SpdyPortForward.PROTOCOL);
    private static final List<String> EXEC_PROTOCOLS = List.of("v5.channel.k8s.io", "v4.channel.k8s.io");
    private static final String SPDY_PORT_FORWARD = "portforward.k8s.io";
    public static final String MAX_STREAMS = "gateway-max-streams";
    public static final String STREAM_IDLE = "gateway-stream-idle-seconds";

    private final Vertx vertx;
    private final ViewCache cache;
    private final NodeDialer dialer;
    private final StreamCaps caps;

    public PodStreamsApi(Vertx vertx, ViewCache cache, NodeDialer dialer, StreamCaps caps) {
        this.vertx = vertx;
        this.cache = cache;
        this.dialer = dialer;
        this.caps = caps;
    }

    public void mount(Router router) {
        for (HttpMethod m : List.of(HttpMethod.GET, HttpMethod.POST)) {
            router.route(m, "/api/v1/namespaces/:ns/pods/:name/exec").handler(this::exec);
            router.route(m, "/api/v1/namespaces/:ns/pods/:name/portforward").handler(this::portForward);
        }
    }

    /** Where a pod's streams go: its task, node and the node's stream server. */
    record Target(String taskId, String nodeId, String host, int port) {}

    private void exec(RoutingContext ctx) {
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name");
        List<String> command = ctx.queryParams().getAll("command");
        if (command.isEmpty() || command.get(0).isEmpty()) throw Status.badRequest("you must specify at least one command for the container");
        if (!flag(ctx, "stdin") && !flag(ctx, "stdout") && !flag(ctx, "stderr")) throw Status.badRequest("you must specify at least 1 of stdin, stdout, stderr");
        Target t = target(ns, name);
        if (isSpdyUpgrade(ctx)) {
            java.util.Set<String> expected = SpdyExec.expectedStreams(flag(ctx, "stdin"), flag(ctx, "stdout"), flag(ctx, "stderr"), flag(ctx, "tty"));
            // the node speaks v5 whatever the client does: its close of channel 0 carries the end of stdin
            String query = ctx.request().query();
            spdyUpgrade(ctx, SpdyExec.PROTOCOL, (socket, release) -> new SpdyExec(vertx, socket, expected, name,
                    () -> dialer.dial(t.nodeId(), t.host(), t.port(), "/exec/" + t.taskId() + (query == null ? "" : "?" + query), List.of("v5.channel.k8s.io")),
                    caps.idleMs(), release).start());
            return;
        }
        upgrade(ctx, EXEC_PROTOCOLS, (ws, release) -> {
            ws.pause();
            String query = ctx.request().query();
            dialer.dial(t.nodeId(), t.host(), t.port(), "/exec/" + t.taskId() + (query == null ? "" : "?" + query), List.of(ws.subProtocol()))
                    .onComplete(ar -> {
                        if (ar.failed()) {
                            JsonObject status = new JsonObject().put("metadata", new JsonObject()).put("status", "Failure")
                                    .put("message", ar.cause().getMessage()).put("reason", "InternalError").put("code", 500);
                            ws.writeBinaryMessage(Buffer.buffer().appendByte((byte) 3).appendString(status.encode()));
                            ws.close();
                            release.run();
                            return;
                        }
                        new Relay(vertx, ws, ar.result(), caps.idleMs(), release).start();
                        ws.resume();
                    });
        });
    }

    private void portForward(RoutingContext ctx) {
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name");
        Target t = target(ns, name);
        if (isSpdyUpgrade(ctx)) {
            spdyUpgrade(ctx, SPDY_PORT_FORWARD, (socket, release) -> new SpdyPortForward(vertx, socket, name,
                    port -> dialer.dial(t.nodeId(), t.host(), t.port(), "/portforward/" + t.taskId() + "?port=" + port, List.of()),
                    caps.idleMs(), release).start());
            return;
        }
        upgrade(ctx, List.of(SpdyPortForward.PROTOCOL, ChannelPortForward.PROTOCOL), (ws, release) -> {
            if (SpdyPortForward.PROTOCOL.equals(ws.subProtocol())) {
                new SpdyPortForward(vertx, Tunnel.of(ws), name, port -> dialer.dial(t.nodeId(), t.host(), t.port(), "/portforward/" + t.taskId() + "?port=" + port, List.of()),
                        caps.idleMs(), release).start();
                return;
            }
            List<String> ports = ctx.queryParams().getAll("ports");
            int port = ports.size() == 1 ? SpdyPortForward.parsePort(ports.get(0).strip()) : -1;
            if (port < 0) {
                ws.close((short) 1008, "ports: exactly one port (1-65535) per WebSocket connection");
                release.run();
                return;
            }
            ChannelPortForward.start(ws, port, name, dialer.dial(t.nodeId(), t.host(), t.port(), "/portforward/" + t.taskId() + "?port=" + port, List.of()), release);
        });
    }

    private interface SpdySession {
        void run(Tunnel socket, Runnable release);
    }

    /** {@code Connection: Upgrade} and {@code Upgrade: SPDY/3.1}: what kubectl before 1.30 sends. */
    static boolean isSpdyUpgrade(RoutingContext ctx) {
        String upgrade = ctx.request().getHeader("Upgrade"), connection = ctx.request().getHeader("Connection");
        return upgrade != null && upgrade.strip().equalsIgnoreCase("SPDY/3.1")
                && connection != null && connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade");
    }

    /** The {@code X-Stream-Protocol-Version}s a client offers, in its order (repeated headers or commas). */
    static List<String> offeredStreamProtocols(RoutingContext ctx) {
        return ctx.request().headers().getAll("X-Stream-Protocol-Version").stream()
                .flatMap(v -> java.util.Arrays.stream(v.split(","))).map(String::strip).filter(v -> !v.isEmpty()).toList();
    }

    /**
     * The plain SPDY/3.1 upgrade of kubectl before 1.30: {@code protocol} must be among the client's
     * {@code X-Stream-Protocol-Version}s (403 naming both sides otherwise, as the kubelet's handshake); then 101
     * with {@code Upgrade: SPDY/3.1} and the protocol chosen, and the raw connection is the session's, within the
     * stream cap. HTTP/2 has no upgrade: such a request is refused with 400.
     */
    private void spdyUpgrade(RoutingContext ctx, String protocol, SpdySession session) {
        List<String> offered = offeredStreamProtocols(ctx);
        if (!offered.contains(protocol)) {
            throw new ApiException(Status.failure(403, "Forbidden", "unable to upgrade: unable to negotiate protocol: client supports "
                    + offered + ", server supports [" + protocol + "]", null, null));
        }
        if (ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_1_1) {
            throw Status.badRequest("a SPDY upgrade needs HTTP/1.1; this request came over " + ctx.request().version());
        }
        Runnable release = caps.acquire();
        io.berth.gateway.api.ReadApi.noIdleTimeout(ctx);
        Tunnel socket = RawUpgrade.switchProtocols(ctx, java.util.Map.of("Connection", "Upgrade", "Upgrade", "SPDY/3.1",
                "X-Stream-Protocol-Version", protocol));
        if (socket == null) {
            release.run();
            throw Status.badRequest("this connection cannot be upgraded to SPDY/3.1");
        }
        session.run(socket, release);
    }

    private interface Session {
        void run(ServerWebSocket ws, Runnable release);
    }

    /** Upgrades to a WebSocket speaking one of {@code protocols} (400 before the upgrade otherwise), within the stream cap. */
    private void upgrade(RoutingContext ctx, List<String> protocols, Session session) {
        String offered = ctx.request().getHeader("Sec-WebSocket-Protocol");
        boolean speaks = offered != null && java.util.Arrays.stream(offered.split(",")).map(String::strip).anyMatch(protocols::contains);
        if (!ctx.request().canUpgradeToWebSocket() || !speaks) {
            throw Status.badRequest("Upgrade request required: a WebSocket with subprotocol " + String.join(" or ", protocols)
                    + " (kubectl 1.30 or later), or Upgrade: SPDY/3.1 (older kubectl)");
        }
        Runnable release = caps.acquire();
        io.berth.gateway.api.ReadApi.noIdleTimeout(ctx); // the stream's own idle timeout applies instead
        ctx.request().toWebSocket().onSuccess(ws -> session.run(ws, release)).onFailure(e -> {
            release.run();
            if (!ctx.response().ended()) ctx.response().setStatusCode(400).end();
        });
    }

    /** The pod's task and node, and where that node's daemon serves streams; 404 / 400 / 503 in Kubernetes' shape otherwise. */
    Target target(String ns, String name) {
        if (!dialer.enabled()) throw new ApiException(Status.failure(503, "ServiceUnavailable",
                "the gateway has no cluster secret (cluster-secret-file): it cannot sign requests to nodes, so exec and port-forward are off", null, null));
        ViewCache.Entry e = cache.get(Topics.TASKS, "Pod", ns, name).orElseThrow(() -> Status.notFound("pods", name));
        TaskView task = (TaskView) e.value();
        if (task.getNodeId() == null || task.getNodeId().isEmpty()) throw Status.badRequest("pod " + name + " does not have a host assigned");
        if (task.getPhase() == TaskPhase.SUCCEEDED || task.getPhase() == TaskPhase.FAILED) {
            throw Status.badRequest("cannot exec into or forward to a container in a completed pod; current phase is " + phase(task.getPhase()));
        }
        NodeView node = cache.byKey(Topics.NODES, task.getNodeId()).map(n -> (NodeView) n.value()).orElse(null);
        if (node == null || node.getDaemonPort() <= 0) {
            throw new ApiException(Status.failure(503, "ServiceUnavailable", "node " + task.getNodeId() + " of pod " + name
                    + " serves no exec or port-forward (its daemon advertises no stream port: a simulated node, an older daemon, or one without a node key)", null, null));
        }
        return new Target(e.key(), task.getNodeId(), node.getAddress().isEmpty() ? "127.0.0.1" : node.getAddress(), node.getDaemonPort());
    }

    private static String phase(TaskPhase p) {
        String s = p.name().toLowerCase(java.util.Locale.ROOT);
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static boolean flag(RoutingContext ctx, String name) {
        String v = ctx.queryParams().get(name);
        return v != null && (v.equalsIgnoreCase("true") || v.equals("1"));
    }
}
