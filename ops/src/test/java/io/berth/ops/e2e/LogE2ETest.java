package io.berth.ops.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 10's acceptance on real Kafka and Docker, black-box through the CLI: apply, scale, roll out,
 * undo and lose a node; then {@code berth history deployment/web} lists each step with its actor and
 * cause, {@code berth get pods --at <before the scale>} shows the pods of then, {@code berth diff}
 * names what changed since, {@code berth replay --verify} reports 0 differ and {@code describe pod}
 * shows why each pod is where it is.
 *
 * <p>Three node daemons: lg1 and lg2 with room, lg3 too small for a replica (so every verdict names
 * it with its reason). The test prints every command's output (the README quotes it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogE2ETest {
    static final String NAME = "web";
    static final String KEY = "default/deployment/" + NAME;
    static final List<String> NODES = List.of("lg1", "lg2", "lg3");
    static final String V2 = "berth/busybox:logv2";
    static final ObjectMapper JSON = new ObjectMapper();

    E2ECluster cluster;
    /** Before the scale: the instant and the pods running then. */
    Instant beforeScale;
    Set<String> podsBeforeScale;

    @BeforeAll
    void startCluster() throws Exception {
        for (String n : NODES) Docker.removeContainersOfNode(n);
        BerthProcess.sh("docker", "tag", "berth/busybox:latest", V2);
        cluster = E2ECluster.up("log");
        cluster.startNode("lg1", "--memory-bytes", "" + (4L << 30), "--cpu-millis", "8000");
        cluster.startNode("lg2", "--memory-bytes", "" + (4L << 30), "--cpu-millis", "8000");
        cluster.startNode("lg3", "--memory-bytes", "" + (32L << 20), "--cpu-millis", "8000");
        Await.until("3 Ready nodes", Duration.ofSeconds(60), () -> readyNodes().containsAll(NODES), this::readyNodes);
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) cluster.close();
        for (String n : NODES) Docker.removeContainersOfNode(n);
        try {
            BerthProcess.sh("docker", "rmi", V2);
        } catch (AssertionError ignored) {
            // still used by a container being removed: a tag is harmless
        }
    }

    @Test
    @Order(1)
    void shouldRecordApplyScaleRolloutUndoAndNodeLoss() throws Exception {
        ok(cli(60, "apply", "-f", manifest()));
        ok(cli(300, "rollout", "status", "deployment/" + NAME, "--timeout", "4m"));
        podsBeforeScale = podNames();
        assertEquals(2, podsBeforeScale.size(), "two replicas before the scale");
        beforeScale = Instant.now();
        // the audit's clock is this machine's: the scale is stamped strictly later than beforeScale
        Await.until("the clock to move past the instant taken", Duration.ofSeconds(2), () -> Instant.now().isAfter(beforeScale), () -> "");

        ok(cli(60, "scale", "deployment/" + NAME, "--replicas", "4"));
        ok(cli(300, "rollout", "status", "deployment/" + NAME, "--timeout", "4m"));
        ok(cli(60, "set", "image", "deployment/" + NAME, "web=" + V2));
        ok(cli(300, "rollout", "status", "deployment/" + NAME, "--timeout", "4m"));
        ok(cli(60, "rollout", "undo", "deployment/" + NAME));
        ok(cli(300, "rollout", "status", "deployment/" + NAME, "--timeout", "4m"));

        long pid = cluster.nodePids.get("lg2");
        BerthProcess.sh("kill", "-9", "" + pid);
        Docker.removeContainersOfNode("lg2");
        Await.until("lg2 NotReady", Duration.ofSeconds(30), () -> !readyNodes().contains("lg2"), this::readyNodes);
        Await.until("4 ready replicas again, all on lg1", Duration.ofSeconds(120),
                () -> Docker.running(KEY).size() == 4 && Docker.perNode(KEY).keySet().equals(Set.of("lg1")), () -> Docker.perNode(KEY));
        ok(cli(300, "rollout", "status", "deployment/" + NAME, "--timeout", "4m"));
    }

    @Test
    @Order(2)
    void shouldListEachStepWithActorAndCause() throws Exception {
        BerthProcess.Result history = ok(cli(60, "history", "deployment/" + NAME));
        System.out.println("e2e log: $ berth history deployment/web\n" + history.stdout());
        String out = history.stdout();
        assertTrue(out.startsWith("TIME") && out.lines().findFirst().orElseThrow().matches("TIME\\s+ACTOR\\s+CHANGE\\s+CAUSE\\s+DETAILS"), out);
        List<String> accepted = out.lines().filter(l -> l.contains("IntentAccepted")).toList();
        assertEquals(4, accepted.size(), "apply, scale, set image, undo: " + out);
        accepted.forEach(l -> assertTrue(l.contains("api:") && l.contains("intents/") && l.contains("(intent "), "actor and cause: " + l));
        assertTrue(out.lines().filter(l -> l.contains("RevisionCreated")).count() >= 2, "revision 2 (v2) and 3 (the undo): " + out);
        assertTrue(out.contains("WorkloadCreated"), out);

        BerthProcess.Result json = ok(cli(60, "history", "deployment/" + NAME, "-o", "json"));
        JsonNode items = JSON.readTree(json.stdout()).path("items");
        JsonNode scale = null;
        for (JsonNode i : items) {
            if (i.path("change").asText().equals("WorkloadChanged") && i.path("after").toString().contains("\"replicas\":4")
                    && i.path("before").toString().contains("\"replicas\":2")) {
                scale = i;
                break;
            }
        }
        assertNotNull(scale, "the scale is one record with the deployment before (2 replicas) and after (4): " + json.stdout());
        assertEquals("berth.intents", scale.path("cause").path("topic").asText());
        assertTrue(scale.path("cause").path("offset").asLong() >= 0);
        assertFalse(scale.path("cause").path("intentId").asText().isEmpty());

        BerthProcess.Result placed = ok(cli(60, "history", "pods", "--change", "TaskPlaced", "-o", "wide"));
        System.out.println("e2e log: $ berth history pods --change TaskPlaced -o wide\n" + placed.stdout());
        assertTrue(placed.stdout().contains("controller/scheduler"), placed.stdout());
        assertTrue(placed.stdout().contains("lg3: Insufficient memory"), "each placement names the rejected node: " + placed.stdout());

        BerthProcess.Result lost = ok(cli(60, "history", "pods", "--change", "TaskLost"));
        System.out.println("e2e log: $ berth history pods --change TaskLost\n" + lost.stdout());
        assertTrue(lost.stdout().lines().filter(l -> l.contains("TaskLost")).count() >= 1, lost.stdout());
        assertTrue(lost.stdout().contains("controller/workload") && lost.stdout().contains("ticks/"),
                "a tick on the log found the pods of the lost node: " + lost.stdout());
    }

    @Test
    @Order(3)
    void shouldShowThePodsOfBeforeTheScale() throws Exception {
        BerthProcess.Result then = ok(cli(60, "get", "pods", "--at", beforeScale.toString(), "-o", "json"));
        Set<String> names = new TreeSet<>();
        JSON.readTree(then.stdout()).path("items").forEach(p -> {
            if (p.path("metadata").path("name").asText().startsWith(NAME + "-")) names.add(p.path("metadata").path("name").asText());
        });
        assertEquals(new TreeSet<>(podsBeforeScale), names, "the pods of then, rebuilt from the log");
        BerthProcess.Result table = ok(cli(60, "get", "pods", "--at", beforeScale.toString(), "-o", "wide"));
        System.out.println("e2e log: $ berth get pods --at " + beforeScale + " -o wide\n" + table.stdout());
        BerthProcess.Result deploy = ok(cli(60, "get", "deployment", NAME, "--at", beforeScale.toString()));
        System.out.println("e2e log: $ berth get deployment web --at " + beforeScale + "\n" + deploy.stdout());
        assertTrue(deploy.stdout().lines().anyMatch(l -> l.startsWith(NAME + " ") && l.contains("2/2")), deploy.stdout());

        BerthProcess.Result diff = ok(cli(60, "diff", "--at", beforeScale.toString()));
        System.out.println("e2e log: $ berth diff --at " + beforeScale + "\n" + diff.stdout());
        for (String gone : podsBeforeScale) assertTrue(diff.stdout().contains("- Pod default/" + gone), "replaced by the rollout: " + gone);
        assertTrue(diff.stdout().contains("~ Deployment default/" + NAME), diff.stdout());
        assertTrue(diff.stdout().contains("spec.replicas: 2 -> 4"), diff.stdout());
    }

    @Test
    @Order(4)
    void shouldReplayEveryDecisionWithoutADifference() throws Exception {
        BerthProcess.Result replay = BerthProcess.run(cluster.home, 300, "replay", "--verify",
                "--bootstrap-servers", cluster.bootstrap, "--registry-url", cluster.registryUrl);
        System.out.println("e2e log: $ berth replay --verify\n" + replay.stdout() + replay.stderr());
        assertEquals(0, replay.exit(), replay.stdout() + replay.stderr());
        assertTrue(replay.stdout().matches("(?s).*\\d+ decisions replayed, 0 differ.*"), replay.stdout());
        // the scheduler is replayed too, from its own lanes: its placements are reproduced
        assertTrue(replay.stdout().matches("(?s).*scheduler: [1-9]\\d* decisions replayed, 0 differ.*"), replay.stdout());
    }

    @Test
    @Order(5)
    void shouldDescribeWhyAPodIsWhereItIs() throws Exception {
        String pod = podNames().iterator().next();
        BerthProcess.Result describe = ok(cli(60, "describe", "pod", pod));
        System.out.println("e2e log: $ berth describe pod " + pod + "\n" + describe.stdout());
        String placement = describe.stdout().lines().filter(l -> l.startsWith("Placement:")).findFirst().orElse("");
        assertTrue(placement.matches("Placement:\\s+lg1 of \\d+ feasible — spread .*"), "the verdict's head: " + describe.stdout());
        assertTrue(describe.stdout().contains("lg3:") && describe.stdout().contains("Insufficient memory"), describe.stdout());
    }

    // ---- helpers ------------------------------------------------------------------------------

    private String manifest() throws Exception {
        Path f = cluster.home.resolve("web.yaml");
        Files.writeString(f, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  replicas: 2
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                      - name: web
                        image: berth/busybox:latest
                        command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                        resources:
                          requests: {memory: 64Mi, cpu: 100m}
                """);
        return f.toString();
    }

    private Set<String> podNames() throws Exception {
        BerthProcess.Result r = ok(cli(60, "get", "pods", "-o", "name"));
        Set<String> names = new TreeSet<>();
        r.stdout().lines().map(String::strip).filter(l -> l.startsWith("pod/" + NAME + "-")).forEach(l -> names.add(l.substring(4)));
        return names;
    }

    private Set<String> readyNodes() throws Exception {
        BerthProcess.Result r = cli(60, "get", "nodes");
        Set<String> ready = new TreeSet<>();
        r.stdout().lines().skip(1).map(l -> l.split("\\s+")).filter(c -> c.length > 1 && c[1].equals("Ready")).forEach(c -> ready.add(c[0]));
        return ready;
    }

    private BerthProcess.Result cli(long timeoutSeconds, String... args) throws Exception {
        return cluster.cli(timeoutSeconds, args);
    }

    private static BerthProcess.Result ok(BerthProcess.Result r) {
        assertEquals(0, r.exit(), "exit " + r.exit() + "\nstdout: " + r.stdout() + "\nstderr: " + r.stderr());
        return r;
    }
}
