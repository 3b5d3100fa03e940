package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.state.core.NodeLiveness;
import org.junit.jupiter.api.Test;

import java.util.*;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** The intent stamp (read-your-writes), Kubernetes-like events and node drain, through the whole topology. */
class EventsAndDrainTopologyTest extends HarnessTest {
    private static final String WEB = key("web");

    // ---- intent stamp ---------------------------------------------------------------------------

    @Test
    void shouldStampTheLastIntentOnTheViewEvenWhenItChangesNothing() {
        Intent apply = deployment("web", 2);
        h.intent(WEB, apply);
        WorkloadView v1 = h.live(Topics.WORKLOADS).get(WEB);
        assertEquals(apply.getIntentId(), v1.getLastIntentId());
        assertEquals(0, v1.getLastIntentOffset());

        int written = h.all(Topics.WORKLOADS).size();
        Intent again = deployment("web", 2);  // same spec, new intent id
        h.intent(WEB, again);
        assertEquals(written + 1, h.all(Topics.WORKLOADS).size(), "a no-op apply is still acknowledged with a view");
        WorkloadView v2 = h.live(Topics.WORKLOADS).get(WEB);
        assertEquals(again.getIntentId(), v2.getLastIntentId());
        assertEquals(1, v2.getLastIntentOffset());
        assertEquals(v1.getGeneration(), v2.getGeneration(), "nothing else changed");
        assertTrue(Long.parseLong(v2.getResourceVersion()) > Long.parseLong(v1.getResourceVersion()));

        Intent scale = scale("web", 3);
        h.intent(WEB, scale);
        WorkloadView v3 = h.live(Topics.WORKLOADS).get(WEB);
        assertEquals(scale.getIntentId(), v3.getLastIntentId());
        assertEquals(2, v3.getLastIntentOffset());
        assertEquals(3, v3.getDeployment().getReplicas());

        Intent sameScale = scale("web", 3);
        h.intent(WEB, sameScale);
        assertEquals(sameScale.getIntentId(), h.live(Topics.WORKLOADS).get(WEB).getLastIntentId());
    }

    @Test
    void shouldStampAPodDeleteReRoutedToItsDeploymentWithTheIntentsOffset() {
        h.intent(WEB, deployment("web", 2));
        String pod = placements().get(0);
        Intent delete = delete(ResourceKind.POD, pod);
        h.intent(Topics.resourceKey("default", ResourceKind.POD, pod), delete);
        WorkloadView v = h.live(Topics.WORKLOADS).get(WEB);
        assertEquals(delete.getIntentId(), v.getLastIntentId());
        assertEquals(1, v.getLastIntentOffset(), "the offset on berth.intents, not on the repartition topic");
    }

    @Test
    void shouldStampABarePodAndAServiceToo() {
        String dbg = Topics.resourceKey("default", ResourceKind.POD, "dbg");
        Intent pod = pod("dbg");
        h.intent(dbg, pod);
        assertEquals(pod.getIntentId(), h.live(Topics.WORKLOADS).get(dbg).getLastIntentId());
        Intent podAgain = pod("dbg");
        h.intent(dbg, podAgain);
        assertEquals(podAgain.getIntentId(), h.live(Topics.WORKLOADS).get(dbg).getLastIntentId());

        String svcKey = Topics.resourceKey("default", ResourceKind.SERVICE, "web");
        Intent svc = intent(IntentAction.APPLY, ResourceKind.SERVICE, "web",
                ServiceSpec.newBuilder().setSelector(Map.of("app", "web")).build());
        h.intent(svcKey, svc);
        WorkloadView s = h.live(Topics.WORKLOADS).get(svcKey);
        assertEquals(svc.getIntentId(), s.getLastIntentId());
        assertEquals(2, s.getLastIntentOffset());
    }

    // ---- events ---------------------------------------------------------------------------------

    private List<ClusterEvent> events() {
        return h.all(Topics.EVENTS).stream().map(kv -> kv.value).toList();
    }

    private List<ClusterEvent> events(String reason) {
        return events().stream().filter(e -> e.getReason().equals(reason)).toList();
    }

    private List<String> placements() {
        return h.all(Topics.PLACEMENT_REQUESTS).stream().map(kv -> kv.value.getTaskId()).toList();
    }

    private void runOn(String taskId, String node) {
        h.status(status(WEB, taskId, node, TaskState.ASSIGNED));
        h.status(status(WEB, taskId, node, TaskState.RUNNING));
        h.status(status(WEB, taskId, node, TaskState.READY));
    }

    @Test
    void shouldRecordScalingSchedulingAndContainerEventsInKubernetesWording() {
        h.node(register("n1"));
        h.intent(WEB, deployment("web", 3));
        String hash = h.live(Topics.WORKLOADS).get(WEB).getTemplateHash();
        ClusterEvent up = events("ScalingReplicaSet").get(0);
        assertEquals("Scaled up replica set web-" + hash + " to 3", up.getMessage());
        assertEquals("Deployment", up.getInvolvedKind());
        assertEquals("web", up.getInvolvedName());
        assertEquals("deployment-controller", up.getSource());
        assertEquals("Normal", up.getType());
        assertEquals(WEB, h.all(Topics.EVENTS).stream().filter(kv -> kv.value.getReason().equals("ScalingReplicaSet")).findFirst().orElseThrow().key);

        String id = placements().get(0);
        runOn(id, "n1");
        ClusterEvent scheduled = events("Scheduled").get(0);
        assertEquals("Successfully assigned default/" + id + " to n1", scheduled.getMessage());
        assertEquals("default-scheduler", scheduled.getSource());
        assertEquals("Pod", scheduled.getInvolvedKind());
        assertEquals(id, scheduled.getInvolvedName());
        assertEquals("default/pod/" + id, scheduled.getInvolvedKey());
        assertEquals("Created container main", events("Created").get(0).getMessage());
        assertEquals("Started container main", events("Started").get(0).getMessage());
        assertEquals("kubelet/n1", events("Started").get(0).getSource());
        assertEquals(1, events("Started").size(), "READY after RUNNING is not a new start");

        h.status(TaskStatus.newBuilder(status(WEB, id, "n1", TaskState.EXITED)).setExitCode(1).setReason("CrashLoopBackOff").setRestartCount(1).build());
        h.status(TaskStatus.newBuilder(status(WEB, id, "n1", TaskState.EXITED)).setExitCode(1).setReason("CrashLoopBackOff").setRestartCount(1).build());
        List<ClusterEvent> backOff = events("BackOff");
        assertEquals(1, backOff.size(), "one BackOff per crash loop, not per report");
        assertEquals("Back-off restarting failed container main in pod " + id, backOff.get(0).getMessage());
        assertEquals("Warning", backOff.get(0).getType());
        h.status(TaskStatus.newBuilder(status(WEB, id, "n1", TaskState.RUNNING)).setRestartCount(1).build());
        assertEquals(2, events("Started").size(), "a restart is a new start");
        h.status(status(WEB, id, "n1", TaskState.READY));
        h.status(status(WEB, id, "n1", TaskState.UNREADY));
        h.status(status(WEB, id, "n1", TaskState.READY));
        assertEquals(2, events("Started").size(), "readiness going back and forth is not a start");
        assertEquals(List.of(), events("Unhealthy"), "an UNREADY without a probe failure is no Unhealthy event");

        h.status(TaskStatus.newBuilder(status(WEB, id, "n1", TaskState.UNREADY)).setReason("ContainersNotReady")
                .setMessage("Readiness probe failed: HTTP probe failed with statuscode: 404").build());
        ClusterEvent unhealthy = events("Unhealthy").get(0);
        assertEquals("Readiness probe failed: HTTP probe failed with statuscode: 404", unhealthy.getMessage());
        assertEquals("Warning", unhealthy.getType());
        assertEquals("kubelet/n1", unhealthy.getSource());
        int killingBefore = events("Killing").size();
        h.status(TaskStatus.newBuilder(status(WEB, id, "n1", TaskState.EXITED)).setExitCode(137).setRestartCount(1)
                .setMessage("Container main failed liveness probe, will be restarted").build());
        List<ClusterEvent> killing = events("Killing");
        assertEquals(killingBefore + 1, killing.size());
        assertEquals("Container main failed liveness probe, will be restarted", killing.get(killing.size() - 1).getMessage());

        h.intent(WEB, scale("web", 1));
        List<ClusterEvent> scaling = events("ScalingReplicaSet");
        assertEquals("Scaled down replica set web-" + hash + " to 1", scaling.get(scaling.size() - 1).getMessage());
        assertEquals(events().size(), new HashSet<>(events().stream().map(ClusterEvent::getUid).toList()).size(), "uids are unique");
    }

    @Test
    void shouldRecordKillingForAStoppedContainerAndFailedSchedulingOnlyWhenItChanges() {
        h.node(register("n1"));
        h.intent(WEB, deployment("web", 2));
        List<String> ids = placements();
        runOn(ids.get(0), "n1");
        runOn(ids.get(1), "n1");
        h.intent(WEB, scale("web", 1));
        ClusterEvent killing = events("Killing").get(0);
        assertEquals("Stopping container main", killing.getMessage());
        assertEquals("kubelet/n1", killing.getSource());

        h.intent(WEB, scale("web", 2));
        String pending = placements().get(2);
        TaskStatus unschedulable = TaskStatus.newBuilder(status(WEB, pending, "", TaskState.UNSCHEDULABLE)).setReason("Unschedulable")
                .setMessage("0/1 nodes are available: 1 Insufficient memory.").build();
        h.status(unschedulable);
        h.status(unschedulable);
        List<ClusterEvent> failed = events("FailedScheduling");
        assertEquals(1, failed.size());
        assertEquals("0/1 nodes are available: 1 Insufficient memory.", failed.get(0).getMessage());
        assertEquals("Warning", failed.get(0).getType());
        h.status(TaskStatus.newBuilder(unschedulable).setMessage("0/1 nodes are available: 1 node(s) were cordoned.").build());
        assertEquals(2, events("FailedScheduling").size());
    }

    @Test
    void shouldTurnARuntimeConditionIntoAWarningAndBackWithTheNodeStayingReady() {
        h.node(NodeEvent.newBuilder(register("n1")).setRegistration(NodeRegistration.newBuilder(register("n1").getRegistration()).setMaxPods(110).build())
                .setConditions(List.of(runtime("False", "ContainerRuntimeIsHealthy", "container runtime on the node is functioning properly"))).build());
        h.node(NodeEvent.newBuilder(heartbeat("n1")).setConditions(List.of(runtime("False", "ContainerRuntimeIsHealthy", "fine"))).build());
        assertTrue(events("ContainerRuntimeUnhealthy").isEmpty() && events("ContainerRuntimeIsHealthy").isEmpty(), "healthy from the start: no event");
        String stale = "PLEG is not healthy: pleg was last seen active 3m0s ago; threshold is 3m0s";
        h.node(NodeEvent.newBuilder(heartbeat("n1")).setConditions(List.of(runtime("True", "PLEGNotHealthy", stale))).build());
        h.node(NodeEvent.newBuilder(heartbeat("n1")).setConditions(List.of(runtime("True", "PLEGNotHealthy", stale))).build());
        List<ClusterEvent> warnings = events("ContainerRuntimeUnhealthy");
        assertEquals(1, warnings.size(), "one event per transition, not per heartbeat");
        assertEquals("Warning", warnings.get(0).getType());
        assertEquals("PLEGNotHealthy: " + stale, warnings.get(0).getMessage());
        assertEquals("kubelet/n1", warnings.get(0).getSource());
        NodeView v = h.live(Topics.NODES).get("n1");
        assertTrue(v.getReady(), "Ready stays truthful: the daemon heartbeats");
        assertEquals(110, v.getMaxPods());
        assertEquals(List.of("Ready", "ContainerRuntimeUnhealthy"), v.getConditions().stream().map(c -> c.getType()).toList());
        h.node(NodeEvent.newBuilder(heartbeat("n1")).setConditions(List.of(runtime("False", "ContainerRuntimeIsHealthy", "fine"))).build());
        assertEquals("Normal", events("ContainerRuntimeIsHealthy").get(0).getType());
    }

    private static io.berth.schemas.avro.Condition runtime(String status, String reason, String message) {
        return new io.berth.schemas.avro.Condition("ContainerRuntimeUnhealthy", status, reason, message, 0L);
    }

    @Test
    void shouldRecordNodeEventsAndLostPods() {
        h.node(register("n1"));
        h.node(register("n2"));
        ClusterEvent ready = events("NodeReady").get(0);
        assertEquals("Node n1 status is now: NodeReady", ready.getMessage());
        assertEquals("node-controller", ready.getSource());
        assertEquals("/node/n1", ready.getInvolvedKey());

        String n1 = Topics.resourceKey("", ResourceKind.NODE, "n1");
        h.intent(n1, intent(IntentAction.CORDON, ResourceKind.NODE, "n1", null));
        assertEquals("Node n1 status is now: NodeNotSchedulable", events("NodeNotSchedulable").get(0).getMessage());
        h.intent(n1, intent(IntentAction.UNCORDON, ResourceKind.NODE, "n1", null));
        assertEquals("Node n1 status is now: NodeSchedulable", events("NodeSchedulable").get(0).getMessage());

        h.intent(WEB, deployment("web", 1));
        String id = placements().get(0);
        runOn(id, "n2");
        for (int i = 0; i < 16; i++) {
            h.node(heartbeat("n1"));
            h.advanceMs(250);
        }
        ClusterEvent notReady = events("NodeNotReady").get(0);
        assertEquals("Node n2 status is now: NodeNotReady", notReady.getMessage());
        assertEquals("Warning", notReady.getType());
        ClusterEvent lost = events("NodeLost").get(0);
        assertEquals("Node n2 which was running pod " + id + " is unresponsive", lost.getMessage());
        assertEquals("default/pod/" + id, h.all(Topics.EVENTS).stream().filter(kv -> kv.value.getReason().equals("NodeLost")).findFirst().orElseThrow().key);
        assertTrue(events("Killing").isEmpty(), "nothing is stopped on a lost node");
    }

    @Test
    void shouldRecordARejectedIntentAsAWarningAndKeepTheDeadLetter() {
        h.intent(WEB, deployment("web", -1));
        h.intent(key("nope"), scale("nope", 2));
        assertEquals(2, h.all(Topics.DEAD_LETTERS).size());
        ClusterEvent failedCreate = events("FailedCreate").get(0);
        assertEquals("The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0", failedCreate.getMessage());
        assertEquals("Warning", failedCreate.getType());
        assertEquals("Deployment", failedCreate.getInvolvedKind());
        assertEquals("deployment default/deployment/nope not found", events("InvalidIntent").get(0).getMessage());
    }

    @Test
    void shouldGiveAReplayedRecordTheSameEventUid() throws Exception {
        Intent apply = deployment("web", 1);
        h.intent(WEB, apply);
        String uid = events("ScalingReplicaSet").get(0).getUid();
        h.close();
        h = new Harness();
        h.intent(WEB, apply);
        assertEquals(uid, events("ScalingReplicaSet").get(0).getUid(), "same record (topic, partition, offset) → same uid");
    }

    // ---- drain ----------------------------------------------------------------------------------

    private void beatAndTick() {
        for (String n : List.of("n1", "n2", "n3")) h.node(heartbeat(n));
        h.advanceMs(300);
    }

    private long readyRunning() {
        return h.liveTasks(WEB).stream().filter(t -> t.getPhase() == TaskPhase.RUNNING && t.getReady()).count();
    }

    @Test
    void shouldDrainANodeReplacementFirstNeverBelowTheBudget() {
        for (String n : List.of("n1", "n2", "n3")) h.node(register(n));
        Intent d = deployment("web", 4);
        DeploymentSpec spec = DeploymentSpec.newBuilder((DeploymentSpec) d.getPayload())
                .setRollingUpdate(new RollingUpdate("25%", "1")).build();
        h.intent(WEB, Intent.newBuilder(d).setPayload(spec).build());
        List<String> ids = placements();
        runOn(ids.get(0), "n1");
        runOn(ids.get(1), "n1");
        runOn(ids.get(2), "n2");
        runOn(ids.get(3), "n3");
        assertEquals(4, readyRunning());

        String n1 = Topics.resourceKey("", ResourceKind.NODE, "n1");
        h.intent(n1, intent(IntentAction.DRAIN, ResourceKind.NODE, "n1", null));
        NodeView drained = h.live(Topics.NODES).get("n1");
        assertTrue(drained.getCordoned());
        assertEquals("true", drained.getLabels().get(NodeLiveness.DRAINING_LABEL));
        beatAndTick();
        assertEquals(5, placements().size(), "one surge replacement first");
        assertEquals(4, readyRunning(), "nothing stopped before the replacement is ready");
        assertTrue(h.all(Topics.ASSIGNMENTS).isEmpty());

        String r1 = placements().get(4);
        runOn(r1, "n2");
        // The newest task on n1 goes; the next replacement is requested.
        assertTombstone(Topics.assignmentKey("n1", ids.get(1)));
        assertEquals(TaskPhase.TERMINATING, h.live(Topics.TASKS).get(ids.get(1)).getPhase());
        assertEquals(6, placements().size());
        assertTrue(readyRunning() >= 3);
        ClusterEvent evicted = events("Evicted").get(0);
        assertEquals("Evicting pod " + ids.get(1) + ": node n1 is being drained", evicted.getMessage());
        assertEquals("Stopping container main", events("Killing").get(0).getMessage());

        beatAndTick();
        assertEquals(1, h.all(Topics.ASSIGNMENTS).size(), "the other n1 task waits for its replacement");
        String r2 = placements().get(5);
        runOn(r2, "n3");
        assertTombstone(Topics.assignmentKey("n1", ids.get(0)));
        assertEquals(6, placements().size(), "no more replacements");
        h.status(status(WEB, ids.get(0), "n1", TaskState.REMOVED));
        h.status(status(WEB, ids.get(1), "n1", TaskState.REMOVED));
        beatAndTick();
        assertEquals(4, h.liveTasks(WEB).size());
        assertTrue(h.liveTasks(WEB).stream().noneMatch(t -> t.getNodeId().equals("n1")));
        assertEquals(4, h.live(Topics.WORKLOADS).get(WEB).getReadyReplicas());

        h.intent(n1, intent(IntentAction.UNCORDON, ResourceKind.NODE, "n1", null));
        NodeView back = h.live(Topics.NODES).get("n1");
        assertFalse(back.getCordoned());
        assertFalse(back.getLabels().containsKey(NodeLiveness.DRAINING_LABEL));
    }

    @Test
    void shouldKeepDrainingAcrossARegistrationAndStopABarePodWithAWarning() {
        h.node(register("n1"));
        String dbg = Topics.resourceKey("default", ResourceKind.POD, "dbg");
        h.intent(dbg, pod("dbg"));
        String id = placements().get(0);
        h.status(status(dbg, id, "n1", TaskState.ASSIGNED));
        h.status(status(dbg, id, "n1", TaskState.READY));

        h.intent(Topics.resourceKey("", ResourceKind.NODE, "n1"), intent(IntentAction.DRAIN, ResourceKind.NODE, "n1", null));
        h.node(register("n1"));  // the daemon restarts: its labels come back, the drain stays
        assertEquals("true", h.live(Topics.NODES).get("n1").getLabels().get(NodeLiveness.DRAINING_LABEL));
        h.node(heartbeat("n1"));
        h.advanceMs(300);
        assertTombstone(Topics.assignmentKey("n1", id));
        ClusterEvent warning = events("Evicted").get(0);
        assertEquals("Warning", warning.getType());
        assertTrue(warning.getMessage().contains("not managed by a controller"), warning.getMessage());
        assertEquals(1, placements().size(), "a bare pod is not replaced");
    }

    private void assertTombstone(String assignmentKey) {
        assertTrue(h.all(Topics.ASSIGNMENTS).stream().anyMatch(kv -> kv.key.equals(assignmentKey) && kv.value == null),
                "assignment " + assignmentKey + " tombstoned: " + h.all(Topics.ASSIGNMENTS));
    }
}
