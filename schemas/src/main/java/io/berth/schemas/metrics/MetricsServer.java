package io.berth.schemas.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A small HTTP listener serving {@code GET /metrics} (the {@link ProcessMetrics} registry) for a process that
 * has no HTTP server of its own: a state-streams, scheduler, node daemon or registry process. It listens on
 * {@code metrics-host} (default the loopback, as kube-scheduler's and kube-controller-manager's metrics
 * default to: the series name pods and nodes) and {@code metrics-port} (default 0: any free port, printed at
 * start; -1: none).
 */
public final class MetricsServer implements AutoCloseable {
    public static final String PORT = "metrics-port", HOST = "metrics-host";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    private final HttpServer http;

    private MetricsServer(HttpServer http) {
        this.http = http;
    }

    /** Starts listening; {@code port} 0 is any free port. */
    public static MetricsServer start(String host, int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 16);
        http.createContext("/", MetricsServer::handle);
        http.setExecutor(java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "berth-metrics-http");
            t.setDaemon(true);
            return t;
        }));
        http.start();
        LOG.info("metrics at http://{}:{}/metrics", host, http.getAddress().getPort());
        return new MetricsServer(http);
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** The scrape URL, e.g. {@code http://127.0.0.1:40123/metrics}. */
    public String url() {
        String host = http.getAddress().getHostString();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/metrics";
    }

    private static void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!"/metrics".equals(path)) {
                reply(ex, 404, "text/plain; charset=utf-8", "404 page not found\n");
            } else if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().add("Allow", "GET, HEAD");
                reply(ex, 405, "text/plain; charset=utf-8", "405 method not allowed\n");
            } else {
                ProcessMetrics.Scrape s = ProcessMetrics.scrape(ex.getRequestHeaders().getFirst("Accept"));
                reply(ex, 200, s.contentType(), "HEAD".equals(ex.getRequestMethod()) ? null : s.body());
            }
        } catch (RuntimeException e) {
            LOG.warn("metrics scrape failed", e);
            throw e;
        }
    }

    private static void reply(HttpExchange ex, int code, String type, String body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, body == null ? -1 : bytes.length);
        if (body != null) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        http.stop(0);
        if (http.getExecutor() instanceof java.util.concurrent.ExecutorService e) e.shutdownNow();
    }
}
