package io.berth.state.core;

import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Revisions, rollback, pause, deadline, failure, automatic rollback, canary steps, minReadySeconds
 * and update delay, through the pure functions the controller chains on every event and tick:
 * {@link RolloutLifecycle#advance} → {@link Reconciler#reconcile} → {@link WorkloadViews#withStatus}.
 * A small simulation plays the nodes (tasks start, turn ready, crash) with a hand-moved clock.
 */
class RolloutLifecycleTest {
    private static final String KEY = "default/deployment/web";
    private static final Set<String> UP = Set.of("n1", "n2", "n3");

    static PodTemplate template(String image) {
        return PodTemplate.newBuilder().setLabels(Map.of("app", "web"))
                .setContainers(List.of(ContainerSpec.newBuilder().setName("main").setImage(image).build())).build();
    }

    static DeploymentSpec.Builder spec(int replicas, String image) {
        return DeploymentSpec.newBuilder().setReplicas(replicas).setTemplate(template(image))
                .setRollingUpdate(new RollingUpdate("1", "0"));
    }

    static Intent applyIntent(DeploymentSpec spec, String cause) {
        Map<String, String> annotations = cause == null ? Map.of() : Map.of(Revisions.CHANGE_CAUSE, cause);
        return Intent.newBuilder().setIntentId("i-" + System.nanoTime()).setAction(IntentAction.APPLY).setKind(ResourceKind.DEPLOYMENT)
                .setNamespace("default").setName("web").setAnnotations(annotations).setPayload(spec).build();
    }

    /** The controller and the nodes, in one loop. */
    static final class Sim {
        WorkloadView v;
        long now = 1_000_000;
        final Map<String, TaskActual> tasks = new LinkedHashMap<>();

        void apply(DeploymentSpec spec) {
            apply(spec, null);
        }

        void apply(DeploymentSpec spec, String cause) {
            v = WorkloadViews.applyDeployment(v, KEY, applyIntent(spec, cause), spec, now);
            converge();
        }

        void converge() {
            v = RolloutLifecycle.advance(v, List.copyOf(tasks.values()), now);
            Steps s = Reconciler.reconcile(WorkloadViews.desired(v), List.copyOf(tasks.values()), UP, now);
            s.stop().forEach(x -> tasks.remove(x.taskId()));  // nodes confirm stops at once
            s.forget().forEach(tasks::remove);
            int i = 0;
            for (Steps.NewTask n : s.create()) {
                tasks.put(n.taskId(), new TaskActual(n.taskId(), TaskPhase.SCHEDULED, "n" + (1 + i++ % 3), false, n.seq(),
                        v.getTemplateHash(), false, now, 0, 0, now));
            }
            v = WorkloadViews.withStatus(v, s, now);
        }

        /** Every started task of {@code image}'s template turns ready now. */
        void ready(String image) {
            String hash = TemplateHash.of(template(image));
            tasks.replaceAll((id, t) -> t.templateHash().equals(hash) && !t.ready() && t.restartCount() < RolloutLifecycle.CRASH_RESTARTS
                    ? new TaskActual(id, TaskPhase.RUNNING, t.nodeId(), true, t.seq(), hash, false, now, now, t.restartCount(), t.createdAt()) : t);
            converge();
        }

        void crash(String image) {
            String hash = TemplateHash.of(template(image));
            tasks.replaceAll((id, t) -> t.templateHash().equals(hash)
                    ? new TaskActual(id, TaskPhase.RUNNING, t.nodeId(), false, t.seq(), hash, false, now, 0, RolloutLifecycle.CRASH_RESTARTS, t.createdAt()) : t);
            converge();
        }

        /**
         * Advances the clock in ticks, converging on each as the controller's periodic check does
         * on a tick without a node change: a settled workload is skipped, so every scenario here
         * also shows that skipping it changes no decision.
         */
        void tick(long ms) {
            for (long done = 0; done < ms; done += 250) {
                now += 250;
                if (!WorkloadViews.settled(v)) converge();
            }
        }

        /** Nodes start every new task at once; repeat until the rollout stops moving. */
        void settle(String image) {
            for (int i = 0; i < 20; i++) {
                ready(image);
                tick(250);
            }
        }

        long count(String image) {
            String hash = TemplateHash.of(template(image));
            return tasks.values().stream().filter(t -> t.templateHash().equals(hash)).count();
        }

        Condition progressing() {
            return v.getConditions().stream().filter(c -> c.getType().equals("Progressing")).findFirst().orElseThrow();
        }

        String phase() {
            return v.getRollout().getPhase();
        }
    }

    // ---- settled: what the periodic check may skip -------------------------------------------

    @Test
    void shouldBeSettledOnlyWhenEveryReplicaIsCurrentReadyAndNoRolloutIsUnderWay() {
        Sim s = new Sim();
        s.apply(spec(3, "web:1").build());
        assertFalse(WorkloadViews.settled(s.v), "tasks just created, none ready: " + s.v.getRollout());
        s.settle("web:1");
        assertTrue(WorkloadViews.settled(s.v), "all 3 ready, rollout " + s.phase());

        s.apply(spec(3, "web:2").build());
        assertFalse(WorkloadViews.settled(s.v), "a rollout to web:2 is under way: " + s.phase());
        s.settle("web:2");
        assertTrue(WorkloadViews.settled(s.v), "web:2 rolled out: " + s.phase());

        s.apply(spec(4, "web:2").build());
        assertFalse(WorkloadViews.settled(s.v), "scaled to 4, the 4th not ready");
        s.settle("web:2");
        assertTrue(WorkloadViews.settled(s.v));

        s.crash("web:2");
        assertFalse(WorkloadViews.settled(s.v), "crashing replicas are not ready");

        WorkloadView paused = WorkloadView.newBuilder(s.v).setRollout(RolloutStatus.newBuilder(s.v.getRollout())
                .setPhase(RolloutPhase.PAUSED.text()).build()).build();
        assertFalse(WorkloadViews.settled(paused), "a paused rollout waits for time (its deadline) too");
        assertFalse(WorkloadViews.settled(WorkloadViews.deleted(s.v)), "a deleted workload is being torn down");
    }

    // ---- revisions and undo -------------------------------------------------------------------

    @Test
    void shouldMakeANewRevisionPerTemplateChangeButNotPerScale() {
        Sim s = new Sim();
        s.apply(spec(3, "web:1").build(), "first");
        s.apply(spec(3, "web:2").build(), "kubectl set image web:2");
        s.apply(spec(5, "web:2").build());
        assertEquals(2, s.v.getRevision(), "scaling makes no revision");
        assertEquals(List.of(1L, 2L), s.v.getHistory().stream().map(Revision::getRevision).toList());
        assertEquals("kubectl set image web:2", s.v.getHistory().get(1).getChangeCause());
        assertEquals(TemplateHash.of(template("web:2")), s.v.getHistory().get(1).getTemplateHash());
        assertEquals(template("web:2"), s.v.getHistory().get(1).getTemplate());
        assertEquals(s.now, s.v.getHistory().get(1).getCreatedAt());
    }

    @Test
    void shouldReuseAnOldRevisionsEntryWhenItsTemplateComesBack() {
        Sim s = new Sim();
        s.apply(spec(1, "web:1").build(), "one");
        s.apply(spec(1, "web:2").build());
        s.apply(spec(1, "web:3").build());
        s.apply(spec(1, "web:1").build());
        assertEquals(4, s.v.getRevision());
        assertEquals(List.of(2L, 3L, 4L), s.v.getHistory().stream().map(Revision::getRevision).toList(), "revision 1 became 4");
        assertEquals("one", s.v.getHistory().get(2).getChangeCause(), "the reused entry keeps its change cause");
        assertEquals(TemplateHash.of(template("web:1")), s.v.getTemplateHash());
    }

    @Test
    void shouldTrimHistoryToTheLimitAndAlwaysKeepTheCurrent() {
        Sim s = new Sim();
        for (int i = 1; i <= 5; i++) s.apply(spec(1, "web:" + i).setRevisionHistoryLimit(2).build());
        assertEquals(List.of(3L, 4L, 5L), s.v.getHistory().stream().map(Revision::getRevision).toList());
        s.apply(spec(1, "web:5").setRevisionHistoryLimit(0).build());
        assertEquals(List.of(5L), s.v.getHistory().stream().map(Revision::getRevision).toList());
    }

    @Test
    void shouldUndoToRevisionNWithExactlyItsTemplate() {
        Sim s = new Sim();
        s.apply(spec(2, "web:1").build());
        s.settle("web:1");
        s.apply(spec(2, "web:2").build());
        s.settle("web:2");
        s.apply(spec(2, "web:3").build());
        s.settle("web:3");

        Revisions.Target t = Revisions.target(s.v, 2);
        assertTrue(t.found());
        s.v = RolloutLifecycle.undo(s.v, t.revision(), s.now);
        assertEquals(template("web:2"), s.v.getDeployment().getTemplate(), "exactly revision 2's template");
        assertEquals(4, s.v.getRevision());
        assertEquals(List.of(1L, 3L, 4L), s.v.getHistory().stream().map(Revision::getRevision).toList());
        s.converge();
        s.settle("web:2");
        assertEquals(2, s.count("web:2"));
        assertEquals(0, s.count("web:3"));
        assertEquals(RolloutPhase.COMPLETE.text(), s.phase());

        assertEquals(3, Revisions.target(s.v, 0).revision().getRevision(), "undo without a revision: the previous one");
        assertEquals("unable to find specified revision 7 in history", Revisions.target(s.v, 7).problem());
        Sim fresh = new Sim();
        fresh.apply(spec(1, "web:1").build());
        assertEquals("no rollout history found for deployment \"web\"", Revisions.target(fresh.v, 0).problem());
    }

    // ---- progress, pause, deadline ------------------------------------------------------------

    @Test
    void shouldReportProgressThenComplete() {
        Sim s = new Sim();
        s.apply(spec(3, "web:1").build());
        assertEquals(RolloutPhase.PROGRESSING.text(), s.phase());
        assertEquals(RolloutLifecycle.NEW_RS_CREATED, s.progressing().getReason());
        s.ready("web:1");
        assertEquals(RolloutPhase.COMPLETE.text(), s.phase());
        assertEquals("NewReplicaSetAvailable", s.progressing().getReason());
        assertEquals("True", s.progressing().getStatus());

        s.apply(spec(3, "web:2").build());
        assertEquals(RolloutLifecycle.NEW_RS_CREATED, s.progressing().getReason());
        s.ready("web:2");
        assertEquals(RolloutLifecycle.RS_UPDATED, s.progressing().getReason());
        s.settle("web:2");
        assertEquals(RolloutPhase.COMPLETE.text(), s.phase());
    }

    @Test
    void shouldHoldTheRolloutWhilePausedAndGoOnWhenResumed() {
        Sim s = new Sim();
        s.apply(spec(3, "web:1").build());
        s.settle("web:1");
        s.apply(spec(3, "web:1").setPaused(true).build());
        assertEquals(RolloutPhase.PAUSED.text(), s.phase());
        assertEquals("Unknown", s.progressing().getStatus());
        assertEquals("DeploymentPaused", s.progressing().getReason());

        s.apply(spec(3, "web:2").setPaused(true).setProgressDeadlineSeconds(5).build());
        s.settle("web:1");
        s.tick(10_000);
        assertEquals(0, s.count("web:2"), "paused: no new template task");
        assertEquals(RolloutPhase.PAUSED.text(), s.phase(), "a paused rollout never times out");

        s.apply(spec(3, "web:2").setProgressDeadlineSeconds(5).build());
        assertEquals(RolloutPhase.PROGRESSING.text(), s.phase(), "resumed");
        assertEquals("True", s.progressing().getStatus());
        assertEquals(1, s.count("web:2"));
        s.settle("web:2");
        assertEquals(RolloutPhase.COMPLETE.text(), s.phase());
        assertEquals(3, s.count("web:2"));
    }

    @Test
    void shouldFailWithProgressDeadlineExceededAndKeepTheFloor() {
        Sim s = new Sim();
        s.apply(spec(3, "web:1").setRollingUpdate(new RollingUpdate("1", "1")).build());
        s.settle("web:1");
        s.apply(spec(3, "web:2").setRollingUpdate(new RollingUpdate("1", "1")).setProgressDeadlineSeconds(10).build());
        long created = s.count("web:2");
        s.tick(9_000);
        assertEquals(RolloutPhase.PROGRESSING.text(), s.phase());
        s.tick(2_000);
        assertEquals(RolloutPhase.FAILED.text(), s.phase());
        assertEquals("False", s.progressing().getStatus());
        assertEquals(RolloutLifecycle.DEADLINE_EXCEEDED, s.progressing().getReason());
        assertEquals("ReplicaSet \"web-" + s.v.getTemplateHash() + "\" has timed out progressing.", s.progressing().getMessage());
        assertEquals(2, s.v.getRollout().getFailedRevision());
        s.tick(5_000);
        assertEquals(created, s.count("web:2"), "no more of the failing revision");
        assertTrue(s.tasks.values().stream().filter(t -> t.available(0, s.now)).count() >= 2, "floor: replicas − maxUnavailable");
    }

    @Test
    void shouldMoveTheProgressClockOnlyWhenCountsImprove() {
        Sim s = new Sim();
        s.apply(spec(3, "web:1").build());
        s.settle("web:1");
        s.apply(spec(3, "web:2").setProgressDeadlineSeconds(10).build());
        s.tick(8_000);
        s.ready("web:2");  // the first new task is available: progress
        long progressAt = s.v.getRollout().getLastProgressAt();
        assertEquals(s.now, progressAt);
        s.tick(8_000);   // 16 s after the start, 8 s after the progress: fine
        assertEquals(RolloutPhase.PROGRESSING.text(), s.phase());
    }

    // ---- failure and automatic rollback -------------------------------------------------------

    @Test
    void shouldFailARolloutWhoseNewPodCrashLoops() {
        Sim s = new Sim();
        s.apply(spec(3, "web:1").build());
        s.settle("web:1");
        s.apply(spec(3, "web:2").build());
        s.crash("web:2");
        assertEquals(RolloutPhase.FAILED.text(), s.phase());
        assertEquals(RolloutLifecycle.ROLLOUT_FAILED, s.progressing().getReason());
        assertEquals("False", s.progressing().getStatus());
        assertTrue(s.v.getRollout().getFailedMessage().contains("restarted 3 times"), s.v.getRollout().getFailedMessage());
        assertEquals(2, s.v.getRevision(), "no automatic rollback unless asked");
        s.tick(5_000);
        assertEquals(1, s.count("web:2"), "the failing revision gets no more tasks");
        assertEquals(3, s.count("web:1"), "old tasks keep serving");
    }

    @Test
    void shouldRollBackAutomaticallyOnceAndNeverLoop() {
        Sim s = new Sim();
        s.apply(spec(3, "web:1").setRollbackOnFailure(true).build());
        s.settle("web:1");
        s.apply(spec(3, "web:2").setRollbackOnFailure(true).build());
        s.crash("web:2");

        assertEquals(RolloutPhase.ROLLED_BACK.text(), s.phase());
        assertEquals(TemplateHash.of(template("web:1")), s.v.getTemplateHash(), "back on revision 1's template");
        assertEquals(3, s.v.getRevision(), "under a new number");
        assertEquals(2, s.v.getRollout().getFailedRevision());
        assertEquals(2, s.v.getRollout().getRolledBackFrom());
        assertEquals(RolloutLifecycle.ROLLOUT_FAILED, s.v.getRollout().getFailedReason());
        assertEquals("True", s.progressing().getStatus());
        assertEquals("RolledBack", s.progressing().getReason());
        assertTrue(s.progressing().getMessage().contains("from revision 2 to revision 1"), s.progressing().getMessage());
        s.settle("web:1");
        assertEquals(0, s.count("web:2"), "the crashing tasks are gone");
        assertEquals(3, s.count("web:1"));
        assertEquals(RolloutPhase.ROLLED_BACK.text(), s.phase(), "the phase stays RolledBack");
        assertEquals(RolloutLifecycle.NEW_RS_AVAILABLE, s.v.getRollout().getReason(), "… and its rollout completed");

    }

    @Test
    void shouldNotRollBackARolledBackToRevisionAgain() {
        RollingUpdate oneOne = new RollingUpdate("1", "1");
        Sim s = new Sim();
        s.apply(spec(3, "web:1").setRollingUpdate(oneOne).setRollbackOnFailure(true).build());
        s.settle("web:1");
        s.apply(spec(3, "web:2").setRollingUpdate(oneOne).setRollbackOnFailure(true).build());
        assertEquals(2, s.count("web:1"), "one old task already went");
        s.crash("web:2");
        assertEquals(RolloutPhase.ROLLED_BACK.text(), s.phase());
        assertEquals(RolloutLifecycle.ROLLED_BACK_REASON, s.v.getRollout().getReason(), "the rollback is still rolling");
        // The rolled-back-to template fails too (say, a dependency died): Failed, no second rollback.
        s.crash("web:1");
        assertEquals(RolloutPhase.FAILED.text(), s.phase(), "a rolled-back-to revision is not rolled back again");
        assertEquals(TemplateHash.of(template("web:1")), s.v.getTemplateHash());
        assertEquals(3, s.v.getRollout().getFailedRevision());
        assertEquals(3, s.v.getRevision());
    }

    @Test
    void shouldNotBlameARolloutForRestartsOfTasksCreatedBeforeIt() {
        RollingUpdate oneOne = new RollingUpdate("1", "1");
        Sim s = new Sim();
        s.apply(spec(3, "web:1").setRollingUpdate(oneOne).build());
        s.settle("web:1");
        // web:1's tasks crashed a while ago and recovered: restartCount 3, ready again
        s.tasks.replaceAll((id, t) -> t.withRestartCount(3));
        s.tick(1_000);
        s.apply(spec(3, "web:2").setRollingUpdate(oneOne).build());
        assertEquals(2, s.count("web:1"), "mid-rollout: web:1's old tasks still run");
        s.apply(spec(3, "web:1").setRollingUpdate(oneOne).build());  // changed my mind: back to web:1
        assertEquals(RolloutPhase.PROGRESSING.text(), s.phase(), "their old restarts do not fail this rollout");
        s.settle("web:1");
        assertEquals(RolloutPhase.COMPLETE.text(), s.phase());
        assertEquals(0, s.v.getRollout().getFailedRevision());
    }

    @Test
    void shouldAbortToTheStableRevision() {
        Sim s = new Sim();
        s.apply(spec(3, "web:1").build());
        s.settle("web:1");
        s.apply(spec(3, "web:2").build());
        RolloutLifecycle.Result r = RolloutLifecycle.abort(s.v, s.now);
        assertTrue(r.ok());
        s.v = r.view();
        assertEquals(RolloutPhase.ABORTED.text(), s.phase());
        assertEquals(1, r.revision());
        assertEquals(TemplateHash.of(template("web:1")), s.v.getTemplateHash());
        s.converge();
        s.settle("web:1");
        assertEquals(0, s.count("web:2"));
        assertFalse(RolloutLifecycle.abort(s.v, s.now).ok(), "nothing left to abort");
    }

    // ---- canary -------------------------------------------------------------------------------

    static DeploymentSpec.Builder canary(String image, CanaryStep... steps) {
        return spec(4, image).setStrategyType("Canary").setCanarySteps(List.of(steps));
    }

    static CanaryStep weight(int w) {
        return CanaryStep.newBuilder().setSetWeight(w).build();
    }

    static CanaryStep pause(int seconds) {
        return CanaryStep.newBuilder().setPause(true).setPauseSeconds(seconds).build();
    }

    @Test
    void shouldWalkCanaryStepsWithPromoteAndTimedPause() {
        CanaryStep[] steps = {weight(25), pause(0), weight(50), pause(10)};
        Sim s = new Sim();
        s.apply(canary("web:1", steps).build());
        s.settle("web:1");
        assertEquals(4, s.count("web:1"), "a first revision goes straight to 100%");

        s.apply(canary("web:2", steps).build());
        assertEquals(1, s.count("web:2"), "25% of 4");
        s.settle("web:2");
        assertEquals(1, s.count("web:2"));
        assertEquals(3, s.count("web:1"));
        assertEquals(1, s.v.getRollout().getCanaryStep());
        assertEquals(RolloutPhase.PAUSED.text(), s.phase());
        assertEquals("Unknown", s.progressing().getStatus());
        s.tick(60_000);
        assertEquals(1, s.count("web:2"), "an indefinite pause waits for a promote");

        RolloutLifecycle.Result promoted = RolloutLifecycle.promote(s.v, false, s.now);
        assertTrue(promoted.ok());
        s.v = promoted.view();
        s.converge();
        s.settle("web:2");
        assertEquals(2, s.count("web:2"), "50% of 4");
        assertEquals(2, s.count("web:1"));
        assertEquals(3, s.v.getRollout().getCanaryStep(), "settling took 5 s of the 10 s pause");
        assertEquals(RolloutPhase.PAUSED.text(), s.phase());
        s.tick(6_000);
        s.settle("web:2");
        assertEquals(4, s.count("web:2"), "after the last step: 100%");
        assertEquals(0, s.count("web:1"));
        assertEquals(RolloutPhase.COMPLETE.text(), s.phase());
        assertEquals(4, s.v.getRollout().getCanaryStep());
    }

    @Test
    void shouldPromoteFullyAndAbortACanary() {
        CanaryStep[] steps = {weight(25), pause(0), weight(50), pause(0)};
        Sim s = new Sim();
        s.apply(canary("web:1", steps).build());
        s.settle("web:1");
        s.apply(canary("web:2", steps).build());
        s.settle("web:2");
        s.v = RolloutLifecycle.promote(s.v, true, s.now).view();
        s.converge();
        s.settle("web:2");
        assertEquals(4, s.count("web:2"), "promote full skips every step");
        assertEquals(RolloutPhase.COMPLETE.text(), s.phase());
        assertFalse(RolloutLifecycle.promote(s.v, false, s.now).ok(), "nothing to promote once complete");

        s.apply(canary("web:3", steps).build());
        s.settle("web:3");
        assertEquals(1, s.count("web:3"));
        s.v = RolloutLifecycle.abort(s.v, s.now).view();
        s.converge();
        s.settle("web:2");
        assertEquals(RolloutPhase.ABORTED.text(), s.phase());
        assertEquals(0, s.count("web:3"));
        assertEquals(4, s.count("web:2"), "back to the stable revision");
        assertEquals(3, s.v.getRollout().getRolledBackFrom());
    }

    @Test
    void shouldBehaveAsARollingUpdateWithoutCanarySteps() {
        Sim s = new Sim();
        s.apply(spec(3, "web:1").setStrategyType("Canary").build());
        s.settle("web:1");
        s.apply(spec(3, "web:2").setStrategyType("Canary").build());
        s.settle("web:2");
        assertEquals(3, s.count("web:2"));
        assertEquals(RolloutPhase.COMPLETE.text(), s.phase());
    }

    // ---- minReadySeconds and update delay -----------------------------------------------------

    @Test
    void shouldCountAvailableOnlyAfterMinReadySeconds() {
        Sim s = new Sim();
        s.apply(spec(2, "web:1").setMinReadySeconds(5).build());
        s.ready("web:1");
        assertEquals(2, s.v.getReadyReplicas());
        assertEquals(0, s.v.getAvailableReplicas());
        assertEquals(RolloutPhase.PROGRESSING.text(), s.phase());
        s.tick(5_000);
        assertEquals(2, s.v.getAvailableReplicas());
        assertEquals(RolloutPhase.COMPLETE.text(), s.phase());

        s.apply(spec(2, "web:2").setMinReadySeconds(5).build());
        s.ready("web:2");
        s.tick(4_000);
        assertEquals(2, s.count("web:1"), "the new task is ready but not yet available: no old one goes");
        s.tick(1_250);
        assertEquals(1, s.count("web:1"));
    }

    @Test
    void shouldWaitTheUpdateDelayBetweenBatches() {
        Sim s = new Sim();
        s.apply(spec(3, "web:1").setUpdateDelaySeconds(10).build());
        s.settle("web:1");
        s.apply(spec(3, "web:2").setUpdateDelaySeconds(10).build());
        assertEquals(1, s.count("web:2"));
        s.ready("web:2");
        assertEquals(2, s.count("web:1"), "the batch is available: an old one goes");
        assertEquals(1, s.count("web:2"), "the next batch waits");
        s.tick(9_500);
        assertEquals(1, s.count("web:2"));
        s.tick(750);
        assertEquals(2, s.count("web:2"), "10 s later the next batch starts");
    }
}
