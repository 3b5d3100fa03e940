package io.berth.node.probe;

import io.berth.node.runtime.ContainerRuntime;
import io.berth.schemas.avro.Probe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one probe against a container, never blocking the caller's event loop: HTTP GET and TCP
 * connect on Vert.x clients to the container's IP, exec through {@code docker exec} on a worker
 * pool. Every outcome, including a timeout or an error, is a {@link Result}; the future never fails.
 * Failure messages follow the kubelet's wording.
 */
public final class Prober implements AutoCloseable {
    public record Result(boolean success, String message) {
        static Result ok() {
            return new Result(true, "");
        }

        static Result failed(String message) {
            return new Result(false, message);
        }
    }

    private final Vertx vertx;
    private final HttpClient http;
    private final NetClient tcp;
    private final ContainerRuntime docker;
    private final WorkerExecutor workers;

    public Prober(Vertx vertx, ContainerRuntime docker, String name) {
        this.vertx = vertx;
        this.docker = docker;
        // a fresh connection per probe, as the kubelet does: a pooled one could hide a dead listener
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
                .setDefaultHost("127.0.0.1"));
        this.tcp = vertx.createNetClient(new NetClientOptions());
        this.workers = vertx.createSharedWorkerExecutor("berth-probe-" + name, 4);
    }

    /**
     * @param ip        the container's IP on its network (HTTP and TCP probes)
     * @param defaultPort port to use when the probe names none (the container's first declared port)
     */
    public Future<Result> run(Probe p, String containerId, String ip, int defaultPort, long timeoutMs) {
        int port = p.getPort() > 0 ? p.getPort() : defaultPort;
        Future<Result> f = switch (p.getType()) {
            case HTTP_GET -> httpGet(ip, port, p.getPath(), timeoutMs);
            case TCP_SOCKET -> tcpConnect(ip, port, timeoutMs);
            case EXEC -> exec(containerId, p, timeoutMs);
        };
        return f.recover(err -> Future.succeededFuture(Result.failed(String.valueOf(err.getMessage()))));
    }

    private Future<Result> httpGet(String ip, int port, String path, long timeoutMs) {
        String uri = path == null || path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
        String url = "http://" + ip + ":" + port + uri;
        if (ip == null || ip.isEmpty()) return Future.succeededFuture(Result.failed("Get \"" + url + "\": no IP address for the container"));
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setHost(ip).setPort(port).setURI(uri)
                .setServer(address(ip, port))
                .setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs)
                .putHeader("User-Agent", "berth-probe/1.0").putHeader("Accept", "*/*");
        return http.request(o)
                .compose(req -> req.send())
                .compose(resp -> resp.body().map(body -> resp.statusCode()))
                .timeout(timeoutMs, TimeUnit.MILLISECONDS)
                .map(code -> code >= 200 && code < 400 ? Result.ok() : Result.failed("HTTP probe failed with statuscode: " + code))
                .recover(err -> Future.succeededFuture(Result.failed("Get \"" + url + "\": " + describe(err, "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"))));
    }

    private Future<Result> tcpConnect(String ip, int port, long timeoutMs) {
        String target = "dial tcp " + ip + ":" + port + ": ";
        if (ip == null || ip.isEmpty()) return Future.succeededFuture(Result.failed(target + "no IP address for the container"));
        ConnectOptions o = new ConnectOptions().setRemoteAddress(address(ip, port)).setTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs));
        Future<NetSocket> connecting = tcp.connect(o);
        // a connection that completes after the probe timed out is closed, not leaked
        connecting.onSuccess(sock -> sock.close());
        return connecting
                .timeout(timeoutMs, TimeUnit.MILLISECONDS)
                .map(sock -> Result.ok())
                .recover(err -> Future.succeededFuture(Result.failed(target + describe(err, "i/o timeout"))));
    }

    private Future<Result> exec(String containerId, Probe p, long timeoutMs) {
        if (p.getCommand().isEmpty()) return Future.succeededFuture(Result.failed("exec probe has no command"));
        return workers.executeBlocking(() -> {
            ContainerRuntime.ExecResult r = docker.exec(containerId, p.getCommand(), timeoutMs);
            String cmd = String.join(" ", p.getCommand());
            if (r.timedOut()) return Result.failed("command \"" + cmd + "\" timed out");
            if (r.exitCode() != null && r.exitCode() == 0) return Result.ok();
            String out = r.output().strip();
            return Result.failed(out.isEmpty() ? "command \"" + cmd + "\" exited with " + r.exitCode() : out);
        }, false);
    }

    /**
     * The container's IP is a literal: a resolved address skips Vert.x's DNS resolver (whose lazy
     * creation would cost the event loop hundreds of milliseconds on the first probe).
     */
    private static SocketAddress address(String ip, int port) {
        try {
            return SocketAddress.inetSocketAddress(new InetSocketAddress(InetAddress.getByName(ip), port));
        } catch (UnknownHostException e) {
            return SocketAddress.inetSocketAddress(port, ip);
        }
    }

    private static volatile boolean warm;

    /**
     * Loads, once per JVM and on the calling (worker) thread, what the first probe would otherwise
     * load on an event loop: Netty's channel and HTTP codec classes and its buffer allocator, whose
     * JFR event classes take the JDK's flight-recorder metadata with them (300+ ms on a busy machine).
     */
    public static void warmUp() {
        if (warm) return;
        for (String c : List.of("io.netty.buffer.AllocateChunkEvent", "io.netty.buffer.AllocateBufferEvent",
                "io.netty.buffer.FreeChunkEvent", "io.netty.buffer.FreeBufferEvent", "io.netty.buffer.ReallocateBufferEvent",
                "io.netty.channel.socket.nio.NioSocketChannel", "io.netty.channel.epoll.EpollSocketChannel",
                "io.netty.handler.codec.http.HttpClientCodec", "io.netty.handler.codec.http.HttpObjectEncoder",
                "io.netty.handler.codec.http.HttpObjectDecoder", "io.netty.handler.codec.http.DefaultFullHttpRequest")) {
            try {
                Class.forName(c, true, Prober.class.getClassLoader());
            } catch (Throwable ignored) {
                // not on this Netty version or transport
            }
        }
        try {
            ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(512);
            b.writeBytes(new byte[256]);
            b.release();
        } catch (Throwable ignored) {
            // a warm-up only
        }
        warm = true;
    }

    /**
     * Runs one TCP and one HTTP probe against a local port nobody listens on, from the calling (worker)
     * thread, and waits for both (at most 10 s): the call sites of Vert.x's connect paths are linked here
     * (invokedynamic, lambda forms), not by the first real probe on an event loop, where that linking was
     * seen to take 330–400 ms on a starved machine (ReconcilerVerticleTest at load 5, old and new reconciler alike).
     */
    public void warmUpConnections() {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // released at once: connecting to it is refused
        } catch (java.io.IOException e) {
            return; // a warm-up only
        }
        try {
            Future.join(tcpConnect("127.0.0.1", port, 2000), httpGet("127.0.0.1", port, "/", 2000))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // a warm-up only: refused is the expected outcome
        }
    }

    private static String describe(Throwable err, String timeoutText) {
        if (err instanceof TimeoutException || err instanceof io.netty.channel.ConnectTimeoutException
                || String.valueOf(err.getMessage()).toLowerCase().contains("timed out")) {
            return timeoutText;
        }
        String m = String.valueOf(err.getMessage());
        if (m.toLowerCase().contains("connection refused")) return "connect: connection refused";
        return m;
    }

    @Override
    public void close() {
        http.close();
        tcp.close();
        workers.close();
    }
}
