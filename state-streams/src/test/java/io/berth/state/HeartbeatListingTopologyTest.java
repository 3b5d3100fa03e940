package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.PlacementRequest;
import io.berth.schemas.avro.Resources;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;
import io.berth.schemas.avro.TaskView;
import io.berth.state.core.Reconciler;
import io.berth.state.core.RunningListing;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13, item 3: heartbeats carry the running task ids, and the control plane reconciles what
 * statuses missed. A task its node listed and then leaves out of two heartbeats in a row, while the
 * control plane believes it runs there and it is still assigned there, is FAILED (ContainerMissing) and
 * replaced the normal way; nothing else is touched.
 */
class HeartbeatListingTopologyTest extends HarnessTest {
    private static final String WEB = Topics.resourceKey("default", io.berth.schemas.avro.ResourceKind.DEPLOYMENT, "web");
    private TestInputTopic<String, Assignment> assignments;

    @BeforeEach
    void assignmentsTopic() {
        assignments = h.driver.createInputTopic(Topics.ASSIGNMENTS.name(), new StringSerializer(), h.serdes.value(Assignment.class).serializer());
    }

    private List<PlacementRequest> placements() {
        return h.all(Topics.PLACEMENT_REQUESTS).stream().map(kv -> kv.value).toList();
    }

    /** The scheduler's assignment (as the global assignments table reads it) and the node's RUNNING. */
    private void runOn(String taskId, String node) {
        assignments.pipeInput(Topics.assignmentKey(node, taskId), Assignment.newBuilder().setTaskId(taskId).setNodeId(node)
                .setWorkloadKey(WEB).setTemplate(template("berth/busybox:latest")).setRequests(new Resources(0L, 0L)).build());
        h.status(status(WEB, taskId, node, TaskState.ASSIGNED));
        h.status(status(WEB, taskId, node, TaskState.RUNNING));
        h.status(status(WEB, taskId, node, TaskState.READY));
    }

    private void beat(String node, String... running) {
        for (int i = 0; i < 4; i++) h.advanceMs(250);
        h.node(NodeEvent.newBuilder(heartbeat(node)).setRunningTaskIds(List.of(running)).build());
    }

    /** A heartbeat that says the running ids are those of the node's newest list ({@code runningUnchanged}). */
    private void unchanged(String node) {
        for (int i = 0; i < 4; i++) h.advanceMs(250);
        h.node(NodeEvent.newBuilder(heartbeat(node)).setRunningTaskIds(List.of()).setRunningUnchanged(true).build());
    }

    private TaskView task(String id) {
        return h.latest(Topics.TASKS).get(id);
    }

    @Test
    void shouldFailAndReplaceATaskTheNodeStoppedListingWhenItsStatusWasLost() {
        h.node(register("n1"));
        h.intent(WEB, deployment("web", 1));
        String id = placements().get(0).getTaskId();
        runOn(id, "n1");
        beat("n1", id);
        beat("n1");
        assertEquals(TaskPhase.RUNNING, task(id).getPhase(), "one heartbeat without it is not enough");
        beat("n1");
        TaskView failed = task(id);
        assertEquals(TaskPhase.FAILED, failed.getPhase(), "two in a row: its end was lost");
        assertEquals(RunningListing.REASON, failed.getReason());
        assertTrue(failed.getMessage().contains("no longer listed in the heartbeats of node n1"), failed.getMessage());

        h.advanceMs(Reconciler.FAILED_HOLD_MS + 500);
        assertEquals(2, placements().size(), "replaced the normal way (after the FAILED hold): " + placements());
        assertTrue(h.all(Topics.ASSIGNMENTS).stream().anyMatch(kv -> kv.key.equals(Topics.assignmentKey("n1", id)) && kv.value == null),
                "its assignment on n1 revoked");
    }

    @Test
    void shouldReadAnUnchangedHeartbeatAsItsNodesNewestListNeverAsAnEmptyOne() {
        h.node(register("n1"));
        h.intent(WEB, deployment("web", 2));
        String kept = placements().get(0).getTaskId(), lost = placements().get(1).getTaskId();
        runOn(kept, "n1");
        runOn(lost, "n1");
        beat("n1", kept, lost);
        for (int i = 0; i < 5; i++) unchanged("n1");
        assertEquals(TaskPhase.RUNNING, task(kept).getPhase(), "unchanged = both still listed, however many in a row");
        assertEquals(TaskPhase.RUNNING, task(lost).getPhase());

        beat("n1", kept); // lost's end was never reported
        assertEquals(TaskPhase.RUNNING, task(lost).getPhase(), "missed once");
        unchanged("n1");  // = [kept] again: the second miss in a row
        assertEquals(TaskPhase.FAILED, task(lost).getPhase(), "unchanged after a list without it counts as its second miss");
        assertEquals(RunningListing.REASON, task(lost).getReason());
        assertEquals(TaskPhase.RUNNING, task(kept).getPhase());
    }

    @Test
    void shouldLeaveACrashLoopingTaskAndATaskNeverListedAlone() {
        h.node(register("n1"));
        h.intent(WEB, deployment("web", 2));
        String looping = placements().get(0).getTaskId(), quiet = placements().get(1).getTaskId();
        runOn(looping, "n1");
        runOn(quiet, "n1");
        beat("n1", looping);
        h.status(TaskStatus.newBuilder(status(WEB, looping, "n1", TaskState.EXITED)).setExitCode(1).setReason("CrashLoopBackOff").build());
        for (int i = 0; i < 4; i++) beat("n1");
        assertEquals(TaskPhase.RUNNING, task(looping).getPhase(), "the node keeps and restarts a crash-looping task");
        assertEquals(TaskPhase.RUNNING, task(quiet).getPhase(), "never listed (e.g. a daemon that lists nothing): never judged");
        assertEquals(2, placements().size());
    }

    @Test
    void shouldNotTouchATaskThatMovedOrWasRevoked() {
        h.node(register("n1"));
        h.node(register("n2"));
        h.intent(WEB, deployment("web", 1));
        String id = placements().get(0).getTaskId();
        runOn(id, "n1");
        beat("n1", id);
        assignments.pipeInput(Topics.assignmentKey("n1", id), null); // revoked meanwhile
        beat("n1");
        beat("n1");
        assertEquals(TaskPhase.RUNNING, task(id).getPhase(), "not assigned to n1 any more: the control plane knows already");
    }

    @Test
    void shouldRefuseAForgedContainerMissingOnTheStatusTopicLikeAnyStatusOfAnotherNode() {
        h.node(register("n1"));
        h.intent(WEB, deployment("web", 1));
        String id = placements().get(0).getTaskId();
        runOn(id, "n1");
        // anyone can write berth.task-status; only the node controller's repartition topic is trusted as a gap
        h.status(TaskStatus.newBuilder(status(WEB, id, "n2", TaskState.FAILED)).setReason(RunningListing.REASON).build());
        assertEquals(TaskPhase.RUNNING, task(id).getPhase(), "n2's stale report only revokes n2's assignment");
    }
}
