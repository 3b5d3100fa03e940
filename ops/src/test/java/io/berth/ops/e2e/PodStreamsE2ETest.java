package io.berth.ops.e2e;

import io.berth.ops.AllInOne;
import io.berth.ops.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * exec and port-forward, end to end (issue 14): the machine's stock kubectl (v1.32) and the berth CLI against a
 * real all-in-one (embedded broker, gateway, state-streams, scheduler) and a real Docker node daemon. A busybox
 * pod serves a page with {@code httpd}; kubectl exec propagates the command's exit code and output, feeds stdin
 * with {@code -i} (to its end: {@code cat} exits), kubectl port-forward fetches the page through the forwarded
 * port (SPDY tunneled in WebSocket), and the berth CLI does the same; a bad token and a pod on no node are
 * refused with a Status. Then kubectl 1.20, which upgrades the HTTP connection itself to SPDY/3.1: exec with its exit
 * code and stdin, port-forward, and the refusal.
 */
@Timeout(600)
class PodStreamsE2ETest {
    private Path kubeconfig;
    private String binary = "kubectl";

    @Test
    void execAndPortForwardThroughKubectlAndBerth() throws Exception {
        Path dir = Files.createTempDirectory("berth-streams");
        String node = "streams-" + UUID.randomUUID().toString().substring(0, 8);
        try (AllInOne up = new AllInOne(new AllInOne.Options(dir, "127.0.0.1", EmbeddedKafka.freePort("127.0.0.1"),
                EmbeddedKafka.freePort("127.0.0.1"), EmbeddedKafka.freePort("127.0.0.1"), null, true, node,
                Map.of("replication-factor", "1", "mesh", "false")))) {
            up.start();
            kubeconfig = dir.resolve("kubeconfig");
            Path pod = dir.resolve("pod.yaml");
            Files.writeString(pod, """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: web}
                    spec:
                      containers:
                      - name: app
                        image: berth/busybox:latest
                        command: [sh, -c, "mkdir -p /www && echo hello-from-pod > /www/index.html && exec httpd -f -p 8080 -h /www"]
                        ports: [{containerPort: 8080}]
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: nowhere}
                    spec:
                      nodeSelector: {berth.io/no-such-node: "true"}
                      containers:
                      - {name: app, image: berth/busybox:latest, command: [sleep, "3600"]}
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: carol-views}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
                    subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: carol}]
                    """);
            ok(null, "apply", "-f", pod.toString());
            ok(null, "wait", "--for=jsonpath={.status.phase}=Running", "pod/web", "--timeout=120s");

            // kubectl exec: output on both streams, the exit code propagated
            Run r = kubectl(null, "exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
            assertEquals(3, r.code, r.err);
            assertEquals("out\n", r.out);
            assertTrue(r.err.contains("err"), r.err);
            assertEquals("hello-from-pod\n", ok(null, "exec", "web", "-c", "app", "--", "cat", "/www/index.html"));
            // -i: stdin reaches the command, and its end too (cat exits)
            assertEquals("got:abc\n", ok("abc\n", "exec", "-i", "web", "--", "sh", "-c", "read x; echo got:$x"));

            // the berth CLI: exec with exit code and stdin, port-forward
            String server = up.gatewayUrl();
            BerthProcess.Result b = BerthProcess.run(dir, 60, "exec", "web", "--server", server, "--", "sh", "-c", "echo berth-out; exit 5");
            assertEquals(5, b.exit(), b.stderr());
            assertEquals("berth-out\n", b.stdout());
            List<String> pf = BerthProcess.command("port-forward", "web", ":8080", "--server", server);
            try (Forward f = forward(pf, dir)) {
                assertEquals("hello-from-pod\n", f.fetch());
            }

            // the end of stdin reaches the command (cat exits), through kubectl and berth
            assertEquals("line1\nline2\n", ok("line1\nline2\n", "exec", "-i", "web", "--", "cat"));
            Path in = dir.resolve("stdin.txt");
            Files.writeString(in, "from-berth\n");
            ProcessBuilder pb = new ProcessBuilder(BerthProcess.command("exec", "-i", "web", "--server", server, "--", "cat"))
                    .redirectInput(in.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("BERTH_HOME", dir.toString());
            Process cat = pb.start();
            String catOut = new String(cat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(cat.waitFor(60, TimeUnit.SECONDS), "berth exec -i cat did not end with its stdin");
            assertEquals(0, cat.exitValue());
            assertEquals("from-berth\n", catOut);

            // refusals, as Status answers
            Run unauthorized = kubectl(null, "--token", "not-a-token", "exec", "web", "--", "true");
            assertNotEquals(0, unauthorized.code);
            assertTrue(unauthorized.err.contains("Unauthorized") || unauthorized.err.contains("must be logged in"), unauthorized.err);
            // carol may view pods (kubectl reads the pod first), not exec into them or forward to them
            Run forbidden = kubectl(null, "--as", "carol", "exec", "web", "--", "true");
            assertNotEquals(0, forbidden.code);
            assertTrue(forbidden.err.contains("User \"carol\" cannot create resource \"pods/exec\""), forbidden.err);
            Run forbiddenForward = kubectl(null, "--as", "carol", "port-forward", "pod/web", ":8080");
            assertNotEquals(0, forbiddenForward.code);
            assertTrue(forbiddenForward.err.toLowerCase(java.util.Locale.ROOT).contains("forbidden"), forbiddenForward.err);
            Run nowhere = kubectl(null, "exec", "nowhere", "--", "true");
            assertNotEquals(0, nowhere.code);
            assertTrue(nowhere.err.contains("pod nowhere does not have a host assigned"), nowhere.err);
            BerthProcess.Result missing = BerthProcess.run(dir, 60, "exec", "nope", "--server", server, "--", "true");
            assertEquals(1, missing.exit());
            assertTrue(missing.stderr().contains("pods \"nope\" not found"), missing.stderr());
            // kubectl port-forward (WebSocket-tunneled SPDY), then a fetch through it
            try (Forward f = forward(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "port-forward", "pod/web", ":8080"))) {
                assertEquals("hello-from-pod\n", f.fetch());
                assertEquals("hello-from-pod\n", f.fetch()); // a second connection over the same session
            }

            // kubectl 1.20 (ops/test unpacks it): the same over a plain SPDY/3.1 upgrade of the HTTP connection
            binary = StockKubectlTest.KUBECTL_120;
            Run old = kubectl(null, "exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
            assertEquals(3, old.code, old.err);
            assertEquals("out\n", old.out);
            assertTrue(old.err.contains("err") && old.err.contains("command terminated with exit code 3"), old.err);
            assertEquals("line1\nline2\n", ok("line1\nline2\n", "exec", "-i", "web", "--", "cat"));
            try (Forward f = forward(List.of(binary, "--kubeconfig", kubeconfig.toString(), "port-forward", "pod/web", ":8080"))) {
                assertEquals("hello-from-pod\n", f.fetch());
                assertEquals("hello-from-pod\n", f.fetch());
            }
            Run oldForbidden = kubectl(null, "--as", "carol", "exec", "web", "--", "true");
            assertNotEquals(0, oldForbidden.code);
            assertTrue(oldForbidden.err.contains("cannot create resource \"pods/exec\""), oldForbidden.err);

        } finally {
            Docker.removeContainersOfNode(node);
        }
    }

    /** A port-forward process and the local port it announced ({@code Forwarding from 127.0.0.1:N -> 8080}). */
    private record Forward(Process process, int port, Path stderr) implements AutoCloseable {
        /** GET / through the forwarded port; a failure carries what the forwarding process printed on stderr. */
        String fetch() throws Exception {
            try {
                return PodStreamsE2ETest.fetch(port);
            } catch (Exception | AssertionError e) {
                throw new AssertionError("fetch through port " + port + " failed (" + e + "); the forwarder said:\n" + Files.readString(stderr), e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }

    private static Forward forward(List<String> cmd) throws IOException {
        return forward(cmd, null);
    }

    private static Forward forward(List<String> cmd, Path home) throws IOException {
        Path err = Files.createTempFile("forward", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        if (home != null) pb.environment().put("BERTH_HOME", home.toString());
        Process p = pb.start();
        Pattern forwarding = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> 8080");
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            for (String line; System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
                seen.add(line);
                Matcher m = forwarding.matcher(line);
                if (m.find()) {
                    Thread drain = new Thread(() -> {
                        try {
                            while (out.readLine() != null) { /* Handling connection for … */ }
                        } catch (IOException ignored) {
                            // the process ended
                        }
                    });
                    drain.setDaemon(true);
                    drain.start();
                    return new Forward(p, Integer.parseInt(m.group(1)), err);
                }
            }
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " announced no forwarded port: " + seen);
    }

    /** GET / over a fresh connection to the forwarded port (HTTP/1.0: the server closes after its answer); the body. */
    private static String fetch(int port) throws Exception {
        String[] answer = Kubectl.fetch(port, "/");
        assertTrue(answer[0].startsWith("HTTP/1.") && answer[0].contains(" 200 "), answer[0] + "\n" + answer[1]);
        return answer[1];
    }

    private String ok(String stdin, String... args) throws Exception {
        Run r = kubectl(stdin, args);
        if (r.code != 0) fail("kubectl " + String.join(" ", args) + " exited " + r.code + ":\n" + r.out + r.err);
        return r.out;
    }

    private record Run(int code, String out, String err) {}

    private Run kubectl(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary, "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Path in = Files.createTempFile("kubectl", ".in"), out = Files.createTempFile("kubectl", ".out"), err = Files.createTempFile("kubectl", ".err");
        Files.writeString(in, stdin == null ? "" : stdin);
        Process p = new ProcessBuilder(cmd).redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) fail("kubectl " + String.join(" ", args) + " did not finish in 120 s: " + Files.readString(err));
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
