package io.berth.node.stream;

import io.berth.node.docker.DockerRuntime;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node daemon's stream server (the kubelet's streaming server): {@code GET /exec/<task>?command=…} and
 * {@code GET /portforward/<task>?port=P}, each upgraded to a WebSocket, for the pods this node runs. Only the
 * gateway may call it: every request carries {@code Authorization: BerthGateway …}, signed with this node's key
 * ({@link GatewayRequests}); anything else is 401. A task this node does not run is 404. The gateway relays
 * kubectl's exec channels unchanged (the same subprotocol) and one forwarded TCP connection per WebSocket.
 * Bounded: at most {@code node-stream-max-sessions} at once (429 beyond), idle connections closed after
 * {@code node-stream-idle-seconds}.
 */
public final class StreamServerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(StreamServerVerticle.class);
    public static final List<String> EXEC_PROTOCOLS = List.of("v5.channel.k8s.io", "v4.channel.k8s.io");

    /** @param dockerHost the engine's socket ({@code unix://…}, {@code tcp://…}): an exec with stdin talks to it directly */
    public record Settings(String host, int port, int maxSessions, int idleSeconds, String dockerHost) {}

    private final String nodeId;
    private final DockerRuntime docker;
    private final GatewayRequests auth;
    private final Settings settings;
    private final AtomicInteger sessions = new AtomicInteger();
    private HttpServer server;
    private WorkerExecutor worker;

    public StreamServerVerticle(String nodeId, DockerRuntime docker, GatewayRequests auth, Settings settings) {
        this.nodeId = nodeId;
        this.docker = docker;
        this.auth = auth;
        this.settings = settings;
    }

    /** Where to listen by default: the node's address when it is an IP literal, else every address. */
    public static String defaultHost(String nodeAddress) {
        return nodeAddress.matches("[0-9.]+|.*:.*") ? nodeAddress : "0.0.0.0";
    }

    @Override
    public Future<?> start() {
        worker = vertx.createSharedWorkerExecutor("berth-streams-" + nodeId, 4);
        HttpServerOptions options = new HttpServerOptions().setWebSocketSubProtocols(EXEC_PROTOCOLS)
                .setIdleTimeout(settings.idleSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setMaxWebSocketMessageSize(16 << 20);
        return vertx.createHttpServer(options).requestHandler(this::handle).listen(settings.port(), settings.host())
                .onSuccess(s -> {
                    server = s;
                    LOG.info("node {}: stream server (exec, port-forward) on {}:{}", nodeId, settings.host(), s.actualPort());
                });
    }

    @Override
    public Future<?> stop() {
        if (worker != null) worker.close();
        return server == null ? Future.succeededFuture() : server.close();
    }

    /** The port it listens on, once started. */
    public int port() {
        return server == null ? -1 : server.actualPort();
    }

    /** Sessions open now (tests). */
    public int sessions() {
        return sessions.get();
    }

    private void handle(HttpServerRequest req) {
        String[] parts = req.path().split("/");
        if (parts.length != 3 || !(parts[1].equals("exec") || parts[1].equals("portforward")) || parts[2].isEmpty()) {
            answer(req, 404, "not found: the node's stream server serves /exec/<pod> and /portforward/<pod>");
            return;
        }
        Optional<String> refused = auth.refusal(req.getHeader("Authorization"), req.method().name(), req.uri());
        if (refused.isPresent()) {
            LOG.warn("node {}: refused a stream request from {}: {}", nodeId, req.remoteAddress(), refused.get());
            answer(req, 401, "Unauthorized: " + refused.get());
            return;
        }
        if (!req.canUpgradeToWebSocket()) {
            answer(req, 400, "Upgrade request required");
            return;
        }
        if (sessions.incrementAndGet() > settings.maxSessions()) {
            sessions.decrementAndGet();
            answer(req, 429, "node " + nodeId + " has " + settings.maxSessions() + " streams open (node-stream-max-sessions): try again later");
            return;
        }
        AtomicInteger released = new AtomicInteger();
        Runnable release = () -> {
            if (released.getAndIncrement() == 0) sessions.decrementAndGet();
        };
        String task = parts[2];
        Map<String, List<String>> query = query(req);
        req.pause();
        try {
            if (parts[1].equals("exec")) exec(req, task, ExecRequest.parse(query), release);
            else portForward(req, task, port(query), release);
        } catch (IllegalArgumentException e) {
            release.run();
            answer(req, 400, e.getMessage());
        }
    }

    private void exec(HttpServerRequest req, String task, ExecRequest exec, Runnable release) {
        worker.executeBlocking(() -> docker.streamTarget(task, exec.container()), false).onComplete(ar -> {
            if (refuse(req, task, ar, release)) return;
            DockerRuntime.StreamTarget target = ar.result().get();
            req.toWebSocket().onSuccess(ws -> new ExecSession(vertx, worker, docker.client(), docker.streams(), settings.dockerHost(), ws, target.containerId(), exec, release).start())
                    .onFailure(e -> release.run());
        });
    }

    private void portForward(HttpServerRequest req, String task, int port, Runnable release) {
        worker.executeBlocking(() -> docker.streamTarget(task, ""), false).onComplete(ar -> {
            if (refuse(req, task, ar, release)) return;
            String ip = ar.result().get().podIp();
            if (ip.isEmpty()) {
                release.run();
                answer(req, 502, "error forwarding port " + port + " to pod " + task + ": the pod has no IP");
                return;
            }
            vertx.createNetClient(new NetClientOptions().setConnectTimeout(5000)).connect(port, ip).onComplete(conn -> {
                if (conn.failed()) {
                    release.run();
                    answer(req, 502, "error forwarding port " + port + " to pod " + task + ": dial tcp " + ip + ":" + port + ": " + conn.cause().getMessage());
                    return;
                }
                NetSocket socket = conn.result();
                req.toWebSocket().onSuccess(ws -> relay(ws, socket, release)).onFailure(e -> {
                    socket.close();
                    release.run();
                });
            });
        });
    }

    /** Bytes both ways, with back-pressure; either side closing closes the other. */
    private static void relay(ServerWebSocket ws, NetSocket socket, Runnable release) {
        ws.pipeTo(socket).onComplete(v -> socket.close());
        socket.pipeTo(ws).onComplete(v -> ws.close());
        ws.closeHandler(v -> {
            socket.close();
            release.run();
        });
        socket.closeHandler(v -> {
            ws.close();
            release.run();
        });
    }

    /** Answers a failed lookup (404: not this node's pod; 400: no such container or not running; 500: Docker); true when refused. */
    private boolean refuse(HttpServerRequest req, String task, io.vertx.core.AsyncResult<Optional<DockerRuntime.StreamTarget>> ar, Runnable release) {
        if (ar.succeeded() && ar.result().isPresent()) return false;
        release.run();
        if (ar.succeeded()) answer(req, 404, "pod " + task + " does not run on node " + nodeId);
        else if (ar.cause() instanceof IllegalArgumentException e) answer(req, 400, e.getMessage());
        else answer(req, 500, "the container runtime failed: " + ar.cause().getMessage());
        return true;
    }

    static int port(Map<String, List<String>> query) {
        List<String> ports = query.getOrDefault("port", List.of());
        String p = ports.isEmpty() ? "" : ports.get(0);
        if (!p.matches("[0-9]{1,5}") || Integer.parseInt(p) < 1 || Integer.parseInt(p) > 65535) {
            throw new IllegalArgumentException("port: Invalid value: \"" + p + "\": must be between 1 and 65535, inclusive");
        }
        return Integer.parseInt(p);
    }

    private static Map<String, List<String>> query(HttpServerRequest req) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String name : req.params().names()) m.put(name, new ArrayList<>(req.params().getAll(name)));
        return m;
    }

    private static void answer(HttpServerRequest req, int status, String message) {
        req.resume();
        if (req.response().ended()) return;
        req.response().setStatusCode(status).putHeader("content-type", "text/plain; charset=utf-8").end(message);
    }
}
