package io.berth.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.ops.Berth;
import io.berth.ops.Processes;
import io.berth.ops.bench.report.BenchReport;
import io.berth.ops.kafka.EmbeddedKafka;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Berth cluster on this machine as a user starts it, for the benchmarks on the real Docker engine:
 * {@code berth up -d --no-node} in a temporary data dir on free ports, node daemons added with
 * {@code berth node start -d}, the gateway called over HTTP with the kubeconfig's token, and everything
 * stopped by {@link #down} ({@code node stop}, {@code down}, then the pids, then the nodes' containers by label).
 */
final class LocalBerth {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchReport report;
    private final String runId;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    private volatile Path home;
    private String gateway;
    /** node name → its daemon's pid, in the order they joined */
    private final Map<String, Long> nodes = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<Long> pids = new CopyOnWriteArrayList<>();

    LocalBerth(BenchReport report, String runId) {
        this.report = report;
        this.runId = runId;
    }

    boolean started() {
        return home != null;
    }

    Path home() {
        return home;
    }

    /** The node names, in the order they joined. */
    List<String> nodes() {
        synchronized (nodes) {
            return List.copyOf(nodes.keySet());
        }
    }

    long pid(String node) {
        return nodes.get(node);
    }

    /** {@code berth up -d --no-node} on free ports; again on other ports when one was taken meanwhile (a shared machine). */
    void up() throws Exception {
        for (int attempt = 1; ; attempt++) {
            Path dir = Files.createTempDirectory("berth-bench");
            home = dir;
            int gw = EmbeddedKafka.freePort("127.0.0.1");
            gateway = "http://127.0.0.1:" + gw;
            report.progress("berth: up -d --no-node in %s", dir);
            try {
                List<String> args = new ArrayList<>(List.of("up", "-d", "--no-node", "--data-dir", dir.toString(),
                        "--kafka-port", String.valueOf(EmbeddedKafka.freePort("127.0.0.1")),
                        "--registry-port", String.valueOf(EmbeddedKafka.freePort("127.0.0.1")),
                        "--gateway-port", String.valueOf(gw)));
                // -Dbench.set="k=v,k=v": settings for the control plane (berth up --set), to try one against the defaults
                for (String kv : System.getProperty("bench.set", "").split(",")) {
                    if (!kv.isBlank()) args.addAll(List.of("--set", kv.strip()));
                }
                cli(180, args.toArray(String[]::new));
                break;
            } catch (IOException e) {
                if (attempt >= 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) throw e;
                report.progress("berth: a port was taken meanwhile, again on other ports");
                try {
                    cli(120, "down", "--data-dir", dir.toString());
                } catch (Exception ignored) {
                    // it did not start
                }
            }
        }
        try {
            pids.add(io.berth.ops.BerthState.read(home).orElseThrow().pid());
        } catch (Exception e) {
            report.progress("berth: no state file: %s", e.getMessage());
        }
    }

    /** Starts node daemons ({@code <runId>-n1}, {@code -n2} …) until there are {@code count}, each Ready before the next. */
    void ensureNodes(int count) throws Exception {
        while (nodes.size() < count) {
            String node = runId + "-n" + (nodes.size() + 1);
            report.progress("berth: node start --name %s -d", node);
            nodes.put(node, -1L);
            String out = cli(120, "node", "start", "--name", node, "-d", "--data-dir", home.toString());
            String[] lines = out.strip().split("\n");
            long pid = Long.parseLong(lines[lines.length - 1].strip());
            nodes.put(node, pid);
            pids.add(pid);
            awaitReady(node, 60_000);
        }
    }

    /** Waits until the gateway shows {@code node} Ready (the scheduler places only on nodes it has seen a heartbeat from). */
    void awaitReady(String node, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!nodeReady(node)) {
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("node " + node + " not Ready after " + timeoutMs / 1000 + " s");
            Thread.sleep(200); // polling interval: one local GET per sample
        }
    }

    boolean nodeReady(String node) {
        try {
            for (JsonNode n : call("GET", "/api/v1/nodes", null, null).path("items")) {
                if (!n.path("metadata").path("name").asText().equals(node)) continue;
                for (JsonNode c : n.path("status").path("conditions")) {
                    if (c.path("type").asText().equals("Ready") && c.path("status").asText().equals("True")) return true;
                }
            }
        } catch (Exception ignored) {
            // not serving yet
        }
        return false;
    }

    /** The node daemon's log ({@code berth node start -d} writes it into the data dir). */
    Path nodeLog(String node) {
        return home.resolve("node-" + node + ".log");
    }

    JsonNode call(String method, String path, String body, String contentType) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(30));
        io.berth.ops.kubectl.Kubeconfig.token(home.resolve("kubeconfig")).ifPresent(t -> b.header("Authorization", "Bearer " + t));
        if (contentType != null) b.header("Content-Type", contentType);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IOException(method + " " + path + ": " + r.statusCode() + " " + r.body());
        return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    /** Runs the berth CLI as a user would (a separate JVM), with the cluster's data dir as BERTH_HOME. */
    String cli(long timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Processes.javaBin()));
        cmd.addAll(Processes.withGc("-Xmx512m")); // `berth up -d` passes them on to the control plane it starts
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Berth.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (home != null) pb.environment().put("BERTH_HOME", home.toString());
        return RealDockerBenchmark.run(pb, timeoutSeconds, "berth " + String.join(" ", args));
    }

    /** Stops every node and the control plane, kills what is left by pid, removes the nodes' containers; idempotent. */
    synchronized void down() {
        if (home == null) return;
        for (String node : nodes()) {
            try {
                cli(60, "node", "stop", "--name", node, "--data-dir", home.toString());
            } catch (Exception e) {
                report.progress("berth: node stop %s: %s", node, e.getMessage());
            }
        }
        try {
            cli(120, "down", "--data-dir", home.toString());
        } catch (Exception e) {
            report.progress("berth: down: %s", e.getMessage());
        }
        for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        for (String node : nodes()) RealDockerBenchmark.removeByLabel(report, "berth.node=" + node);
        // its data dir too (the broker's log, the logs of every process: ~20 MB a run); -Dbench.keepData=true keeps it
        if (Boolean.getBoolean("bench.keepData")) {
            report.progress("berth: data kept in %s", home);
        } else {
            Placement.deleteTree(home.toFile());
        }
        home = null;
    }
}
