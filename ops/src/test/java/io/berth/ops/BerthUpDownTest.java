package io.berth.ops;

import io.berth.ops.kafka.EmbeddedKafka;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real CLI as OS processes: {@code berth up -d} returns when ready, {@code status} shows it,
 * the registry answers Confluent's REST API, {@code down} stops it, and schemas survive down + up.
 */
class BerthUpDownTest {
    private static final String CT = "application/vnd.schemaregistry.v1+json";
    private static final String V1 = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"t\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
    private static final String V2_INCOMPATIBLE = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"t\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"qty\",\"type\":\"int\"}]}";

    private final HttpClient http = HttpClient.newHttpClient();
    private Path dataDir;

    record Result(int code, String out) {}

    Result berth(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Processes.javaBin(), "-Xmx512m", "-XX:+UseSerialGC",
                "-cp", TestSupport.classpath(), Berth.class.getName()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--data-dir", dataDir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(240, TimeUnit.SECONDS));
        System.out.println("$ berth " + String.join(" ", args) + " -> " + p.exitValue() + "\n" + out);
        return new Result(p.exitValue(), out);
    }

    HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Registers as Confluent's clients do with {@code basic.auth.user.info=admin:<token>} (null: no credential). */
    HttpResponse<String> register(String registry, String subject, String schema, String adminToken) throws Exception {
        String body = "{\"schema\":\"" + schema.replace("\"", "\\\"") + "\"}";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(registry + "/subjects/" + subject + "/versions"))
                .header("Content-Type", CT).POST(HttpRequest.BodyPublishers.ofString(body));
        if (adminToken != null) b.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + adminToken).getBytes()));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A newcomer's {@code berth get pods}: no flags, the launcher's state and kubeconfig found through $BERTH_HOME. */
    Result newcomer(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Processes.javaBin(), "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", TestSupport.classpath(), Berth.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("BERTH_HOME", dataDir.toString());
        pb.environment().remove("BERTH_TOKEN");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    static int id(String json) {
        Matcher m = Pattern.compile("\"id\"\\s*:\\s*(\\d+)").matcher(json);
        assertTrue(m.find(), "no id in " + json);
        return Integer.parseInt(m.group(1));
    }

    @AfterEach
    void cleanup() throws Exception {
        if (dataDir != null) {
            BerthState.read(dataDir).ifPresent(s -> {
                try {
                    Processes.stop(s.pid(), 20_000);
                } catch (Exception ignored) {
                }
            });
            TestSupport.deleteTree(dataDir);
        }
    }

    @Test
    @Timeout(value = 480, unit = TimeUnit.SECONDS) // two cold starts plus three CLI JVMs; the shared 2-core box at load 20-30 needs it
    void upStatusDownAndSchemasSurviveARestart() throws Exception {
        dataDir = Files.createTempDirectory("berth-up");
        String kafkaPort = String.valueOf(EmbeddedKafka.freePort("127.0.0.1"));
        String registryPort = String.valueOf(EmbeddedKafka.freePort("127.0.0.1"));
        String gatewayPort = String.valueOf(EmbeddedKafka.freePort("127.0.0.1"));
        String[] up = {"up", "-d", "--kafka-port", kafkaPort, "--registry-port", registryPort, "--gateway-port", gatewayPort, "--node-name", "test-node"};

        Result r = berth(up);
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("Berth is up"), r.out());
        assertTrue(r.out().contains("metrics   http://127.0.0.1:" + gatewayPort + "/metrics"), "berth up prints where the metrics are: " + r.out());
        BerthState st = BerthState.read(dataDir).orElseThrow();
        assertTrue(st.ready() && st.alive(), "state file names a live, ready process");
        assertEquals("127.0.0.1:" + kafkaPort, st.bootstrapServers());
        String registry = st.registryUrl();
        assertEquals("http://127.0.0.1:" + registryPort, registry);

        // the admin credential: a kubeconfig other Kubernetes clients use, and the CLI finds by itself
        Path kubeconfig = dataDir.resolve("kubeconfig");
        assertTrue(r.out().contains(kubeconfig.toString()), "up prints where the kubeconfig is: " + r.out());
        String adminToken = io.berth.ops.kubectl.Kubeconfig.token(kubeconfig).orElseThrow();
        String kc = Files.readString(kubeconfig);
        // kubectl's context is the secure port (client-go sends tokens only over TLS); the loopback context is the CLI's
        assertTrue(kc.contains("server: http://127.0.0.1:" + gatewayPort) && kc.contains("current-context: berth\n"), kc);
        assertTrue(io.berth.ops.kubectl.Kubeconfig.server(kubeconfig).orElseThrow().startsWith("https://127.0.0.1:"), kc);
        assertTrue(kc.contains("certificate-authority-data:"), kc);
        assertTrue(Files.readString(dataDir.resolve("tokens.csv")).contains(adminToken + ",admin,0,\"system:masters\""));
        assertEquals(401, get("http://127.0.0.1:" + gatewayPort + "/api/v1/pods").statusCode(), "the gateway needs the token");
        Result pods = newcomer("get", "pods");
        assertEquals(0, pods.code(), "a newcomer's 'berth get pods' just works: " + pods.out());
        if (Files.isExecutable(Path.of("/usr/bin/kubectl"))) {
            // another Kubernetes client reads the kubeconfig as it is and reaches the gateway over the secure port
            Process k = new ProcessBuilder("/usr/bin/kubectl", "--kubeconfig", kubeconfig.toString(), "get", "--raw", "/api/v1/namespaces/default/pods")
                    .redirectErrorStream(true).start();
            String kout = new String(k.getInputStream().readAllBytes());
            assertTrue(k.waitFor(60, TimeUnit.SECONDS));
            assertTrue(kout.contains("\"kind\":\"PodList\""), "kubectl with the kubeconfig is answered as admin: " + kout);
        }
        Result tokens = newcomer("token", "list", "--data-dir", dataDir.toString());
        assertTrue(tokens.out().contains("admin") && tokens.out().contains("system:masters") && !tokens.out().contains(adminToken), tokens.out());

        Result status = berth("status");
        assertEquals(0, status.code(), status.out());
        assertTrue(status.out().contains("running (pid " + st.pid()), status.out());
        assertTrue(status.out().matches("(?s).*kafka\\s+127\\.0\\.0\\.1:" + kafkaPort + "\\s+reachable.*"), status.out());
        assertTrue(status.out().matches("(?s).*registry\\s+http\\S+\\s+reachable.*"), status.out());

        // another node daemon in the background: its pid is the last line
        Result node = berth("node", "start", "--name", "second-node", "-d");
        assertEquals(0, node.code(), node.out());
        String[] lines = node.out().strip().split("\\R");
        long nodePid = Long.parseLong(lines[lines.length - 1].trim());
        assertTrue(Processes.alive(nodePid), "node daemon runs");
        assertTrue(berth("status").out().matches("(?s).*second-node\\s+running \\(pid " + nodePid + "\\).*"));
        assertEquals(0, berth("node", "stop", "--name", "second-node").code());
        assertFalse(Processes.alive(nodePid), "node stop waits for the exit");

        Result again = berth(up);
        assertEquals(1, again.code(), "a second up on the same data dir is refused");

        // Confluent REST API of the bundled registry
        HttpResponse<String> subjects = get(registry + "/subjects");
        assertEquals(200, subjects.statusCode());
        // a JSON list; Berth's own services have registered their value schemas by now, the test's subjects are not there yet
        String listed = subjects.body().replace(" ", "");
        assertTrue(listed.startsWith("[") && listed.endsWith("]"), listed);
        assertFalse(listed.contains("orders-value"), listed);
        assertEquals(401, register(registry, "orders-value", V1, null).statusCode(), "registry writes need a credential");
        HttpResponse<String> a = register(registry, "orders-value", V1, adminToken);
        HttpResponse<String> b = register(registry, "orders-copy-value", V1, adminToken);
        assertEquals(200, a.statusCode(), a.body());
        assertEquals(200, b.statusCode(), b.body());
        int schemaId = id(a.body());
        assertEquals(schemaId, id(b.body()), "the same schema under two subjects has one id");
        HttpResponse<String> incompatible = register(registry, "orders-value", V2_INCOMPATIBLE, adminToken);
        assertEquals(409, incompatible.statusCode(), "a field without default breaks BACKWARD: " + incompatible.body());

        Result down = berth("down");
        assertEquals(0, down.code(), down.out());
        assertFalse(Processes.alive(st.pid()), "down waits until the process has exited");
        assertEquals(3, berth("status").code(), "status says not running");

        Result up2 = berth(up);
        assertEquals(0, up2.code(), up2.out());
        String subjectsAfter = get(registry + "/subjects").body();
        assertTrue(subjectsAfter.contains("\"orders-value\"") && subjectsAfter.contains("\"orders-copy-value\""), subjectsAfter);
        HttpResponse<String> latest = get(registry + "/subjects/orders-value/versions/latest");
        assertEquals(200, latest.statusCode(), latest.body());
        assertEquals(schemaId, id(latest.body()), "the schema keeps its id after down + up");
        assertEquals(adminToken, io.berth.ops.kubectl.Kubeconfig.token(kubeconfig).orElseThrow(), "the admin token is kept across restarts");
        assertEquals(0, berth("down").code());
    }
}
