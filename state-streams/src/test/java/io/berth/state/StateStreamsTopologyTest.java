package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

import java.util.*;
import java.util.stream.Collectors;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class StateStreamsTopologyTest extends HarnessTest {
    private static final String WEB = key("web");

    private List<PlacementRequest> placements() {
        return h.all(Topics.PLACEMENT_REQUESTS).stream().map(kv -> kv.value).toList();
    }

    private void nodesUp(String... ids) {
        for (String id : ids) h.node(register(id));
    }

    private void beat(String... ids) {
        for (String id : ids) h.node(Fixtures.heartbeat(id));
    }

    /** Scheduler and node report a task running and ready on a node. */
    private void runOn(String taskId, String node) {
        h.status(status(WEB, taskId, node, TaskState.ASSIGNED));
        h.status(status(WEB, taskId, node, TaskState.RUNNING));
        h.status(status(WEB, taskId, node, TaskState.READY));
    }

    @Test
    void shouldRequestThreePlacementsWithUniqueIdsForADeploymentOfThree() {
        h.intent(WEB, deployment("web", 3));

        List<PlacementRequest> reqs = placements();
        assertEquals(3, reqs.size());
        Set<String> ids = reqs.stream().map(PlacementRequest::getTaskId).collect(Collectors.toSet());
        assertEquals(3, ids.size());
        ids.forEach(id -> assertTrue(id.matches("web-[a-z0-9]{10}-[a-z0-9]{5}"), id));
        assertTrue(h.all(Topics.PLACEMENT_REQUESTS).stream().allMatch(kv -> kv.key.equals(Topics.SCHEDULING_KEY)));
        WorkloadView w = h.live(Topics.WORKLOADS).get(WEB);
        assertEquals(3, w.getReplicas());
        assertEquals(0, w.getReadyReplicas());
        assertEquals(1, w.getObservedGeneration());
        assertEquals(3, w.getNextTaskSeq());
        assertEquals(3, h.liveTasks(WEB).size());
        assertTrue(h.liveTasks(WEB).stream().allMatch(t -> t.getPhase() == TaskPhase.PENDING));
        assertTrue(h.all(Topics.AUDIT).stream().anyMatch(a -> a.value.getChange().equals("TaskCreated") && a.value.getActor().equals("alice")));
    }

    @Test
    void shouldFoldAssignedAndRunningStatusesIntoPhases() {
        nodesUp("n1");
        h.intent(WEB, deployment("web", 1));
        String id = placements().get(0).getTaskId();

        h.status(status(WEB, id, "n1", TaskState.ASSIGNED));
        assertEquals(TaskPhase.SCHEDULED, h.live(Topics.TASKS).get(id).getPhase());
        assertEquals("n1", h.live(Topics.TASKS).get(id).getNodeId());

        h.status(status(WEB, id, "n1", TaskState.RUNNING));
        TaskView running = h.live(Topics.TASKS).get(id);
        assertEquals(TaskPhase.RUNNING, running.getPhase());
        assertFalse(running.getReady());
        assertEquals("c-" + id, running.getContainerId());

        h.status(status(WEB, id, "n1", TaskState.READY));
        assertTrue(h.live(Topics.TASKS).get(id).getReady());
        WorkloadView w = h.live(Topics.WORKLOADS).get(WEB);
        assertEquals(1, w.getReadyReplicas());
        assertEquals(1, w.getAvailableReplicas());
        assertEquals("True", w.getConditions().stream().filter(c -> c.getType().equals("Available")).findFirst().orElseThrow().getStatus());

        TaskStatus crash = TaskStatus.newBuilder(status(WEB, id, "n1", TaskState.EXITED)).setExitCode(1)
                .setReason("CrashLoopBackOff").setRestartCount(2).build();
        h.status(crash);
        TaskView crashing = h.live(Topics.TASKS).get(id);
        assertEquals(TaskPhase.RUNNING, crashing.getPhase());
        assertEquals("CrashLoopBackOff", crashing.getReason());
        assertEquals(2, crashing.getRestartCount());
        assertFalse(crashing.getReady());
    }

    /**
     * Statuses fold into their tasks at once and converge their workload once, on the next tick
     * (DirtyWorkloads): three tasks turning ready between two ticks make one workload status
     * change, and a failure's replacement waits for that tick too.
     */
    @Test
    void shouldConvergeAWorkloadOncePerTickWhateverNumberOfStatusesArrived() {
        nodesUp("n1");
        h.intent(WEB, deployment("web", 3));
        List<String> ids = placements().stream().map(PlacementRequest::getTaskId).toList();
        for (String id : ids) h.statusBeforeTick(status(WEB, id, "n1", TaskState.ASSIGNED));
        for (String id : ids) h.statusBeforeTick(status(WEB, id, "n1", TaskState.READY));
        assertTrue(ids.stream().allMatch(id -> h.live(Topics.TASKS).get(id).getReady()), "each status folded into its task at once");
        long changes = h.all(Topics.AUDIT).stream().filter(a -> a.value.getChange().equals("WorkloadStatusChanged")).count();
        assertEquals(0, h.live(Topics.WORKLOADS).get(WEB).getReadyReplicas(), "the workload is not converged before the tick");

        h.tick();
        assertEquals(3, h.live(Topics.WORKLOADS).get(WEB).getReadyReplicas());
        assertEquals(changes + 1, h.all(Topics.AUDIT).stream().filter(a -> a.value.getChange().equals("WorkloadStatusChanged")).count(),
                "six statuses, one converge");
        h.tick();
        assertEquals(changes + 1, h.all(Topics.AUDIT).stream().filter(a -> a.value.getChange().equals("WorkloadStatusChanged")).count(),
                "converged: the next tick has nothing to do for it");

        h.statusBeforeTick(TaskStatus.newBuilder(status(WEB, ids.get(0), "n1", TaskState.FAILED)).setReason("OOMKilled").build());
        assertEquals(TaskPhase.FAILED, h.live(Topics.TASKS).get(ids.get(0)).getPhase());
        assertEquals(3, h.live(Topics.WORKLOADS).get(WEB).getReadyReplicas(), "settled and untouched until the tick");
        h.tick();
        assertEquals(2, h.live(Topics.WORKLOADS).get(WEB).getReadyReplicas(), "the tick converged the settled workload its status marked");
    }

    @Test
    void shouldKeepUnschedulableReasonOnPendingTask() {
        h.intent(WEB, deployment("web", 1));
        String id = placements().get(0).getTaskId();
        h.status(TaskStatus.newBuilder(status(WEB, id, "", TaskState.UNSCHEDULABLE))
                .setReason("Unschedulable").setMessage("0/3 nodes are available: 3 Insufficient memory.").build());
        TaskView t = h.live(Topics.TASKS).get(id);
        assertEquals(TaskPhase.PENDING, t.getPhase());
        assertEquals("Unschedulable", t.getReason());
        assertEquals("0/3 nodes are available: 3 Insufficient memory.", t.getMessage());
    }

    @Test
    void shouldMarkTasksLostAndReplaceThemWhenANodeStopsHeartbeating() {
        nodesUp("n1", "n2");
        h.intent(WEB, deployment("web", 2));
        List<String> ids = placements().stream().map(PlacementRequest::getTaskId).toList();
        runOn(ids.get(0), "n1");
        runOn(ids.get(1), "n2");

        // n1 keeps heartbeating, n2 goes silent: after the grace period n2 is NotReady.
        for (int i = 0; i < 16; i++) {
            beat("n1");
            h.advanceMs(250);
        }
        NodeView n2 = h.live(Topics.NODES).get("n2");
        assertFalse(n2.getReady());
        assertEquals("NodeStatusUnknown", n2.getConditions().get(0).getReason());
        assertTrue(h.live(Topics.NODES).get("n1").getReady());

        assertTrue(h.all(Topics.TASKS).stream().anyMatch(kv -> kv.key.equals(ids.get(1)) && kv.value != null
                && kv.value.getPhase() == TaskPhase.LOST), "task on n2 reported LOST");
        assertTrue(h.latest(Topics.TASKS).containsKey(ids.get(1)) && h.latest(Topics.TASKS).get(ids.get(1)) == null,
                "lost task tombstoned in the view");
        assertTombstoned(Topics.assignmentKey("n2", ids.get(1)));
        assertEquals(3, placements().size(), "one replacement requested");
        String replacement = placements().get(2).getTaskId();
        assertFalse(ids.contains(replacement));
        assertEquals(2, h.liveTasks(WEB).size());
        assertTrue(h.all(Topics.AUDIT).stream().anyMatch(a -> a.value.getChange().equals("TaskLost")));
    }

    @Test
    void shouldScaleDownPendingFirstAndKeepSpreadWithinOne() {
        nodesUp("n1", "n2");
        h.intent(WEB, deployment("web", 6));
        List<String> ids = placements().stream().map(PlacementRequest::getTaskId).toList();
        runOn(ids.get(0), "n1");
        runOn(ids.get(1), "n1");
        runOn(ids.get(2), "n1");
        runOn(ids.get(3), "n2");
        // ids 4 and 5 stay unplaced

        h.intent(WEB, scale("web", 2));

        List<TaskView> live = h.liveTasks(WEB);
        assertEquals(2, live.size());
        Map<String, Long> perNode = live.stream().collect(Collectors.groupingBy(TaskView::getNodeId, Collectors.counting()));
        assertEquals(Map.of("n1", 1L, "n2", 1L), perNode);
        assertFalse(h.latest(Topics.TASKS).containsKey(ids.get(4)) && h.latest(Topics.TASKS).get(ids.get(4)) != null);
        assertNull(h.latest(Topics.TASKS).get(ids.get(5)), "pending tasks removed right away");
        // the newest on n1 were stopped: their assignments revoked, now TERMINATING until REMOVED
        assertTombstoned(Topics.assignmentKey("n1", ids.get(2)));
        assertTombstoned(Topics.assignmentKey("n1", ids.get(1)));
        assertEquals(TaskPhase.TERMINATING, h.live(Topics.TASKS).get(ids.get(2)).getPhase());

        h.status(status(WEB, ids.get(2), "n1", TaskState.REMOVED));
        assertNull(h.latest(Topics.TASKS).get(ids.get(2)), "removed once the node confirms");
        assertEquals(6, placements().size(), "no replacements for a scale-down");
        assertEquals(2, h.live(Topics.WORKLOADS).get(WEB).getReplicas());
    }

    @Test
    void shouldReplaceADeletedPodWithANewId() {
        nodesUp("n1");
        h.intent(WEB, deployment("web", 2));
        List<String> ids = placements().stream().map(PlacementRequest::getTaskId).toList();
        runOn(ids.get(0), "n1");
        runOn(ids.get(1), "n1");

        String podKey = Topics.resourceKey("default", ResourceKind.POD, ids.get(0));
        h.intent(podKey, delete(ResourceKind.POD, ids.get(0)));

        assertTombstoned(Topics.assignmentKey("n1", ids.get(0)));
        assertEquals(TaskPhase.TERMINATING, h.live(Topics.TASKS).get(ids.get(0)).getPhase());
        assertEquals(3, placements().size());
        String replacement = placements().get(2).getTaskId();
        assertFalse(ids.contains(replacement));
        assertEquals(2, h.liveTasks(WEB).size());
    }

    @Test
    void shouldTombstoneEverythingWhenTheDeploymentIsDeleted() {
        nodesUp("n1");
        h.intent(WEB, deployment("web", 3));
        List<String> ids = placements().stream().map(PlacementRequest::getTaskId).toList();
        runOn(ids.get(0), "n1");
        runOn(ids.get(1), "n1");

        h.intent(WEB, delete(ResourceKind.DEPLOYMENT, "web"));
        assertTombstoned(Topics.assignmentKey("n1", ids.get(0)));
        assertTombstoned(Topics.assignmentKey("n1", ids.get(1)));
        assertNull(h.latest(Topics.TASKS).get(ids.get(2)), "the unplaced task is gone at once");
        assertTrue(h.live(Topics.WORKLOADS).get(WEB).getDeleted(), "still draining");

        h.status(status(WEB, ids.get(0), "n1", TaskState.REMOVED));
        h.status(status(WEB, ids.get(1), "n1", TaskState.REMOVED));
        assertTrue(h.live(Topics.TASKS).values().stream().noneMatch(t -> t.getWorkloadKey().equals(WEB)));
        assertTrue(h.latest(Topics.WORKLOADS).containsKey(WEB));
        assertNull(h.latest(Topics.WORKLOADS).get(WEB), "workload tombstoned");
        assertEquals(3, placements().size());
    }

    @Test
    void shouldRunABarePodOnceAndNotReplaceItWhenDeleted() {
        nodesUp("n1");
        String key = Topics.resourceKey("default", ResourceKind.POD, "debug");
        h.intent(key, pod("debug"));
        assertEquals(1, placements().size());
        String id = placements().get(0).getTaskId();
        assertEquals("debug", placements().get(0).getPodName(), "a bare pod keeps its own name, as in Kubernetes");
        assertNotEquals("debug", id, "its task id is still unique");
        h.status(status(key, id, "n1", TaskState.ASSIGNED));
        h.status(status(key, id, "n1", TaskState.RUNNING));
        assertEquals("debug", h.latest(Topics.TASKS).get(id).getPodName());

        h.intent(key, delete(ResourceKind.POD, "debug"));
        assertTombstoned(Topics.assignmentKey("n1", id));
        h.status(status(key, id, "n1", TaskState.REMOVED));
        assertNull(h.latest(Topics.WORKLOADS).get(key));
        assertEquals(1, placements().size(), "never replaced");
    }

    @Test
    void shouldRelabelARunningBarePodInPlaceAndKeepItsSpec() {
        nodesUp("n1");
        String key = Topics.resourceKey("default", ResourceKind.POD, "debug");
        h.intent(key, pod("debug"));
        String id = placements().get(0).getTaskId();
        h.status(status(key, id, "n1", TaskState.ASSIGNED));
        h.status(status(key, id, "n1", TaskState.READY));

        // kubectl label pod debug tier=cache: the same task shows the new labels, state-streams' own kept
        Intent relabel = pod("debug");
        PodSpec spec = (PodSpec) relabel.getPayload();
        spec.getTemplate().setLabels(Map.of("app", "web", "tier", "cache"));
        relabel.setLabels(Map.of("app", "web", "tier", "cache"));
        h.intent(key, relabel);
        TaskView t = h.latest(Topics.TASKS).get(id);
        assertEquals("cache", t.getLabels().get("tier"));
        assertEquals("web", t.getLabels().get("app"));
        assertNotNull(t.getLabels().get(io.berth.state.core.TaskViews.TEMPLATE_HASH_LABEL));
        assertEquals(TaskPhase.RUNNING, t.getPhase());
        WorkloadView w = h.latest(Topics.WORKLOADS).get(key);
        assertEquals("cache", w.getLabels().get("tier"));
        assertEquals(1, placements().size(), "relabeled in place, not replaced");

        // a spec change on the bus (the gateway refuses it with 422) changes nothing but the metadata
        Intent image = pod("debug");
        ((PodSpec) image.getPayload()).setTemplate(template("berth/busybox:v2"));
        h.intent(key, image);
        assertEquals("berth/busybox:latest", h.latest(Topics.WORKLOADS).get(key).getDeployment().getTemplate().getContainers().get(0).getImage());
        assertEquals(1, placements().size(), "never replaced");
    }

    @Test
    void shouldRevokeAStalePlacementOfAStoppedTask() {
        h.intent(WEB, deployment("web", 1));
        String id = placements().get(0).getTaskId();
        h.intent(WEB, scale("web", 0));
        h.status(status(WEB, id, "n1", TaskState.ASSIGNED));
        assertTombstoned(Topics.assignmentKey("n1", id));
    }

    @Test
    void shouldShowAFailureThenReplaceItAfterTheHold() {
        nodesUp("n1");
        h.intent(WEB, deployment("web", 1));
        String id = placements().get(0).getTaskId();
        h.status(status(WEB, id, "n1", TaskState.ASSIGNED));
        h.status(TaskStatus.newBuilder(status(WEB, id, "n1", TaskState.FAILED)).setReason("ImageNotFound").build());
        assertEquals(TaskPhase.FAILED, h.live(Topics.TASKS).get(id).getPhase());
        assertEquals("ImageNotFound", h.live(Topics.TASKS).get(id).getReason());
        assertEquals(1, placements().size(), "held, not replaced yet");

        for (int i = 0; i < 24; i++) {   // 6 s of ticks, heartbeating so n1 stays ready
            h.node(Fixtures.heartbeat("n1"));
            h.advanceMs(250);
        }
        assertEquals(2, placements().size(), "replaced after the hold");
        assertNull(h.latest(Topics.TASKS).get(id));
        assertTombstoned(Topics.assignmentKey("n1", id));
    }

    @Test
    void shouldRevokeACopyReportedFromAnotherNode() {
        nodesUp("n1", "n2");
        h.intent(WEB, deployment("web", 1));
        String id = placements().get(0).getTaskId();
        runOn(id, "n1");
        h.status(status(WEB, id, "n2", TaskState.RUNNING));
        assertTombstoned(Topics.assignmentKey("n2", id));
        assertEquals("n1", h.live(Topics.TASKS).get(id).getNodeId());
        assertEquals(TaskPhase.RUNNING, h.live(Topics.TASKS).get(id).getPhase());
    }

    @Test
    void shouldRollOutANewTemplateOneSafeStepAtATime() {
        nodesUp("n1", "n2");
        h.intent(WEB, deployment("web", 2));
        List<String> v1 = placements().stream().map(PlacementRequest::getTaskId).toList();
        runOn(v1.get(0), "n1");
        runOn(v1.get(1), "n2");

        Intent v2 = Intent.newBuilder(deployment("web", 2)).setPayload(DeploymentSpec.newBuilder()
                .setReplicas(2).setTemplate(template("berth/busybox:v2")).build()).build();
        h.intent(WEB, v2);
        assertEquals(3, placements().size(), "surge: one new task, both old ones kept");
        String n1 = placements().get(2).getTaskId();
        assertNotEquals(v1.get(0).split("-")[1], n1.split("-")[1], "new template hash in the name");
        assertEquals("berth/busybox:v2", placements().get(2).getTemplate().getContainers().get(0).getImage());
        WorkloadView w = h.live(Topics.WORKLOADS).get(WEB);
        assertEquals(2, w.getGeneration());
        assertEquals(1, w.getUpdatedReplicas());

        runOn(n1, "n1");
        assertEquals(1, h.all(Topics.ASSIGNMENTS).stream().filter(kv -> kv.value == null).count(), "one old task superseded");
        h.advanceMs(250);
        assertEquals(4, placements().size(), "then the next new one");
        String n2 = placements().get(3).getTaskId();
        runOn(n2, "n2");
        assertEquals(2, h.all(Topics.ASSIGNMENTS).stream().filter(kv -> kv.value == null).count(), "both old tasks superseded");
        w = h.live(Topics.WORKLOADS).get(WEB);
        assertEquals(2, w.getUpdatedReplicas());
        assertEquals(2, w.getReadyReplicas());
        assertEquals("NewReplicaSetAvailable", w.getConditions().stream().filter(c -> c.getType().equals("Progressing")).findFirst().orElseThrow().getReason());
    }

    @Test
    void shouldCordonAndUncordonANode() {
        nodesUp("n1");
        String key = Topics.resourceKey("", ResourceKind.NODE, "n1");
        h.intent(key, intent(IntentAction.CORDON, ResourceKind.NODE, "n1", null));
        assertTrue(h.live(Topics.NODES).get("n1").getCordoned());
        h.intent(key, intent(IntentAction.UNCORDON, ResourceKind.NODE, "n1", null));
        assertFalse(h.live(Topics.NODES).get("n1").getCordoned());
    }

    @Test
    void shouldDeadLetterAnInvalidIntentAndKeepProcessing() {
        h.intent(WEB, deployment("web", -1));
        Intent noImage = Intent.newBuilder(deployment("api", 1)).setPayload(DeploymentSpec.newBuilder()
                .setTemplate(template("")).build()).build();
        h.intent(key("api"), noImage);
        h.intent(key("x"), intent(IntentAction.APPLY, ResourceKind.DEPLOYMENT, "x", null));
        h.intent(key("ok"), deployment("ok", 1));

        List<DeadLetter> dls = h.all(Topics.DEAD_LETTERS).stream().map(kv -> kv.value).toList();
        assertEquals(3, dls.size());
        assertEquals("The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0", dls.get(0).getReason());
        assertTrue(dls.get(1).getReason().contains("has no image"), dls.get(1).getReason());
        assertTrue(dls.get(2).getReason().contains("needs a DeploymentSpec payload"), dls.get(2).getReason());
        assertEquals(Topics.INTENTS.name(), dls.get(0).getSourceTopic());
        assertEquals(1, placements().size(), "the valid intent after them was processed");
        assertTrue(h.live(Topics.WORKLOADS).containsKey(key("ok")));
        assertFalse(h.live(Topics.WORKLOADS).containsKey(WEB));
    }

    @Test
    void shouldDeadLetterUndecodableBytesAndKeepProcessing() {
        h.rawIntents.pipeInput(WEB, "not avro at all".getBytes());
        h.rawStatuses.pipeInput(WEB, new byte[] {0, 0, 0, 0, 99, 1, 2});
        h.intent(WEB, deployment("web", 1));

        List<KeyValue<String, DeadLetter>> dls = h.all(Topics.DEAD_LETTERS);
        assertEquals(2, dls.size());
        assertEquals(WEB, dls.get(0).key);
        assertEquals(Topics.INTENTS.name(), dls.get(0).value.getSourceTopic());
        assertTrue(dls.get(0).value.getReason().startsWith("cannot deserialize"), dls.get(0).value.getReason());
        assertEquals(Topics.TASK_STATUS.name(), dls.get(1).value.getSourceTopic());
        assertEquals(1, placements().size());
    }

    private void assertTombstoned(String assignmentKey) {
        assertTrue(h.all(Topics.ASSIGNMENTS).stream().anyMatch(kv -> kv.key.equals(assignmentKey) && kv.value == null),
                "assignment " + assignmentKey + " tombstoned; got " + h.all(Topics.ASSIGNMENTS));
    }
}
