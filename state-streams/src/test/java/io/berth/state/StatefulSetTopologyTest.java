package io.berth.state;

import io.berth.schemas.NodeLabels;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.state.core.StatefulSets;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** apps/v1 StatefulSets through the whole topology: ordered creation, stable names and claims, recreation on the claim's node, scale-down, rolling update with partition. */
class StatefulSetTopologyTest extends HarnessTest {
    private static final String WEB = Topics.resourceKey("default", ResourceKind.STATEFULSET, "web");

    static Intent statefulSet(String image, int replicas, String policy, int partition) {
        PodTemplate t = PodTemplate.newBuilder(template(image)).setLabels(Map.of("app", "web")).build();
        Intent i = intent(IntentAction.APPLY, ResourceKind.STATEFULSET, "web", DeploymentSpec.newBuilder().setReplicas(replicas).setTemplate(t)
                .setSelector(Map.of("app", "web")).build());
        i.setStatefulSet(StatefulSetSpec.newBuilder().setServiceName("web").setPodManagementPolicy(policy).setPartition(partition)
                .setVolumeClaimTemplates(List.of(VolumeClaimTemplate.newBuilder().setName("data").setStorage("1Gi").build())).build());
        return i;
    }

    private void settle(String... alive) {
        for (int i = 0; i < 4; i++) {
            h.advanceMs(250);
            for (String n : alive) h.node(heartbeat(n));
        }
    }

    private WorkloadView view() {
        return h.live(Topics.WORKLOADS).get(WEB);
    }

    /** Live pods by pod name. */
    private Map<String, TaskView> pods() {
        Map<String, TaskView> out = new TreeMap<>();
        h.liveTasks(WEB).forEach(t -> out.put(t.getPodName(), t));
        return out;
    }

    private void runReady(String podName, String node) {
        String id = pods().get(podName).getTaskId();
        h.status(status(WEB, id, node, TaskState.ASSIGNED));
        h.status(status(WEB, id, node, TaskState.RUNNING));
        h.status(status(WEB, id, node, TaskState.READY));
        h.tick();
    }

    private void nodes() {
        h.node(register("n1"));
        h.node(register("n2"));
        settle("n1", "n2");
    }

    @Test
    void shouldCreatePodsInOrderEachRunningAndReadyBeforeTheNextWithItsOwnClaim() {
        nodes();
        h.intent(WEB, statefulSet("web:1", 3, "OrderedReady", 0));
        assertEquals(List.of("web-0"), List.copyOf(pods().keySet()), "only web-0 until it is ready");
        TaskView web0 = pods().get("web-0");
        assertEquals("web-0", web0.getTemplate().getLabels().get(StatefulSets.POD_NAME_LABEL));
        Volume claim = web0.getTemplate().getVolumes().get(0);
        assertEquals(StatefulSets.CLAIM_VOLUME, claim.getType());
        assertEquals("data-web-0", claim.getSource());
        h.status(status(WEB, web0.getTaskId(), "n1", TaskState.RUNNING));
        h.tick();
        assertEquals(1, pods().size(), "running but not ready: web-1 waits");
        runReady("web-0", "n1");
        assertEquals(List.of("web-0", "web-1"), List.copyOf(pods().keySet()));
        runReady("web-1", "n2");
        runReady("web-2", "n1");
        StatefulSetStatus s = view().getStatefulSetStatus();
        assertEquals(3, s.getReadyReplicas());
        assertEquals(Map.of("data-web-0", "n1", "data-web-1", "n2", "data-web-2", "n1"), s.getClaims(), "each claim bound where its pod ran");
        assertEquals(List.of("create Pod web-0 in StatefulSet web successful", "create Pod web-1 in StatefulSet web successful",
                "create Pod web-2 in StatefulSet web successful"), h.all(Topics.EVENTS).stream().map(kv -> kv.value)
                .filter(e -> e.getInvolvedKind().equals("StatefulSet") && e.getReason().equals("SuccessfulCreate")).map(ClusterEvent::getMessage).toList());
    }

    @Test
    void shouldRecreateADeletedPodUnderItsNameOnItsClaimsNodeOnceTheOldOneIsGone() {
        nodes();
        h.intent(WEB, statefulSet("web:1", 2, "OrderedReady", 0));
        runReady("web-0", "n2");
        runReady("web-1", "n1");
        String old = pods().get("web-0").getTaskId();
        Intent del = delete(ResourceKind.POD, old);
        del.setAnnotations(Map.of(Topics.POD_OWNER_KIND_ANNOTATION, "StatefulSet"));
        h.intent(Topics.resourceKey("default", ResourceKind.POD, old), del);
        h.tick();
        assertFalse(pods().containsKey("web-0"), "at most one web-0: the new one waits for the old one to be gone");
        h.status(status(WEB, old, "n2", TaskState.REMOVED));
        h.tick();
        TaskView fresh = pods().get("web-0");
        assertNotNull(fresh, "recreated under the same name");
        assertNotEquals(old, fresh.getTaskId());
        assertEquals("n2", fresh.getTemplate().getNodeSelector().get(NodeLabels.HOSTNAME), "pinned to the node its claim is bound to");
        assertEquals("data-web-0", fresh.getTemplate().getVolumes().get(0).getSource());
    }

    @Test
    void shouldScaleDownFromTheHighestOrdinalOneAtATimeAndKeepTheClaims() {
        nodes();
        h.intent(WEB, statefulSet("web:1", 3, "OrderedReady", 0));
        runReady("web-0", "n1");
        runReady("web-1", "n1");
        runReady("web-2", "n1");
        h.intent(WEB, intent(IntentAction.SCALE, ResourceKind.STATEFULSET, "web", new ScaleSpec(1)));
        List<TaskView> stopping = h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(WEB))
                .filter(t -> t.getPhase() == TaskPhase.TERMINATING).toList();
        assertEquals(List.of("web-2"), stopping.stream().map(TaskView::getPodName).toList(), "the highest ordinal first, alone");
        h.status(status(WEB, stopping.get(0).getTaskId(), "n1", TaskState.REMOVED));
        h.tick();
        assertEquals(List.of("web-1"), h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(WEB))
                .filter(t -> t.getPhase() == TaskPhase.TERMINATING).map(TaskView::getPodName).toList(), "then the next one");
        assertEquals(List.of("web-0"), List.copyOf(pods().keySet()));
        assertEquals(3, view().getStatefulSetStatus().getClaims().size(), "claims are retained on scale-down");
    }

    @Test
    void shouldCreateEveryPodAtOnceUnderParallel() {
        nodes();
        h.intent(WEB, statefulSet("web:1", 3, "Parallel", 0));
        assertEquals(List.of("web-0", "web-1", "web-2"), List.copyOf(pods().keySet()));
    }

    @Test
    void shouldRollInReverseOrdinalOrderOnlyFromThePartition() {
        nodes();
        h.intent(WEB, statefulSet("web:1", 3, "OrderedReady", 1));
        runReady("web-0", "n1");
        runReady("web-1", "n1");
        runReady("web-2", "n1");
        String v1 = view().getTemplateHash();
        h.intent(WEB, statefulSet("web:2", 3, "OrderedReady", 1));
        String v2 = view().getTemplateHash();
        assertNotEquals(v1, v2);
        TaskView first = h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(WEB))
                .filter(t -> t.getPhase() == TaskPhase.TERMINATING).findFirst().orElseThrow();
        assertEquals("web-2", first.getPodName(), "the highest ordinal first");
        h.status(status(WEB, first.getTaskId(), "n1", TaskState.REMOVED));
        h.tick();
        assertEquals(v2, pods().get("web-2").getTemplateHash());
        runReady("web-2", "n1");
        TaskView second = h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(WEB))
                .filter(t -> t.getPhase() == TaskPhase.TERMINATING).findFirst().orElseThrow();
        assertEquals("web-1", second.getPodName());
        h.status(status(WEB, second.getTaskId(), "n1", TaskState.REMOVED));
        h.tick();
        runReady("web-1", "n1");
        h.tick();
        assertEquals(v1, pods().get("web-0").getTemplateHash(), "below the partition: kept");
        assertTrue(h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(WEB)).noneMatch(t -> t.getPhase() == TaskPhase.TERMINATING));
        assertEquals(2, view().getStatefulSetStatus().getUpdatedReplicas());
    }

    @Test
    void shouldRollBackLikeADeploymentUndoWithItsEventAndAudit() {
        nodes();
        h.intent(WEB, statefulSet("web:1", 1, "OrderedReady", 0));
        runReady("web-0", "n1");
        String v1 = view().getTemplateHash();
        h.intent(WEB, statefulSet("web:2", 1, "OrderedReady", 0));
        TaskView old = h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(WEB))
                .filter(t -> t.getPhase() == TaskPhase.TERMINATING).findFirst().orElseThrow();
        h.status(status(WEB, old.getTaskId(), "n1", TaskState.REMOVED));
        h.tick();
        runReady("web-0", "n1");
        String v2 = view().getTemplateHash();
        assertEquals(2, view().getRevision());

        Intent missing = intent(IntentAction.ROLLBACK, ResourceKind.STATEFULSET, "web", new RollbackSpec(7L));
        h.intent(WEB, missing);
        assertEquals(v2, view().getTemplateHash(), "an unknown revision changes nothing");
        assertTrue(h.all(Topics.DEAD_LETTERS).stream().anyMatch(d -> d.value.getReason().contains("unable to find specified revision 7 in history")));

        Intent undo = intent(IntentAction.ROLLBACK, ResourceKind.STATEFULSET, "web", new RollbackSpec(0L));
        h.intent(WEB, undo);
        assertEquals(v1, view().getTemplateHash(), "rollout undo: back to the previous template");
        assertEquals(List.of(2L, 3L), view().getHistory().stream().map(Revision::getRevision).toList(), "revision 1 comes back as 3, as in Kubernetes");
        assertEquals(undo.getIntentId(), view().getLastIntentId());
        assertTrue(h.all(Topics.EVENTS).stream().map(kv -> kv.value).anyMatch(e -> e.getInvolvedKind().equals("StatefulSet")
                && e.getReason().equals("StatefulSetRollback") && e.getMessage().equals("Rolled back stateful set \"web\" to revision 1")));
        assertTrue(h.all(Topics.AUDIT).stream().map(kv -> kv.value).anyMatch(a -> a.getChange().equals("IntentAccepted")
                && undo.getIntentId().equals(a.getIntentId()) && a.getMessage().startsWith("ROLLBACK ")), "audited as the undo it is");
        TaskView rolling = h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(WEB))
                .filter(t -> t.getPhase() == TaskPhase.TERMINATING).findFirst().orElseThrow();
        assertEquals("web-0", rolling.getPodName(), "the pods roll back to it as in any update");
        h.status(status(WEB, rolling.getTaskId(), "n1", TaskState.REMOVED));
        h.tick();
        assertEquals(v1, pods().get("web-0").getTemplateHash());
    }

    /** Deletes the set and reports every pod it stops as removed. */
    private void deleteAndDrain() {
        h.intent(WEB, delete(ResourceKind.STATEFULSET, "web"));
        h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(WEB) && t.getPhase() == TaskPhase.TERMINATING)
                .toList().forEach(t -> h.status(status(WEB, t.getTaskId(), t.getNodeId(), TaskState.REMOVED)));
        h.tick();
    }

    @Test
    void shouldRetainTheClaimsOfADeletedSetAndGiveThemBackToASetOfItsName() {
        nodes();
        h.intent(WEB, statefulSet("web:1", 2, "OrderedReady", 0));
        runReady("web-0", "n2");
        runReady("web-1", "n1");
        deleteAndDrain();
        WorkloadView kept = view();
        assertNotNull(kept, "Retain (the default): the claims outlive the set");
        assertTrue(kept.getDeleted(), "the set itself is gone (the gateway lists no deleted view)");
        assertTrue(StatefulSets.claimsOnly(kept));
        assertEquals(Map.of("data-web-0", "n2", "data-web-1", "n1"), kept.getStatefulSetStatus().getClaims());
        assertEquals(Map.of(), kept.getStatefulSetStatus().getPods());
        assertTrue(h.liveTasks(WEB).isEmpty());
        assertTrue(h.all(Topics.AUDIT).stream().map(kv -> kv.value).anyMatch(a -> a.getChange().equals("WorkloadDeleted")
                && a.getMessage().contains("claims retained [data-web-0, data-web-1]")));
        long writes = h.all(Topics.WORKLOADS).stream().filter(kv -> kv.key.equals(WEB)).count();
        settle("n1", "n2");
        assertEquals(writes, h.all(Topics.WORKLOADS).stream().filter(kv -> kv.key.equals(WEB)).count(), "nothing to reconcile: no more writes");

        h.intent(WEB, statefulSet("web:1", 2, "OrderedReady", 0));
        TaskView web0 = pods().get("web-0");
        assertEquals("n2", web0.getTemplate().getNodeSelector().get(NodeLabels.HOSTNAME), "back on the node its data is on");
        assertEquals("data-web-0", web0.getTemplate().getVolumes().get(0).getSource());
        runReady("web-0", "n2");
        assertEquals("n1", pods().get("web-1").getTemplate().getNodeSelector().get(NodeLabels.HOSTNAME));
        assertFalse(view().getDeleted());
        assertFalse(view().getStatefulSetStatus().getClaimsRetained());
    }

    @Test
    void shouldForgetTheClaimsOfADeletedSetUnderWhenDeletedDelete() {
        nodes();
        Intent i = statefulSet("web:1", 1, "OrderedReady", 0);
        i.getStatefulSet().setWhenDeleted("Delete");
        h.intent(WEB, i);
        runReady("web-0", "n1");
        deleteAndDrain();
        assertNull(view(), "no claims kept: the view is removed");
    }

    @Test
    void shouldDeadLetterAStatefulSetWithoutItsServiceName() {
        Intent i = statefulSet("web:1", 1, "OrderedReady", 0);
        i.getStatefulSet().setServiceName("");
        h.intent(WEB, i);
        assertNull(view());
        assertTrue(h.all(Topics.DEAD_LETTERS).get(0).value.getReason().contains("spec.serviceName: Required value"));
    }
}
