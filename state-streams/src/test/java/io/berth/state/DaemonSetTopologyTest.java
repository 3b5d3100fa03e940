package io.berth.state;

import io.berth.schemas.NodeLabels;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** apps/v1 DaemonSets through the whole topology: a pod per eligible node, joins, selectors, cordon, rolling update, undo, delete. */
class DaemonSetTopologyTest extends HarnessTest {
    private static final String AGENT = Topics.resourceKey("default", ResourceKind.DAEMONSET, "agent");

    static Intent daemonSet(String image, Map<String, String> nodeSelector, String maxUnavailable) {
        PodTemplate t = PodTemplate.newBuilder(template(image)).setLabels(Map.of("app", "agent")).setNodeSelector(nodeSelector).build();
        return intent(IntentAction.APPLY, ResourceKind.DAEMONSET, "agent", DeploymentSpec.newBuilder().setReplicas(0).setTemplate(t)
                .setSelector(Map.of("app", "agent")).setRollingUpdate(new RollingUpdate("0", maxUnavailable)).build());
    }

    private void nodeUp(String id, Map<String, String> labels) {
        NodeEvent e = register(id);
        e.getRegistration().setLabels(labels);
        h.node(e);
    }

    /** Lets the ticker list the nodes (a tick with a node list), heartbeating {@code alive}. */
    private void settle(String... alive) {
        for (int i = 0; i < 4; i++) {
            h.advanceMs(250);
            for (String n : alive) h.node(heartbeat(n));
        }
    }

    private WorkloadView view() {
        return h.live(Topics.WORKLOADS).get(AGENT);
    }

    /** Live (not stopping) pods of the daemon set by the node they are pinned to. */
    private Map<String, String> podsByNode() {
        return h.liveTasks(AGENT).stream().collect(Collectors.toMap(t -> t.getTemplate().getNodeSelector().get(NodeLabels.HOSTNAME), TaskView::getTaskId));
    }

    private void runReady(String taskId, String node) {
        h.status(status(AGENT, taskId, node, TaskState.ASSIGNED));
        h.status(status(AGENT, taskId, node, TaskState.RUNNING));
        h.status(status(AGENT, taskId, node, TaskState.READY));
    }

    @Test
    void shouldRunOnePodPinnedToEachNodeAndOneOnANodeThatJoins() {
        nodeUp("n1", Map.of());
        nodeUp("n2", Map.of());
        settle("n1", "n2");
        h.intent(AGENT, daemonSet("agent:1", Map.of(), "1"));
        assertEquals(Set.of("n1", "n2"), podsByNode().keySet());
        h.all(Topics.PLACEMENT_REQUESTS).forEach(kv -> assertTrue(kv.value.getNodeSelector().containsKey(NodeLabels.HOSTNAME),
                "pinned: " + kv.value.getNodeSelector()));
        assertEquals(2, view().getDaemonSetStatus().getDesiredNumberScheduled());
        assertEquals("Created pod: " + podsByNode().get("n1"), h.all(Topics.EVENTS).stream().map(kv -> kv.value)
                .filter(e -> e.getReason().equals("SuccessfulCreate") && e.getInvolvedKind().equals("DaemonSet")).map(ClusterEvent::getMessage)
                .filter(m -> m.endsWith(podsByNode().get("n1"))).findFirst().orElse(""));

        nodeUp("n3", Map.of());
        settle("n1", "n2", "n3");
        assertEquals(Set.of("n1", "n2", "n3"), podsByNode().keySet(), "the node that joined got its pod");
        assertEquals(3, view().getDaemonSetStatus().getDesiredNumberScheduled());
        podsByNode().forEach((node, id) -> runReady(id, node));
        assertEquals(3, view().getDaemonSetStatus().getNumberReady());
        assertEquals(3, view().getDaemonSetStatus().getUpdatedNumberScheduled());
    }

    @Test
    void shouldRunOnlyWhereTheNodeSelectorMatchesAndNotStartOnACordonedNode() {
        nodeUp("n1", Map.of("disk", "ssd"));
        nodeUp("n2", Map.of("disk", "hdd"));
        nodeUp("n3", Map.of("disk", "ssd"));
        h.intent("/node/n3", intent(IntentAction.CORDON, ResourceKind.NODE, "n3", null));
        settle("n1", "n2", "n3");
        h.intent(AGENT, daemonSet("agent:1", Map.of("disk", "ssd"), "1"));
        assertEquals(Set.of("n1"), podsByNode().keySet(), "n2 does not match, n3 is cordoned");
        assertEquals(1, view().getDaemonSetStatus().getDesiredNumberScheduled());
        h.intent("/node/n3", intent(IntentAction.UNCORDON, ResourceKind.NODE, "n3", null));
        settle("n1", "n2", "n3");
        assertEquals(Set.of("n1", "n3"), podsByNode().keySet(), "uncordoned: it gets its pod");
    }

    @Test
    void shouldRollANewTemplateNodeByNodeWithinMaxUnavailableAndUndoIt() {
        nodeUp("n1", Map.of());
        nodeUp("n2", Map.of());
        nodeUp("n3", Map.of());
        settle("n1", "n2", "n3");
        h.intent(AGENT, daemonSet("agent:1", Map.of(), "1"));
        podsByNode().forEach((node, id) -> runReady(id, node));
        String v1 = view().getTemplateHash();
        h.intent(AGENT, daemonSet("agent:2", Map.of(), "1"));
        String v2 = view().getTemplateHash();
        assertNotEquals(v1, v2);
        List<TaskView> stopping = h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(AGENT))
                .filter(t -> t.getPhase() == TaskPhase.TERMINATING).toList();
        assertEquals(1, stopping.size(), "maxUnavailable 1: one node at a time");
        for (int r = 0; r < 3; r++) {
            int round = r;
            TaskView old = h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(AGENT))
                    .filter(t -> t.getPhase() == TaskPhase.TERMINATING).findFirst().orElseThrow(() -> new AssertionError("round " + round));
            String node = old.getNodeId();
            h.status(status(AGENT, old.getTaskId(), node, TaskState.REMOVED));
            String fresh = podsByNode().get(node);
            assertEquals(v2, h.live(Topics.TASKS).get(fresh).getTemplateHash(), "the new pod on " + node + " runs the new template");
            runReady(fresh, node);
        }
        assertEquals(3, view().getDaemonSetStatus().getUpdatedNumberScheduled());
        assertEquals(3, view().getDaemonSetStatus().getNumberAvailable());
        assertTrue(h.liveTasks(AGENT).stream().allMatch(t -> t.getTemplateHash().equals(v2)));

        h.intent(AGENT, intent(IntentAction.ROLLBACK, ResourceKind.DAEMONSET, "agent", null));
        assertEquals(v1, view().getTemplateHash(), "rollout undo: back to the previous template");
        assertEquals(1, h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(AGENT))
                .filter(t -> t.getPhase() == TaskPhase.TERMINATING).count());
    }

    @Test
    void shouldReplaceAPodLostWithItsNodeWhenTheNodeComesBackAndStopEverythingOnDelete() {
        nodeUp("n1", Map.of());
        nodeUp("n2", Map.of());
        settle("n1", "n2");
        h.intent(AGENT, daemonSet("agent:1", Map.of(), "1"));
        podsByNode().forEach((node, id) -> runReady(id, node));
        for (int i = 0; i < 16; i++) {  // n2 goes silent
            h.advanceMs(250);
            h.node(heartbeat("n1"));
        }
        assertEquals(Set.of("n1"), podsByNode().keySet(), "n2's pod was lost with it");
        h.node(register("n2"));
        settle("n1", "n2");
        assertEquals(Set.of("n1", "n2"), podsByNode().keySet(), "n2 is back and gets a new pod");

        h.intent(AGENT, delete(ResourceKind.DAEMONSET, "agent"));
        h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(AGENT) && t.getPhase() == TaskPhase.TERMINATING && !t.getNodeId().isEmpty())
                .toList().forEach(t -> h.status(status(AGENT, t.getTaskId(), t.getNodeId(), TaskState.REMOVED)));
        h.tick();
        assertNull(view(), "deleted once its pods are gone");
    }

    @Test
    void shouldDeadLetterADaemonSetWhosePodsWouldNotRestart() {
        Intent i = daemonSet("agent:1", Map.of(), "1");
        ((DeploymentSpec) i.getPayload()).getTemplate().setRestartPolicy("Never");
        h.intent(AGENT, i);
        assertNull(view());
        assertTrue(h.all(Topics.DEAD_LETTERS).get(0).value.getReason().contains("supported values: \"Always\""));
    }
}
