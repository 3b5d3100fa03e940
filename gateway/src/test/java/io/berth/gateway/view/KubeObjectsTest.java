package io.berth.gateway.view;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.gateway.manifest.ManifestOptions;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.gateway.manifest.ManifestResult;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.berth.gateway.view.ViewFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class KubeObjectsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldRenderSecretAndConfigMapReferencesSoAPatchKeepsThem() {
        String manifest = """
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  volumes:
                  - {name: creds, secret: {secretName: db, items: [{key: password, path: pw}], optional: true}}
                  - {name: conf, configMap: {name: cfg}}
                  containers:
                  - name: main
                    image: berth/busybox:latest
                    env:
                    - {name: PW, valueFrom: {secretKeyRef: {name: db, key: password}}}
                    - {name: A, value: "1"}
                    envFrom: [{prefix: CFG_, configMapRef: {name: cfg, optional: true}}]
                    volumeMounts: [{name: creds, mountPath: /c}, {name: conf, mountPath: /f}]
                """;
        ManifestParser parser = new ManifestParser(ManifestOptions.defaults());
        ManifestResult first = parser.parse("", manifest);
        assertTrue(first.ok(), () -> first.errorMessages().toString());
        PodTemplate t = ((PodSpec) first.intents().get(0).getPayload()).getTemplate();
        var rendered = new ObjectMapper().createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        rendered.putObject("metadata").put("name", "p");
        rendered.set("spec", KubeObjects.podSpec(t));
        ManifestResult again = parser.parse("", rendered.toString());
        assertTrue(again.ok(), () -> again.errorMessages().toString());
        assertEquals(t, ((PodSpec) again.intents().get(0).getPayload()).getTemplate());
    }

    @Test
    void shouldRenderARunningTaskAsAKubernetesPod() {
        Map<String, NodeView> nodes = Map.of("node-1", node("node-1", true, false));
        String json = KubeObjects.list(List.of(KubeObjects.pod(task("web-7d4b9c-abcde", TaskPhase.RUNNING, true, "node-1"), nodes))).toString();
        assertEquals("""
                {"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod",\
                "metadata":{"name":"web-7d4b9c-abcde","namespace":"default","labels":{"app":"web","pod-template-hash":"7d4b9c"},\
                "annotations":{"berth.io/workload":"default/deployment/web"},"uid":"web-7d4b9c-abcde","resourceVersion":"42",\
                "creationTimestamp":"2026-11-22T05:00:00Z",\
                "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d4b9c",\
                "uid":"0b2a4c11-e8ae-314b-91a0-cc17ae76ca8f","controller":true,"blockOwnerDeletion":true}]},\
                "spec":{"nodeName":"node-1","containers":[{"name":"web","image":"berth/busybox:latest","command":["httpd","-f","-p","8080"],\
                "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],\
                "resources":{"limits":{"cpu":"1","memory":"128Mi"},"requests":{"cpu":"250m","memory":"64Mi"}}}],\
                "restartPolicy":"Always","terminationGracePeriodSeconds":30},\
                "status":{"phase":"Running","hostIP":"10.0.0.1","startTime":"2026-11-22T05:00:02Z",\
                "conditions":[{"type":"Initialized","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-11-22T05:00:02Z"},\
                {"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-11-22T05:00:02Z"},\
                {"type":"ContainersReady","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-11-22T05:00:02Z"},\
                {"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-11-22T05:00:00Z"}],\
                "containerStatuses":[{"name":"web","ready":true,"restartCount":0,"image":"berth/busybox:latest",\
                "containerID":"docker://c0ffee","state":{"running":{"startedAt":"2026-11-22T05:00:02Z"}}}]}}],\
                "metadata":{"resourceVersion":""}}""", json);
    }

    @Test
    void shouldMapTaskPhasesToPodPhasesAndKubectlStatuses() {
        record Row(TaskPhase phase, boolean ready, String reason, String podPhase, String status) {}
        List<Row> rows = List.of(
                new Row(TaskPhase.PENDING, false, "0/3 nodes are available: 3 Insufficient memory.", "Pending", "Pending"),
                new Row(TaskPhase.PENDING, false, "Unschedulable", "Pending", "Pending"),
                new Row(TaskPhase.SCHEDULED, false, "", "Pending", "ContainerCreating"),
                new Row(TaskPhase.SCHEDULED, false, "ContainerCreated", "Pending", "ContainerCreating"),
                new Row(TaskPhase.SCHEDULED, false, "Init:0/1", "Pending", "Init:0/1"),
                new Row(TaskPhase.SCHEDULED, false, "Init:CrashLoopBackOff", "Pending", "Init:CrashLoopBackOff"),
                new Row(TaskPhase.FAILED, false, "Init:Error", "Failed", "Init:Error"),
                new Row(TaskPhase.RUNNING, false, "ContainersNotReady", "Running", "Running"),
                new Row(TaskPhase.RUNNING, false, "Error", "Running", "Error"),
                new Row(TaskPhase.RUNNING, false, "CrashLoopBackOff", "Running", "CrashLoopBackOff"),
                new Row(TaskPhase.RUNNING, true, "", "Running", "Running"),
                new Row(TaskPhase.SUCCEEDED, false, "", "Succeeded", "Completed"),
                new Row(TaskPhase.FAILED, false, "ImageNotFound", "Failed", "ImageNotFound"),
                new Row(TaskPhase.FAILED, false, "", "Failed", "Error"),
                new Row(TaskPhase.LOST, false, "", "Unknown", "Unknown"),
                new Row(TaskPhase.TERMINATING, true, "", "Pending", "Terminating"));
        for (Row r : rows) {
            TaskView t = TaskView.newBuilder(task("t", r.phase, r.ready, "n")).setReason(r.reason).build();
            assertEquals(r.podPhase, KubeObjects.podPhase(t), r.toString());
            assertEquals(r.status, KubeObjects.podStatus(t), r.toString());
        }
    }

    @Test
    void shouldRenderANodeWithConditionsAddressesAndCapacity() {
        String json = KubeObjects.node(node("node-2", false, true)).toString();
        assertEquals("""
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"node-2","labels":{"kubernetes.io/hostname":"node-2","zone":"a"},"uid":"node-2",\
                "resourceVersion":"7","creationTimestamp":"2026-11-21T05:00:00Z"},"spec":{"unschedulable":true},\
                "status":{"capacity":{"cpu":"4","memory":"8Gi"},"allocatable":{"cpu":"4","memory":"8Gi"},\
                "berthAllocated":{"cpu":"500m","memory":"128Mi"},\
                "conditions":[{"type":"Ready","status":"False","reason":"NodeStatusUnknown",\
                "message":"Node daemon stopped posting node status.","lastHeartbeatTime":"2026-11-22T05:03:19Z",\
                "lastTransitionTime":"2026-11-22T05:03:19Z"}],\
                "addresses":[{"type":"InternalIP","address":"10.0.0.2"},{"type":"Hostname","address":"node-2"}],\
                "nodeInfo":{"kubeletVersion":"v0.1.0-berth","containerRuntimeVersion":"docker","machineID":"node-2"}}}""", json);
    }

    @Test
    void shouldPublishMaxPodsAndTheDaemonsConditionsWithReadyStayingTruthful() {
        NodeView n = NodeView.newBuilder(node("node-1", true, false)).setMaxPods(110)
                .setConditions(List.of(new Condition("Ready", "True", "NodeReady", "posting", T0),
                        new Condition("ContainerRuntimeUnhealthy", "True", "PLEGNotHealthy",
                                "PLEG is not healthy: pleg was last seen active 3m0s ago; threshold is 3m0s", T0))).build();
        var node = KubeObjects.node(n);
        assertEquals("110", node.path("status").path("capacity").path("pods").asText());
        assertEquals("110", node.path("status").path("allocatable").path("pods").asText());
        var runtime = node.path("status").path("conditions").get(1);
        assertEquals("ContainerRuntimeUnhealthy", runtime.path("type").asText());
        assertEquals("PLEGNotHealthy", runtime.path("reason").asText());
        assertEquals("True", node.path("status").path("conditions").get(0).path("status").asText());
        assertEquals("Ready,ContainerRuntimeUnhealthy", KubeObjects.nodeStatus(n));
        NodeView healthy = NodeView.newBuilder(n).setCordoned(true).setConditions(List.of(
                new Condition("ContainerRuntimeUnhealthy", "False", "ContainerRuntimeIsHealthy", "fine", T0))).build();
        assertEquals("Ready,SchedulingDisabled", KubeObjects.nodeStatus(healthy));
    }

    @Test
    void shouldPreferTheReadyConditionStateStreamsWrote() {
        NodeView n = NodeView.newBuilder(node("node-1", false, false))
                .setConditions(List.of(new Condition("Ready", "False", "NodeStatusUnknown", "Kubelet stopped posting node status.", T0))).build();
        assertEquals("Kubelet stopped posting node status.", KubeObjects.readyCondition(n).getMessage());
    }

    @Test
    void shouldRenderADeploymentWithSpecAndStatus() throws Exception {
        var d = JSON.readTree(KubeObjects.deployment(deployment()).toString());
        assertEquals("apps/v1", d.get("apiVersion").asText());
        assertEquals(3, d.at("/spec/replicas").asInt());
        assertEquals("web", d.at("/spec/selector/matchLabels/app").asText());
        assertEquals("/healthz", d.at("/spec/template/spec/containers/0/readinessProbe/httpGet/path").asText());
        assertEquals("25%", d.at("/spec/strategy/rollingUpdate/maxSurge").asText());
        assertEquals(3, d.at("/status/replicas").asInt());
        assertEquals(2, d.at("/status/readyReplicas").asInt());
        assertEquals(2, d.at("/status/availableReplicas").asInt());
        assertEquals(3, d.at("/status/updatedReplicas").asInt());
        assertEquals("MinimumReplicasAvailable", d.at("/status/conditions/0/reason").asText());
    }

    @Test
    void shouldRenderADeploymentTheParserReadsBackToTheSameSpec() {
        WorkloadView w = deployment();
        String rendered = KubeObjects.deployment(w).toString();
        ManifestResult back = new ManifestParser(ManifestOptions.defaults().withStrict(true)).parse("", rendered);
        assertTrue(back.ok(), () -> back.errorMessages().toString());
        assertEquals(w.getDeployment(), back.intents().get(0).getPayload());
    }

    @Test
    void shouldRenderAServiceAndItsPortsColumn() {
        ServiceSpec s = ServiceSpec.newBuilder().setType("NodePort").setSelector(Map.of("app", "web"))
                .setPorts(List.of(new ServicePort("http", 80, 8080, 30080, "TCP"))).build();
        WorkloadView w = WorkloadView.newBuilder().setKey("default/service/web").setKind(ResourceKind.SERVICE).setName("web")
                .setCreatedAt(T0).setService(s).build();
        assertEquals("80:30080/TCP", KubeObjects.servicePorts(s));
        assertEquals("{\"type\":\"NodePort\",\"selector\":{\"app\":\"web\"},\"ports\":[{\"name\":\"http\",\"port\":80,"
                + "\"targetPort\":8080,\"protocol\":\"TCP\",\"nodePort\":30080}]}", KubeObjects.service(w).get("spec").toString());
    }

    @Test
    void shouldRenderClusterEventsAsV1Events() {
        ClusterEvent e = ClusterEvent.newBuilder().setUid("abc").setNamespace("default").setInvolvedKind("Pod").setInvolvedName("web-1")
                .setInvolvedKey("web-1").setType("Warning").setReason("BackOff").setMessage("Back-off restarting failed container")
                .setSource("kubelet/n2").setFirstTimestamp(T0).setLastTimestamp(NOW).setCount(4).build();
        var ev = KubeObjects.event(e);
        assertEquals("v1", ev.path("apiVersion").asText());
        assertEquals("Event", ev.path("kind").asText());
        assertEquals("web-1.abc", ev.path("metadata").path("name").asText());
        assertEquals("Pod", ev.path("involvedObject").path("kind").asText());
        assertEquals("default", ev.path("involvedObject").path("namespace").asText());
        assertEquals("BackOff", ev.path("reason").asText());
        assertEquals("Warning", ev.path("type").asText());
        assertEquals("kubelet/n2", ev.path("source").path("component").asText());
        assertEquals("2026-11-22T05:00:00Z", ev.path("firstTimestamp").asText());
        assertEquals("2026-11-22T05:03:20Z", ev.path("lastTimestamp").asText());
        assertEquals(4, ev.path("count").asInt());
    }

    @Test
    void shouldRenderNamespaces() {
        var ns = KubeObjects.namespace("team-a");
        assertEquals("Namespace", ns.path("kind").asText());
        assertEquals("team-a", ns.path("metadata").path("name").asText());
        assertEquals("Active", ns.path("status").path("phase").asText());
    }

    @Test
    void shouldCarryTheSchedulersVerdictAsTwoAnnotations() throws Exception {
        PlacementVerdict v = PlacementVerdict.newBuilder().setNodeId("node-1").setFeasible(2).setTotal(3)
                .setScores(List.of(new RankerScore("spread", 0L, 1.0), new RankerScore("leastAllocated", 71L, 0.71)))
                .setRunnerUp("node-3").setRunnerUpScores(List.of(new RankerScore("spread", 0L, 1.0), new RankerScore("leastAllocated", 65L, 0.65)))
                .setRejected(Map.of("node-2", "Insufficient memory"))
                .setMessage("node-1 of 3 feasible — spread 1.00, leastAllocated 0.71; runner-up node-3 (spread 1.00, leastAllocated 0.65); "
                        + "node-2: Insufficient memory")
                .setDecidedAt(java.time.Instant.parse("2026-11-22T05:00:00Z").toEpochMilli()).build();
        TaskView t = TaskView.newBuilder(task("web-7d4b9c-abcde", TaskPhase.RUNNING, true, "node-1")).setPlacement(v).build();
        var annotations = KubeObjects.pod(t, Map.of()).path("metadata").path("annotations");
        assertEquals("default/deployment/web", annotations.path("berth.io/workload").asText());
        assertEquals(v.getMessage(), annotations.path(KubeObjects.PLACEMENT).asText());
        var expected = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree("""
                {"nodeId":"node-1","feasible":2,"total":3,
                 "scores":[{"ranker":"spread","score":0,"normalized":1.0},{"ranker":"leastAllocated","score":71,"normalized":0.71}],
                 "runnerUp":"node-3",
                 "runnerUpScores":[{"ranker":"spread","score":0,"normalized":1.0},{"ranker":"leastAllocated","score":65,"normalized":0.65}],
                 "rejected":{"node-2":"Insufficient memory"},"rejectedOmitted":0,"message":"",
                 "decidedAt":"2026-11-22T05:00:00Z"}""");
        expected.put("message", v.getMessage());
        assertEquals(expected, JSON.readTree(annotations.path(KubeObjects.PLACEMENT_VERDICT).asText()));
        assertFalse(KubeObjects.pod(task("web-7d4b9c-abcde", TaskPhase.RUNNING, true, "node-1"), Map.of())
                .path("metadata").path("annotations").has(KubeObjects.PLACEMENT), "no verdict, no annotation");
    }
}
