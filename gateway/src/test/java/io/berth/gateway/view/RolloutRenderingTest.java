package io.berth.gateway.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.ManifestOptions;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.gateway.manifest.ManifestResult;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.berth.gateway.view.ViewFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Pods from the node daemon's per-container snapshot, deployments with their rollout, ReplicaSets from the history. */
class RolloutRenderingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ContainerStatus.Builder container(String name, String state) {
        return ContainerStatus.newBuilder().setName(name).setState(state).setImage("berth/busybox:latest");
    }

    @Test
    void shouldRenderContainerStatusesFromTheSnapshot() throws Exception {
        TaskView t = TaskView.newBuilder(task("web-7d4b9c-abcde", TaskPhase.RUNNING, false, "node-1"))
                .setPodIP("172.17.0.5").setUpdatedAt(T0 + 9000)
                .setTemplate(PodTemplate.newBuilder(template()).setInitContainers(List.of(ContainerSpec.newBuilder()
                        .setName("init").setImage("berth/busybox:latest").build()))
                        .setContainers(List.of(template().getContainers().get(0), ContainerSpec.newBuilder(template().getContainers().get(0))
                                .setName("sidecar").setImage("berth/busybox:latest").build())).build())
                .setContainerStatuses(List.of(
                        container("init", "terminated").setInit(true).setExitCode(0).setStartedAt(T0 + 1000).setFinishedAt(T0 + 1500)
                                .setContainerId("i1").build(),
                        container("web", "waiting").setReason("CrashLoopBackOff").setMessage("back-off 10s restarting failed container")
                                .setRestartCount(3).setExitCode(1).setStartedAt(T0 + 5000).setFinishedAt(T0 + 6000).setContainerId("c3").build(),
                        container("sidecar", "running").setReady(true).setStarted(true).setRestartCount(1).setStartedAt(T0 + 8000)
                                .setFinishedAt(T0 + 7000).setExitCode(137).setContainerId("s2").setImage("").build())).build();
        JsonNode pod = JSON.readTree(KubeObjects.pod(t, Map.of("node-1", node("node-1", true, false))).toString());
        JsonNode status = pod.path("status");
        assertEquals("172.17.0.5", status.path("podIP").asText());
        assertEquals("[{\"ip\":\"172.17.0.5\"}]", status.path("podIPs").toString());
        assertEquals("""
                {"name":"web","state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 10s restarting failed container"}},\
                "lastState":{"terminated":{"exitCode":1,"reason":"Error","startedAt":"2026-11-22T05:00:05Z","finishedAt":"2026-11-22T05:00:06Z",\
                "containerID":"docker://c3"}},"ready":false,"restartCount":3,"image":"berth/busybox:latest","imageID":"",\
                "containerID":"docker://c3","started":false}""", status.path("containerStatuses").get(0).toString());
        JsonNode sidecar = status.path("containerStatuses").get(1);
        assertEquals("2026-11-22T05:00:08Z", sidecar.at("/state/running/startedAt").asText());
        assertEquals(137, sidecar.at("/lastState/terminated/exitCode").asInt());
        assertEquals("berth/busybox:latest", sidecar.path("image").asText(), "image from the spec when the snapshot has none");
        assertTrue(sidecar.path("ready").asBoolean());
        assertEquals("Completed", status.at("/initContainerStatuses/0/state/terminated/reason").asText());
        assertEquals("docker://i1", status.at("/initContainerStatuses/0/state/terminated/containerID").asText());

        assertEquals("""
                [{"type":"Initialized","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-11-22T05:00:02Z"},\
                {"type":"Ready","status":"False","lastProbeTime":null,"lastTransitionTime":"2026-11-22T05:00:09Z",\
                "reason":"ContainersNotReady","message":"containers with unready status: [web]"},\
                {"type":"ContainersReady","status":"False","lastProbeTime":null,"lastTransitionTime":"2026-11-22T05:00:09Z",\
                "reason":"ContainersNotReady","message":"containers with unready status: [web]"},\
                {"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-11-22T05:00:00Z"}]""",
                status.path("conditions").toString());
    }

    @Test
    void shouldRenderATerminatedContainerAndAnUnschedulablePod() throws Exception {
        TaskView done = TaskView.newBuilder(task("once", TaskPhase.FAILED, false, "node-1"))
                .setContainerStatuses(List.of(container("web", "terminated").setExitCode(2).setReason("Error").setMessage("boom")
                        .setStartedAt(T0 + 1000).setFinishedAt(T0 + 2000).setContainerId("dead").build())).build();
        JsonNode t = JSON.readTree(KubeObjects.pod(done, Map.of()).toString()).at("/status/containerStatuses/0/state/terminated");
        assertEquals("{\"exitCode\":2,\"reason\":\"Error\",\"message\":\"boom\",\"startedAt\":\"2026-11-22T05:00:01Z\","
                + "\"finishedAt\":\"2026-11-22T05:00:02Z\",\"containerID\":\"docker://dead\"}", t.toString());

        TaskView pending = TaskView.newBuilder(task("p", TaskPhase.PENDING, false, "")).setReason("Unschedulable")
                .setMessage("0/3 nodes are available: 3 Insufficient memory.").build();
        JsonNode conditions = JSON.readTree(KubeObjects.pod(pending, Map.of()).toString()).at("/status/conditions");
        assertEquals(1, conditions.size());
        assertEquals("PodScheduled", conditions.get(0).path("type").asText());
        assertEquals("False", conditions.get(0).path("status").asText());
        assertEquals("Unschedulable", conditions.get(0).path("reason").asText());
        assertEquals("0/3 nodes are available: 3 Insufficient memory.", conditions.get(0).path("message").asText());
    }

    @Test
    void shouldCountReadyContainersInTheReadyColumn() {
        TaskView t = TaskView.newBuilder(task("web-1", TaskPhase.RUNNING, false, "node-1"))
                .setTemplate(PodTemplate.newBuilder(template()).setContainers(List.of(template().getContainers().get(0),
                        ContainerSpec.newBuilder(template().getContainers().get(0)).setName("sidecar").build())).build())
                .setContainerStatuses(List.of(container("web", "running").setReady(true).setRestartCount(2).build(),
                        container("sidecar", "running").setRestartCount(1).build())).build();
        String table = JsonTables.render("pods", true, List.of(KubeObjects.pod(t, Map.of())), false, false, NOW);
        assertEquals("NAME    READY   STATUS    RESTARTS   AGE\nweb-1   1/2     Running   3          3m20s\n", table);
    }

    static WorkloadView rolling() {
        WorkloadView base = deployment();
        PodTemplate v1 = base.getDeployment().getTemplate();
        PodTemplate v2 = PodTemplate.newBuilder(v1).setContainers(List.of(ContainerSpec.newBuilder(v1.getContainers().get(0))
                .setImage("berth/busybox:2").build())).build();
        return WorkloadView.newBuilder(base).setRevision(2).setTemplateHash("bbbbbb")
                .setAnnotations(Map.of("team", "a"))
                .setDeployment(DeploymentSpec.newBuilder(base.getDeployment()).setTemplate(v2).build())
                .setHistory(List.of(
                        Revision.newBuilder().setRevision(1).setTemplateHash("aaaaaa").setTemplate(v1).setCreatedAt(T0).build(),
                        Revision.newBuilder().setRevision(2).setTemplateHash("bbbbbb").setTemplate(v2).setChangeCause("kubectl set image")
                                .setCreatedAt(T0 + 60_000).build()))
                .setRollout(RolloutStatus.newBuilder().setPhase("Progressing").setReason("ReplicaSetUpdated").setStartedAt(T0 + 60_000)
                        .setLastProgressAt(T0 + 90_000).build())
                .setConditions(List.of(new Condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", T0),
                        new Condition("Progressing", "True", "ReplicaSetUpdated", "ReplicaSet \"web-bbbbbb\" is progressing.", T0 + 90_000)))
                .build();
    }

    @Test
    void shouldRenderTheRevisionAnnotationConditionsAndTheRolloutBlock() throws Exception {
        WorkloadView w = WorkloadView.newBuilder(rolling()).setRollout(RolloutStatus.newBuilder(rolling().getRollout())
                .setFailedRevision(1).setFailedReason("RolloutFailed").setFailedMessage("pod web-aaaaaa-x crash-looping").setRolledBackFrom(1).build()).build();
        JsonNode d = JSON.readTree(KubeObjects.deployment(w).toString());
        assertEquals("{\"deployment.kubernetes.io/revision\":\"2\",\"team\":\"a\"}", d.at("/metadata/annotations").toString());
        assertEquals(2, d.at("/status/observedGeneration").asInt());
        assertEquals("""
                {"type":"Progressing","status":"True","lastUpdateTime":"2026-11-22T05:01:30Z","lastTransitionTime":"2026-11-22T05:01:30Z",\
                "reason":"ReplicaSetUpdated","message":"ReplicaSet \\"web-bbbbbb\\" is progressing."}""", d.at("/status/conditions/1").toString());
        assertEquals("""
                {"phase":"Progressing","reason":"ReplicaSetUpdated","startedAt":"2026-11-22T05:01:00Z","lastProgressAt":"2026-11-22T05:01:30Z",\
                "failedRevision":1,"failedReason":"RolloutFailed","failedMessage":"pod web-aaaaaa-x crash-looping","rolledBackFrom":1}""",
                d.at("/status/berth").toString());
        // the server-set annotation does not travel back into an apply of the echoed object
        ManifestResult back = new ManifestParser(ManifestOptions.defaults().withStrict(true)).parse("", d.toString());
        assertTrue(back.ok(), () -> back.errorMessages().toString());
        assertEquals(Map.of("team", "a"), back.intents().get(0).getAnnotations());
    }

    @Test
    void shouldRenderACanaryDeploymentTheParserReadsBackToTheSameSpec() throws Exception {
        WorkloadView base = deployment();
        DeploymentSpec canary = DeploymentSpec.newBuilder(base.getDeployment()).setStrategyType("Canary").setUpdateDelaySeconds(10)
                .setRollbackOnFailure(true).setCanarySteps(List.of(new CanaryStep(20, false, 0), new CanaryStep(0, true, 0),
                        new CanaryStep(60, false, 0), new CanaryStep(0, true, 45))).build();
        WorkloadView w = WorkloadView.newBuilder(base).setDeployment(canary)
                .setRollout(RolloutStatus.newBuilder().setPhase("Paused").setReason("CanaryPauseStep").setCanaryStep(1)
                        .setStepStartedAt(T0 + 5000).build()).build();
        ObjectNode rendered = KubeObjects.deployment(w);
        assertEquals("{\"type\":\"Canary\",\"rollingUpdate\":{\"maxSurge\":\"25%\",\"maxUnavailable\":\"25%\"},"
                + "\"canary\":{\"steps\":[{\"setWeight\":20},{\"pause\":{}},{\"setWeight\":60},{\"pause\":{\"duration\":45}}]},"
                + "\"updateDelaySeconds\":10,\"rollbackOnFailure\":true}", rendered.at("/spec/strategy").toString());
        assertEquals(1, rendered.at("/status/berth/canaryStep").asInt());
        assertEquals(4, rendered.at("/status/berth/canarySteps").asInt());
        assertEquals("Paused", rendered.at("/status/berth/phase").asText());
        ManifestResult back = new ManifestParser(ManifestOptions.defaults().withStrict(true)).parse("", rendered.toString());
        assertTrue(back.ok(), () -> back.errorMessages().toString());
        assertEquals(canary, back.intents().get(0).getPayload());
    }

    @Test
    void shouldDeriveReplicaSetsFromTheHistoryAndTheLivePods() {
        WorkloadView w = rolling();
        TaskView old1 = TaskView.newBuilder(task("web-aaaaaa-1", TaskPhase.RUNNING, true, "n1")).setTemplateHash("aaaaaa").setReadyAt(T0 + 3000).build();
        TaskView old2 = TaskView.newBuilder(old1).setTaskId("web-aaaaaa-2").setPodName("web-aaaaaa-2").setDesiredStop(true).build();
        TaskView gone = TaskView.newBuilder(old1).setTaskId("web-aaaaaa-3").setPodName("web-aaaaaa-3").setPhase(TaskPhase.TERMINATING).build();
        TaskView new1 = TaskView.newBuilder(task("web-bbbbbb-1", TaskPhase.RUNNING, true, "n1")).setTemplateHash("bbbbbb").setReadyAt(NOW - 1000).build();
        TaskView new2 = TaskView.newBuilder(task("web-bbbbbb-2", TaskPhase.SCHEDULED, false, "n2")).setTemplateHash("bbbbbb").build();
        TaskView other = TaskView.newBuilder(task("api-bbbbbb-1", TaskPhase.RUNNING, true, "n1")).setWorkloadKey("default/deployment/api")
                .setTemplateHash("bbbbbb").build();
        List<ObjectNode> sets = KubeObjects.replicaSets(w, List.of(old1, old2, gone, new1, new2, other), NOW);
        assertEquals(2, sets.size());
        ObjectNode v1 = sets.get(0), v2 = sets.get(1);
        assertEquals("web-aaaaaa", v1.at("/metadata/name").asText());
        assertEquals("1", v1.at("/metadata/annotations/deployment.kubernetes.io~1revision").asText());
        assertTrue(v1.at("/metadata/annotations/kubernetes.io~1change-cause").isMissingNode());
        assertEquals("aaaaaa", v1.at("/metadata/labels/pod-template-hash").asText());
        assertEquals("{\"app\":\"web\",\"pod-template-hash\":\"aaaaaa\"}", v1.at("/spec/selector/matchLabels").toString());
        assertEquals("[{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\",\"uid\":\"u-1\",\"controller\":true,"
                + "\"blockOwnerDeletion\":true}]", v1.at("/metadata/ownerReferences").toString());
        assertEquals(1, v1.at("/spec/replicas").asInt(), "the old revision holds one pod it is not stopping");
        assertEquals(2, v1.at("/status/replicas").asInt());
        assertEquals(2, v1.at("/status/readyReplicas").asInt());
        assertEquals(2, v1.at("/status/availableReplicas").asInt());
        assertEquals("berth/busybox:latest", v1.at("/spec/template/spec/containers/0/image").asText());

        assertEquals("web-bbbbbb", v2.at("/metadata/name").asText());
        assertEquals("kubectl set image", v2.at("/metadata/annotations/kubernetes.io~1change-cause").asText());
        assertEquals("2", v2.at("/metadata/annotations/deployment.kubernetes.io~1revision").asText());
        assertEquals(2, v2.at("/spec/replicas").asInt());
        assertEquals(2, v2.at("/status/replicas").asInt());
        assertEquals(1, v2.at("/status/readyReplicas").asInt());
        assertEquals("berth/busybox:2", v2.at("/spec/template/spec/containers/0/image").asText());
        assertEquals("2026-11-22T05:01:00Z", v2.at("/metadata/creationTimestamp").asText());

        WorkloadView complete = WorkloadView.newBuilder(w).setRollout(RolloutStatus.newBuilder().setPhase("Complete").build()).build();
        assertEquals(3, KubeObjects.replicaSets(complete, List.of(new1), NOW).get(1).at("/spec/replicas").asInt(),
                "a finished rollout: the current revision wants all the deployment's replicas");
        WorkloadView noHistory = WorkloadView.newBuilder(deployment()).setTemplateHash("cccccc").setRevision(1).build();
        List<ObjectNode> one = KubeObjects.replicaSets(noHistory, List.of(), NOW);
        assertEquals(1, one.size());
        assertEquals("web-cccccc", one.get(0).at("/metadata/name").asText());
        assertEquals(3, one.get(0).at("/spec/replicas").asInt());
    }
}
