package io.berth.ops.e2e;

import io.berth.ops.AllInOne;
import io.berth.ops.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code kubectl top} (the machine's v1.32, with the kubeconfig {@code berth up} wrote) and {@code berth top}
 * against a real Berth on a real broker and real Docker: a pod spinning a busy loop shows at least 300m CPU, an
 * idle one under 50m, and the node is listed with its share of allocatable. The usage comes from the containers'
 * cgroup files, sampled every 2 s here.
 */
@Timeout(600)
class TopE2ETest {
    private Path kubeconfig;
    private String gatewayUrl;

    @Test
    void kubectlTopAndBerthTopShowWhatThePodsUse() throws Exception {
        Path dir = Files.createTempDirectory("berth-top");
        String node = "top-" + UUID.randomUUID().toString().substring(0, 8);
        try (AllInOne up = new AllInOne(new AllInOne.Options(dir, "127.0.0.1", EmbeddedKafka.freePort("127.0.0.1"),
                EmbeddedKafka.freePort("127.0.0.1"), EmbeddedKafka.freePort("127.0.0.1"), null, true, node,
                Map.of("replication-factor", "1", "mesh", "false", "stats-period-ms", "2000")))) {
            up.start();
            kubeconfig = dir.resolve("kubeconfig");
            gatewayUrl = up.gatewayUrl();
            Path pods = dir.resolve("pods.yaml");
            Files.writeString(pods, """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: busy, labels: {load: busy}}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - {name: spin, image: berth/busybox:latest, command: [sh, -c, "while :; do :; done"]}
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: idle, labels: {load: idle}}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - {name: rest, image: berth/busybox:latest, command: [sleep, "3600"]}
                    """);
            ok("apply", "-f", pods.toString());
            assertTrue(ok("wait", "--for=condition=Ready", "pod/busy", "pod/idle", "--timeout=180s").contains("condition met"));

            // discovery names the group as metrics-server registers it
            assertTrue(ok("api-versions").contains("metrics.k8s.io/v1beta1"));

            String[] last = {""};
            Await.until("kubectl top pods: busy >= 300m, idle < 50m", Duration.ofSeconds(90), () -> {
                Run r = kubectl("top", "pods");
                last[0] = r.out + r.err;
                if (r.code != 0) return false;
                Long busy = millis(r.out, "busy"), idle = millis(r.out, "idle");
                return busy != null && idle != null && busy >= 300 && idle < 50;
            }, () -> last[0]);
            String table = kubectl("top", "pods").out;
            assertTrue(table.matches("(?s)NAME\\s+CPU\\(cores\\)\\s+MEMORY\\(bytes\\)\\s*\\n.*busy\\s+\\d+m\\s+\\d+Mi\\s*\\n.*"), table);

            // berth top: the same columns and formats, and its options
            Await.until("berth top pods: busy >= 300m, idle < 50m", Duration.ofSeconds(60), () -> {
                String[] r = berth("top", "pods");
                last[0] = r[1] + r[2];
                Long busy = millis(r[1], "busy"), idle = millis(r[1], "idle");
                return r[0].equals("0") && busy != null && idle != null && busy >= 300 && idle < 50;
            }, () -> last[0]);
            String mine = berthOk("top", "pods", "--sort-by=cpu");
            String theirs = ok("top", "pods", "--sort-by=cpu");
            System.out.println("kubectl top pods --sort-by=cpu:\n" + theirs + "berth top pods --sort-by=cpu:\n" + mine);
            String[] lines = mine.split("\n");
            assertEquals(theirs.split("\n")[0], lines[0], "the same header, to the space (Go's tabwriter as kubectl sets it up)");
            assertTrue(lines[0].matches("NAME +CPU\\(cores\\) +MEMORY\\(bytes\\) *"), mine);
            assertTrue(lines[1].startsWith("busy "), "sorted by cpu, busiest first: " + mine);
            String containers = berthOk("top", "pods", "-l", "load=busy", "--containers", "--no-headers");
            assertTrue(containers.matches("busy +spin +\\d+m +\\d+Mi *\\n"), containers);
            String all = berthOk("top", "pods", "-A", "-l", "load=idle");
            assertTrue(all.matches("NAMESPACE +NAME +CPU\\(cores\\) +MEMORY\\(bytes\\) *\\ndefault +idle +\\d+m +\\d+Mi *\\n"), all);
            String kubectlContainers = ok("top", "pod", "busy", "--containers");
            assertTrue(kubectlContainers.matches("(?s)POD\\s+NAME\\s+CPU\\(cores\\)\\s+MEMORY\\(bytes\\)\\s*\\nbusy\\s+spin\\s+\\d+m\\s+\\d+Mi\\s*\\n"), kubectlContainers);

            // nodes: usage and the share of allocatable, from the Node's status
            Await.until("kubectl top nodes lists " + node, Duration.ofSeconds(60), () -> {
                Run r = kubectl("top", "nodes");
                last[0] = r.out + r.err;
                return r.code == 0 && r.out.matches("(?s)NAME\\s+CPU\\(cores\\)\\s+CPU\\(%\\)\\s+MEMORY\\(bytes\\)\\s+MEMORY\\(%\\)\\s*\\n"
                        + Pattern.quote(node) + "\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%\\s*\\n");
            }, () -> last[0]);
            String nodes = berthOk("top", "nodes");
            System.out.println("kubectl top nodes:\n" + ok("top", "nodes") + "berth top nodes:\n" + nodes);
            assertTrue(nodes.matches("NAME +CPU\\(cores\\) +CPU\\(%\\) +MEMORY\\(bytes\\) +MEMORY\\(%\\) *\\n" + Pattern.quote(node)
                    + " +\\d+m +\\d+% +\\d+Mi +\\d+% *\\n"), nodes);
            // Debian's kubectl 1.20 reads the same metrics API
            Kubectl old = new Kubectl(Kubectl.V1_20, kubeconfig);
            String oldPods = old.ok("top", "pods");
            assertTrue(oldPods.matches("(?s)NAME\\s+CPU\\(cores\\)\\s+MEMORY\\(bytes\\)\\s*\\n.*\\bbusy\\s+\\d+m\\s+\\d+Mi.*"), oldPods);
            String oldNodes = old.ok("top", "nodes");
            assertTrue(oldNodes.matches("(?s)NAME\\s+CPU\\(cores\\)\\s+CPU%\\s+MEMORY\\(bytes\\)\\s+MEMORY%\\s*\\n" + Pattern.quote(node) + "\\s+\\d+m\\s+\\d+%.*"), oldNodes);

            // unknown objects: the Status kubectl expects
            Run missing = kubectl("top", "pod", "nosuch");
            assertTrue(missing.code != 0 && missing.err.contains("NotFound") && missing.err.contains("nosuch"), missing.out + missing.err);
            String[] noNode = berth("top", "node", "nosuch");
            assertEquals("1", noNode[0], noNode[1] + noNode[2]);
        } finally {
            Docker.removeContainersOfNode(node);
        }
    }

    /** The millicores {@code kubectl top pods} printed for {@code pod}, or null when it has no row. */
    static Long millis(String table, String pod) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(pod) + "\\s+(\\d+)m\\s").matcher(table);
        return m.find() ? Long.parseLong(m.group(1)) : null;
    }

    private String[] berth(String... args) throws IOException {
        return new InProcessBerth(gatewayUrl, kubeconfig).run(args);
    }

    private String berthOk(String... args) throws IOException {
        return new InProcessBerth(gatewayUrl, kubeconfig).ok(args);
    }

    private String ok(String... args) throws Exception {
        Run r = kubectl(args);
        if (r.code != 0) fail("kubectl " + String.join(" ", args) + " exited " + r.code + ":\n" + r.out + r.err);
        return r.out;
    }

    private record Run(int code, String out, String err) {}

    private Run kubectl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("kubectl", ".out"), err = Files.createTempFile("kubectl", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) fail("kubectl " + String.join(" ", args) + " did not finish in 60 s");
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
