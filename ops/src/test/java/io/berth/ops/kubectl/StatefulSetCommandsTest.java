package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * kubectl's StatefulSetStatusViewer verdicts for {@code berth rollout status sts/NAME}, the type names, {@code berth
 * describe sts|pvc} (pure, from the objects as the gateway serves them), and {@code berth rollout history|undo|restart
 * sts/NAME} and {@code berth delete pvc} against a stand-in gateway that serves the StatefulSet, its ControllerRevisions
 * and claims and records the requests.
 */
class StatefulSetCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = Instant.parse("2026-12-06T05:10:00Z").toEpochMilli();

    static final String TEMPLATE_V2 = """
            {"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"berth/web:2"}],"restartPolicy":"Always"}}""";
    static final String TEMPLATE_V1 = TEMPLATE_V2.replace("web:2", "web:1");

    static JsonNode statefulSet(String status) throws Exception {
        return JSON.readTree("""
                {"apiVersion":"apps/v1","kind":"StatefulSet",
                 "metadata":{"name":"web","namespace":"default","labels":{"tier":"db"},"uid":"uid-web","generation":2,
                   "creationTimestamp":"2026-12-06T05:00:00Z"},
                 "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"serviceName":"web","podManagementPolicy":"OrderedReady",
                   "template":%s,"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":1}},
                   "volumeClaimTemplates":[{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},
                     "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"16Mi"}},"volumeMode":"Filesystem"}}],
                   "persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Retain","whenScaled":"Retain"}},
                 "status":%s}
                """.formatted(TEMPLATE_V2, status));
    }

    static final String SETTLED = "{\"observedGeneration\":2,\"replicas\":3,\"readyReplicas\":3,\"updatedReplicas\":3,\"currentReplicas\":3,"
            + "\"currentRevision\":\"web-h2\",\"updateRevision\":\"web-h2\"}";

    static String revision(long n, String hash, String template, String owner) {
        return """
                {"apiVersion":"apps/v1","kind":"ControllerRevision",
                 "metadata":{"name":"web-%s","namespace":"default","labels":{"app":"web","controller-revision-hash":"%s"},
                   "ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"web","uid":"%s","controller":true}]},
                 "data":{"spec":{"template":%s}},"revision":%d}
                """.formatted(hash, hash, owner, template.substring(0, template.length() - 1) + ",\"$patch\":\"replace\"}", n);
    }

    static String revisions() {
        return "{\"kind\":\"ControllerRevisionList\",\"apiVersion\":\"apps/v1\",\"items\":[" + revision(2, "h2", TEMPLATE_V2, "uid-web") + ","
                + revision(1, "h1", TEMPLATE_V1, "uid-web") + "," + revision(9, "hx", TEMPLATE_V1, "uid-someone-else") + "]}";
    }

    /** A stand-in gateway: GETs answered from {@code objects} by path (404 otherwise); every request and body recorded. */
    static final class StandIn implements AutoCloseable {
        final HttpServer server;
        final List<String> requests = new CopyOnWriteArrayList<>();
        final Map<String, String> bodies = new ConcurrentHashMap<>();
        final Map<String, String> objects;

        StandIn(Map<String, String> objects) throws Exception {
            this.objects = objects;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath(), query = exchange.getRequestURI().getRawQuery();
                String request = exchange.getRequestMethod() + " " + path + (query == null ? "" : "?" + query);
                requests.add(request);
                String sent = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                if (!sent.isEmpty()) bodies.put(request, sent + " " + exchange.getRequestHeaders().getFirst("Content-Type"));
                String key = exchange.getRequestMethod().equals("GET") ? path : exchange.getRequestMethod() + " " + path;
                String body = objects.get(key);
                int code = 200;
                if (body == null) {
                    code = 404;
                    body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404,"
                            + "\"message\":\"not found\"}";
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(code, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static final String STS = "/apis/apps/v1/namespaces/default/statefulsets/web";

    static StandIn standIn(String revisions) throws Exception {
        String sts = statefulSet(SETTLED).toString();
        return new StandIn(Map.of(STS, sts, "/apis/apps/v1/namespaces/default/controllerrevisions", revisions,
                "POST " + STS + "/rollback", sts, "PATCH " + STS, sts));
    }

    static InProcessControlPlaneTest.Run rollout(StandIn s, String... args) {
        return InProcessControlPlaneTest.execute(new RolloutCommand(), s.url(), args);
    }

    @Test
    void shouldShowTheHistoryOfTheRevisionsTheStatefulSetControls() throws Exception {
        try (StandIn s = standIn(revisions())) {
            InProcessControlPlaneTest.Run h = rollout(s, "history", "sts/web");
            assertEquals(0, h.exit, h.err);
            assertEquals("statefulset.apps/web\nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n", h.out);
            assertTrue(s.requests.contains("GET /apis/apps/v1/namespaces/default/controllerrevisions?labelSelector=app%3Dweb"), s.requests.toString());
            InProcessControlPlaneTest.Run one = rollout(s, "history", "statefulset/web", "--revision=1");
            assertEquals(0, one.exit, one.err);
            assertTrue(one.out.startsWith("statefulset.apps/web with revision #1\n"), one.out);
            assertTrue(one.out.contains("berth/web:1"), one.out);
            InProcessControlPlaneTest.Run other = rollout(s, "history", "sts/web", "--revision=9");
            assertEquals(1, other.exit, "another owner's revision is not the StatefulSet's");
            assertTrue(other.err.contains("unable to find the specified revision"), other.err);
        }
    }

    @Test
    void shouldUndoAStatefulSetThroughTheRollbackSubresource() throws Exception {
        try (StandIn s = standIn(revisions())) {
            InProcessControlPlaneTest.Run undo = rollout(s, "undo", "sts/web");
            assertEquals(0, undo.exit, undo.err);
            assertEquals("statefulset.apps/web rolled back\n", undo.out);
            String body = s.bodies.get("POST " + STS + "/rollback");
            assertNotNull(body, s.requests.toString());
            assertTrue(body.startsWith("{\"kind\":\"StatefulSetRollback\",\"apiVersion\":\"apps/v1\",\"name\":\"web\",\"rollbackTo\":{\"revision\":1}}"), body);

            InProcessControlPlaneTest.Run same = rollout(s, "undo", "statefulset/web", "--to-revision=2");
            assertEquals(0, same.exit, same.err);
            assertEquals("statefulset.apps/web skipped rollback (current template already matches revision 2)\n", same.out);
            InProcessControlPlaneTest.Run missing = rollout(s, "undo", "sts/web", "--to-revision=9");
            assertEquals(1, missing.exit);
            assertTrue(missing.err.contains("unable to find specified revision 9 in history"), missing.err);
        }
        try (StandIn s = standIn("{\"items\":[" + revision(1, "h2", TEMPLATE_V2, "uid-web") + "]}")) {
            InProcessControlPlaneTest.Run none = rollout(s, "undo", "sts/web");
            assertEquals(1, none.exit);
            assertTrue(none.err.contains("no last revision to roll back to"), none.err);
            assertTrue(s.requests.stream().noneMatch(r -> r.startsWith("POST")), s.requests.toString());
        }
    }

    @Test
    void shouldRestartAStatefulSetByAnnotatingItsTemplate() throws Exception {
        try (StandIn s = standIn(revisions())) {
            InProcessControlPlaneTest.Run restart = rollout(s, "restart", "sts/web");
            assertEquals(0, restart.exit, restart.err);
            assertEquals("statefulset.apps/web restarted\n", restart.out);
            String body = s.bodies.get("PATCH " + STS);
            assertNotNull(body, s.requests.toString());
            assertTrue(body.startsWith("{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\""), body);
            assertTrue(body.endsWith("application/strategic-merge-patch+json"), body);
            InProcessControlPlaneTest.Run pause = rollout(s, "pause", "sts/web");
            assertEquals(1, pause.exit, "pause is a deployment's only");
        }
    }

    @Test
    void shouldDescribeAStatefulSetAsKubectl() throws Exception {
        JsonNode running = JSON.readTree("{\"status\":{\"phase\":\"Running\"}}"), pending = JSON.readTree("{\"status\":{\"phase\":\"Pending\"}}");
        String d = DescribeCommand.describe(ResourceTypes.STATEFULSETS, statefulSet(SETTLED), null, List.of(), NOW, null,
                List.of(running, running, pending));
        String[] lines = {
                "Name:               web",
                "Namespace:          default",
                "CreationTimestamp:  Sun, 06 Dec 2026 05:00:00 +0000",
                "Selector:           app=web",
                "Labels:             tier=db",
                "Annotations:        <none>",
                "Replicas:           3 desired | 3 total",
                "Update Strategy:    RollingUpdate",
                "  Partition:  1",
                "Pods Status:        2 Running / 1 Waiting / 0 Succeeded / 0 Failed",
                "Pod Template:",
                "  Labels:  app=web",
                "berth/web:2",
                "Volume Claims:",
                "  Name:  data",
                "  StorageClass:  ",
                "  Capacity:  16Mi",
                "  Access Modes:  [ReadWriteOnce]",
                "Events:"};
        int at = 0;
        for (String line : lines) {
            int found = d.indexOf(line, at);
            assertTrue(found >= 0, "missing (or out of order) \"" + line + "\" in\n" + d);
            at = found;
        }
    }

    static JsonNode claim(boolean deleting) throws Exception {
        return JSON.readTree("""
                {"apiVersion":"v1","kind":"PersistentVolumeClaim",
                 "metadata":{"name":"data-web-0","namespace":"default","labels":{"app":"web"},
                   "annotations":{"volume.kubernetes.io/selected-node":"n1"},"finalizers":["kubernetes.io/pvc-protection"],
                   "creationTimestamp":"2026-12-06T05:00:00Z"%s},
                 "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"16Mi"}},"storageClassName":"local",
                   "volumeMode":"Filesystem","volumeName":"local-n1-data-web-0"},
                 "status":{"phase":"Bound","accessModes":["ReadWriteOnce"],"capacity":{"storage":"16Mi"}}}
                """.formatted(deleting ? ",\"deletionTimestamp\":\"2026-12-06T05:09:00Z\"" : ""));
    }

    @Test
    void shouldDescribeAClaimAsKubectl() throws Exception {
        JsonNode user = JSON.readTree("{\"metadata\":{\"name\":\"web-0\"}}");
        String d = DescribeCommand.describe(ResourceTypes.PERSISTENT_VOLUME_CLAIMS, claim(false), null, List.of(), NOW, null, List.of(user));
        assertEquals("""
                Name:          data-web-0
                Namespace:     default
                StorageClass:  local
                Status:        Bound
                Volume:        local-n1-data-web-0
                Labels:        app=web
                Annotations:   volume.kubernetes.io/selected-node=n1
                Finalizers:    [kubernetes.io/pvc-protection]
                Capacity:      16Mi
                Access Modes:  RWO
                VolumeMode:    Filesystem
                Used By:       web-0
                Events:        <none>
                """, d);
        String terminating = DescribeCommand.describe(ResourceTypes.PERSISTENT_VOLUME_CLAIMS, claim(true), null, List.of(), NOW, null, List.of(user));
        assertTrue(terminating.contains("Status:        Terminating (lasts 60s)\n"), terminating);
        String unused = DescribeCommand.describe(ResourceTypes.PERSISTENT_VOLUME_CLAIMS, claim(false), null, List.of(), NOW, null, List.of());
        assertTrue(unused.contains("Used By:       <none>\n"), unused);
    }

    static JsonNode sts(String strategy, int replicas, long generation, String status) throws Exception {
        return JSON.readTree("{\"metadata\":{\"name\":\"web\",\"generation\":" + generation + "},\"spec\":{\"replicas\":" + replicas
                + ",\"updateStrategy\":" + strategy + "},\"status\":" + status + "}");
    }

    @Test
    void shouldSayWhatKubectlSaysAtEachStageOfAStatefulSetRollout() throws Exception {
        String rolling = "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}}";
        assertEquals("Waiting for statefulset spec update to be observed...",
                RolloutCommand.Status.evaluateStatefulSet(sts(rolling, 3, 2, "{\"observedGeneration\":1}")).message());
        assertEquals("Waiting for 2 pods to be ready...",
                RolloutCommand.Status.evaluateStatefulSet(sts(rolling, 3, 1, "{\"observedGeneration\":1,\"readyReplicas\":1}")).message());
        RolloutCommand.Status.Verdict rolling2 = RolloutCommand.Status.evaluateStatefulSet(sts(rolling, 3, 2,
                "{\"observedGeneration\":2,\"readyReplicas\":3,\"updatedReplicas\":1,\"currentRevision\":\"web-a\",\"updateRevision\":\"web-b\"}"));
        assertEquals("waiting for statefulset rolling update to complete 1 pods at revision web-b...", rolling2.message());
        assertFalse(rolling2.done());
        RolloutCommand.Status.Verdict done = RolloutCommand.Status.evaluateStatefulSet(sts(rolling, 3, 2,
                "{\"observedGeneration\":2,\"readyReplicas\":3,\"updatedReplicas\":3,\"currentReplicas\":3,\"currentRevision\":\"web-b\",\"updateRevision\":\"web-b\"}"));
        assertEquals("statefulset rolling update complete 3 pods at revision web-b...", done.message());
        assertTrue(done.done());
        String partitioned = "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":1}}";
        assertEquals("Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...",
                RolloutCommand.Status.evaluateStatefulSet(sts(partitioned, 3, 2, "{\"observedGeneration\":2,\"readyReplicas\":3,\"updatedReplicas\":1}")).message());
        assertTrue(RolloutCommand.Status.evaluateStatefulSet(sts(partitioned, 3, 2, "{\"observedGeneration\":2,\"readyReplicas\":3,\"updatedReplicas\":2}")).done());
        assertEquals("rollout status is only available for RollingUpdate strategy type",
                RolloutCommand.Status.evaluateStatefulSet(sts("{\"type\":\"OnDelete\"}", 3, 1, "{}")).error());
    }

    @Test
    void shouldResolveStatefulSetsAndClaimsByTheirNames() {
        for (String t : new String[]{"sts", "statefulset", "statefulsets", "statefulset.apps", "statefulsets.apps"}) {
            assertSame(ResourceTypes.STATEFULSETS, ResourceTypes.resource(t), t);
        }
        for (String t : new String[]{"pvc", "persistentvolumeclaim", "persistentvolumeclaims"}) {
            assertSame(ResourceTypes.PERSISTENT_VOLUME_CLAIMS, ResourceTypes.resource(t), t);
        }
        assertEquals("statefulset.apps", ResourceTypes.singular(io.berth.schemas.avro.ResourceKind.STATEFULSET));
        assertEquals("/apis/apps/v1/namespaces/default/statefulsets", Gateway.collection("statefulsets", "default"));
        assertEquals("/api/v1/namespaces/default/persistentvolumeclaims", Gateway.collection("persistentvolumeclaims", "default"));
    }
}
