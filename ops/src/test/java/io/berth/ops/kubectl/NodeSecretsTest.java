package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.node.NodeDaemonService;
import io.berth.node.config.GatewaySecrets;
import io.berth.node.join.NodeJoin;
import io.berth.scheduler.SchedulerService;
import io.berth.schemas.auth.ClusterSecret;
import io.berth.schemas.auth.NodeKeys;
import io.berth.schemas.secrets.SecretBox;
import io.berth.schemas.service.BerthConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 12, item 6's last gap, through the real broker, state-streams, the scheduler, the gateway and node
 * daemons (simulated runtime) that joined with a token: nodes never get the Secrets' key (not in the join
 * answer); a node reads the values of a Secret from the gateway, as itself (requests signed with its node
 * key), only for a pod assigned to it that references that Secret, and only the keys that pod references
 * (Kubernetes' Node authorizer); any other ask is 403 in the Node authorizer's words; a forged, unsigned,
 * stale or replayed request is 401; a node that cannot reach the gateway leaves its pod waiting with
 * CreateContainerConfigError and goes on.
 */
class NodeSecretsTest extends InProcessControlPlaneTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private SchedulerService scheduler;
    private final List<NodeDaemonService> daemons = new ArrayList<>();

    @Override
    boolean withClusterSecret() {
        return true;
    }

    @Override
    boolean withSecretsKey() {
        return true;
    }

    @BeforeAll
    void startScheduler() throws Exception {
        scheduler = new SchedulerService(BerthConfig.of(kafka.bootstrapServers(), "in-memory", dataDir).with("replication-factor", "1"), registry);
        scheduler.start();
    }

    @AfterAll
    void stopNodesAndScheduler() {
        daemons.forEach(NodeDaemonService::close);
        if (scheduler != null) scheduler.close();
    }

    private NodeDaemonService daemon(String name, Map<String, String> credential) throws Exception {
        BerthConfig c = BerthConfig.of(kafka.bootstrapServers(), "in-memory", dataDir.resolve("node-" + name))
                .with("node-id", name).with("node-name", name).with("runtime", "sim").with("mesh", "false")
                .with("node-cpu-millis", "4000").with("node-memory-bytes", String.valueOf(8L << 30)).with("node-labels", "who=" + name);
        for (var e : credential.entrySet()) c = c.with(e.getKey(), e.getValue());
        NodeDaemonService d = new NodeDaemonService(c, registry);
        daemons.add(d);
        d.start();
        return d;
    }

    @Test
    void shouldGiveANodeOnlyTheSecretKeysOfItsOwnPods() throws Exception {
        String password = "pw-" + UUID.randomUUID(), user = "user-" + UUID.randomUUID();
        byte[] secret = ClusterSecret.read(dataDir.resolve(ClusterSecret.FILE_NAME)).orElseThrow();
        String token = berth("token", "create", "--node", "--ttl", "1h", "--data-dir", dataDir.toString()).out.strip();
        await("the gateway reads the new token", () -> join("probe", token).statusCode() == 200);

        // (d) the join answer holds the node key and nothing else: not the Secrets' key
        HttpResponse<String> joined = join("n1", token);
        JsonNode answer = JSON.readTree(joined.body());
        assertTrue(answer.has("key"), joined.body());
        assertFalse(answer.has("secretsKeys"), joined.body());
        for (String line : Files.readAllLines(dataDir.resolve(SecretBox.FILE_NAME))) {
            if (line.isBlank() || line.startsWith("#")) continue;
            assertFalse(joined.body().contains(line.substring(line.indexOf(':') + 1).strip()), "the Secrets' key is not in the join answer");
        }

        daemon("n1", Map.of("join-token", token, "gateway-url", server));
        daemon("n2", Map.of("join-token", token, "gateway-url", server));
        apply("""
                apiVersion: v1
                kind: Secret
                metadata: {name: db}
                stringData: {password: %s, user: %s, unused: never-asked-for}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: other}
                stringData: {x: "1"}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: p1}
                spec:
                  nodeSelector: {who: n1}
                  volumes: [{name: creds, secret: {secretName: db, items: [{key: user, path: u}]}}]
                  containers:
                  - name: app
                    image: berth/busybox:latest
                    env: [{name: PW, valueFrom: {secretKeyRef: {name: db, key: password}}}]
                    volumeMounts: [{name: creds, mountPath: /etc/creds}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: p2}
                spec:
                  nodeSelector: {who: n2}
                  containers:
                  - name: app
                    image: berth/busybox:latest
                    envFrom: [{secretRef: {name: other}}]
                """.formatted(password, user));
        // (a) n1's daemon read its pod's values from the gateway and started it
        JsonNode p1 = pod("p1", "Running");
        await("p2 bound to n2", () -> "n2".equals(podOrNull("p2").path("spec").path("nodeName").asText()));
        JsonNode p2 = podOrNull("p2");
        assertEquals("n1", p1.path("spec").path("nodeName").asText());
        assertEquals("n2", p2.path("spec").path("nodeName").asText());
        String task1 = p1.path("metadata").path("uid").asText(), task2 = p2.path("metadata").path("uid").asText();

        // (a) what n1 gets for its pod: the two keys p1 references, not the third
        byte[] key1 = NodeKeys.nodeKey(secret, "n1"), key2 = NodeKeys.nodeKey(secret, "n2");
        GatewaySecrets asN1 = new GatewaySecrets(server, "n1", key1, null, System::currentTimeMillis);
        Map<String, byte[]> values = asN1.get("default", "db", task1).orElseThrow();
        assertEquals(Map.of("password", password, "user", user), text(values), "only the keys p1 references");
        assertEquals(Map.of("x", "1"), text(new GatewaySecrets(server, "n2", key2, null, System::currentTimeMillis).get("default", "other", task2).orElseThrow()),
                "n2 reads its own pod's Secret (envFrom: every key)");

        // (b) a Secret of a pod on another node, or one its pod does not reference: 403 in the Node authorizer's words
        String forbiddenOther = "secrets \"other\" is forbidden: User \"system:node:n1\" cannot get resource \"secrets\" in API group \"\" "
                + "in the namespace \"default\": no relationship found between node 'n1' and this object";
        Response viaOthersPod = signed("n1", key1, "/api/v1/namespaces/default/secrets/other?pod=" + task2, System.currentTimeMillis());
        assertEquals(403, viaOthersPod.code, viaOthersPod.body.toString());
        assertEquals(forbiddenOther, viaOthersPod.body.path("message").asText());
        assertEquals("Forbidden", viaOthersPod.body.path("reason").asText());
        Response notReferenced = signed("n1", key1, "/api/v1/namespaces/default/secrets/other?pod=" + task1, System.currentTimeMillis());
        assertEquals(403, notReferenced.code, notReferenced.body.toString());
        assertEquals(forbiddenOther, notReferenced.body.path("message").asText());
        Response n2ForP1 = signed("n2", key2, "/api/v1/namespaces/default/secrets/db?pod=" + task1, System.currentTimeMillis());
        assertEquals(403, n2ForP1.code, n2ForP1.body.toString());
        assertFalse(n2ForP1.body.toString().contains(password));
        GatewaySecrets.Unavailable refused = assertThrows(GatewaySecrets.Unavailable.class, () -> asN1.get("default", "other", task2));
        assertEquals("couldn't get secret default/other: " + forbiddenOther, refused.getMessage(), "the pod's CreateContainerConfigError message");
        assertEquals(400, signed("n1", key1, "/api/v1/namespaces/default/secrets/db", System.currentTimeMillis()).code, "a node names the pod");
        assertEquals(403, signed("n1", key1, "/api/v1/namespaces/default/secrets", System.currentTimeMillis()).code, "a node lists nothing");
        assertEquals(403, signed("n1", key1, "/api/v1/namespaces/default/pods", System.currentTimeMillis()).code, "nor reads the API otherwise");

        // (c) forged, unsigned, stale or replayed: 401
        long now = System.currentTimeMillis();
        String target = "/api/v1/namespaces/default/secrets/db?pod=" + task1;
        byte[] forged = new byte[32];
        new java.security.SecureRandom().nextBytes(forged);
        assertEquals(401, signed("n1", forged, target, now).code, "signed with a key that is not n1's");
        assertEquals(401, send(target, null).code, "unsigned");
        assertEquals(401, send(target, "BerthNode n1:" + now + ":").code, "no signature");
        assertEquals(401, signed("n1", key1, target, now - NodeKeys.REQUEST_SKEW_MILLIS - 60_000).code, "stale");
        String otherTarget = "/api/v1/namespaces/default/secrets/other?pod=" + task1;
        Response replayed = send(otherTarget, NodeKeys.authorization("n1", key1, "GET", target, now));
        assertEquals(401, replayed.code, "a signature for another target");
        assertEquals("Unauthorized", replayed.body.path("reason").asText());
        assertEquals(401, send(target, NodeKeys.authorization("n2", key1, "GET", target, now)).code, "n1's key claiming to be n2");

        // a node that cannot reach the gateway: its pod waits with CreateContainerConfigError saying why; the node goes on
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String unreachable = "http://127.0.0.1:" + closed;
        daemon("n3", Map.of("node-key", NodeKeys.encodeKey(NodeKeys.nodeKey(secret, "n3")), "gateway-url", unreachable));
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p3}
                spec:
                  nodeSelector: {who: n3}
                  containers:
                  - {name: app, image: berth/busybox:latest, env: [{name: PW, valueFrom: {secretKeyRef: {name: db, key: password}}}]}
                """);
        await("p3 waits with CreateContainerConfigError", () -> "CreateContainerConfigError".equals(podOrNull("p3")
                .path("status").path("containerStatuses").path(0).path("state").path("waiting").path("reason").asText()));
        JsonNode waiting = podOrNull("p3").path("status").path("containerStatuses").path(0).path("state").path("waiting");
        assertTrue(waiting.path("message").asText().startsWith("couldn't get secret default/db: the gateway at " + unreachable + " is unreachable ("),
                waiting.toString());
        assertFalse(waiting.toString().contains(password));
        assertEquals("Running", pod("p1", "Running").path("status").path("phase").asText(), "the other nodes' pods are untouched");
        System.out.println("n1 asking for a Secret of n2's pod: 403 " + viaOthersPod.body.path("message").asText());
        System.out.println("p3 on a node that cannot reach the gateway: " + waiting);
    }

    /** As the fixture's {@code eventually}, with room for a loaded machine (a pod goes through the scheduler, state-streams and a node). */
    private static void await(String what, java.util.function.Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 90_000;
        while (!condition.get()) {
            if (System.currentTimeMillis() > deadline) fail("not within 90 s: " + what);
            Thread.sleep(200);
        }
    }

    private static Map<String, String> text(Map<String, byte[]> values) {
        Map<String, String> out = new java.util.TreeMap<>();
        values.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
        return out;
    }

    record Response(int code, JsonNode body) {}

    private Response signed(String node, byte[] key, String target, long millis) {
        return send(target, NodeKeys.authorization(node, key, "GET", target, millis));
    }

    private Response send(String target, String authorization) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + target)).timeout(Duration.ofSeconds(30)).GET();
            if (authorization != null) b.header("Authorization", authorization);
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), JSON.readTree(r.body()));
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private HttpResponse<String> join(String node, String token) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(server + "/apis/berth.io/v1/nodes/" + node + "/join"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private void apply(String yaml) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server + "/apis/berth.io/v1/apply"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(yaml)).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() == 200 || r.statusCode() == 202, r.statusCode() + " " + r.body());
        for (JsonNode item : JSON.readTree(r.body()).path("items")) assertNotEquals("Failure", item.path("status").asText(), item.toString());
    }

    /** The pod named {@code name} once its phase is {@code phase}. */
    private JsonNode pod(String name, String phase) throws InterruptedException {
        await("pod " + name + " " + phase, () -> phase.equals(podOrNull(name).path("status").path("phase").asText()));
        return podOrNull(name);
    }

    private JsonNode podOrNull(String name) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server + "/api/v1/namespaces/default/pods"))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode p : JSON.readTree(r.body()).path("items")) {
                if (p.path("metadata").path("name").asText().startsWith(name)) return p;
            }
        } catch (Exception e) {
            // not yet
        }
        return JSON.createObjectNode();
    }
}
