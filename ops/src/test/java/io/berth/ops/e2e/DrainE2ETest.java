package io.berth.ops.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 4, item 9's acceptance on real Docker: draining a node that runs 2 of 4 replicas
 * (maxUnavailable 1) never leaves fewer than 3 running. Black-box: the berth CLI as processes
 * (all-in-one without a node + three node daemons) and {@code docker ps}, sampled every ~100 ms
 * while the drain runs. Its own deployment and node names, so it does not see (or remove) the
 * containers of another e2e test sharing the engine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrainE2ETest {
    static final String NAME = "drainweb";
    static final String KEY = "default/deployment/" + NAME;
    static final List<String> NODES = List.of("dr1", "dr2", "dr3");
    static final ObjectMapper JSON = new ObjectMapper();

    E2ECluster cluster;
    Path home;

    @BeforeAll
    void startCluster() throws Exception {
        for (String n : NODES) Docker.removeContainersOfNode(n);
        cluster = E2ECluster.up("drain");
        home = cluster.home;
        for (String n : NODES) cluster.startNode(n, "--memory-bytes", "" + (2L << 30), "--cpu-millis", "4000");
        Await.until("3 Ready nodes", Duration.ofSeconds(60), () -> readyNodes().size() == 3, this::readyNodes);
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) cluster.close();
        for (String n : NODES) Docker.removeContainersOfNode(n);
    }

    @Test
    void shouldDrainANodeRunningTwoOfFourReplicasNeverDroppingBelowThreeRunning() throws Exception {
        cli("apply", "-f", manifest());
        Await.until("4 running containers", Duration.ofSeconds(90), () -> Docker.running(KEY).size() == 4, () -> Docker.perNode(KEY));
        Await.until("deployment at 4 ready", Duration.ofSeconds(30), () -> readyReplicas() == 4, () -> Docker.perNode(KEY));
        Map<String, Integer> before = Docker.perNode(KEY);
        String victim = before.entrySet().stream().filter(e -> e.getValue() == 2).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("spread of 4 over 3 nodes should be 2/1/1: " + before));
        System.out.printf("e2e drain: before %s, draining %s%n", before, victim);

        Sampler sampler = new Sampler(victim);
        Thread t = new Thread(sampler, "docker-ps-sampler");
        t.start();
        long t0 = System.nanoTime();
        try {
            BerthProcess.Result r = cli("drain", victim);
            assertTrue(r.stdout().contains("drained"), r.stdout());
            Await.until(victim + " empty and 4 running elsewhere", Duration.ofSeconds(90), () -> {
                List<Docker.Container> all = Docker.containers(KEY);
                return all.stream().noneMatch(c -> c.node().equals(victim))
                        && all.stream().filter(c -> c.state().equals("running") && !c.node().equals(victim)).count() == 4;
            }, () -> Docker.containers(KEY));
        } finally {
            sampler.stop.set(true);
            t.join(10_000);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("e2e drain: %s drained in %d ms (grace 2 s; first replacement running after %d ms, nothing running on %s after %d ms);"
                        + " %d docker ps samples, minimum running %d, maximum %d; after %s%n",
                victim, ms, (sampler.firstSurgeAt - t0) / 1_000_000, victim, (sampler.victimEmptyAt - t0) / 1_000_000,
                sampler.samples, sampler.min, sampler.max, Docker.perNode(KEY));
        assertNull(sampler.error, () -> "sampler failed: " + sampler.error);
        assertTrue(sampler.samples > 5, "sampled: " + sampler.samples);
        assertTrue(sampler.min >= 3, "running dropped to " + sampler.min + " during the drain");
        assertEquals(4, Docker.running(KEY).size());
        assertFalse(Docker.perNode(KEY).containsKey(victim));
        Await.until("deployment at 4 ready after the drain", Duration.ofSeconds(30), () -> readyReplicas() == 4, () -> Docker.perNode(KEY));
    }

    /** Counts the workload's running containers every ~100 ms. */
    static final class Sampler implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final String victim;
        volatile int min = Integer.MAX_VALUE, max = 0, samples = 0;
        volatile long firstSurgeAt, victimEmptyAt;
        volatile Exception error;

        Sampler(String victim) {
            this.victim = victim;
        }

        @Override
        public void run() {
            while (!stop.get()) {
                try {
                    List<Docker.Container> running = Docker.running(KEY);
                    int n = running.size();
                    min = Math.min(min, n);
                    max = Math.max(max, n);
                    samples++;
                    if (n > 4 && firstSurgeAt == 0) firstSurgeAt = System.nanoTime();
                    if (running.stream().noneMatch(c -> c.node().equals(victim)) && victimEmptyAt == 0) victimEmptyAt = System.nanoTime();
                    Thread.sleep(100);
                } catch (Exception e) {
                    error = e;
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The berth CLI through the gateway of the cluster's {@code berth up} (found through $BERTH_HOME). */
    BerthProcess.Result cli(String... args) throws Exception {
        return BerthProcess.runOk(home, 120, args);
    }

    JsonNode get(String kind) throws Exception {
        return JSON.readTree(cli("get", kind, "-o", "json").stdout()).path("items");
    }

    List<String> readyNodes() throws Exception {
        List<String> ready = new ArrayList<>();
        for (JsonNode n : get("nodes")) {
            for (JsonNode c : n.path("status").path("conditions")) {
                if (c.path("type").asText().equals("Ready") && c.path("status").asText().equals("True")) ready.add(n.path("metadata").path("name").asText());
            }
        }
        return ready;
    }

    int readyReplicas() throws Exception {
        for (JsonNode d : get("deployments")) {
            if (d.path("metadata").path("name").asText().equals(NAME)) return d.path("status").path("readyReplicas").asInt();
        }
        return -1;
    }

    static String manifest() throws Exception {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                  labels:
                    app: %s
                spec:
                  replicas: 4
                  selector:
                    matchLabels:
                      app: %s
                  strategy:
                    type: RollingUpdate
                    rollingUpdate:
                      maxUnavailable: 1
                  template:
                    metadata:
                      labels:
                        app: %s
                    spec:
                      terminationGracePeriodSeconds: 2
                      containers:
                      - name: web
                        image: berth/busybox:latest
                        command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                        resources:
                          requests:
                            cpu: 100m
                            memory: 64Mi
                """.formatted(NAME, NAME, NAME, NAME);
        Path f = Files.createTempDirectory("manifests").resolve(NAME + ".yaml");
        Files.writeString(f, yaml);
        return f.toString();
    }
}
