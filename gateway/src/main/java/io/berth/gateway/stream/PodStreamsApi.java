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
 * A plain SPDY upgrade (kubectl before 1.30, or with {@code KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false}) is refused
 * with 400 naming the protocols served.
 */
public final class PodStreamsApi {
    public static final List<String> SUBPROTOCOLS = List.of("v5.channel.k8s.io", "v4.channel.k8s.io", SpdyPortForward.PROTOCOL);
    private static final List<String> EXEC_PROTOCOLS = List.of("v5.channel.k8s.io", "v4.channel.k8s.io");
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
        upgrade(ctx, List.of(SpdyPortForward.PROTOCOL, ChannelPortForward.PROTOCOL), (ws, release) -> {
            if (SpdyPortForward.PROTOCOL.equals(ws.subProtocol())) {
                new SpdyPortForward(vertx, ws, name, port -> dialer.dial(t.nodeId(), t.host(), t.port(), "/portforward/" + t.taskId() + "?port=" + port, List.of()),
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

    private interface Session {
        void run(ServerWebSocket ws, Runnable release);
    }

    /** Upgrades to a WebSocket speaking one of {@code protocols} (400 before the upgrade otherwise), within the stream cap. */
    private void upgrade(RoutingContext ctx, List<String> protocols, Session session) {
        String offered = ctx.request().getHeader("Sec-WebSocket-Protocol");
        boolean speaks = offered != null && java.util.Arrays.stream(offered.split(",")).map(String::strip).anyMatch(protocols::contains);
        if (!ctx.request().canUpgradeToWebSocket() || !speaks) {
            throw Status.badRequest("Upgrade request required: Berth serves this over WebSocket with subprotocol " + String.join(" or ", protocols)
                    + " (kubectl 1.30 or later); SPDY upgrades are not served");
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
