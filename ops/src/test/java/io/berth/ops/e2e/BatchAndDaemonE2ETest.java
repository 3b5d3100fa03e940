package io.berth.ops.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 15's acceptance for Jobs, CronJobs and DaemonSets on real Kafka and Docker with three node daemons, driven
 * as a user would with the berth CLI (all-in-one without a node + node daemons, {@link E2ECluster}): a Job of 5
 * completions with parallelism 2 completes; a CronJob every minute makes jobs and keeps its history limit (the
 * first scheduled job is deleted once the second completed: up to about two minutes of the test's time, spent
 * while the other two kinds run); a DaemonSet runs one pod on each of the three nodes, grows to a fourth
 * node that joins, rolls a new image out node by node ({@code berth rollout status ds/…}) and back ({@code rollout undo}). Its own node names, so it does not see (or remove) the containers of another e2e test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class BatchAndDaemonE2ETest {
    static final List<String> NODES = List.of("bd1", "bd2", "bd3");
    static final String FOURTH = "bd4";
    static final String AGENT = "default/daemonset/agent";
    static final ObjectMapper JSON = new ObjectMapper();

    E2ECluster cluster;
    Path home;

    @BeforeAll
    void startCluster() throws Exception {
        for (String n : NODES) Docker.removeContainersOfNode(n);
        Docker.removeContainersOfNode(FOURTH);
        cluster = E2ECluster.up("batch");
        home = cluster.home;
        for (String n : NODES) cluster.startNode(n, "--memory-bytes", "" + (2L << 30), "--cpu-millis", "4000");
        Await.until("3 Ready nodes", Duration.ofSeconds(60), () -> readyNodes().size() == 3, this::readyNodes);
    }

    @AfterAll
    void stopCluster() throws Exception {
        try {
            if (cluster != null) cluster.close();
        } finally {
            for (String n : NODES) Docker.removeContainersOfNode(n);
            Docker.removeContainersOfNode(FOURTH);
        }
    }

    @Test
    void aJobCompletesACronJobKeepsItsHistoryAndADaemonSetGrowsToANodeThatJoins() throws Exception {
        // the CronJob first: its minutes run while the rest is checked
        assertTrue(cli("apply", "-f", "" + write("cron.yaml", """
                apiVersion: batch/v1
                kind: CronJob
                metadata:
                  name: tick
                spec:
                  schedule: "* * * * *"
                  successfulJobsHistoryLimit: 1
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          containers:
                          - name: tick
                            image: berth/busybox:latest
                            command: ["sh", "-c", "echo tick"]
                          restartPolicy: OnFailure
                """)).stdout().contains("cronjob.batch/tick created"));
        assertTrue(cli("apply", "-f", "" + write("agent.yaml", """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: agent
                spec:
                  selector:
                    matchLabels:
                      app: agent
                  template:
                    metadata:
                      labels:
                        app: agent
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: agent
                        image: berth/busybox:latest
                        command: ["sleep", "3600"]
                """)).stdout().contains("daemonset.apps/agent created"));
        assertTrue(cli("apply", "-f", "" + write("five.yaml", """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: five
                spec:
                  completions: 5
                  parallelism: 2
                  template:
                    spec:
                      containers:
                      - name: work
                        image: berth/busybox:latest
                        command: ["sh", "-c", "sleep 1; echo done"]
                      restartPolicy: Never
                """)).stdout().contains("job.batch/five created"));

        // the DaemonSet: one pod on each node, then on the fourth that joins
        Await.until("one agent on each of 3 nodes", Duration.ofSeconds(90),
                () -> Docker.perNode(AGENT).equals(Map.of("bd1", 1, "bd2", 1, "bd3", 1)), () -> Docker.perNode(AGENT));
        cluster.startNode(FOURTH, "--memory-bytes", "" + (2L << 30), "--cpu-millis", "4000");
        long joined = System.nanoTime();
        Await.until("an agent on the fourth node", Duration.ofSeconds(90),
                () -> Docker.perNode(AGENT).equals(Map.of("bd1", 1, "bd2", 1, "bd3", 1, "bd4", 1)), () -> Docker.perNode(AGENT));
        System.out.printf("e2e daemonset: the fourth node's agent running %d ms after its daemon started%n", (System.nanoTime() - joined) / 1_000_000);
        Await.until("the daemon set's status", Duration.ofSeconds(60), () -> {
            JsonNode s = one("daemonsets", "agent").path("status");
            return s.path("desiredNumberScheduled").asInt() == 4 && s.path("numberReady").asInt() == 4;
        }, () -> one("daemonsets", "agent").path("status"));

        // a rolling update of the DaemonSet, node by node, and its undo
        BerthProcess.sh("docker", "tag", "berth/busybox:latest", "berth-test/agent:v2");
        try {
            cli("apply", "-f", "" + write("agent-v2.yaml", Files.readString(home.resolve("agent.yaml")).replace("image: berth/busybox:latest", "image: berth-test/agent:v2")));
            assertTrue(cli("rollout", "status", "ds/agent", "--timeout=180s").stdout().contains("daemon set \"agent\" successfully rolled out"));
            Await.until("v2 on every node", Duration.ofSeconds(60), () -> images().equals(Map.of("berth-test/agent:v2", 4)), this::images);
            cli("rollout", "undo", "ds/agent");
            assertTrue(cli("rollout", "status", "ds/agent", "--timeout=180s").stdout().contains("successfully rolled out"));
            Await.until("back to the first image on every node", Duration.ofSeconds(60), () -> images().equals(Map.of("berth/busybox:latest", 4)), this::images);
        } finally {
            BerthProcess.sh("docker", "rmi", "berth-test/agent:v2");
        }

        // the Job: 5 completions, 2 at a time
        assertTrue(cli("wait", "--for=condition=complete", "job/five", "--timeout=180s").stdout().contains("condition met"));
        JsonNode five = one("jobs", "five").path("status");
        assertEquals(5, five.path("succeeded").asInt(), five.toString());
        assertEquals(0, five.path("failed").asInt(), five.toString());

        // the CronJob: the first scheduled job goes once the second completed (successfulJobsHistoryLimit 1)
        Await.until("a second scheduled job completed and the first deleted", Duration.ofSeconds(200), () -> {
            List<String> scheduled = scheduledJobs();
            JsonNode status = one("cronjobs", "tick").path("status");
            return scheduled.size() == 1 && !status.path("lastSuccessfulTime").isMissingNode() && events("Deleted job tick-").size() >= 1;
        }, () -> scheduledJobs() + " " + one("cronjobs", "tick").path("status") + " " + events("job tick-"));
        assertTrue(events("Created job tick-").size() >= 2, events("Created job tick-").toString());
        String kept = scheduledJobs().get(0);
        for (String deleted : events("Deleted job tick-")) {
            String name = deleted.substring("Deleted job ".length());
            assertFalse(scheduledJobs().contains(name), name + " is gone");
            assertTrue(Long.parseLong(name.substring(5)) < Long.parseLong(kept.substring(5)), "the older ones go: deleted " + name + ", kept " + kept);
        }

        for (String kind : List.of("cronjob/tick", "daemonset/agent", "job/five")) cli("delete", kind);
        Await.until("the agents stopped", Duration.ofSeconds(90), () -> Docker.running(AGENT).isEmpty(), () -> Docker.perNode(AGENT));
    }

    // ---------------------------------------------------------------- helpers

    BerthProcess.Result cli(String... args) throws Exception {
        return BerthProcess.runOk(home, 120, args);
    }

    Path write(String name, String yaml) throws Exception {
        Path p = home.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    JsonNode items(String kind) throws Exception {
        return JSON.readTree(cli("get", kind, "-o", "json").stdout()).path("items");
    }

    JsonNode one(String kind, String name) throws Exception {
        for (JsonNode o : items(kind)) if (o.path("metadata").path("name").asText().equals(name)) return o;
        return JSON.createObjectNode();
    }

    /** Running agent containers by image. */
    Map<String, Integer> images() throws Exception {
        Map<String, Integer> m = new java.util.TreeMap<>();
        for (Docker.Container c : Docker.running(AGENT)) {
            m.merge(BerthProcess.sh("docker", "inspect", "-f", "{{.Config.Image}}", c.id()).strip(), 1, Integer::sum);
        }
        return m;
    }

    List<String> scheduledJobs() throws Exception {
        List<String> names = new ArrayList<>();
        for (JsonNode j : items("jobs")) {
            String n = j.path("metadata").path("name").asText();
            if (n.matches("tick-\\d+")) names.add(n);
        }
        return names;
    }

    /** Messages of the CronJob's events containing {@code text}, oldest first. */
    List<String> events(String text) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode e : items("events")) {
            String m = e.path("message").asText();
            if (e.path("involvedObject").path("kind").asText().equals("CronJob") && m.contains(text)) out.add(m);
        }
        return out;
    }

    List<String> readyNodes() throws Exception {
        List<String> ready = new ArrayList<>();
        for (JsonNode n : items("nodes")) {
            for (JsonNode c : n.path("status").path("conditions")) {
                if (c.path("type").asText().equals("Ready") && c.path("status").asText().equals("True")) ready.add(n.path("metadata").path("name").asText());
            }
        }
        return ready;
    }
}
