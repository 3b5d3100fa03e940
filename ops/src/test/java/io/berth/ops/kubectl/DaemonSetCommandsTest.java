package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.berth.schemas.avro.ResourceKind;
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
 * {@code berth get|describe|delete daemonset} and {@code berth rollout status|history|undo|restart ds/NAME}: the type
 * names, the table, the description and the status verdicts (pure, from a DaemonSet as the gateway serves it), and
 * history, undo and restart against a stand-in gateway that serves the DaemonSet and its ControllerRevisions and
 * records the requests.
 */
class DaemonSetCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = Instant.parse("2026-12-06T05:10:00Z").toEpochMilli();

    static final String TEMPLATE_V2 = """
            {"metadata":{"labels":{"app":"agent"}},"spec":{"containers":[{"name":"agent","image":"berth/agent:2"}],"nodeSelector":{"disk":"ssd"},"restartPolicy":"Always"}}""";
    static final String TEMPLATE_V1 = TEMPLATE_V2.replace("agent:2", "agent:1");

    static JsonNode daemonSet(String strategy, String status) throws Exception {
        return JSON.readTree("""
                {"apiVersion":"apps/v1","kind":"DaemonSet",
                 "metadata":{"name":"agent","namespace":"default","labels":{"team":"infra"},"annotations":{"deprecated.daemonset.template.generation":"2"},
                   "uid":"uid-agent","generation":2,"creationTimestamp":"2026-12-06T05:00:00Z"},
                 "spec":{"selector":{"matchLabels":{"app":"agent"}},"template":%s,
                   "updateStrategy":%s,"minReadySeconds":0,"revisionHistoryLimit":10},
                 "status":%s}
                """.formatted(TEMPLATE_V2, strategy, status));
    }

    static final String ROLLING = "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":0,\"maxUnavailable\":1}}";
    static final String SETTLED = "{\"currentNumberScheduled\":3,\"desiredNumberScheduled\":3,\"numberAvailable\":3,\"numberMisscheduled\":0,"
            + "\"numberReady\":3,\"observedGeneration\":2,\"updatedNumberScheduled\":3}";

    static JsonNode revision(long n, String hash, String template, String owner) throws Exception {
        return JSON.readTree("""
                {"apiVersion":"apps/v1","kind":"ControllerRevision",
                 "metadata":{"name":"agent-%s","namespace":"default","labels":{"app":"agent","controller-revision-hash":"%s"},
                   "ownerReferences":[{"apiVersion":"apps/v1","kind":"DaemonSet","name":"agent","uid":"%s","controller":true}]},
                 "data":{"spec":{"template":%s}},"revision":%d}
                """.formatted(hash, hash, owner, template.substring(0, template.length() - 1) + ",\"$patch\":\"replace\"}", n));
    }

    @Test
    void shouldResolveEveryNameKubectlTakesForDaemonSets() {
        for (String t : List.of("daemonset", "daemonsets", "ds", "daemonset.apps", "daemonsets.apps", "DaemonSet")) {
            assertSame(ResourceTypes.DAEMONSETS, ResourceTypes.resource(t), t);
        }
        assertEquals(ResourceKind.DAEMONSET, ResourceTypes.kind("ds"));
        assertEquals("daemonset.apps", ResourceTypes.DAEMONSETS.printed());
        assertEquals("daemonsets.apps", ResourceTypes.plural(ResourceKind.DAEMONSET));
        assertEquals("daemonset.apps", ResourceTypes.singular(ResourceKind.DAEMONSET));
        assertSame(ResourceTypes.CONTROLLER_REVISIONS, ResourceTypes.resource("controllerrevisions"));
        assertEquals("/apis/apps/v1/namespaces/ns1/daemonsets/agent", Gateway.item("daemonsets", "ns1", "agent"));
        assertEquals("/apis/apps/v1/controllerrevisions", Gateway.collection("controllerrevisions", null));
        // kubectl's all: pods, services, daemonsets, deployments, replicasets, ...
        assertEquals(List.of(ResourceTypes.PODS, ResourceTypes.SERVICES, ResourceTypes.DAEMONSETS, ResourceTypes.DEPLOYMENTS, ResourceTypes.REPLICASETS),
                GetCommand.ALL.subList(0, 5));
        assertArrayEquals(new String[]{"apps", "daemonsets"}, AuthCommand.CanI.resolve("ds"));
    }

    @Test
    void shouldPrintTheDaemonSetTableAsKubectl() throws Exception {
        assertEquals("""
                NAME    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE
                agent   3         3         3       3            3           disk=ssd        10m
                """, JsonTables.render(ResourceTypes.DAEMONSETS, List.of(daemonSet(ROLLING, SETTLED)), false, false, NOW));
        assertEquals(List.of("agent", "0", "0", "0", "0", "0", "disk=ssd", "10m", "agent", "berth/agent:2", "app=agent"),
                JsonTables.row(ResourceTypes.DAEMONSETS, daemonSet(ROLLING, "{}"), true, false, NOW));
    }

    @Test
    void shouldDescribeADaemonSetAsKubectl() throws Exception {
        JsonNode running = JSON.readTree("{\"status\":{\"phase\":\"Running\"}}"), pending = JSON.readTree("{\"status\":{\"phase\":\"Pending\"}}");
        String d = DescribeCommand.describe(ResourceTypes.DAEMONSETS, daemonSet(ROLLING, SETTLED), null, List.of(), NOW, null,
                List.of(running, running, pending));
        assertTrue(d.startsWith("Name:"), d);
        assertFalse(d.contains("Namespace:"), "kubectl's describeDaemonSet prints no namespace\n" + d);
        String[] lines = {
                "Selector:                                        app=agent",
                "Node-Selector:                                   disk=ssd",
                "Labels:                                          team=infra",
                "Annotations:                                     deprecated.daemonset.template.generation=2",
                "Desired Number of Nodes Scheduled:               3",
                "Current Number of Nodes Scheduled:               3",
                "Number of Nodes Scheduled with Up-to-date Pods:  3",
                "Number of Nodes Scheduled with Available Pods:   3",
                "Number of Nodes Misscheduled:                    0",
                "Pods Status:                                     2 Running / 1 Waiting / 0 Succeeded / 0 Failed",
                "Pod Template:",
                "  Labels:  app=agent",
                "    Image:",
                "Events:"};
        int at = 0;
        for (String line : lines) {
            int found = d.indexOf(line, at);
            assertTrue(found >= 0, "missing (or out of order) \"" + line + "\" in\n" + d);
            at = found;
        }
        assertEquals("DaemonSet/agent", DescribeCommand.controller("default/daemonset/agent"));
    }

    @Test
    void shouldJudgeARolloutAsKubectlsDaemonSetStatusViewer() throws Exception {
        RolloutCommand.Status.Verdict v = RolloutCommand.Status.evaluateDaemonSet(daemonSet(ROLLING,
                "{\"desiredNumberScheduled\":3,\"currentNumberScheduled\":3,\"updatedNumberScheduled\":1,\"numberAvailable\":2,\"observedGeneration\":2}"));
        assertEquals("Waiting for daemon set \"agent\" rollout to finish: 1 out of 3 new pods have been updated...", v.message());
        assertFalse(v.done());
        v = RolloutCommand.Status.evaluateDaemonSet(daemonSet(ROLLING,
                "{\"desiredNumberScheduled\":3,\"updatedNumberScheduled\":3,\"numberAvailable\":2,\"observedGeneration\":2}"));
        assertEquals("Waiting for daemon set \"agent\" rollout to finish: 2 of 3 updated pods are available...", v.message());
        v = RolloutCommand.Status.evaluateDaemonSet(daemonSet(ROLLING, SETTLED));
        assertEquals("daemon set \"agent\" successfully rolled out", v.message());
        assertTrue(v.done());
        v = RolloutCommand.Status.evaluateDaemonSet(daemonSet(ROLLING, "{\"observedGeneration\":1}"));
        assertEquals("Waiting for daemon set spec update to be observed...", v.message());
        v = RolloutCommand.Status.evaluateDaemonSet(daemonSet("{\"type\":\"OnDelete\"}", SETTLED));
        assertEquals("rollout status is only available for RollingUpdate strategy type", v.error());
    }

    /** A stand-in gateway: the DaemonSet, its revisions (and one of another owner), and what the commands send. */
    static final class StandIn implements AutoCloseable {
        final HttpServer server;
        final List<String> requests = new CopyOnWriteArrayList<>();
        final Map<String, String> bodies = new ConcurrentHashMap<>();
        volatile String daemonSet;

        StandIn(String daemonSet, String revisions) throws Exception {
            this.daemonSet = daemonSet;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath(), query = exchange.getRequestURI().getRawQuery();
                String request = exchange.getRequestMethod() + " " + path + (query == null ? "" : "?" + query);
                requests.add(request);
                String sent = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                if (!sent.isEmpty()) bodies.put(request, sent + " " + exchange.getRequestHeaders().getFirst("Content-Type"));
                String body;
                int code = 200;
                if (path.equals("/apis/apps/v1/namespaces/default/daemonsets/agent")) body = this.daemonSet;
                else if (path.equals("/apis/apps/v1/namespaces/default/controllerrevisions")) body = revisions;
                else if (path.equals("/apis/apps/v1/namespaces/default/daemonsets/agent/rollback")) body = this.daemonSet;
                else {
                    code = 404;
                    body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404,"
                            + "\"message\":\"daemonsets.apps \\\"absent\\\" not found\"}";
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

    static String revisions() throws Exception {
        return "{\"kind\":\"ControllerRevisionList\",\"apiVersion\":\"apps/v1\",\"items\":[" + revision(2, "h2", TEMPLATE_V2, "uid-agent") + ","
                + revision(1, "h1", TEMPLATE_V1, "uid-agent") + "," + revision(9, "hx", TEMPLATE_V1, "uid-someone-else") + "]}";
    }

    static InProcessControlPlaneTest.Run rollout(StandIn s, String... args) {
        return InProcessControlPlaneTest.execute(new RolloutCommand(), s.url(), args);
    }

    @Test
    void shouldShowTheHistoryOfTheRevisionsTheDaemonSetControls() throws Exception {
        try (StandIn s = new StandIn(daemonSet(ROLLING, SETTLED).toString(), revisions())) {
            InProcessControlPlaneTest.Run h = rollout(s, "history", "ds/agent");
            assertEquals(0, h.exit, h.err);
            assertEquals("daemonset.apps/agent\nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n", h.out);
            assertTrue(s.requests.contains("GET /apis/apps/v1/namespaces/default/controllerrevisions?labelSelector=app%3Dagent"), s.requests.toString());
            InProcessControlPlaneTest.Run one = rollout(s, "history", "daemonset/agent", "--revision=1");
            assertEquals(0, one.exit, one.err);
            assertTrue(one.out.startsWith("daemonset.apps/agent with revision #1\n"), one.out);
            assertTrue(one.out.contains("berth/agent:1"), one.out);
            assertEquals(1, rollout(s, "history", "ds/agent", "--revision=9").exit, "another owner's revision is not the DaemonSet's");
        }
    }

    @Test
    void shouldUndoThroughTheRollbackSubresource() throws Exception {
        try (StandIn s = new StandIn(daemonSet(ROLLING, SETTLED).toString(), revisions())) {
            InProcessControlPlaneTest.Run undo = rollout(s, "undo", "ds/agent");
            assertEquals(0, undo.exit, undo.err);
            assertEquals("daemonset.apps/agent rolled back\n", undo.out);
            String body = s.bodies.get("POST /apis/apps/v1/namespaces/default/daemonsets/agent/rollback");
            assertNotNull(body, s.requests.toString());
            assertTrue(body.startsWith("{\"kind\":\"DaemonSetRollback\",\"apiVersion\":\"apps/v1\",\"name\":\"agent\",\"rollbackTo\":{\"revision\":1}}"), body);

            InProcessControlPlaneTest.Run same = rollout(s, "undo", "ds/agent", "--to-revision=2");
            assertEquals(0, same.exit, same.err);
            assertEquals("daemonset.apps/agent skipped rollback (current template already matches revision 2)\n", same.out);
            InProcessControlPlaneTest.Run missing = rollout(s, "undo", "ds/agent", "--to-revision=9");
            assertEquals(1, missing.exit);
            assertTrue(missing.err.contains("unable to find specified revision 9 in history"), missing.err);
        }
        try (StandIn s = new StandIn(daemonSet(ROLLING, SETTLED).toString(),
                "{\"items\":[" + revision(1, "h2", TEMPLATE_V2, "uid-agent") + "]}")) {
            InProcessControlPlaneTest.Run none = rollout(s, "undo", "ds/agent");
            assertEquals(1, none.exit);
            assertTrue(none.err.contains("no last revision to roll back to"), none.err);
            assertTrue(s.requests.stream().noneMatch(r -> r.startsWith("POST")), s.requests.toString());
        }
    }

    @Test
    void shouldRestartByAnnotatingTheTemplateAndFollowTheStatus() throws Exception {
        try (StandIn s = new StandIn(daemonSet(ROLLING, SETTLED).toString(), revisions())) {
            InProcessControlPlaneTest.Run restart = rollout(s, "restart", "ds/agent");
            assertEquals(0, restart.exit, restart.err);
            assertEquals("daemonset.apps/agent restarted\n", restart.out);
            String body = s.bodies.get("PATCH /apis/apps/v1/namespaces/default/daemonsets/agent");
            assertNotNull(body, s.requests.toString());
            assertTrue(body.startsWith("{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\""), body);
            assertTrue(body.endsWith("application/strategic-merge-patch+json"), body);

            InProcessControlPlaneTest.Run status = rollout(s, "status", "ds/agent", "--watch=false");
            assertEquals(0, status.exit, status.err);
            assertEquals("daemon set \"agent\" successfully rolled out\n", status.out);
            assertEquals(1, rollout(s, "pause", "ds/agent").exit, "pause is a deployment's only");
        }
    }
}
