package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.state.core.RolloutLifecycle;
import io.berth.state.core.RolloutPhase;
import io.berth.state.core.TemplateHash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.*;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** ROLLBACK, PROMOTE and ABORT intents and the automatic rollback, end to end through the topology. */
class RolloutTopologyTest {
    private static final String WEB = key("web");
    private Harness h;

    @BeforeEach
    void start() throws Exception {
        h = new Harness();
        h.node(register("n1"));
        h.node(register("n2"));
    }

    @AfterEach
    void stop() {
        h.close();
    }

    static DeploymentSpec.Builder spec(int replicas, String image) {
        return DeploymentSpec.newBuilder().setReplicas(replicas).setTemplate(template(image))
                .setRollingUpdate(new RollingUpdate("1", "0"));
    }

    static Intent apply(DeploymentSpec spec) {
        return intent(IntentAction.APPLY, ResourceKind.DEPLOYMENT, "web", spec);
    }

    private WorkloadView view() {
        return h.live(Topics.WORKLOADS).get(WEB);
    }

    /** Every live task that is not running yet is placed on n1/n2 and turns ready. */
    private void runAll() {
        int i = 0;
        for (TaskView t : h.liveTasks(WEB)) {
            if (t.getPhase() == TaskPhase.RUNNING && t.getReady()) continue;
            String node = t.getNodeId().isEmpty() ? "n" + (1 + i++ % 2) : t.getNodeId();
            if (t.getPhase() == TaskPhase.PENDING) h.status(status(WEB, t.getTaskId(), node, TaskState.ASSIGNED));
            h.status(status(WEB, t.getTaskId(), node, TaskState.RUNNING));
            h.status(status(WEB, t.getTaskId(), node, TaskState.READY));
        }
    }

    /** Nodes confirm every stop. */
    private void confirmStops() {
        for (TaskView t : h.live(Topics.TASKS).values()) {
            if (t.getWorkloadKey().equals(WEB) && t.getPhase() == TaskPhase.TERMINATING) {
                h.status(status(WEB, t.getTaskId(), t.getNodeId(), TaskState.REMOVED));
            }
        }
    }

    /** Run, confirm, repeat: the nodes' side of a rollout. */
    private void settle() {
        for (int i = 0; i < 10; i++) {
            runAll();
            confirmStops();
        }
    }

    private long tasksOf(String image) {
        String hash = TemplateHash.of(template(image));
        return h.liveTasks(WEB).stream().filter(t -> t.getTemplateHash().equals(hash)).count();
    }

    private List<ClusterEvent> events(String reason) {
        return h.all(Topics.EVENTS).stream().map(kv -> kv.value).filter(e -> e.getReason().equals(reason)).toList();
    }

    @Test
    void shouldRollBackToARevisionThroughAnIntent() {
        h.intent(WEB, apply(spec(2, "web:1").build()));
        settle();
        h.intent(WEB, apply(spec(2, "web:2").build()));
        settle();
        assertEquals(2, view().getRevision());
        assertEquals(2, tasksOf("web:2"));

        Intent undo = intent(IntentAction.ROLLBACK, ResourceKind.DEPLOYMENT, "web", new RollbackSpec(1L));
        h.intent(WEB, undo);
        WorkloadView v = view();
        assertEquals(undo.getIntentId(), v.getLastIntentId(), "the rollback is acknowledged on the view");
        assertEquals(3, v.getRevision(), "revision 1's template under a new number");
        assertEquals(template("web:1"), v.getDeployment().getTemplate());
        assertEquals(List.of(2L, 3L), v.getHistory().stream().map(Revision::getRevision).toList());
        assertEquals("Rolled back deployment \"web\" to revision 1", events("DeploymentRollback").get(0).getMessage());
        assertEquals("web:1", h.all(Topics.PLACEMENT_REQUESTS).get(h.all(Topics.PLACEMENT_REQUESTS).size() - 1).value
                .getTemplate().getContainers().get(0).getImage());
        settle();
        assertEquals(2, tasksOf("web:1"));
        assertEquals(0, tasksOf("web:2"));
        assertEquals(RolloutPhase.COMPLETE.text(), view().getRollout().getPhase());

        h.intent(WEB, intent(IntentAction.ROLLBACK, ResourceKind.DEPLOYMENT, "web", null));
        assertEquals(4, view().getRevision(), "no payload = the previous revision");
        assertEquals(template("web:2"), view().getDeployment().getTemplate());
    }

    @Test
    void shouldDeadLetterARollbackToAnUnknownRevision() {
        h.intent(WEB, apply(spec(1, "web:1").build()));
        int views = h.all(Topics.WORKLOADS).size();
        h.intent(WEB, intent(IntentAction.ROLLBACK, ResourceKind.DEPLOYMENT, "web", new RollbackSpec(7L)));
        DeadLetter dl = h.all(Topics.DEAD_LETTERS).get(0).value;
        assertEquals("unable to find specified revision 7 in history", dl.getReason());
        assertEquals(Topics.INTENTS.name(), dl.getSourceTopic());
        ClusterEvent e = events("InvalidIntent").get(0);
        assertEquals("Warning", e.getType());
        assertEquals("unable to find specified revision 7 in history", e.getMessage());
        assertEquals(views, h.all(Topics.WORKLOADS).size(), "a rejected intent writes no view");

        h.intent(WEB, intent(IntentAction.ROLLBACK, ResourceKind.DEPLOYMENT, "web", new RollbackSpec(0L)));
        assertEquals("no rollout history found for deployment \"web\"", h.all(Topics.DEAD_LETTERS).get(1).value.getReason());
        h.intent(key("nope"), intent(IntentAction.ROLLBACK, ResourceKind.DEPLOYMENT, "nope", new RollbackSpec(1L)));
        assertEquals("deployment default/deployment/nope not found", h.all(Topics.DEAD_LETTERS).get(2).value.getReason());
    }

    @Test
    void shouldPromoteAndAbortACanaryThroughIntents() {
        List<CanaryStep> steps = List.of(CanaryStep.newBuilder().setSetWeight(25).build(),
                CanaryStep.newBuilder().setPause(true).build(),
                CanaryStep.newBuilder().setSetWeight(50).build(),
                CanaryStep.newBuilder().setPause(true).build());
        h.intent(WEB, apply(spec(4, "web:1").setStrategyType("Canary").setCanarySteps(steps).build()));
        settle();
        assertEquals(4, tasksOf("web:1"));
        h.intent(WEB, apply(spec(4, "web:2").setStrategyType("Canary").setCanarySteps(steps).build()));
        settle();
        assertEquals(1, tasksOf("web:2"), "25% of 4");
        assertEquals(3, tasksOf("web:1"));
        assertEquals(RolloutPhase.PAUSED.text(), view().getRollout().getPhase());
        assertEquals(1, view().getRollout().getCanaryStep());
        assertFalse(events("RolloutPaused").isEmpty());

        h.intent(WEB, intent(IntentAction.PROMOTE, ResourceKind.DEPLOYMENT, "web", null));
        settle();
        assertEquals(2, tasksOf("web:2"), "50% of 4");
        assertEquals(2, tasksOf("web:1"));
        assertEquals(3, view().getRollout().getCanaryStep());
        assertFalse(events("RolloutPromoted").isEmpty());

        h.intent(WEB, intent(IntentAction.ABORT, ResourceKind.DEPLOYMENT, "web", null));
        WorkloadView aborted = view();
        assertEquals(RolloutPhase.ABORTED.text(), aborted.getRollout().getPhase());
        assertEquals(2, aborted.getRollout().getRolledBackFrom());
        assertEquals(template("web:1"), aborted.getDeployment().getTemplate());
        settle();
        assertEquals(4, tasksOf("web:1"), "back on the stable revision");
        assertEquals(0, tasksOf("web:2"));
        assertEquals("Warning", events("RolloutAborted").get(0).getType());

        // PROMOTE of a full canary through the intent annotation
        h.intent(WEB, apply(spec(4, "web:3").setStrategyType("Canary").setCanarySteps(steps).build()));
        settle();
        assertEquals(1, tasksOf("web:3"));
        Intent full = Intent.newBuilder(intent(IntentAction.PROMOTE, ResourceKind.DEPLOYMENT, "web", null))
                .setAnnotations(Map.of("berth.io/promote", "full")).build();
        h.intent(WEB, full);
        settle();
        assertEquals(4, tasksOf("web:3"));
        assertEquals(RolloutPhase.COMPLETE.text(), view().getRollout().getPhase());

        h.intent(WEB, intent(IntentAction.PROMOTE, ResourceKind.DEPLOYMENT, "web", null));
        assertEquals("deployment \"web\" has no canary step to promote",
                h.all(Topics.DEAD_LETTERS).get(h.all(Topics.DEAD_LETTERS).size() - 1).value.getReason());
    }

    @Test
    void shouldRollBackAutomaticallyWhenTheNewRevisionCrashLoops() {
        h.intent(WEB, apply(spec(2, "web:1").setRollbackOnFailure(true).build()));
        settle();
        h.intent(WEB, apply(spec(2, "web:2").setRollbackOnFailure(true).build()));
        TaskView canary = h.liveTasks(WEB).stream().filter(t -> t.getTemplateHash().equals(TemplateHash.of(template("web:2"))))
                .findFirst().orElseThrow();
        h.status(status(WEB, canary.getTaskId(), "n1", TaskState.ASSIGNED));
        h.status(status(WEB, canary.getTaskId(), "n1", TaskState.RUNNING));
        h.status(TaskStatus.newBuilder(status(WEB, canary.getTaskId(), "n1", TaskState.EXITED)).setExitCode(1)
                .setReason("CrashLoopBackOff").setRestartCount(3).build());

        WorkloadView v = view();
        assertEquals(RolloutPhase.ROLLED_BACK.text(), v.getRollout().getPhase());
        assertEquals(3, v.getRevision());
        assertEquals(template("web:1"), v.getDeployment().getTemplate());
        assertEquals(2, v.getRollout().getFailedRevision());
        assertEquals(RolloutLifecycle.ROLLOUT_FAILED, v.getRollout().getFailedReason());
        assertEquals("Pod " + canary.getTaskId() + " of revision 2 is crash-looping: restarted 3 times (CrashLoopBackOff)",
                v.getRollout().getFailedMessage());
        Condition progressing = v.getConditions().stream().filter(c -> c.getType().equals("Progressing")).findFirst().orElseThrow();
        assertEquals("True", progressing.getStatus());
        assertEquals("RolledBack", progressing.getReason());
        assertTrue(progressing.getMessage().contains("from revision 2 to revision 1"), progressing.getMessage());
        assertEquals("Warning", events("RolloutFailed").get(0).getType());
        assertEquals("Rolled back deployment \"web\" to revision 1", events("DeploymentRollback").get(0).getMessage());
        assertEquals(TaskPhase.TERMINATING, h.live(Topics.TASKS).get(canary.getTaskId()).getPhase(), "the crashing pod is stopped");
        assertTrue(h.latest(Topics.ASSIGNMENTS).containsKey(Topics.assignmentKey("n1", canary.getTaskId())));
        assertNull(h.latest(Topics.ASSIGNMENTS).get(Topics.assignmentKey("n1", canary.getTaskId())), "its assignment is revoked");
        settle();
        assertEquals(2, tasksOf("web:1"));
        assertEquals(0, tasksOf("web:2"));
    }

    @Test
    void shouldFailOnTheProgressDeadlineOnAWallClockTick() {
        h.intent(WEB, apply(spec(1, "web:1").setProgressDeadlineSeconds(2).build()));
        settle();
        h.intent(WEB, apply(spec(1, "web:2").setProgressDeadlineSeconds(2).build()));
        tick(3_000);
        WorkloadView v = view();
        assertEquals(RolloutPhase.FAILED.text(), v.getRollout().getPhase());
        assertEquals("ProgressDeadlineExceeded", events("ProgressDeadlineExceeded").get(0).getReason());
        assertEquals(1, tasksOf("web:1"), "the old task keeps serving");
    }

    @Test
    void shouldWriteNoViewOnTicksWhileNothingChanges() {
        List<CanaryStep> steps = List.of(CanaryStep.newBuilder().setSetWeight(50).build(), CanaryStep.newBuilder().setPause(true).build());
        h.intent(WEB, apply(spec(2, "web:1").setStrategyType("Canary").setCanarySteps(steps).build()));
        settle();
        h.intent(WEB, apply(spec(2, "web:2").setStrategyType("Canary").setCanarySteps(steps).build()));
        settle();
        assertEquals(RolloutPhase.PAUSED.text(), view().getRollout().getPhase());
        tick(1_000);  // heartbeats' effects settle
        int written = h.all(Topics.WORKLOADS).size();
        tick(3_000);
        assertEquals(written, h.all(Topics.WORKLOADS).size(), "a canary waiting for promote is quiet");

        h.intent(WEB, intent(IntentAction.PROMOTE, ResourceKind.DEPLOYMENT, "web", null));
        settle();
        assertEquals(RolloutPhase.COMPLETE.text(), view().getRollout().getPhase());
        written = h.all(Topics.WORKLOADS).size();
        tick(3_000);
        assertEquals(written, h.all(Topics.WORKLOADS).size(), "a complete rollout is quiet");
    }

    @Test
    void shouldPauseAndResumeThroughApplies() {
        h.intent(WEB, apply(spec(2, "web:1").build()));
        settle();
        h.intent(WEB, apply(spec(2, "web:2").setPaused(true).build()));
        settle();
        WorkloadView paused = view();
        assertEquals(RolloutPhase.PAUSED.text(), paused.getRollout().getPhase());
        Condition c = paused.getConditions().stream().filter(x -> x.getType().equals("Progressing")).findFirst().orElseThrow();
        assertEquals("Unknown", c.getStatus());
        assertEquals("DeploymentPaused", c.getReason());
        assertEquals(0, tasksOf("web:2"), "paused: no task of the new template");
        h.intent(WEB, intent(IntentAction.ROLLBACK, ResourceKind.DEPLOYMENT, "web", null));
        assertTrue(h.all(Topics.DEAD_LETTERS).get(0).value.getReason().startsWith("you cannot rollback a paused deployment"));

        h.intent(WEB, apply(spec(2, "web:2").build()));
        assertEquals(1, tasksOf("web:2"), "resumed: the rollout goes on");
        settle();
        assertEquals(2, tasksOf("web:2"));
        assertEquals(RolloutPhase.COMPLETE.text(), view().getRollout().getPhase());
    }

    @Test
    void shouldFoldContainersPodIpPortsAndReadyAtIntoTheTaskView() {
        h.intent(WEB, apply(spec(1, "web:1").build()));
        String id = h.liveTasks(WEB).get(0).getTaskId();
        h.status(status(WEB, id, "n1", TaskState.ASSIGNED));
        ContainerStatus main = ContainerStatus.newBuilder().setName("main").setReady(true).setStarted(true).setState("running").build();
        h.status(TaskStatus.newBuilder(status(WEB, id, "n1", TaskState.READY)).setContainers(List.of(main)).setPodIP("172.17.0.9")
                .setPublishedPorts(List.of(new PublishedPort("http", 80, 31001, "TCP"))).build());
        TaskView t = h.live(Topics.TASKS).get(id);
        assertEquals(List.of(main), t.getContainerStatuses());
        assertEquals("172.17.0.9", t.getPodIP());
        assertEquals(31001, t.getPublishedPorts().get(0).getHostPort());
        assertEquals(h.now().toEpochMilli(), t.getReadyAt());
        h.status(status(WEB, id, "n1", TaskState.UNREADY));
        TaskView unready = h.live(Topics.TASKS).get(id);
        assertEquals(TaskPhase.RUNNING, unready.getPhase());
        assertFalse(unready.getReady());
        assertEquals(0, unready.getReadyAt());
        assertEquals("172.17.0.9", unready.getPodIP(), "a status without them keeps the last ones");
    }

    private void tick(long ms) {
        for (long done = 0; done < ms; done += 250) {
            h.node(heartbeat("n1"));
            h.node(heartbeat("n2"));
            h.advance(Duration.ofMillis(250));
        }
    }
}
