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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 15's acceptance for StatefulSets on real Kafka and Docker with two node daemons ({@link E2ECluster}), driven
 * with the berth CLI: a StatefulSet {@code web} of 3 with its headless Service starts web-0, web-1, web-2 in order
 * (each container created only after the previous one started, read from the engine), {@code web-1} resolves
 * {@code web-0.web} and {@code web-0.web.default.svc.cluster.local} to web-0's address, a file written to web-0's
 * volume is still there after the pod is deleted and comes back as web-0 on the same node, {@code berth get pvc}
 * lists three Bound claims; a StatefulSet without its service name is refused naming the field, nothing applied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class StatefulSetE2ETest {
    static final List<String> NODES = List.of("ss1", "ss2");
    static final String WEB = "default/statefulset/web";
    static final ObjectMapper JSON = new ObjectMapper();

    E2ECluster cluster;
    Path home;

    @BeforeAll
    void startCluster() throws Exception {
        for (String n : NODES) Docker.removeContainersOfNode(n);
        cluster = E2ECluster.up("sts");
        home = cluster.home;
        for (String n : NODES) cluster.startNode(n, "--memory-bytes", "" + (2L << 30), "--cpu-millis", "4000");
        Await.until("2 Ready nodes", Duration.ofSeconds(60), () -> readyNodes().size() == 2, this::readyNodes);
    }

    @AfterAll
    void stopCluster() throws Exception {
        try {
            if (cluster != null) cluster.close();
        } finally {
            for (String n : NODES) Docker.removeContainersOfNode(n);
            if (home != null) {
                try (var files = Files.walk(home)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    @Test
    void aStatefulSetOf3StartsInOrderResolvesItsPodsByNameAndKeepsAPodsDataAcrossItsDeletion() throws Exception {
        // bad input first: refused naming the field, nothing applied
        BerthProcess.Result bad = BerthProcess.run(home, 60, "apply", "-f", "" + write("bad.yaml", statefulSet("bad", "")));
        assertNotEquals(0, bad.exit(), bad.stdout());
        assertTrue((bad.stdout() + bad.stderr()).contains("spec.serviceName: Required value"), bad.stdout() + bad.stderr());

        Path manifest = write("web.yaml", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                  clusterIP: None
                  selector:
                    app: web
                  ports:
                  - name: web
                    port: 80
                ---
                """ + statefulSet("web", "serviceName: web"));
        assertTrue(cli("apply", "-f", "" + manifest).stdout().contains("statefulset.apps/web created"));

        Await.until("web-0, web-1, web-2 running", Duration.ofSeconds(120), () -> running().size() == 3, this::running);
        // in order: each pod's container created only after the one before it started
        for (int o = 1; o < 3; o++) {
            Instant before = Instant.parse(inspect("web-" + (o - 1), "{{.State.StartedAt}}"));
            Instant created = Instant.parse(inspect("web-" + o, "{{.Created}}"));
            assertTrue(created.isAfter(before), "web-" + o + " created " + created + ", web-" + (o - 1) + " started " + before);
        }
        assertEquals("web-1", BerthProcess.sh("docker", "exec", container("web-1"), "hostname").strip(), "the pod's name is its hostname");
        Await.until("web 3/3 ready", Duration.ofSeconds(60), () -> cli("get", "sts").stdout().matches("(?s).*\\nweb\\s+3/3\\s.*"),
                () -> cli("get", "sts").stdout());

        // stable names: web-1 reaches web-0 by its name under the headless service
        String web0Ip = pod("web-0").path("status").path("podIP").asText();
        assertFalse(web0Ip.isEmpty());
        for (String name : List.of("web-0.web", "web-0.web.default.svc.cluster.local")) {
            Await.until("web-1 resolves " + name, Duration.ofSeconds(30), () -> resolve("web-1", name).contains("(" + web0Ip + ")"),
                    () -> resolve("web-1", name));
        }

        // the volume outlives the pod: web-0 comes back under its name, on its claim's node, with its data
        String node = pod("web-0").path("spec").path("nodeName").asText();
        String first = container("web-0");
        BerthProcess.sh("docker", "exec", first, "sh", "-c", "echo kept-across-restarts > /data/greeting");
        cli("delete", "pod", "web-0");
        Await.until("a new web-0 running", Duration.ofSeconds(90), () -> {
            String c = containerOrEmpty("web-0");
            return !c.isEmpty() && !c.equals(first);
        }, this::running);
        assertEquals(node, pod("web-0").path("spec").path("nodeName").asText(), "back on the node its volume lives on");
        assertEquals("kept-across-restarts", BerthProcess.sh("docker", "exec", container("web-0"), "cat", "/data/greeting").strip());

        // the claims: TEMPLATE-STS-ORDINAL, Bound
        String pvc = cli("get", "pvc").stdout();
        System.out.println("e2e statefulset: berth get pvc\n" + pvc);
        for (int o = 0; o < 3; o++) assertTrue(pvc.matches("(?s).*\\ndata-web-" + o + "\\s+Bound\\s+local-ss\\d-data-web-" + o + "\\s+16Mi\\s+RWO\\s.*"), pvc);

        // stock kubectl 1.32: explain walks the StatefulSet's schema, history reads its ControllerRevisions
        Kubectl kubectl = new Kubectl(Kubectl.MACHINE, home.resolve("kubeconfig"));
        String explain = kubectl.ok("explain", "statefulset.spec.volumeClaimTemplates.spec.resources");
        assertTrue(explain.contains("StatefulSet") && explain.contains("requests"), explain);
        String history = kubectl.ok("rollout", "history", "sts/web");
        assertTrue(history.matches("(?s)statefulset.apps/web\\s*\\nREVISION\\s+CHANGE-CAUSE\\s*\\n1\\s+<none>\\s*"), history);
        Kubectl.Run undo = kubectl.run("rollout", "undo", "sts/web");
        assertNotEquals(0, undo.code(), undo.out());
        assertTrue(undo.err().contains("no last revision to roll back to"), undo.err());

        // deleting the set keeps its claims (Retain); the set created again gets web-0's data back, on its node
        cli("delete", "statefulset/web");
        Await.until("web's pods stopped", Duration.ofSeconds(90), () -> Docker.running(WEB).isEmpty(), this::running);
        String kept = cli("get", "pvc").stdout();
        assertTrue(kept.matches("(?s).*\\ndata-web-0\\s+Bound\\s.*"), kept);
        assertTrue(cli("apply", "-f", "" + manifest).stdout().contains("statefulset.apps/web created"));
        Await.until("web-0 running again", Duration.ofSeconds(90), () -> !containerOrEmpty("web-0").isEmpty(), this::running);
        assertEquals(node, pod("web-0").path("spec").path("nodeName").asText(), "back on the node its data is on");
        assertEquals("kept-across-restarts", BerthProcess.sh("docker", "exec", container("web-0"), "cat", "/data/greeting").strip());

        cli("delete", "statefulset/web");
        Await.until("web's pods stopped", Duration.ofSeconds(90), () -> Docker.running(WEB).isEmpty(), this::running);
    }

    // ---------------------------------------------------------------- helpers

    static String statefulSet(String name, String serviceName) {
        return """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata:
                  name: NAME
                spec:
                  SERVICE
                  replicas: 3
                  selector:
                    matchLabels:
                      app: web
                  template:
                    metadata:
                      labels:
                        app: web
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: web
                        image: berth/busybox:latest
                        command: ["sleep", "3600"]
                        volumeMounts:
                        - name: data
                          mountPath: /data
                  volumeClaimTemplates:
                  - metadata:
                      name: data
                    spec:
                      accessModes: ["ReadWriteOnce"]
                      resources:
                        requests:
                          storage: 16Mi
                """.replace("NAME", name).replace("SERVICE", serviceName);
    }

    BerthProcess.Result cli(String... args) throws Exception {
        return BerthProcess.runOk(home, 120, args);
    }

    Path write(String name, String yaml) throws Exception {
        Path p = home.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    JsonNode pod(String name) throws Exception {
        return JSON.readTree(cli("get", "pod", name, "-o", "json").stdout());
    }

    /** The running container of a pod, read from the engine. */
    String container(String pod) throws Exception {
        String id = containerOrEmpty(pod);
        if (id.isEmpty()) throw new AssertionError("no running container of " + pod + ": " + running());
        return id;
    }

    String containerOrEmpty(String pod) throws Exception {
        return BerthProcess.sh("docker", "ps", "-q", "--no-trunc", "--filter", "label=berth.workload=" + WEB,
                "--filter", "label=berth.pod=" + pod, "--filter", "status=running").strip();
    }

    String inspect(String pod, String format) throws Exception {
        return BerthProcess.sh("docker", "inspect", "-f", format, container(pod)).strip();
    }

    /** Running pods of web by name (from the engine's labels). */
    List<String> running() throws Exception {
        return List.of(BerthProcess.sh("docker", "ps", "--filter", "label=berth.workload=" + WEB, "--filter", "status=running",
                "--format", "{{.Label \"berth.pod\"}}").strip().split("\\s+")).stream().filter(s -> !s.isEmpty()).sorted().toList();
    }

    /** What busybox ping prints resolving {@code name} in {@code pod}'s container (its first line names the address). */
    String resolve(String pod, String name) throws Exception {
        Process p = new ProcessBuilder("docker", "exec", container(pod), "busybox", "ping", "-c1", "-W1", name).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    List<String> readyNodes() throws Exception {
        List<String> ready = new ArrayList<>();
        for (JsonNode n : JSON.readTree(cli("get", "nodes", "-o", "json").stdout()).path("items")) {
            for (JsonNode c : n.path("status").path("conditions")) {
                if (c.path("type").asText().equals("Ready") && c.path("status").asText().equals("True")) ready.add(n.path("metadata").path("name").asText());
            }
        }
        return ready;
    }
}
