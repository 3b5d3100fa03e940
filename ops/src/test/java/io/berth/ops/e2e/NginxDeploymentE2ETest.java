package io.berth.ops.e2e;

import io.berth.ops.Examples;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 4's first acceptance point, end to end through the gateway: the nginx Deployment from the
 * Kubernetes documentation applies unchanged with {@code berth apply -f}, {@code get deployments} and
 * {@code get pods -o wide} print kubectl's columns, and a {@code berth get pods -w -o json} process opened
 * before scaling 3 → 6 sees the three new pods ADDED and their phase changes. The image nginx:1.14.2 is
 * not on this machine (no registry is reachable): the test tags berth/busybox as nginx:1.14.2 for its
 * duration so containers start (busybox's shell exits at once: the pods restart, kubelet-style).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NginxDeploymentE2ETest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Verbatim from https://kubernetes.io/docs/concepts/workloads/controllers/deployment/ (controllers/nginx-deployment.yaml). */
    static final String NGINX = Examples.NGINX;

    E2ECluster cluster;
    Path home;
    String server;
    boolean tagged;
    Process watch;

    @BeforeAll
    void startCluster() throws Exception {
        Docker.removeAllBerthContainers();
        if (BerthProcess.sh("docker", "images", "-q", "nginx:1.14.2").isBlank()) {
            BerthProcess.sh("docker", "tag", "berth/busybox:latest", "nginx:1.14.2");
            tagged = true;
        }
        cluster = E2ECluster.up("nginx");
        home = cluster.home;
        server = cluster.server;
        cluster.startNode("n1", "--memory-bytes", "" + (4L << 30), "--cpu-millis", "4000");
        Await.until("n1 Ready", Duration.ofSeconds(60), () -> berth("get", "nodes").stdout().contains("n1     Ready"),
                () -> berth("get", "nodes").stdout());
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (watch != null) watch.destroyForcibly();
        if (cluster != null) cluster.close();
        Docker.removeAllBerthContainers();
        if (tagged) BerthProcess.sh("docker", "rmi", "nginx:1.14.2");
    }

    BerthProcess.Result berth(String... args) throws Exception {
        return cluster.cli(60, args);
    }

    @Test
    @Order(1)
    void shouldApplyTheDocumentationsNginxDeploymentUnchangedAndPrintWhatKubectlWould() throws Exception {
        Path manifest = Files.createTempDirectory("nginx").resolve("nginx-deployment.yaml");
        Files.writeString(manifest, NGINX);
        BerthProcess.Result apply = berth("apply", "-f", manifest.toString());
        assertEquals(0, apply.exit(), apply.stderr());
        assertEquals("deployment.apps/nginx-deployment created\n", apply.stdout());
        assertEquals("", apply.stderr(), "no warning: every field of the documentation's manifest is supported");

        Await.until("3 pods on n1", Duration.ofSeconds(60), () -> berth("get", "pods", "-o", "wide").stdout().lines()
                .filter(l -> l.matches("nginx-deployment-\\S+\\s.*\\sn1\\s.*")).count() == 3, () -> berth("get", "pods", "-o", "wide").stdout());

        // no --server: the CLI finds the gateway of the running 'berth up' through $BERTH_HOME/berth.json
        BerthProcess.Result deployments = BerthProcess.run(home, 60, "get", "deployments");
        assertEquals(0, deployments.exit(), deployments.stderr());
        String[] d = deployments.stdout().split("\n");
        System.out.println("e2e: berth get deployments\n" + deployments.stdout());
        assertEquals(2, d.length, deployments.stdout());
        assertEquals("NAME               READY   UP-TO-DATE   AVAILABLE   AGE", d[0]);
        assertTrue(d[1].matches("nginx-deployment   [0-3]/3     [0-3]            [0-3]           \\d+s"), d[1]);

        BerthProcess.Result pods = berth("get", "pods", "-o", "wide");
        System.out.println("e2e: berth get pods -o wide\n" + pods.stdout());
        String[] p = pods.stdout().split("\n");
        assertEquals(4, p.length, pods.stdout());
        assertTrue(p[0].matches("NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES"), p[0]);
        assertEquals(p[1].split(" ")[0].length() + 3, p[0].indexOf("READY"), "columns padded to the widest cell plus three");
        for (int i = 1; i < p.length; i++) {
            String[] cols = p[i].split("\\s{2,}");
            assertTrue(cols[0].matches("nginx-deployment-[a-z0-9]{6,10}-[a-z0-9]{5}"), cols[0]);
            assertTrue(cols[1].matches("[01]/1"), p[i]);
            assertTrue(cols[3].matches("\\d+( \\(.*\\))?"), p[i]);
            assertEquals("n1", cols[6], p[i]);
            assertEquals("<none>", cols[7], p[i]);
            assertEquals("<none>", cols[8], p[i]);
        }
    }

    @Test
    @Order(2)
    void shouldShowANewWatchTheThreeNewPodsAddedAndTheirPhaseChangesWhenScalingTo6() throws Exception {
        List<JsonNode> events = new CopyOnWriteArrayList<>();
        ProcessBuilder pb = new ProcessBuilder(BerthProcess.command("get", "pods", "-l", "app=nginx", "-w", "-o", "json", "--server", server))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("BERTH_HOME", home.toString());
        watch = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) if (!line.isBlank()) events.add(JSON.readTree(line));
            } catch (Exception ignored) {
            }
        });
        reader.setDaemon(true);
        reader.start();
        Await.until("the watch lists the 3 pods", Duration.ofSeconds(30), () -> added(events).size() >= 3, () -> events);
        Set<String> before = new HashSet<>(added(events));
        assertEquals(3, before.size(), "the listed pods: " + before);

        BerthProcess.Result scale = berth("scale", "deployment/nginx-deployment", "--replicas", "6");
        assertEquals(0, scale.exit(), scale.stderr());
        assertEquals("deployment.apps/nginx-deployment scaled\n", scale.stdout());

        Await.until("3 new pods ADDED, each then changing phase", Duration.ofSeconds(60), () -> {
            Set<String> fresh = new HashSet<>(added(events));
            fresh.removeAll(before);
            return fresh.size() == 3 && fresh.stream().allMatch(n -> phases(events, n).size() >= 2);
        }, () -> summary(events));
        Set<String> fresh = new HashSet<>(added(events));
        fresh.removeAll(before);
        for (String n : fresh) {
            List<String> ph = phases(events, n);
            System.out.println("e2e: watch saw " + n + " ADDED, phases " + ph);
            assertEquals("Pending", ph.get(0), "a new pod is first Pending: " + ph);
        }
        watch.destroy();
    }

    static List<String> added(List<JsonNode> events) {
        List<String> names = new ArrayList<>();
        for (JsonNode e : events) if (e.path("type").asText().equals("ADDED")) names.add(e.path("object").path("metadata").path("name").asText());
        return names;
    }

    /** The distinct successive phases the watch showed for a pod. */
    static List<String> phases(List<JsonNode> events, String pod) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : events) {
            if (!e.path("object").path("metadata").path("name").asText().equals(pod)) continue;
            String phase = e.path("object").path("status").path("phase").asText();
            if (out.isEmpty() || !out.get(out.size() - 1).equals(phase)) out.add(phase);
        }
        return out;
    }

    static String summary(List<JsonNode> events) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode e : events) {
            sb.append(e.path("type").asText()).append(' ').append(e.path("object").path("metadata").path("name").asText())
                    .append(' ').append(e.path("object").path("status").path("phase").asText()).append('\n');
        }
        return sb.toString();
    }
}
