package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.auth.NodeKeys;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.NodeEventType;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskView;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.berth.state.Fixtures.deployment;
import static io.berth.state.Fixtures.heartbeat;
import static io.berth.state.Fixtures.register;
import static io.berth.state.Fixtures.status;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Node identity as a credential: with a cluster secret, state-streams takes a node event or a node's
 * task status only when it is signed with the key of the node it speaks for; a forged one changes
 * nothing, is dead-lettered with its reason and audited.
 */
class NodeSignatureTopologyTest extends HarnessTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final byte[] N1 = NodeKeys.nodeKey(SECRET, "n1");
    private static final byte[] N2 = NodeKeys.nodeKey(SECRET, "n2");
    /** A key from another cluster's secret: what a forger without the secret could have. */
    private static final byte[] FORGED = NodeKeys.nodeKey("another-cluster-secret-0123456789".getBytes(StandardCharsets.UTF_8), "n1");
    private static final String WEB = Fixtures.key("web");

    @BeforeEach
    void withSecret() throws Exception {
        h.close();
        h = new Harness(new StateStreamsTopology.Settings(Harness.GRACE_MS, Duration.ofMillis(250)), SECRET);
    }

    private NodeView view(String nodeId) {
        return h.live(Topics.NODES).get(nodeId);
    }

    private List<DeadLetter> deadLetters() {
        return h.all(Topics.DEAD_LETTERS).stream().map(kv -> kv.value).toList();
    }

    private List<AuditRecord> audits(String change) {
        return h.all(Topics.AUDIT).stream().map(kv -> kv.value).filter(a -> a.getChange().equals(change)).toList();
    }

    @Test
    void shouldRegisterAndHeartbeatANodeThatSignsWithItsOwnKey() {
        h.signedNode(register("n1"), "n1", N1);
        assertTrue(view("n1").getReady());
        for (int i = 0; i < 20; i++) {
            h.advanceMs(250);
            if (i % 4 == 3) h.signedNode(heartbeat("n1"), "n1", N1);
        }
        assertTrue(view("n1").getReady(), "signed heartbeats keep it Ready");
        assertTrue(deadLetters().isEmpty());
    }

    @Test
    void shouldCreateNoNodeFromAnUnsignedOrForgedRegister() {
        h.node(register("evil"));                              // no signature at all
        h.signedNode(register("n1"), "n1", FORGED);            // signed with a key not derived from this cluster's secret
        h.signedNode(register("n1"), "n2", N2);                // n2's valid key, but for n1
        assertNull(view("evil"));
        assertNull(view("n1"));
        assertTrue(h.all(Topics.NODES).isEmpty(), "no node view written");
        List<DeadLetter> dls = deadLetters();
        assertEquals(3, dls.size());
        assertTrue(dls.get(0).getReason().contains("REGISTER for node evil refused: unsigned"), dls.get(0).getReason());
        assertTrue(dls.get(1).getReason().contains("bad signature: not signed with node n1's key"), dls.get(1).getReason());
        assertTrue(dls.get(2).getReason().contains("signed by node n2, not by node n1"), dls.get(2).getReason());
        assertEquals(Topics.NODE_EVENTS.name(), dls.get(0).getSourceTopic());
        assertEquals(3, audits("NodeEventRejected").size());
        assertEquals(Events.nodeKey("evil"), audits("NodeEventRejected").get(0).getKey());
    }

    @Test
    void shouldLetAForgedHeartbeatNotKeepANodeReadyAfterItsRealHeartbeatsStop() {
        h.signedNode(register("n1"), "n1", N1);
        long lastReal = h.now().toEpochMilli();
        // the daemon is gone; a forger keeps heartbeating for it, every second
        for (int i = 0; i < 24; i++) {
            h.advanceMs(250);
            if (i % 4 == 3) {
                h.node(heartbeat("n1"));
                h.signedNode(heartbeat("n1"), "n1", FORGED);
            }
        }
        NodeView v = view("n1");
        assertFalse(v.getReady(), "NotReady once the lease of its last signed heartbeat ran out");
        assertEquals(lastReal, v.getLastHeartbeat());
        assertEquals(12, deadLetters().size());
        assertTrue(deadLetters().stream().allMatch(d -> d.getReason().startsWith("HEARTBEAT for node n1 refused")));
    }

    @Test
    void shouldIgnoreAForgedLeave() {
        h.signedNode(register("n1"), "n1", N1);
        NodeEvent leave = NodeEvent.newBuilder().setNodeId("n1").setType(NodeEventType.LEAVE).build();
        int viewsBefore = h.all(Topics.NODES).size();
        h.node(leave);
        h.signedNode(leave, "n1", FORGED);
        assertEquals(viewsBefore, h.all(Topics.NODES).size(), "no view written");
        assertTrue(view("n1").getReady());
        assertEquals(2, audits("NodeEventRejected").size());
        h.signedNode(leave, "n1", N1);
        assertFalse(view("n1").getReady(), "its own LEAVE is taken");
    }

    @Test
    void shouldDeadLetterATaskStatusThatANodeSignsForAnotherNode() {
        h.signedNode(register("n1"), "n1", N1);
        h.signedNode(register("n2"), "n2", N2);
        h.intent(WEB, deployment("web", 1));
        String id = h.all(Topics.PLACEMENT_REQUESTS).get(0).value.getTaskId();
        h.status(status(WEB, id, "n2", TaskState.ASSIGNED));          // the scheduler's placement: not a node's
        h.signedStatus(status(WEB, id, "n2", TaskState.RUNNING), "n2", N2);
        assertEquals(TaskPhase.RUNNING, h.live(Topics.TASKS).get(id).getPhase());

        TaskView before = h.live(Topics.TASKS).get(id);
        h.signedStatus(status(WEB, id, "n2", TaskState.FAILED), "n1", N1); // n1 reports n2's task failed
        h.status(status(WEB, id, "n2", TaskState.FAILED));                   // unsigned
        assertEquals(before, h.live(Topics.TASKS).get(id), "the task is unchanged");
        List<DeadLetter> dls = deadLetters();
        assertEquals(2, dls.size());
        assertTrue(dls.get(0).getReason().contains("signed by node n1, not by node n2"), dls.get(0).getReason());
        assertTrue(dls.get(1).getReason().contains("unsigned"), dls.get(1).getReason());
        assertEquals(Topics.TASK_STATUS.name(), dls.get(0).getSourceTopic());
        assertEquals(2, audits("TaskStatusRejected").size());

        h.signedStatus(status(WEB, id, "n2", TaskState.READY), "n2", N2);
        assertTrue(h.live(Topics.TASKS).get(id).getReady(), "n2's own signed report is taken");
    }
}
