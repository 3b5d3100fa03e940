package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.view.ViewFixtures;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.service.BerthConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.*;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;

import static org.junit.jupiter.api.Assertions.*;

/** The REST/watch/logs API on a real broker; the read side is driven by producing view records directly. */
class GatewayApiTest extends GatewayApiFixture {
    @Override
    BerthConfig configure(BerthConfig config) {
        return config.with("gateway-watch-history", "200");
    }

    // ---- helpers ----

    static TaskView pod(String ns, String name, TaskPhase phase, String node, String app) {
        return TaskView.newBuilder(ViewFixtures.task(name, phase, phase == TaskPhase.RUNNING, node)).setNamespace(ns)
                .setLabels(Map.of("app", app)).setWorkloadKey(ns + "/deployment/" + app).build();
    }

    HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        return http.send(request((path)).header("content-type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    int count(String path) {
        try {
            return getJson(path).path("items").size();
        } catch (Exception e) {
            return -1;
        }
    }

    // ---- reads ----

    @Test
    void shouldListGetAndSelectPodsAndAnswerNotFoundAsStatus() throws Exception {
        produce(Topics.NODES, "n1", ViewFixtures.node("n1", true, false));
        produce(Topics.TASKS, "web-1", pod("read", "web-1", TaskPhase.RUNNING, "n1", "web"));
        produce(Topics.TASKS, "web-2", pod("read", "web-2", TaskPhase.PENDING, "", "web"));
        produce(Topics.TASKS, "db-1", pod("read", "db-1", TaskPhase.RUNNING, "n1", "db"));
        eventually(() -> count("/api/v1/namespaces/read/pods") == 3);

        JsonNode list = getJson("/api/v1/namespaces/read/pods");
        assertEquals("PodList", list.path("kind").asText());
        assertEquals("v1", list.path("apiVersion").asText());
        assertTrue(list.path("metadata").path("resourceVersion").asText().matches("[0-9]+(\\.[0-9]+){5}"));
        assertEquals(List.of("db-1", "web-1", "web-2"), names(list));
        assertEquals(List.of("web-1", "web-2"), names(getJson("/api/v1/namespaces/read/pods?labelSelector=" + q("app=web"))));
        assertEquals(List.of("db-1"), names(getJson("/api/v1/namespaces/read/pods?labelSelector=" + q("app!=web"))));
        assertEquals(List.of("db-1", "web-1", "web-2"), names(getJson("/api/v1/namespaces/read/pods?labelSelector=" + q("app in (web, db)"))));
        assertEquals(List.of("db-1"), names(getJson("/api/v1/namespaces/read/pods?labelSelector=" + q("app notin (web),app"))));
        assertEquals(List.of(), names(getJson("/api/v1/namespaces/read/pods?labelSelector=" + q("!app"))));
        assertEquals(List.of("db-1", "web-1"), names(getJson("/api/v1/namespaces/read/pods?fieldSelector=" + q("spec.nodeName=n1"))));
        assertEquals(List.of("web-2"), names(getJson("/api/v1/namespaces/read/pods?fieldSelector=" + q("status.phase=Pending"))));
        assertEquals(List.of("web-1"), names(getJson("/api/v1/namespaces/read/pods?fieldSelector=" + q("status.phase==Running,metadata.name!=db-1"))));
        assertTrue(names(getJson("/api/v1/pods")).containsAll(List.of("db-1", "web-1", "web-2")));

        JsonNode one = getJson("/api/v1/namespaces/read/pods/web-1");
        assertEquals("Pod", one.path("kind").asText());
        assertEquals("n1", one.path("spec").path("nodeName").asText());
        assertEquals("Running", one.path("status").path("phase").asText());

        HttpResponse<String> missing = get("/api/v1/namespaces/read/pods/nope");
        assertEquals(404, missing.statusCode());
        JsonNode status = JSON.readTree(missing.body());
        assertEquals("Status", status.path("kind").asText());
        assertEquals("Failure", status.path("status").asText());
        assertEquals("NotFound", status.path("reason").asText());
        assertEquals("pods \"nope\" not found", status.path("message").asText());
        assertEquals(404, status.path("code").asInt());

        HttpResponse<String> bad = get("/api/v1/pods?fieldSelector=" + q("spec.foo=x"));
        assertEquals(400, bad.statusCode());
        assertEquals("BadRequest", JSON.readTree(bad.body()).path("reason").asText());

        assertEquals("Node", getJson("/api/v1/nodes/n1").path("kind").asText());
        assertTrue(names(getJson("/api/v1/namespaces")).containsAll(List.of("default", "read")));
        JsonNode version = getJson("/version");
        assertEquals("0", version.path("major").asText());
        assertTrue(version.has("gitVersion") && version.has("platform"));
    }

    @Test
    void shouldStreamAListLargerThanAChunkWhole() throws Exception {
        int n = 600; // a pod is ~1 kB of JSON: the list is several chunks of ListWriter.CHUNK
        for (int i = 0; i < n; i++) produce(Topics.TASKS, "big-" + i, pod("big", String.format("big-%03d", i), TaskPhase.RUNNING, "n1", i % 3 == 0 ? "a" : "b"));
        eventually(() -> count("/api/v1/namespaces/big/pods?labelSelector=" + q("app=a")) == n / 3);
        HttpResponse<String> all = get("/api/v1/namespaces/big/pods");
        assertTrue(all.body().length() > 2 * ListWriter.CHUNK, "the list spans several chunks: " + all.body().length());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) expected.add(String.format("big-%03d", i));
        assertEquals(expected, names(JSON.readTree(all.body())));
        assertEquals(expected.stream().filter(x -> Integer.parseInt(x.substring(4)) % 3 == 0).toList(),
                names(getJson("/api/v1/namespaces/big/pods?labelSelector=" + q("app in (a)"))));
        assertEquals(n - n / 3, names(getJson("/api/v1/namespaces/big/pods?labelSelector=" + q("app=b,app!=a"))).size());
    }

    @Test
    void shouldServeEventsWithInvolvedObjectSelectors() throws Exception {
        ClusterEvent e = ClusterEvent.newBuilder().setUid("e1").setNamespace("evs").setInvolvedKind("Deployment").setInvolvedName("web")
                .setInvolvedKey("evs/deployment/web").setReason("ScalingReplicaSet").setMessage("Scaled up replica set web-5d8f to 3")
                .setSource("deployment-controller").setFirstTimestamp(ViewFixtures.T0).setLastTimestamp(ViewFixtures.T0).build();
        produce(Topics.EVENTS, "evs/deployment/web", e);
        produce(Topics.EVENTS, "evs/pod/web-1", ClusterEvent.newBuilder(e).setUid("e2").setInvolvedKind("Pod").setInvolvedName("web-1")
                .setReason("Scheduled").setMessage("Successfully assigned evs/web-1 to n2").setSource("default-scheduler").build());
        eventually(() -> count("/api/v1/namespaces/evs/events") == 2);
        JsonNode list = getJson("/api/v1/namespaces/evs/events?fieldSelector=" + q("involvedObject.kind=Pod"));
        assertEquals("EventList", list.path("kind").asText());
        assertEquals(1, list.path("items").size());
        JsonNode ev = list.path("items").get(0);
        assertEquals("web-1", ev.path("involvedObject").path("name").asText());
        assertEquals("Scheduled", ev.path("reason").asText());
        assertEquals("default-scheduler", ev.path("source").path("component").asText());
        assertEquals(1, ev.path("count").asInt());
        assertEquals("Normal", ev.path("type").asText());
        assertTrue(names(getJson("/api/v1/events?fieldSelector=" + q("involvedObject.name=web"))).contains("web.e1"));
    }

    static List<String> names(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.path("items").forEach(i -> out.add(i.path("metadata").path("name").asText()));
        return out;
    }

    // ---- watch ----

    @Test
    void shouldWatchAddedModifiedDeletedInOrderFilteredByNamespaceAndSelector() throws Exception {
        produce(Topics.TASKS, "w-0", pod("watch", "w-0", TaskPhase.RUNNING, "n1", "web"));
        eventually(() -> count("/api/v1/namespaces/watch/pods") == 1);
        try (Watch w = new Watch("/api/v1/namespaces/watch/pods?watch=true&labelSelector=app%3Dweb")) {
            assertEquals(200, w.status);
            assertEquals(List.of("ADDED w-0 Running"), w.next(1)); // synthetic ADDED for what exists
            for (int i = 1; i <= 3; i++) produce(Topics.TASKS, "w-" + i, pod("watch", "w-" + i, TaskPhase.PENDING, "", "web"));
            produce(Topics.TASKS, "other", pod("elsewhere", "other", TaskPhase.PENDING, "", "web"));
            produce(Topics.TASKS, "w-db", pod("watch", "w-db", TaskPhase.PENDING, "", "db"));
            for (int i = 1; i <= 3; i++) produce(Topics.TASKS, "w-" + i, pod("watch", "w-" + i, TaskPhase.RUNNING, "n1", "web"));
            produce(Topics.TASKS, "w-2", null);
            assertEquals(List.of("ADDED w-1 Pending", "ADDED w-2 Pending", "ADDED w-3 Pending",
                    "MODIFIED w-1 Running", "MODIFIED w-2 Running", "MODIFIED w-3 Running", "DELETED w-2 Running"), w.next(7));
            // nothing else: the next event is a sentinel produced after everything above
            produce(Topics.TASKS, "w-sentinel", pod("watch", "w-sentinel", TaskPhase.PENDING, "", "web"));
            assertEquals(List.of("ADDED w-sentinel Pending"), w.next(1), "nothing else before the sentinel");
        }
    }

    @Test
    void shouldResumeFromAListsResourceVersionWithNothingLostAndNothingTwice() throws Exception {
        produce(Topics.TASKS, "r-0", pod("resume", "r-0", TaskPhase.RUNNING, "n1", "web"));
        eventually(() -> count("/api/v1/namespaces/resume/pods") == 1);
        String rv = getJson("/api/v1/namespaces/resume/pods").path("metadata").path("resourceVersion").asText();
        // changes while nobody watches
        produce(Topics.TASKS, "r-1", pod("resume", "r-1", TaskPhase.PENDING, "", "web"));
        produce(Topics.TASKS, "r-0", pod("resume", "r-0", TaskPhase.FAILED, "n1", "web"));
        String last;
        try (Watch w = new Watch("/api/v1/namespaces/resume/pods?watch=1&resourceVersion=" + rv)) {
            assertEquals(List.of("ADDED r-1 Pending", "MODIFIED r-0 Failed"), w.next(2));
            produce(Topics.TASKS, "r-1", pod("resume", "r-1", TaskPhase.RUNNING, "n1", "web"));
            JsonNode e = w.next();
            assertEquals("MODIFIED", e.path("type").asText());
            last = e.path("object").path("metadata").path("resourceVersion").asText();
        }
        // disconnected: more changes, then resume from the last event seen
        produce(Topics.TASKS, "r-2", pod("resume", "r-2", TaskPhase.PENDING, "", "web"));
        produce(Topics.TASKS, "r-0", null);
        try (Watch w = new Watch("/api/v1/namespaces/resume/pods?watch=true&resourceVersion=" + last)) {
            assertEquals(List.of("ADDED r-2 Pending", "DELETED r-0 Failed"), w.next(2));
            produce(Topics.TASKS, "r-3", pod("resume", "r-3", TaskPhase.PENDING, "", "web"));
            assertEquals(List.of("ADDED r-3 Pending"), w.next(1));
            // nothing twice: the next event is a sentinel produced after everything above
            produce(Topics.TASKS, "r-sentinel", pod("resume", "r-sentinel", TaskPhase.PENDING, "", "web"));
            assertEquals(List.of("ADDED r-sentinel Pending"), w.next(1), "nothing twice before the sentinel");
        }
    }

    @Test
    void shouldAnswerGoneForAResourceVersionOlderThanTheHistory() throws Exception {
        String before = getJson("/api/v1/events").path("metadata").path("resourceVersion").asText();
        for (int i = 0; i < 260; i++) {
            producer.send(new ProducerRecord<>(Topics.EVENTS.name(), "old/pod/x" + (i % 6), serdes.value(Topics.EVENTS).serialize(Topics.EVENTS.name(),
                    ClusterEvent.newBuilder().setUid("old-" + i).setNamespace("old").setInvolvedKind("Pod").setInvolvedName("x").build())));
        }
        producer.flush();
        eventually(() -> count("/api/v1/namespaces/old/events") == 260);
        HttpResponse<String> r = get("/api/v1/events?watch=true&resourceVersion=" + before);
        assertEquals(410, r.statusCode(), r.body());
        JsonNode s = JSON.readTree(r.body());
        assertEquals("Expired", s.path("reason").asText());
        assertTrue(s.path("message").asText().startsWith("too old resource version"));
        assertEquals(400, get("/api/v1/events?watch=true&resourceVersion=garbage").statusCode());
    }

    @Test
    void shouldEndAWatchAfterTimeoutSecondsAndRefuseATooOldVersionBeforeAWebSocketUpgrade() throws Exception {
        try (Watch w = new Watch("/api/v1/namespaces/none/pods?watch=true&timeoutSeconds=1")) {
            assertEquals(200, w.status);
            assertTrue(w.ended.await(10, TimeUnit.SECONDS), "the server ends the watch after timeoutSeconds");
        }
        String tooOld = "0.0.0.0.0.0";
        for (int i = 0; i < 230; i++) produce(Topics.TASKS, "old-" + (i % 3), pod("old", "old-" + (i % 3), i % 2 == 0 ? TaskPhase.PENDING : TaskPhase.RUNNING, "n1", "web"));
        eventually(() -> {
            try {
                return get("/api/v1/pods?watch=true&resourceVersion=" + tooOld).statusCode() == 410;
            } catch (Exception e) {
                return false;
            }
        });
        CompletionException e = assertThrows(CompletionException.class, () -> http.newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN)
                .buildAsync(URI.create("ws://127.0.0.1:" + gateway.port() + "/api/v1/pods?watch=true&resourceVersion=" + tooOld),
                        new WebSocket.Listener() {}).join());
        assertTrue(e.getCause() instanceof java.net.http.WebSocketHandshakeException, e.toString());
        assertEquals(410, ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
    }

    @Test
    void shouldWatchOverWebSocket() throws Exception {
        produce(Topics.TASKS, "ws-0", pod("ws", "ws-0", TaskPhase.PENDING, "", "web"));
        eventually(() -> count("/api/v1/namespaces/ws/pods") == 1);
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        // the token as Kubernetes' WebSocket clients send it (browsers cannot set Authorization on a WebSocket)
        WebSocket ws = http.newWebSocketBuilder().subprotocols("base64url.bearer.authorization.k8s.io."
                        + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(TOKEN.getBytes()))
                .buildAsync(URI.create("ws://127.0.0.1:" + gateway.port() + "/api/v1/namespaces/ws/pods?watch=true"),
                new WebSocket.Listener() {
                    final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            frames.add(partial.toString());
                            partial.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        try {
            JsonNode first = JSON.readTree(frames.poll(10, TimeUnit.SECONDS));
            assertEquals("ADDED", first.path("type").asText());
            assertEquals("ws-0", first.path("object").path("metadata").path("name").asText());
            produce(Topics.TASKS, "ws-0", pod("ws", "ws-0", TaskPhase.RUNNING, "n1", "web"));
            JsonNode second = JSON.readTree(frames.poll(10, TimeUnit.SECONDS));
            assertEquals("MODIFIED", second.path("type").asText());
            assertEquals("Running", second.path("object").path("status").path("phase").asText());
        } finally {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }

    // ---- writes ----

    static final String NGINX = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: nginx-deployment
              labels:
                app: nginx
            spec:
              replicas: 3
              selector:
                matchLabels:
                  app: nginx
              template:
                metadata:
                  labels:
                    app: nginx
                spec:
                  containers:
                  - name: nginx
                    image: nginx:1.14.2
                    ports:
                    - containerPort: 80
            """;

    @Test
    void shouldApplyAndAnswerOnceStateStreamsAppliedIt() throws Exception {
        HttpResponse<String> r = send("POST", "/apis/apps/v1/namespaces/default/deployments", "application/yaml", NGINX);
        assertEquals(201, r.statusCode(), r.body());
        JsonNode d = JSON.readTree(r.body());
        assertEquals("Deployment", d.path("kind").asText());
        assertEquals(3, d.path("spec").path("replicas").asInt());
        String rv = d.path("metadata").path("resourceVersion").asText();
        assertFalse(rv.isEmpty());
        // the read side already shows it: read-your-writes
        assertEquals(200, get("/apis/apps/v1/namespaces/default/deployments/nginx-deployment").statusCode());
        assertEquals(409, send("POST", "/apis/apps/v1/namespaces/default/deployments", "application/yaml", NGINX).statusCode());
        long t0 = System.nanoTime();
        HttpResponse<String> same = send("POST", "/apis/berth.io/v1/apply", "application/yaml", NGINX);
        assertEquals(200, same.statusCode(), same.body());
        assertEquals("Deployment", JSON.readTree(same.body()).path("items").get(0).path("kind").asText(), "unchanged answers the object");
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "an unchanged apply does not wait for a record that may never come");

        // apply a change (unknown field warned), then a replace with the stale version is a conflict
        HttpResponse<String> applied = send("POST", "/apis/berth.io/v1/apply", "application/yaml",
                NGINX.replace("replicas: 3", "replicas: 4\n  replica: 9"));
        assertEquals(200, applied.statusCode(), applied.body());
        assertEquals(List.of("299 - \"unknown field \\\"spec.replica\\\"\""), applied.headers().allValues("Warning"));
        JsonNode items = JSON.readTree(applied.body()).path("items");
        assertEquals(4, items.get(0).path("spec").path("replicas").asInt(), applied.body());
        assertNotEquals(rv, items.get(0).path("metadata").path("resourceVersion").asText());
        String stale = NGINX.replace("name: nginx-deployment", "name: nginx-deployment\n  resourceVersion: \"" + rv + "\"");
        HttpResponse<String> conflict = send("PUT", "/apis/apps/v1/namespaces/default/deployments/nginx-deployment", "application/yaml", stale);
        assertEquals(409, conflict.statusCode(), conflict.body());
        assertEquals("Conflict", JSON.readTree(conflict.body()).path("reason").asText());

        HttpResponse<String> strict = send("POST", "/apis/berth.io/v1/apply?fieldValidation=Strict", "application/yaml",
                NGINX.replace("replicas: 3", "replicas: 4\n  replica: 9"));
        assertEquals(422, strict.statusCode(), strict.body());

        // scale subresource
        HttpResponse<String> scaled = send("PUT", "/apis/apps/v1/namespaces/default/deployments/nginx-deployment/scale", "application/json",
                "{\"spec\":{\"replicas\":6}}");
        assertEquals(200, scaled.statusCode(), scaled.body());
        JsonNode scale = JSON.readTree(scaled.body());
        assertEquals("Scale", scale.path("kind").asText());
        assertEquals(6, scale.path("spec").path("replicas").asInt());
        assertEquals(6, getJson("/apis/apps/v1/namespaces/default/deployments/nginx-deployment/scale").path("spec").path("replicas").asInt());

        // a merge patch is merged into the current object, then applied
        HttpResponse<String> patched = send("PATCH", "/apis/apps/v1/namespaces/default/deployments/nginx-deployment",
                "application/merge-patch+json", "{\"spec\":{\"replicas\":2}}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertEquals(2, JSON.readTree(patched.body()).path("spec").path("replicas").asInt());

        // one body, several documents: one result each, in order
        HttpResponse<String> many = send("POST", "/apis/berth.io/v1/apply", "application/yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: nginx}
                spec:
                  selector: {app: nginx}
                  ports: [{port: 80}]
                ---
                """ + NGINX.replace("replicas: 3", "replicas: 5"));
        assertEquals(200, many.statusCode(), many.body());
        JsonNode results = JSON.readTree(many.body()).path("items");
        assertEquals("Service", results.get(0).path("kind").asText(), many.body());
        assertEquals(5, results.get(1).path("spec").path("replicas").asInt(), many.body());
        assertEquals(List.of("nginx"), names(getJson("/api/v1/namespaces/default/services")));

        HttpResponse<String> accepted = send("POST", "/apis/berth.io/v1/apply?wait=false", "application/yaml", NGINX);
        assertEquals(202, accepted.statusCode());
        assertEquals("IntentReceipt", JSON.readTree(accepted.body()).path("items").get(0).path("kind").asText());

        HttpResponse<String> deleted = send("DELETE", "/apis/apps/v1/namespaces/default/deployments/nginx-deployment", "application/json", "");
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertEquals(404, get("/apis/apps/v1/namespaces/default/deployments/nginx-deployment").statusCode());
    }

    @Test
    void shouldRejectAnInvalidManifestNamingTheFieldAndWriteNothing() throws Exception {
        long before = intentsEnd();
        HttpResponse<String> r = send("POST", "/apis/berth.io/v1/apply", "application/yaml",
                NGINX.replace("replicas: 3", "replicas: -1").replace("image: nginx:1.14.2", "image: \"\""));
        assertEquals(422, r.statusCode(), r.body());
        JsonNode s = JSON.readTree(r.body());
        assertEquals("Invalid", s.path("reason").asText());
        assertEquals("Deployment", s.path("details").path("kind").asText());
        assertEquals("nginx-deployment", s.path("details").path("name").asText());
        List<String> fields = new ArrayList<>();
        s.path("details").path("causes").forEach(c -> fields.add(c.path("field").asText()));
        assertTrue(fields.contains("spec.replicas"), r.body());
        assertTrue(fields.stream().anyMatch(f -> f.endsWith("image")), r.body());
        assertEquals(422, send("POST", "/apis/apps/v1/namespaces/default/deployments", "application/yaml", "kind: Deployment\n").statusCode());
        // a valid apply after the invalid ones is the sentinel: once it is on the bus, exactly one record was added
        HttpResponse<String> valid = send("POST", "/apis/berth.io/v1/apply?wait=false", "application/yaml",
                NGINX.replace("nginx-deployment", "nginx-sentinel"));
        assertEquals(202, valid.statusCode(), valid.body());
        eventually(() -> intentsEnd() > before);
        assertEquals(before + 1, intentsEnd(), "nothing but the sentinel reached berth.intents");
    }

    long intentsEnd() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < Topics.INTENTS.partitions(); p++) tps.add(new TopicPartition(Topics.INTENTS.name(), p));
            return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    @Test
    void shouldCordonUncordonAndDrainNodesThroughIntents() throws Exception {
        NodeRegistration reg = NodeRegistration.newBuilder().setName("cn1").setAddress("10.0.0.9").setLabels(Map.of())
                .setCapacity(new Resources(2000L, 1L << 30)).build();
        produce(Topics.NODE_EVENTS, "cn1", NodeEvent.newBuilder().setNodeId("cn1").setType(NodeEventType.REGISTER)
                .setTimestamp(System.currentTimeMillis()).setRegistration(reg).build());
        eventually(() -> {
            try {
                return get("/api/v1/nodes/cn1").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        HttpResponse<String> cordoned = send("PATCH", "/api/v1/nodes/cn1", "application/merge-patch+json", "{\"spec\":{\"unschedulable\":true}}");
        assertEquals(200, cordoned.statusCode(), cordoned.body());
        assertTrue(JSON.readTree(cordoned.body()).path("spec").path("unschedulable").asBoolean());
        HttpResponse<String> uncordoned = send("PATCH", "/api/v1/nodes/cn1", "application/merge-patch+json", "{\"spec\":{\"unschedulable\":false}}");
        assertEquals(200, uncordoned.statusCode(), uncordoned.body());
        assertFalse(JSON.readTree(uncordoned.body()).path("spec").path("unschedulable").asBoolean());
        assertEquals(422, send("PATCH", "/api/v1/nodes/cn1", "application/merge-patch+json", "{\"spec\":{\"taints\":[]}}").statusCode());

        HttpResponse<String> drained = send("POST", "/apis/berth.io/v1/nodes/cn1/drain", "application/json", "");
        assertEquals(202, drained.statusCode(), drained.body());
        JsonNode receipt = JSON.readTree(drained.body());
        assertEquals("DRAIN", receipt.path("action").asText());
        assertEquals("/node/cn1", receipt.path("key").asText());
        assertEquals(404, send("POST", "/apis/berth.io/v1/nodes/ghost/drain", "application/json", "").statusCode());
    }

    @Test
    void shouldCreateABarePodAndDeleteItUntilItIsGoneOrTerminating() throws Exception {
        HttpResponse<String> created = send("POST", "/api/v1/namespaces/default/pods", "application/yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: solo}
                spec:
                  containers: [{name: c, image: berth/busybox:latest}]
                """);
        assertEquals(201, created.statusCode(), created.body());
        String[] podName = new String[1];
        eventually(() -> {
            try {
                JsonNode pods = getJson("/api/v1/namespaces/default/pods");
                for (JsonNode p : pods.path("items")) {
                    if (p.path("metadata").path("annotations").path("berth.io/workload").asText().equals("default/pod/solo")) {
                        podName[0] = p.path("metadata").path("name").asText();
                    }
                }
                return podName[0] != null;
            } catch (Exception e) {
                return false;
            }
        });
        HttpResponse<String> deleted = send("DELETE", "/api/v1/namespaces/default/pods/" + podName[0], "application/json", "");
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertEquals("Success", JSON.readTree(deleted.body()).path("status").asText());
        HttpResponse<String> after = get("/api/v1/namespaces/default/pods/" + podName[0]);
        assertTrue(after.statusCode() == 404 || JSON.readTree(after.body()).path("metadata").has("deletionTimestamp"), after.body());
        assertEquals(404, send("DELETE", "/api/v1/namespaces/default/pods/ghost", "application/json", "").statusCode());
    }

    // ---- logs ----

    @Test
    void shouldTailAndFollowPodLogsFromTheBus() throws Exception {
        for (int i = 1; i <= 5; i++) produce(Topics.LOGS, "log-pod", log("log-pod", "line " + i));
        produce(Topics.LOGS, "other-pod", log("other-pod", "not mine"));
        HttpResponse<String> all = get("/api/v1/namespaces/default/pods/log-pod/log");
        assertEquals(200, all.statusCode(), all.body());
        assertEquals("line 1\nline 2\nline 3\nline 4\nline 5\n", all.body());
        assertEquals("line 4\nline 5\n", get("/api/v1/namespaces/default/pods/log-pod/log?tailLines=2").body());
        assertEquals(404, get("/api/v1/namespaces/default/pods/ghost/log").statusCode());

        HttpResponse<InputStream> follow = http.send(request(("/api/v1/namespaces/default/pods/log-pod/log?follow=true&tailLines=1")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(follow.body(), StandardCharsets.UTF_8))) {
            assertEquals("line 5", reader.readLine());
            produce(Topics.LOGS, "log-pod", log("log-pod", "line 6"));
            assertEquals("line 6", reader.readLine());
        }
    }

    @Test
    void shouldFindABarePodsLogsUnderItsTaskId() throws Exception {
        // a bare pod keeps its own name; its task id (the key of berth.logs) differs
        TaskView solo = TaskView.newBuilder(pod("default", "solo-q4r4tjk88q-bbbbb", TaskPhase.RUNNING, "n1", "solo")).setPodName("solo").build();
        produce(Topics.TASKS, solo.getTaskId(), solo);
        eventually(() -> {
            try {
                return get("/api/v1/namespaces/default/pods/solo").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        produce(Topics.LOGS, solo.getTaskId(), LogLine.newBuilder(log(solo.getTaskId(), "hello from solo")).setPodName("solo").build());
        produce(Topics.LOGS, "solo", log("solo", "an older pod of the same name"));
        eventually(() -> {
            try {
                return get("/api/v1/namespaces/default/pods/solo/log").body().equals("hello from solo\n");
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals("hello from solo\n", get("/api/v1/namespaces/default/pods/solo/log").body());
    }

    static LogLine log(String pod, String line) {
        return LogLine.newBuilder().setTaskId(pod).setPodName(pod).setNamespace("default").setContainer("web").setLine(line)
                .setTimestamp(System.currentTimeMillis()).setNodeId("n1").build();
    }
}
