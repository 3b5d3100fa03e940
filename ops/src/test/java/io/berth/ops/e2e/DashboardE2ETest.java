package io.berth.ops.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 16's acceptance for the web dashboard, in a real browser against a real Berth: the all-in-one without a
 * node and three node daemons on real Kafka and Docker ({@link E2ECluster}); {@code berth dashboard} prints the
 * login link; {@code gateway/ui/e2e/ui-test.mjs} drives Debian's Chromium (playwright-core, no downloaded browser)
 * through the steps: the overview lists 3 nodes; a Deployment applied through the API appears without a reload;
 * a scale from the UI; the time slider before the scale shows the old replica count and the change; a crashing
 * revision shows its reason on the workload page; undo from the UI rolls back; a pod's logs follow; a service
 * shows its endpoints; a bad pasted manifest shows its error at the field. Screenshots go to
 * {@code ops/target/ui-screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class DashboardE2ETest {
    static final List<String> NODES = List.of("ui1", "ui2", "ui3");
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path UI = Path.of("..", "gateway", "ui").toAbsolutePath().normalize();
    static final Path SHOTS = Path.of("target", "ui-screenshots").toAbsolutePath();

    E2ECluster cluster;

    @BeforeAll
    void startCluster() throws Exception {
        for (String n : NODES) Docker.removeContainersOfNode(n);
        cluster = E2ECluster.up("dashboard");
        for (String n : NODES) cluster.startNode(n, "--memory-bytes", "" + (2L << 30), "--cpu-millis", "4000");
        Await.until("3 Ready nodes", Duration.ofSeconds(60), () -> readyNodes() == 3, this::readyNodes);
    }

    @AfterAll
    void stopCluster() throws Exception {
        try {
            if (cluster != null) cluster.close();
        } finally {
            for (String n : NODES) Docker.removeContainersOfNode(n);
        }
    }

    @Test
    void theDashboardShowsTheClusterLiveTravelsInTimeAndActs() throws Exception {
        BerthProcess.Result dashboard = cluster.cli(60, "dashboard");
        assertEquals(0, dashboard.exit(), dashboard.stderr());
        Matcher m = Pattern.compile("(http://\\S+/ui/#token=\\S+)").matcher(dashboard.stdout());
        assertTrue(m.find(), "a login link in: " + dashboard.stdout());
        String link = m.group(1);
        assertTrue(dashboard.stdout().contains("for user admin"), dashboard.stdout());

        assertTrue(Files.isDirectory(UI.resolve("node_modules/playwright-core")), "the gateway build installs gateway/ui's packages (npm ci)");
        Files.createDirectories(SHOTS);
        File out = SHOTS.resolve("ui-test.log").toFile();
        Process browser = new ProcessBuilder("node", UI.resolve("e2e/ui-test.mjs").toString(), link, cluster.adminToken(), SHOTS.toString())
                .directory(UI.toFile()).redirectErrorStream(true).redirectOutput(out).start();
        String log;
        try {
            boolean done = browser.waitFor(200, TimeUnit.SECONDS);
            log = Files.readString(out.toPath(), StandardCharsets.UTF_8);
            System.out.println(log);
            assertTrue(done, "the browser test did not finish in 200 s:\n" + log);
        } finally {
            // node and the Chromium it started, also when the test failed or timed out
            browser.descendants().forEach(ProcessHandle::destroyForcibly);
            browser.destroyForcibly();
        }
        assertEquals(0, browser.exitValue(), log);
        for (String step : List.of("ok the overview lists 3 nodes", "ok a Deployment applied elsewhere appears without reload",
                "ok the time slider before the scale shows the old replica count", "ok a crashing revision shows its reason on the workload page",
                "ok undo from the UI rolls back", "dashboard acceptance: all steps passed")) {
            assertTrue(log.contains(step), step + " in:\n" + log);
        }
        for (String shot : List.of("overview.png", "workloads.png", "workload.png", "time-slider.png", "workload-crashing.png", "pod.png", "services.png", "apply.png")) {
            assertTrue(Files.size(SHOTS.resolve(shot)) > 10_000, shot);
        }

        // the login link was good once: the page spent it
        String token = link.substring(link.indexOf("#token=") + 7);
        var http = java.net.http.HttpClient.newHttpClient();
        var reuse = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(cluster.server + "/ui/api/session"))
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(401, reuse.statusCode(), reuse.body());
    }

    int readyNodes() throws Exception {
        JsonNode list = JSON.readTree(BerthProcess.runOk(cluster.home, 60, "get", "nodes", "-o", "json", "--server", cluster.server).stdout());
        int ready = 0;
        for (JsonNode n : list.path("items")) {
            for (JsonNode c : n.path("status").path("conditions")) {
                if (c.path("type").asText().equals("Ready") && c.path("status").asText().equals("True")) ready++;
            }
        }
        return ready;
    }
}
