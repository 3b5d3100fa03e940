package io.berth.ops.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.ops.AllInOne;
import io.berth.ops.kafka.EmbeddedKafka;
import io.berth.schemas.auth.TokenFile;
import io.berth.schemas.secrets.SecretBox;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Secrets and ConfigMaps end to end on what {@code berth up} runs in-process: a real KRaft broker, the
 * registry, state-streams, the scheduler, the gateway and a node daemon on the real Docker engine. A
 * Secret with a random value and a ConfigMap are applied, a pod consumes both through env, envFrom and
 * volumes; the container sees the values; a pod naming a missing Secret waits with
 * CreateContainerConfigError; a {@code view} user gets 403 on the Secret and the admin its value; and
 * then every record of every topic on the broker is read raw: the value, plain or base64, is nowhere.
 */
@Timeout(300)
class SecretsE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void secretValuesReachTheContainerAndNoTopic() throws Exception {
        String secretValue = "pw-" + UUID.randomUUID();
        String configValue = "mode-" + UUID.randomUUID();
        String node = "sec-" + UUID.randomUUID().toString().substring(0, 8);
        Path dir = Files.createTempDirectory("berth-secrets-e2e");
        String viewerToken = TokenFile.newToken();
        int gatewayPort = EmbeddedKafka.freePort("127.0.0.1");
        try (AllInOne up = new AllInOne(new AllInOne.Options(dir, "127.0.0.1", EmbeddedKafka.freePort("127.0.0.1"),
                EmbeddedKafka.freePort("127.0.0.1"), gatewayPort, null, true, node, Map.of("replication-factor", "1")))) {
            up.start();
            String server = up.gatewayUrl();
            String admin = up.adminToken();
            Path keyFile = dir.resolve(SecretBox.FILE_NAME);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)), "berth up made the key, owner-only");

            JsonNode applied = apply(server, admin, """
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: db}
                    type: Opaque
                    stringData: {password: %s}
                    ---
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: cfg}
                    data: {MODE: %s}
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: consumer}
                    spec:
                      volumes:
                      - {name: creds, secret: {secretName: db}}
                      - {name: conf, configMap: {name: cfg, items: [{key: MODE, path: app/mode}]}}
                      containers:
                      - name: app
                        image: berth/busybox:latest
                        command: [sh, -c, 'echo started; sleep 3600']
                        env:
                        - {name: PW, valueFrom: {secretKeyRef: {name: db, key: password}}}
                        - {name: OPT, valueFrom: {secretKeyRef: {name: nope, key: x, optional: true}}}
                        envFrom:
                        - {prefix: CFG_, configMapRef: {name: cfg}}
                        volumeMounts:
                        - {name: creds, mountPath: /etc/creds}
                        - {name: conf, mountPath: /etc/conf}
                    """.formatted(secretValue, configValue));
            assertFalse(applied.toString().contains(secretValue), "the apply's answer does not echo the value: " + applied);

            // the container sees the values: env, envFrom, both volumes (read-only)
            String id = eventually("the consumer pod running on " + node, () -> {
                try {
                    List<Docker.Container> running = Docker.running("default/pod/consumer");
                    return running.isEmpty() ? null : running.get(0).id();
                } catch (Exception e) {
                    return null;
                }
            });
            assertEquals(secretValue, exec(id, "echo \"$PW\""));
            assertEquals(configValue, exec(id, "echo \"$CFG_MODE\""));
            assertEquals("unset", exec(id, "echo \"${OPT-unset}\""), "an optional missing reference is skipped");
            assertEquals(secretValue, exec(id, "cat /etc/creds/password"));
            assertEquals(configValue, exec(id, "cat /etc/conf/app/mode"));
            assertTrue(exec(id, "touch /etc/creds/x 2>&1 || echo refused").contains("refused"), "secret volume is read-only");

            // a pod naming a missing Secret waits as the kubelet's does
            apply(server, admin, """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: orphan}
                    spec:
                      containers:
                      - name: app
                        image: berth/busybox:latest
                        command: [sleep, "3600"]
                        env: [{name: X, valueFrom: {secretKeyRef: {name: missing-one, key: k}}}]
                    """);
            String waiting = eventually("the orphan pod waiting with CreateContainerConfigError", () -> {
                JsonNode pods = get(server, admin, "/api/v1/namespaces/default/pods").body;
                for (JsonNode p : pods.path("items")) {
                    if (!p.path("metadata").path("name").asText().startsWith("orphan")) continue;
                    JsonNode w = p.path("status").path("containerStatuses").path(0).path("state").path("waiting");
                    if (w.path("reason").asText().equals("CreateContainerConfigError")) return p.path("status").path("phase").asText() + " " + w.path("message").asText();
                }
                return null;
            });
            assertEquals("Pending secret \"missing-one\" not found", waiting);
            assertTrue(Docker.containers("default/pod/orphan").isEmpty(), "no container was created");

            // a view user may not read it; the admin gets it decoded
            List<TokenFile.Entry> tokens = new ArrayList<>(TokenFile.read(dir.resolve(TokenFile.FILE_NAME)));
            tokens.add(new TokenFile.Entry(viewerToken, "viewer", "2000", List.of()));
            TokenFile.write(dir.resolve(TokenFile.FILE_NAME), tokens);
            apply(server, admin, """
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRoleBinding
                    metadata: {name: viewer-view}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
                    subjects: [{kind: User, name: viewer, apiGroup: rbac.authorization.k8s.io}]
                    """);
            eventually("the viewer may list pods", () -> get(server, viewerToken, "/api/v1/namespaces/default/pods").code == 200 ? "" : null);
            Response forbidden = get(server, viewerToken, "/api/v1/namespaces/default/secrets/db");
            assertEquals(403, forbidden.code, forbidden.body.toString());
            assertEquals("secrets \"db\" is forbidden: User \"viewer\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\"",
                    forbidden.body.path("message").asText());
            assertFalse(forbidden.body.toString().contains(secretValue));
            assertEquals(403, get(server, viewerToken, "/api/v1/namespaces/default/secrets").code);
            assertEquals(200, get(server, viewerToken, "/api/v1/namespaces/default/configmaps/cfg").code);
            Response ok = get(server, admin, "/api/v1/namespaces/default/secrets/db");
            assertEquals(200, ok.code, ok.body.toString());
            assertEquals(secretValue, new String(Base64.getDecoder().decode(ok.body.path("data").path("password").asText()), StandardCharsets.UTF_8));

            // the CLI lists them as kubectl does
            String secrets = cli("get", "secrets", "--server", server, "--token", admin);
            assertTrue(secrets.matches("(?s)NAME +TYPE +DATA +AGE\\n+db +Opaque +1 +\\S+\\n"), secrets);
            String configmaps = cli("get", "configmaps", "--server", server, "--token", admin);
            assertTrue(configmaps.matches("(?s)NAME +DATA +AGE\\n+cfg +1 +\\S+\\n"), configmaps);
            System.out.print("$ berth get secrets\n" + secrets + "$ berth get configmaps\n" + configmaps);
            // berth apply of Secrets and ConfigMaps says what kubectl says: created once, then configured/unchanged
            Path cfgFile = dir.resolve("cli-config.yaml");
            Files.writeString(cfgFile, """
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: cli-secret}
                    stringData: {k: v}
                    ---
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: cli-cfg}
                    data: {k: v}
                    """);
            assertEquals("secret/cli-secret created\nconfigmap/cli-cfg created\n", cli("apply", "-f", cfgFile.toString(), "--server", server, "--token", admin));
            String again = cli("apply", "-f", cfgFile.toString(), "--server", server, "--token", admin);
            assertTrue(again.matches("secret/cli-secret (configured|unchanged)\nconfigmap/cli-cfg (configured|unchanged)\n"), again);
            String denied = cli("get", "secret", "db", "--server", server, "--token", viewerToken);
            System.out.print("$ berth get secret db   (as viewer)\n" + denied);

            // every record of every topic, raw: the value is nowhere, plain or base64
            Map<String, Integer> scanned = scanEveryTopic(up.bootstrapServers(), List.of(
                    secretValue.getBytes(StandardCharsets.UTF_8),
                    Base64.getEncoder().encode(secretValue.getBytes(StandardCharsets.UTF_8)),
                    Base64.getUrlEncoder().encode(secretValue.getBytes(StandardCharsets.UTF_8))));
            for (String t : List.of("berth.configs", "berth.intents", "berth.assignments", "berth.audit", "berth.state.tasks", "berth.task-status")) {
                assertTrue(scanned.getOrDefault(t, 0) > 0, t + " was scanned and had records: " + scanned);
            }
            assertTrue(scanned.keySet().stream().anyMatch(t -> t.endsWith("-changelog")), "Streams changelogs scanned: " + scanned.keySet());
            System.out.println("scanned records per topic: " + scanned);
        } finally {
            Docker.removeContainersOfNode(node);
            io.berth.ops.TestSupport.retire(dir);
        }
    }

    /** Reads every partition of every topic (internal ones too) from the start to the end, uncommitted records included. */
    private static Map<String, Integer> scanEveryTopic(String bootstrap, List<byte[]> needles) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        List<TopicPartition> partitions = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
            admin.describeTopics(names).allTopicNames().get().forEach((name, d) ->
                    d.partitions().forEach(p -> partitions.add(new TopicPartition(name, p.partition()))));
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 60_000;
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.currentTimeMillis() > deadline) fail("topics not read to the end within 60 s");
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    counts.merge(r.topic(), 1, Integer::sum);
                    List<byte[]> parts = new ArrayList<>(List.of(r.key() == null ? new byte[0] : r.key(), r.value() == null ? new byte[0] : r.value()));
                    for (Header h : r.headers()) parts.add(h.value() == null ? new byte[0] : h.value());
                    for (byte[] part : parts) {
                        for (byte[] needle : needles) {
                            assertFalse(contains(part, needle), "the secret value (" + new String(needle, StandardCharsets.UTF_8) + ") is in "
                                    + r.topic() + "/" + r.partition() + "@" + r.offset());
                        }
                    }
                }
            }
        }
        return counts;
    }

    /** The berth CLI in-process: what it printed on stdout and stderr. */
    private static String cli(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cl = io.berth.ops.Berth.commandLine();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(out, true));
        cl.execute(args);
        return out.toString();
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return true;
        }
        return false;
    }

    private static String exec(String container, String script) throws Exception {
        return BerthProcess.sh("docker", "exec", container, "sh", "-c", script).strip();
    }

    record Response(int code, JsonNode body) {}

    private JsonNode apply(String server, String token, String yaml) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server + "/apis/berth.io/v1/apply"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(yaml)).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() == 200 || r.statusCode() == 202, r.statusCode() + " " + r.body());
        JsonNode body = JSON.readTree(r.body());
        for (JsonNode item : body.path("items")) assertNotEquals("Failure", item.path("status").asText(), item.toString());
        return body;
    }

    private Response get(String server, String token, String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server + path)).header("Authorization", "Bearer " + token)
                    .GET().timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), JSON.readTree(r.body()));
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static <T> T eventually(String what, Supplier<T> condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 90_000;
        while (true) {
            T v = condition.get();
            if (v != null) return v;
            if (System.currentTimeMillis() > deadline) fail("not within 90 s: " + what);
            Thread.sleep(200);
        }
    }
}
