package io.berth.state;

import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.audit.Actors;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.AvroJson;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** The audit log of the whole topology: one record per view write, with who, why, before and after. */
class AuditTopologyTest extends HarnessTest {
    private static final String WEB = key("web");
    private static final String SVC = "default/service/web";
    private static final String WORKLOAD_VIEW = WorkloadView.getClassSchema().getFullName();
    private static final String TASK_VIEW = TaskView.getClassSchema().getFullName();
    private static final String NODE_VIEW = NodeView.getClassSchema().getFullName();
    private static final String ENDPOINTS_VIEW = EndpointsView.getClassSchema().getFullName();

    private List<AuditRecord> audits() {
        return h.all(Topics.AUDIT).stream().map(kv -> kv.value).toList();
    }

    private List<AuditRecord> audits(String key, String change) {
        return audits().stream().filter(a -> a.getKey().equals(key) && a.getChange().equals(change)).toList();
    }

    private AuditRecord last(String key, String change) {
        List<AuditRecord> l = audits(key, change);
        assertFalse(l.isEmpty(), "no " + change + " for " + key + " in " + audits().stream().map(a -> a.getKey() + " " + a.getChange()).toList());
        return l.get(l.size() - 1);
    }

    private static <T extends SpecificRecord> T after(AuditRecord a) {
        return AvroJson.decode(a.getViewType(), a.getAfter());
    }

    private static <T extends SpecificRecord> T before(AuditRecord a) {
        return AvroJson.decode(a.getViewType(), a.getBefore());
    }

    private static String podKey(TaskView t) {
        return "default/pod/" + t.getPodName();
    }

    private List<TaskView> webTasks() {
        return h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(WEB)).toList();
    }

    /** Lets the wall clock run, tick by tick, for three grace periods without a heartbeat. */
    private void silence() {
        for (long ms = 0; ms < Harness.GRACE_MS * 3; ms += 250) h.advanceMs(250);
    }

    private void assertCause(AuditRecord a, Topic<?> topic, long offset) {
        assertEquals(topic.name(), a.getCauseTopic(), a.toString());
        assertEquals(0, a.getCausePartition());
        assertEquals(offset, a.getCauseOffset(), a.toString());
        assertEquals(topic.name() + "/0/" + offset, a.getCause());
    }

    @Test
    void shouldAuditAnAcceptedApplyWithTheIntentAndEveryViewItCreated() {
        Intent apply = deployment("web", 2);
        h.intent(WEB, apply);
        long offset = h.lastOffset(Topics.INTENTS);

        AuditRecord accepted = last(WEB, "IntentAccepted");
        assertEquals("alice", accepted.getActor());
        assertEquals(apply.getIntentId(), accepted.getIntentId());
        assertCause(accepted, Topics.INTENTS, offset);
        assertEquals("", accepted.getViewType(), "an intent is no view");
        assertEquals(apply, AvroJson.decode(Intent.class, accepted.getAfter()));
        assertEquals(List.of("default", "deployment", "web"), List.of(accepted.getNamespace(), accepted.getKind(), accepted.getName()));

        AuditRecord created = last(WEB, "WorkloadCreated");
        assertEquals(WORKLOAD_VIEW, created.getViewType());
        assertNull(created.getBefore());
        assertEquals(h.live(Topics.WORKLOADS).get(WEB), after(created), "after is the complete view as written");
        assertEquals("alice", created.getActor());
        assertEquals(apply.getIntentId(), created.getIntentId());
        assertCause(created, Topics.INTENTS, offset);

        AuditRecord revision = last(WEB, "RevisionCreated");
        assertEquals(1, AvroJson.<Revision>decode(Revision.class, revision.getAfter()).getRevision());

        for (TaskView t : webTasks()) {
            AuditRecord task = last(podKey(t), "TaskCreated");
            assertEquals("pod", task.getKind());
            assertEquals(t.getPodName(), task.getName());
            assertEquals(TASK_VIEW, task.getViewType());
            assertNull(task.getBefore());
            assertEquals(t, after(task));
            assertEquals("alice", task.getActor());
            assertCause(task, Topics.INTENTS, offset);
        }
        List<Long> seqs = audits().stream().filter(a -> !a.getKey().startsWith("/node/")).map(AuditRecord::getSeq).toList();
        for (int i = 1; i < seqs.size(); i++) assertTrue(seqs.get(i) > seqs.get(i - 1), "seq increases: " + seqs);
        assertTrue(audits().stream().allMatch(a -> a.getTimestamp() == Harness.T0.toEpochMilli()));
    }

    @Test
    void shouldAuditRejectedIntentsOnceWithTheirDeadLetter() {
        Intent scale = scale("web", 3);
        h.intent(WEB, scale);
        AuditRecord rejected = last(WEB, "IntentRejected");
        assertEquals("deployment " + WEB + " not found", rejected.getMessage());
        assertEquals(scale, AvroJson.decode(Intent.class, rejected.getAfter()));
        assertEquals("alice", rejected.getActor());
        assertCause(rejected, Topics.INTENTS, h.lastOffset(Topics.INTENTS));

        h.intent(WEB, deployment("web", -1));
        assertTrue(last(WEB, "IntentRejected").getMessage().contains("replicas"), last(WEB, "IntentRejected").getMessage());
        assertEquals(2, h.all(Topics.DEAD_LETTERS).size());
        assertEquals(2, audits().size(), "one audit record per refused intent, nothing else: " + audits());
        assertTrue(audits(WEB, "IntentAccepted").isEmpty());

        h.intent("/node/n9", intent(IntentAction.CORDON, ResourceKind.NODE, "", null));
        assertEquals(3, h.all(Topics.DEAD_LETTERS).size());
        assertEquals(3, audits().stream().filter(a -> a.getChange().equals("IntentRejected")).count(), "a refused node intent too");
    }

    @Test
    void shouldCreditAnIntentWithoutActorToItsProducersClientId() {
        Intent anonymous = Intent.newBuilder(deployment("web", 1)).setActor("").build();
        RecordHeaders headers = new RecordHeaders();
        headers.add(Actors.CLIENT_ID_HEADER, "ci-bot".getBytes(StandardCharsets.UTF_8));
        h.intent(WEB, anonymous, headers);
        assertEquals("external:ci-bot", last(WEB, "IntentAccepted").getActor());
        assertEquals("external:ci-bot", last(WEB, "WorkloadCreated").getActor());

        h.intent(WEB, Intent.newBuilder(scale("web", 2)).setActor("").build());
        assertEquals("external:unknown", last(WEB, "WorkloadChanged").getActor());
    }

    @Test
    void shouldAuditEveryWorkloadChangeWithBeforeAndAfter() {
        h.node(register("n1"));
        h.intent(WEB, deployment("web", 1));
        h.intent(WEB, scale("web", 2));
        AuditRecord scaled = last(WEB, "WorkloadChanged");
        assertEquals(1, AvroJson.<WorkloadView>decode(WorkloadView.class, scaled.getBefore()).getDeployment().getReplicas());
        assertEquals(2, AvroJson.<WorkloadView>decode(WorkloadView.class, scaled.getAfter()).getDeployment().getReplicas());
        assertEquals(h.lastOffset(Topics.INTENTS), scaled.getCauseOffset());

        TaskView t = webTasks().get(0);
        h.status(status(WEB, t.getTaskId(), "n1", TaskState.ASSIGNED));
        h.status(status(WEB, t.getTaskId(), "n1", TaskState.READY));
        AuditRecord status = last(WEB, "WorkloadStatusChanged");
        assertEquals(Actors.WORKLOAD_CONTROLLER, status.getActor());
        // the status is folded at once, its workload converged by the next tick (DirtyWorkloads): that tick is the cause
        assertCause(status, Topics.TICKS, h.lastOffset(Topics.TICKS));
        assertEquals(1, AvroJson.<WorkloadView>decode(WorkloadView.class, status.getAfter()).getReadyReplicas());
        assertEquals(0, AvroJson.<WorkloadView>decode(WorkloadView.class, status.getBefore()).getReadyReplicas());

        Intent v2 = Intent.newBuilder(deployment("web", 2)).build();
        ((DeploymentSpec) v2.getPayload()).setTemplate(template("berth/busybox:2"));
        h.intent(WEB, v2);
        AuditRecord revision = last(WEB, "RevisionCreated");
        assertEquals(2, AvroJson.<Revision>decode(Revision.class, revision.getAfter()).getRevision());
        assertEquals(v2.getIntentId(), revision.getIntentId());

        Intent delete = delete(ResourceKind.DEPLOYMENT, "web");
        h.intent(WEB, delete);
        assertTrue(AvroJson.<WorkloadView>decode(WorkloadView.class, last(WEB, "WorkloadChanged").getAfter()).getDeleted());
        for (TaskView left : webTasks()) if (!left.getNodeId().isEmpty()) h.status(status(WEB, left.getTaskId(), left.getNodeId(), TaskState.REMOVED));
        AuditRecord deleted = last(WEB, "WorkloadDeleted");
        assertNull(deleted.getAfter());
        assertEquals(WORKLOAD_VIEW, deleted.getViewType());
        assertTrue(AvroJson.<WorkloadView>decode(WorkloadView.class, deleted.getBefore()).getDeleted());
        assertNull(h.latest(Topics.WORKLOADS).get(WEB));
    }

    @Test
    void shouldAuditEveryTaskTransitionKeyedByItsPod() {
        h.node(register("n1"));
        h.intent(WEB, deployment("web", 1));
        TaskView t = webTasks().get(0);
        String pod = podKey(t);

        h.status(status(WEB, t.getTaskId(), "n1", TaskState.ASSIGNED));
        AuditRecord placed = last(pod, "TaskPhaseChanged");
        assertEquals(Actors.SCHEDULER, placed.getActor());
        assertEquals(TaskPhase.PENDING, AvroJson.<TaskView>decode(TaskView.class, placed.getBefore()).getPhase());
        assertEquals(TaskPhase.SCHEDULED, AvroJson.<TaskView>decode(TaskView.class, placed.getAfter()).getPhase());
        assertCause(placed, Topics.TASK_STATUS, h.lastOffset(Topics.TASK_STATUS));

        h.status(status(WEB, t.getTaskId(), "n1", TaskState.RUNNING));
        assertEquals("node/n1", last(pod, "TaskPhaseChanged").getActor());
        h.status(status(WEB, t.getTaskId(), "n1", TaskState.READY));
        AuditRecord ready = last(pod, "TaskReadinessChanged");
        assertTrue(AvroJson.<TaskView>decode(TaskView.class, ready.getAfter()).getReady());
        assertFalse(AvroJson.<TaskView>decode(TaskView.class, ready.getBefore()).getReady());

        h.status(TaskStatus.newBuilder(status(WEB, t.getTaskId(), "n1", TaskState.EXITED)).setExitCode(1)
                .setReason("CrashLoopBackOff").setRestartCount(1).build());
        AuditRecord restarted = last(pod, "TaskRestarted");
        assertEquals(1, AvroJson.<TaskView>decode(TaskView.class, restarted.getAfter()).getRestartCount());
        assertEquals("node/n1", restarted.getActor());

        h.intent(WEB, scale("web", 0));
        AuditRecord stopped = last(pod, "TaskStopped");
        assertEquals(TaskPhase.TERMINATING, AvroJson.<TaskView>decode(TaskView.class, stopped.getAfter()).getPhase());
        assertEquals("alice", stopped.getActor());
        assertCause(stopped, Topics.INTENTS, h.lastOffset(Topics.INTENTS));

        h.status(status(WEB, t.getTaskId(), "n1", TaskState.REMOVED));
        AuditRecord removed = last(pod, "TaskRemoved");
        assertNull(removed.getAfter());
        assertEquals(TASK_VIEW, removed.getViewType());
        assertEquals(TaskPhase.TERMINATING, AvroJson.<TaskView>decode(TaskView.class, removed.getBefore()).getPhase());
    }

    @Test
    void shouldAuditUnschedulableAndLostTasks() {
        h.node(register("n1"));
        h.intent(WEB, deployment("web", 2));
        List<TaskView> ts = webTasks();
        TaskStatus unschedulable = TaskStatus.newBuilder(status(WEB, ts.get(0).getTaskId(), "", TaskState.UNSCHEDULABLE))
                .setReason("Unschedulable").setMessage("0/1 nodes are available: 1 Insufficient memory.").build();
        h.status(unschedulable);
        AuditRecord verdict = last(podKey(ts.get(0)), "TaskUnschedulable");
        assertEquals(Actors.SCHEDULER, verdict.getActor());
        assertEquals("0/1 nodes are available: 1 Insufficient memory.", AvroJson.<TaskView>decode(TaskView.class, verdict.getAfter()).getMessage());

        TaskView onN1 = ts.get(1);
        h.status(status(WEB, onN1.getTaskId(), "n1", TaskState.ASSIGNED));
        h.status(status(WEB, onN1.getTaskId(), "n1", TaskState.READY));
        silence();  // n1 never heartbeats again
        AuditRecord lost = last(podKey(onN1), "TaskLost");
        assertEquals(TaskPhase.LOST, AvroJson.<TaskView>decode(TaskView.class, lost.getAfter()).getPhase());
        assertEquals(Actors.WORKLOAD_CONTROLLER, lost.getActor());
        assertEquals(Topics.TICKS.name(), lost.getCauseTopic(), "a tick on the log, not an input about the task, found it lost");
        assertTrue(lost.getCauseOffset() >= 0, "the tick's offset is the cause");
        assertTrue(lost.getCause().startsWith(Topics.TICKS.name() + "/"), lost.getCause());
    }

    @Test
    void shouldAuditAPodDeleteUnderThePodsKeyWithTheIntentsOwnOffset() {
        h.node(register("n1"));
        h.intent(WEB, deployment("web", 1));
        TaskView t = webTasks().get(0);
        h.status(status(WEB, t.getTaskId(), "n1", TaskState.ASSIGNED));
        h.intent("default/pod/" + t.getPodName(), delete(ResourceKind.POD, t.getPodName()));
        long offset = h.lastOffset(Topics.INTENTS);

        AuditRecord accepted = last(podKey(t), "IntentAccepted");
        assertCause(accepted, Topics.INTENTS, offset);
        AuditRecord stopped = last(podKey(t), "TaskStopped");
        assertCause(stopped, Topics.INTENTS, offset);
        assertEquals(accepted.getIntentId(), stopped.getIntentId());
        assertEquals("alice", stopped.getActor());
    }

    @Test
    void shouldAuditMeaningfulNodeChangesButNotHeartbeats() {
        h.node(register("n1"));
        AuditRecord registered = last("/node/n1", "NodeRegistered");
        assertEquals(List.of("", "node", "n1"), List.of(registered.getNamespace(), registered.getKind(), registered.getName()));
        assertEquals("node/n1", registered.getActor());
        assertEquals(NODE_VIEW, registered.getViewType());
        assertNull(registered.getBefore());
        assertEquals(h.live(Topics.NODES).get("n1"), after(registered));
        assertCause(registered, Topics.NODE_EVENTS, h.lastOffset(Topics.NODE_EVENTS));

        int before = audits().size();
        for (int i = 0; i < 41; i++) { // 10.25 s of heartbeats, every 250 ms
            h.advanceMs(250);
            h.node(heartbeat("n1"));
        }
        assertEquals(before, audits().size(), "heartbeats are not audited, nor the view's periodic refresh (heartbeat time only)");
        assertEquals(2, h.all(Topics.NODES).size(), "heartbeats renew the lease; the view is written again only for its 10 s refresh");

        h.intent("/node/n1", intent(IntentAction.CORDON, ResourceKind.NODE, "n1", null));
        AuditRecord cordoned = last("/node/n1", "NodeCordoned");
        assertEquals("alice", cordoned.getActor());
        assertCause(cordoned, Topics.INTENTS, h.lastOffset(Topics.INTENTS));
        assertFalse(AvroJson.<NodeView>decode(NodeView.class, cordoned.getBefore()).getCordoned());
        assertTrue(AvroJson.<NodeView>decode(NodeView.class, cordoned.getAfter()).getCordoned());
        assertEquals(1, audits("/node/n1", "IntentAccepted").size());

        h.intent("/node/n1", intent(IntentAction.DRAIN, ResourceKind.NODE, "n1", null));
        last("/node/n1", "NodeDrained");
        h.intent("/node/n1", intent(IntentAction.UNCORDON, ResourceKind.NODE, "n1", null));
        last("/node/n1", "NodeUncordoned");

        silence();
        AuditRecord notReady = last("/node/n1", "NodeNotReady");
        assertEquals(Actors.NODE_CONTROLLER, notReady.getActor());
        // the ticker's CLOCK record in the heartbeat partition found it missing (NodeProcessor.onClock)
        assertEquals(Topics.NODE_EVENTS.name(), notReady.getCauseTopic(), "the clock record that found the heartbeat missing is the cause");
        h.node(heartbeat("n1"));
        AuditRecord ready = last("/node/n1", "NodeReady");
        assertEquals("node/n1", ready.getActor());
        assertTrue(AvroJson.<NodeView>decode(NodeView.class, ready.getAfter()).getReady());
    }

    @Test
    void shouldAuditServicesAllocationsAndEndpointMembership() {
        h.node(EndpointsTopologyTest.registerAt("n1", "10.0.0.1"));
        h.intent(SVC, EndpointsTopologyTest.service("NodePort", 0));
        long serviceOffset = h.lastOffset(Topics.INTENTS);
        AuditRecord svc = last(SVC, "ServiceCreated");
        assertEquals(WORKLOAD_VIEW, svc.getViewType());
        assertEquals(h.live(Topics.WORKLOADS).get(SVC), after(svc));
        AuditRecord allocated = last(SVC, "ServiceAllocated");
        assertEquals(Actors.ENDPOINTS_CONTROLLER, allocated.getActor());
        assertEquals("", allocated.getViewType());
        assertTrue(allocated.getMessage().startsWith("clusterIP 10.96."), allocated.getMessage());
        assertTrue(allocated.getMessage().contains("nodePorts 80:3"), allocated.getMessage());
        assertCause(allocated, Topics.INTENTS, serviceOffset);
        assertEquals(h.live(Topics.WORKLOADS).get(SVC).getLastIntentId(), allocated.getIntentId());

        String eps = "default/endpoints/web";
        AuditRecord first = last(eps, "EndpointsChanged");
        assertEquals(ENDPOINTS_VIEW, first.getViewType());
        assertNull(first.getBefore());
        assertEquals(List.of("default", "endpoints", "web"), List.of(first.getNamespace(), first.getKind(), first.getName()));

        h.intent(WEB, deployment("web", 1));
        TaskView t = webTasks().get(0);
        h.status(status(WEB, t.getTaskId(), "n1", TaskState.ASSIGNED));
        TaskStatus ready = status(WEB, t.getTaskId(), "n1", TaskState.READY);
        ready.setPodIP("172.17.0.2");
        ready.setPublishedPorts(List.of(PublishedPort.newBuilder().setContainerPort(8080).setHostPort(32001).build()));
        h.status(ready);
        AuditRecord joined = last(eps, "EndpointsChanged");
        assertEquals(h.latest(Topics.ENDPOINTS).get(SVC), after(joined));
        assertEquals(1, AvroJson.<EndpointsView>decode(EndpointsView.class, joined.getAfter()).getEndpoints().size());
        assertTrue(joined.getMessage().contains("+" + t.getPodName()), joined.getMessage());
        assertCause(joined, Topics.TASK_STATUS, h.lastOffset(Topics.TASK_STATUS));
        assertEquals("", joined.getIntentId(), "a pod's readiness, not the service's intent, changed the endpoints");

        h.intent(SVC, delete(ResourceKind.SERVICE, "web"));
        AuditRecord deleted = last(SVC, "ServiceDeleted");
        assertNull(deleted.getAfter());
        assertNotNull(deleted.getBefore());
        assertNull(last(eps, "EndpointsDeleted").getAfter());
    }

    @Test
    void shouldAuditUndecodableAndWrongSchemaRecordsAsDeadLettered() {
        RecordHeaders fromOutside = new RecordHeaders();
        fromOutside.add(Actors.CLIENT_ID_HEADER, "kafkajs-demo".getBytes(StandardCharsets.UTF_8));
        h.rawIntents.pipeInput(new org.apache.kafka.streams.test.TestRecord<>(WEB, "not avro at all".getBytes(StandardCharsets.UTF_8),
                fromOutside, h.now()));
        // a TaskStatus written to the intents topic: valid Avro, wrong schema
        byte[] wrongSchema = h.serdes.value(TaskStatus.class).serialize(Topics.INTENTS.name(), status(WEB, "t1", "n1", TaskState.READY));
        h.rawIntents.pipeInput(WEB, wrongSchema, h.now());
        h.drain();

        List<AuditRecord> dead = audits(WEB, "DeadLettered");
        assertEquals(2, dead.size(), audits().toString());
        assertEquals(h.all(Topics.DEAD_LETTERS).size(), dead.size(), "one audit record per dead letter");
        AuditRecord undecodable = dead.get(0);
        assertEquals("external:kafkajs-demo", undecodable.getActor());
        assertCause(undecodable, Topics.INTENTS, 0);
        assertTrue(undecodable.getMessage().startsWith("cannot deserialize"), undecodable.getMessage());
        assertEquals(List.of("default", "deployment", "web"), List.of(undecodable.getNamespace(), undecodable.getKind(), undecodable.getName()));
        AuditRecord wrong = dead.get(1);
        assertEquals("controller/state-streams-test", wrong.getActor());
        assertCause(wrong, Topics.INTENTS, 1);
        assertEquals(h.all(Topics.DEAD_LETTERS).get(1).value.getReason(), wrong.getMessage());
    }

    /**
     * The invariant time travel rests on: every write of berth.state.workloads/tasks/endpoints has
     * one audit record whose after is exactly the written view (null for a tombstone), in the same
     * order; a node write is audited unless only its heartbeat time moved.
     */
    @Test
    void shouldAuditEveryViewWriteOverAMixedScenario() {
        h.node(EndpointsTopologyTest.registerAt("n1", "10.0.0.1"));
        h.node(EndpointsTopologyTest.registerAt("n2", "10.0.0.2"));
        h.intent(SVC, EndpointsTopologyTest.service("ClusterIP", 0));
        h.intent(WEB, deployment("web", 2));
        h.intent(WEB, scale("web", 3));
        int n = 0;
        for (TaskView t : webTasks()) {
            String node = n++ % 2 == 0 ? "n1" : "n2";
            h.status(status(WEB, t.getTaskId(), node, TaskState.ASSIGNED));
            TaskStatus ready = status(WEB, t.getTaskId(), node, TaskState.READY);
            ready.setPodIP("172.17.0." + n);
            h.status(ready);
            h.node(heartbeat(node));
        }
        h.intent(WEB, scale("web", 1));
        for (TaskView t : webTasks()) {
            if (t.getPhase() == TaskPhase.TERMINATING) h.status(status(WEB, t.getTaskId(), t.getNodeId(), TaskState.REMOVED));
        }
        h.intent("/node/n2", intent(IntentAction.CORDON, ResourceKind.NODE, "n2", null));
        h.intent(WEB, delete(ResourceKind.DEPLOYMENT, "web"));
        for (TaskView t : webTasks()) if (!t.getNodeId().isEmpty()) h.status(status(WEB, t.getTaskId(), t.getNodeId(), TaskState.REMOVED));
        h.intent(SVC, delete(ResourceKind.SERVICE, "web"));
        assertTrue(h.live(Topics.WORKLOADS).isEmpty(), "the scenario ends with everything deleted");

        assertAudited(Topics.WORKLOADS, WORKLOAD_VIEW);
        assertAudited(Topics.TASKS, TASK_VIEW);
        assertAudited(Topics.ENDPOINTS, ENDPOINTS_VIEW);

        List<KeyValue<String, NodeView>> nodeWrites = h.all(Topics.NODES);
        List<AuditRecord> nodeAudits = audits().stream().filter(a -> a.getViewType().equals(NODE_VIEW)).toList();
        int next = 0;
        for (KeyValue<String, NodeView> w : nodeWrites) {
            if (next < nodeAudits.size() && w.value.equals(after(nodeAudits.get(next)))) {
                assertEquals("/node/" + w.key, nodeAudits.get(next).getKey());
                next++;
            } else {
                assertEquals(withoutHeartbeat(previous(nodeWrites, w)), withoutHeartbeat(w.value),
                        "an unaudited node write only refreshes the heartbeat: " + w.value);
            }
        }
        assertEquals(nodeAudits.size(), next, "every node audit record matches a write");
    }

    private static NodeView previous(List<KeyValue<String, NodeView>> writes, KeyValue<String, NodeView> w) {
        NodeView prev = null;
        for (KeyValue<String, NodeView> x : writes) {
            if (x == w) return prev;
            if (x.key.equals(w.key)) prev = x.value;
        }
        throw new AssertionError("write not found");
    }

    private static NodeView withoutHeartbeat(NodeView v) {
        return v == null ? null : NodeView.newBuilder(v).setLastHeartbeat(0).setResourceVersion("").build();
    }

    private <V extends SpecificRecord> void assertAudited(Topic<V> topic, String viewType) {
        List<KeyValue<String, V>> writes = h.all(topic);
        List<AuditRecord> records = audits().stream().filter(a -> a.getViewType().equals(viewType)).toList();
        assertFalse(writes.isEmpty());
        assertEquals(writes.size(), records.size(), topic.name() + ": one audit record per write");
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            V written = writes.get(i).value;
            AuditRecord a = records.get(i);
            if (written == null ? a.getAfter() != null : !written.equals(after(a))) mismatches.add(i + ": " + a.getChange() + " " + a.getKey());
            if (written == null && a.getBefore() == null) mismatches.add(i + ": a tombstone's record names what was deleted");
        }
        assertEquals(List.of(), mismatches, topic.name());
    }
}
