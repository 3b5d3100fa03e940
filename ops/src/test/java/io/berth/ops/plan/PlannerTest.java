package io.berth.ops.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.Intents;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.gateway.view.KubeObjects;
import io.berth.scheduler.core.ClusterSnapshot;
import io.berth.scheduler.core.Quantity;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** The plan of a file against served objects, nodes and pods rendered as the gateway renders them. */
class PlannerTest {
    private static final long MI = 1L << 20;

    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    private static String web(int replicas, String image) {
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
                        image: %s
                        resources: {requests: {cpu: 250m, memory: 64Mi}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: db}
                spec:
                  type: NodePort
                  selector: {app: db}
                  ports: [{port: 5432}]
                """.formatted(replicas, image);
    }

    private static List<Intent> intents(String yaml) {
        var r = new ManifestParser().parse("web.yaml", yaml);
        assertTrue(r.ok(), r.errors().toString());
        return r.intents();
    }

    private static NodeView node(String id, long memory) {
        return NodeView.newBuilder().setNodeId(id).setName(id).setAddress("10.0.0.1").setLabels(Map.of())
                .setCapacity(new Resources(4000L, memory)).setAllocated(new Resources(0L, 0L)).setReady(true).setCordoned(false)
                .setLastHeartbeat(1).setRegisteredAt(1).setResourceVersion("1").build();
    }

    private static ObjectNode pod(String name, String nodeId, Intent deployment) {
        PodTemplate template = ((DeploymentSpec) deployment.getPayload()).getTemplate();
        TaskView t = TaskView.newBuilder().setTaskId(name).setPodName(name).setNamespace("default").setWorkloadKey("default/deployment/web")
                .setTemplate(template).setPhase(TaskPhase.RUNNING).setReady(true).setNodeId(nodeId).setResourceVersion("1").build();
        return KubeObjects.pod(t, Map.of());
    }

    /** n1 too small for a web pod; n2 holds two replicas, n3 one. */
    private record Cluster(JsonNode nodes, JsonNode pods, Map<String, JsonNode> served) {
        static Cluster withWebOf3() {
            List<Intent> now = intents(web(3, "nginx:1"));
            JsonNode nodes = KubeObjects.list(List.of(KubeObjects.node(node("n1", 32 * MI)), KubeObjects.node(node("n2", 4096 * MI)),
                    KubeObjects.node(node("n3", 4096 * MI))));
            JsonNode pods = KubeObjects.list(List.of(pod("web-a", "n2", now.get(0)), pod("web-b", "n3", now.get(0)), pod("web-c", "n2", now.get(0))));
            Map<String, JsonNode> served = new HashMap<>();
            served.put(Intents.key(now.get(0)), KubeObjects.deployment(Planner.view(now.get(0))));
            ObjectNode svc = KubeObjects.service(Planner.view(now.get(1)));
            ((ObjectNode) svc.path("spec")).put("clusterIP", "10.96.0.9");
            ((ObjectNode) svc.path("spec").path("ports").get(0)).put("nodePort", 30432);
            served.put(Intents.key(now.get(1)), svc);
            return new Cluster(nodes, pods, served);
        }

        Plan plan(String yaml) {
            return new Planner(i -> Optional.ofNullable(served.get(Intents.key(i))), nodes, pods)
                    .plan(intents(yaml), i -> i.getKind().name().toLowerCase() + "/" + i.getName());
        }
    }

    @Test
    void shouldPlanAScaleUpPlacingTheExtraPodsWhereTheSchedulerWould() {
        Plan plan = Cluster.withWebOf3().plan(web(5, "nginx:1"));
        String[] lines = PlanPrinter.text(plan).split("\n");
        // n1: 32Mi, too small; cpu (4000-500)/4000 = 87, memory (4096-128)/4096 = 96: (87+96)/2 = 91
        assertEquals("deployment/web configured (replicas 3 -> 5)", lines[0]);
        assertEquals("  spec.replicas: 3 -> 5", lines[1]);
        // n3 holds one replica, n2 two: spread sends the first to n3; n3 stays 87% cpu / 96% memory free
        assertEquals("  + web-<new> -> n3 (n3 of 3 feasible — spread 1.00, leastAllocated 0.91)", lines[2]);
        assertTrue(lines[3].matches("  \\+ web-<new> -> n[23] \\(n[23] of 3 feasible — spread 1\\.00, leastAllocated 0\\.88\\)"), lines[3]);
        assertEquals("service/db unchanged", lines[4], "the cluster IP and node port the server assigned are no difference");
        assertEquals("Plan: 0 to create, 1 to change, 1 unchanged; 2 pods to place, 0 unschedulable. Nothing was changed.", lines[5]);
        assertEquals(6, lines.length);

        Plan.PodPlan first = plan.objects().get(0).pods().get(0);
        assertEquals("n2", first.verdict().runnerUp());
        assertEquals(Map.of("n1", "Insufficient memory"), first.verdict().rejected());
    }

    @Test
    void shouldPlaceTheNewRevisionsPodsWithoutTheOldOnesWhenTheTemplateChanges() {
        Plan plan = Cluster.withWebOf3().plan(web(3, "nginx:2"));
        Plan.ObjectPlan web = plan.objects().get(0);
        assertEquals(Plan.Action.CONFIGURED, web.action());
        assertEquals("", web.summary());
        assertEquals(List.of("spec.template.spec.containers[0].image: nginx:1 -> nginx:2"), web.diff().stream().map(SpecDiff.Change::line).toList());
        assertEquals(3, web.pods().size());
        Map<String, Long> perNode = web.pods().stream().collect(java.util.stream.Collectors.groupingBy(Plan.PodPlan::nodeId,
                java.util.stream.Collectors.counting()));
        assertEquals(List.of(1L, 2L), perNode.values().stream().sorted().toList(), "three replicas on two equal nodes: 2 + 1 " + perNode);
        assertFalse(perNode.containsKey("n1"));
        assertEquals(1.0, web.pods().get(0).verdict().scores().get(0).normalized(), "the old pods do not count for spread");
    }

    @Test
    void shouldPlaceEveryReplicaOfANewDeploymentAndSayWhyOneCannotBePlaced() {
        Plan plan = new Planner(i -> Optional.empty(), KubeObjects.list(List.of(KubeObjects.node(node("n1", 100 * MI)))),
                KubeObjects.list(List.of())).plan(intents(web(2, "nginx:1")).subList(0, 1), i -> "deployment.apps/" + i.getName());
        assertEquals("""
                deployment.apps/web created
                  + web-<new> -> n1 (n1 of 1 feasible — spread 1.00, leastAllocated 0.64)
                  ! web-<new> -> unschedulable (none of 1 feasible; n1: Insufficient memory)
                Plan: 1 to create, 0 to change, 0 unchanged; 2 pods to place, 1 unschedulable. Nothing was changed.
                """, PlanPrinter.text(plan));
        JsonNode json = PlanPrinter.json(plan);
        assertFalse(json.path("changed").asBoolean(true));
        assertEquals(1, json.path("summary").path("unschedulable").asInt());
        assertEquals("n1", json.path("objects").get(0).path("pods").get(0).path("node").asText());
        assertEquals("Insufficient memory", json.path("objects").get(0).path("pods").get(1).path("verdict").path("rejected").path("n1").asText());
    }

    @Test
    void shouldSayUnchangedAndPlaceNothingForTheSameFile() {
        Plan plan = Cluster.withWebOf3().plan(web(3, "nginx:1"));
        assertEquals(2, plan.count(Plan.Action.UNCHANGED));
        assertEquals(0, plan.pods());
    }

    @Test
    void shouldBuildTheSnapshotFromServedNodesAndPods() {
        Cluster c = Cluster.withWebOf3();
        ClusterSnapshot s = PlanSnapshot.of(c.nodes(), c.pods(), p -> false);
        assertEquals(List.of("n1", "n2", "n3"), s.nodes().stream().map(io.berth.scheduler.core.Node::id).toList());
        assertEquals(new Quantity(4000, 32 * MI), s.nodes().get(0).capacity());
        assertTrue(s.nodes().get(0).ready());
        assertEquals(new Quantity(500, 128 * MI), s.usage("n2").allocated());
        assertEquals(2, s.usage("n2").replicasOf("default/deployment/web"));
        assertEquals(1, s.usage("n3").replicasOf("default/deployment/web"));
        assertEquals(0, PlanSnapshot.of(c.nodes(), c.pods(), p -> true).usage("n2").tasks(), "skipped pods hold nothing");

        ObjectNode cordoned = KubeObjects.node(NodeView.newBuilder(node("n4", MI)).setCordoned(true).setReady(false).build());
        io.berth.scheduler.core.Node n4 = PlanSnapshot.node(cordoned);
        assertTrue(n4.cordoned());
        assertFalse(n4.ready());
    }
}
