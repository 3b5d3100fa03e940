package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.NodeEventType;
import io.berth.schemas.avro.NodeRegistration;
import io.berth.schemas.avro.Resources;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code berth apply --plan} against a real gateway and state-streams (real broker, in-process, no scheduler, no node). */
class ApplyPlanTest extends InProcessControlPlaneTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String web(int replicas) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: %d
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: web
                        image: berth/busybox:latest
                        resources: {requests: {cpu: 250m, memory: 256Mi}}
                """.formatted(replicas);
    }

    private void register(String id, long memory) throws Exception {
        long now = System.currentTimeMillis();
        produce(Topics.NODE_EVENTS, id, NodeEvent.newBuilder().setNodeId(id).setType(NodeEventType.REGISTER).setTimestamp(now).setSequence(1)
                .setRunningTaskIds(List.of()).setRegistration(NodeRegistration.newBuilder().setName(id).setAddress("10.0.0.9")
                        .setLabels(Map.of()).setCapacity(new Resources(4000L, memory)).setDaemonVersion("test").setStartedAt(now)
                        .setIncarnation("i1").build()).build());
    }

    private JsonNode deployment() throws Exception {
        Run get = run(new GetCommand(), "", "deployment", "web", "-o", "json");
        assertEquals(0, get.exit, get.err);
        return JSON.readTree(get.out);
    }

    /** Heartbeats every second while the test runs: without a node daemon the nodes turn NotReady after the 3 s grace. */
    private Thread heartbeats(List<String> nodes) {
        Thread t = new Thread(() -> {
            long seq = 2;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    for (String id : nodes) {
                        produce(Topics.NODE_EVENTS, id, NodeEvent.newBuilder().setNodeId(id).setType(NodeEventType.HEARTBEAT)
                                .setTimestamp(System.currentTimeMillis()).setSequence(seq).setRunningTaskIds(List.of()).build());
                    }
                    seq++;
                    Thread.sleep(1000); // the heartbeat period, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    if (Thread.currentThread().isInterrupted()) return;
                }
            }
        }, "test-heartbeats");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void shouldPlanAScaleUpNamingNodesAndChangeNothing() throws Exception {
        register("p1", 128L << 20);   // too small for a 256Mi pod
        register("p2", 4L << 30);
        register("p3", 4L << 30);
        Thread beating = heartbeats(List.of("p1", "p2", "p3"));
        try {
            planAndCheck();
        } finally {
            beating.interrupt();
            beating.join(10_000);
        }
    }

    private void planAndCheck() throws Exception {
        eventually("p1, p2, p3 Ready", () -> {
            String nodes = run(new GetCommand(), "", "nodes").out;
            return List.of("p1", "p2", "p3").stream().allMatch(n -> nodes.lines().anyMatch(l -> l.startsWith(n + " ") && l.contains(" Ready ")));
        });
        assertEquals(0, run(new ApplyCommand(), web(2), "-f", "-").exit);
        eventually("the deployment served", () -> run(new GetCommand(), "", "deployments").out.contains("web "));
        JsonNode before = deployment();

        Run plan = run(new ApplyCommand(), web(4), "-f", "-", "--plan");
        assertEquals(0, plan.exit, plan.err);
        String[] lines = plan.out.split("\n");
        assertEquals("deployment.apps/web configured (replicas 2 -> 4)", lines[0], plan.out);
        assertEquals("  spec.replicas: 2 -> 4", lines[1]);
        for (int i = 2; i <= 3; i++) {
            assertTrue(lines[i].matches("  \\+ web-<new> -> p[23] \\(p[23] of 3 feasible — spread 1\\.00, leastAllocated 0\\.\\d\\d\\)"), lines[i]);
        }
        assertNotEquals(lines[2], lines[3], "spread: one on p2, one on p3");
        assertEquals("Plan: 0 to create, 1 to change, 0 unchanged; 2 pods to place, 0 unschedulable. Nothing was changed.", lines[4]);

        Run json = run(new ApplyCommand(), web(4), "-f", "-", "--plan", "-o", "json");
        assertEquals(0, json.exit, json.err);
        JsonNode p = JSON.readTree(json.out);
        JsonNode pods = p.path("objects").get(0).path("pods");
        assertEquals(2, pods.size());
        assertEquals("Insufficient memory", pods.get(0).path("verdict").path("rejected").path("p1").asText(), json.out);
        assertNotEquals(pods.get(0).path("node").asText(), pods.get(1).path("node").asText(), "spread over p2 and p3");
        assertFalse(p.path("changed").asBoolean(true));

        JsonNode after = deployment();
        assertEquals(2, after.path("spec").path("replicas").asInt(), "the plan changed nothing");
        assertEquals(before.path("metadata").path("resourceVersion"), after.path("metadata").path("resourceVersion"));
        assertEquals(before.path("metadata").path("generation"), after.path("metadata").path("generation"));
    }
}
