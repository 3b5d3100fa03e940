package io.berth.ops.e2e;

import io.berth.ops.kafka.EmbeddedKafka;
import io.berth.schemas.metrics.Promtool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 16, Prometheus metrics, on real Kafka and the real Docker engine: {@code berth up} in-process (one registry
 * for every component, served at the gateway's {@code /metrics}) rolls a Deployment out through the API (an apply,
 * then the strategic-merge patch {@code kubectl set env} sends); scrapes during and after the rollout see the API
 * requests, the open watch, the intents, the reconciles and the available replicas move, and the node's containers
 * and heartbeat, and promtool accepts them. A scheduler started as its own process ({@code berth scheduler}) serves its own {@code /metrics}, which
 * promtool accepts too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class MetricsE2ETest {
    private OneNodeBerth berth;
    private Process scheduler;
    private Path schedulerDir;
    private final HttpClient http = HttpClient.newHttpClient();

    static final String WEB = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 1
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: web
                    image: berth/busybox:latest
                    command: ["sh", "-c", "trap 'exit 0' TERM; while sleep 1; do :; done"]
            """;

    @BeforeAll
    void start() throws Exception {
        berth = OneNodeBerth.start("berth-metrics", "prom-");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (scheduler != null) {
                scheduler.destroy(); // SIGTERM: its shutdown hook stops the service
                if (!scheduler.waitFor(30, TimeUnit.SECONDS)) scheduler.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            try {
                if (berth != null) berth.close();
            } finally {
                if (schedulerDir != null) io.berth.ops.TestSupport.deleteTree(schedulerDir);
            }
        }
    }

    @Test
    void aRolloutMovesTheCountersAndEveryEndpointPassesPromtool() throws Exception {
        // a scheduler as its own process, started now to overlap its start with the rollout: a second member of the
        // group, it may take placement partitions from the in-process one (the placements are counted in both)
        int schedulerMetrics = EmbeddedKafka.freePort("127.0.0.1");
        schedulerDir = Files.createTempDirectory("berth-metrics-scheduler");
        Path ready = schedulerDir.resolve("ready");
        scheduler = new ProcessBuilder(BerthProcess.command("scheduler", "--data-dir", schedulerDir.toString(),
                "--bootstrap-servers", berth.up.bootstrapServers(), "--registry-url", berth.up.registryUrl(),
                "--set", "replication-factor=1", "--set", "metrics-port=" + schedulerMetrics, "--ready-file", ready.toString()))
                .redirectErrorStream(true).redirectOutput(schedulerDir.resolve("log").toFile()).start();

        String before = scrape();
        assertFalse(before.contains("deployment=\"web\""), "no series of a Deployment that does not exist");
        assertTrue(before.contains("jvm_memory_used_bytes"), "JVM metrics");
        assertTrue(before.contains("kafka_consumer_fetch_manager_records_lag_max"), "the Streams apps' consumer lag");

        // apply, then change the pod template (what kubectl set env sends): a rollout to revision 2
        HttpResponse<String> applied = send("POST", "/apis/berth.io/v1/apply", "application/yaml", WEB);
        assertTrue(applied.statusCode() < 300, applied.body());
        String afterApply = scrape();
        try (Watch watch = new Watch("/apis/apps/v1/namespaces/default/deployments?watch=true")) {
            HttpResponse<String> patched = send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web", "application/strategic-merge-patch+json",
                    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"env\":[{\"name\":\"MODE\",\"value\":\"two\"}]}]}}}}");
            assertEquals(200, patched.statusCode(), patched.body());
            String during = scrape(); // the rollout is under way: whatever it shows must be valid
            assertTrue(value(during, "apiserver_longrunning_requests", "verb=\"WATCH\"") >= 1, "the open watch");
            Promtool.assertValid("the all-in-one's /metrics during a rollout", during);
        }
        String[] after = new String[1];
        Await.until("the rollout done, as kube-state-metrics' series show it", Duration.ofSeconds(60), () -> {
            after[0] = scrape();
            return value(after[0], "kube_deployment_status_observed_generation", "deployment=\"web\"") == 2.0
                    && value(after[0], "kube_deployment_status_replicas_available", "deployment=\"web\"") == 1.0
                    && value(after[0], "kube_deployment_status_replicas_updated", "deployment=\"web\"") == 1.0
                    && value(after[0], "kube_deployment_status_replicas", "deployment=\"web\"") == 1.0
                    && value(after[0], "kube_pod_status_phase", "phase=\"Running\"") == 1.0;
        }, () -> after[0].lines().filter(l -> l.startsWith("kube_")).toList());
        String m = after[0];
        Promtool.assertValid("the all-in-one's /metrics after a rollout", m);

        assertTrue(value(m, "apiserver_request_total", "verb=\"PATCH\"", "resource=\"deployments\"", "code=\"200\"") >= 1, "the change was a PATCH");
        assertTrue(value(m, "apiserver_request_total") > value(before, "apiserver_request_total"), "requests counted");
        assertTrue(value(m, "apiserver_request_total", "verb=\"WATCH\"", "resource=\"deployments\"") >= 1, "the watch, counted once it ended");
        assertTrue(value(m, "berth_intents_total", "result=\"accepted\"", "kind=\"Deployment\"")
                > value(afterApply, "berth_intents_total", "result=\"accepted\"", "kind=\"Deployment\""), "the change was an intent");
        assertTrue(value(m, "berth_reconcile_total", "kind=\"deployment\"") > value(afterApply, "berth_reconcile_total", "kind=\"deployment\""),
                "the rollout was reconciled");
        assertTrue(value(m, "berth_node_containers", "node=\"" + berth.node + "\"", "state=\"running\"") >= 1, "the node's running container");
        double age = value(m, "berth_node_heartbeat_age_seconds", "node=\"" + berth.node + "\"");
        assertTrue(age >= 0 && age < 10, "a fresh heartbeat, was " + age);
        assertTrue(value(m, "kube_node_status_condition", "node=\"" + berth.node + "\"", "condition=\"Ready\"", "status=\"true\"") == 1.0);

        // the scheduler process: its own listener, its own registry
        Await.until("the scheduler process ready", Duration.ofSeconds(60), () -> Files.exists(ready) || !scheduler.isAlive(),
                () -> Files.readString(schedulerDir.resolve("log")));
        assertTrue(scheduler.isAlive(), Files.readString(schedulerDir.resolve("log")));
        assertTrue(Files.readString(schedulerDir.resolve("log")).contains("metrics: http://127.0.0.1:" + schedulerMetrics + "/metrics"));
        HttpResponse<String> own = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + schedulerMetrics + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, own.statusCode());
        assertTrue(own.body().contains("kafka_consumer_fetch_manager_records_lag_max"), "its Streams client's consumer lag");
        assertFalse(own.body().contains("apiserver_request_total"), "a process of its own: not the all-in-one's registry");
        Promtool.assertValid("a scheduler process's /metrics", own.body());
        double placed = value(scrape(), "berth_placements_total", "result=\"placed\"") + value(own.body(), "berth_placements_total", "result=\"placed\"");
        assertTrue(placed >= 2, "both pods were placed, by one scheduler or the other: " + placed);
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(berth.up.gatewayUrl() + path)).header("Authorization", "Bearer " + berth.up.adminToken())
                .header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A chunked watch, open until closed. */
    private final class Watch implements AutoCloseable {
        private final java.io.InputStream in;

        Watch(String path) throws Exception {
            HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(berth.up.gatewayUrl() + path))
                    .header("Authorization", "Bearer " + berth.up.adminToken()).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            in = r.body();
        }

        @Override
        public void close() throws Exception {
            in.close();
        }
    }

    /** The gateway's /metrics with the admin's token, in the text format. */
    private String scrape() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(berth.up.gatewayUrl() + "/metrics"))
                .header("Authorization", "Bearer " + berth.up.adminToken()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

    /** The sum of the samples of {@code name} whose labels contain every one of {@code labels} ({@code key="value"}). */
    static double value(String exposition, String name, String... labels) {
        double sum = 0;
        Matcher m = SAMPLE.matcher(exposition);
        while (m.find()) {
            if (!m.group(1).equals(name)) continue;
            String l = m.group(2) == null ? "" : m.group(2);
            if (List.of(labels).stream().allMatch(l::contains)) sum += Double.parseDouble(m.group(3));
        }
        return sum;
    }
}
