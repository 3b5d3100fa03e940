package io.berth.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.ops.TestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CI smoke run of {@code ops/bench api}, as its own process (it exits when done, as the command
 * does): 5 fake nodes, 2 Deployments × 10 replicas, and 510 WebSocket watchers of one user — past the
 * gateway's default 500 watches per user, which the benchmark must raise for its run (it failed at the
 * 501st watcher with a 429 from the day the caps landed until this test existed). Asserts that it
 * finishes and that its results say every pod was seen and every watcher received the probe's changes;
 * never its timings.
 */
@Timeout(420)
class ApiLoadBenchmarkSmokeTest {
    static final int WATCHERS = 510, PODS = 2 * 10;

    @Test
    void theApiBenchmarkRunsToItsResultsWithMoreWatchersThanOneUserMayOpenByDefault() throws Exception {
        Path results = Files.createTempDirectory("api-bench-smoke");
        Path log = results.resolve("run.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dbench.upMinutes=3", "-cp", TestSupport.classpath(), ApiLoadBenchmark.class.getName(),
                "5", "2", "10", Integer.toString(WATCHERS), "2", "2", "2"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("BENCH_RESULTS", results.toString());
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(6, TimeUnit.MINUTES), "the benchmark did not finish in 6 minutes; its log: " + tail(log));
            assertEquals(0, p.exitValue(), "the benchmark failed; its log: " + tail(log));
            JsonNode report = new ObjectMapper().readTree(results.resolve("api").resolve("api.json").toFile());
            assertEquals(PODS, figure(report, "pods in the gateway's view (labelled lists summed)"), 0.0, "every pod listed");
            assertTrue(figure(report, "of them received by all " + WATCHERS + " watchers") > 0,
                    "the probe's changes reached all " + WATCHERS + " watchers: " + report.path("figures"));
            assertTrue(figure(report, "namespaced pod list, labelSelector app=appK (10 pods): throughput") > 0, "the lists were answered");
        } finally {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);   // also the JVM's embedded broker: it lives in that process
            TestSupport.deleteTree(results);
        }
    }

    private static double figure(JsonNode report, String name) {
        for (JsonNode f : report.path("figures")) {
            if (f.path("name").asText().equals(name)) return f.path("value").asDouble();
        }
        throw new AssertionError("no figure \"" + name + "\" in " + report.path("figures"));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }
}
