package io.berth.state.core;

import io.berth.schemas.avro.TaskPhase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Table tests of the rollout arithmetic in the style of Kubernetes'
 * pkg/controller/deployment/rolling_test.go (TestNewRSNewReplicas, TestReconcileOldReplicaSets):
 * each row is (replicas, maxSurge, maxUnavailable, old ready/not ready, new ready/not ready) →
 * (new tasks to create, old tasks to stop). Old tasks run "oldhash000", new ones "newhash000".
 */
class RolloutArithmeticTest {
    private static final long NOW = 1_000_000L;
    private static final Set<String> UP = Set.of("n1", "n2", "n3");

    /** Tasks of both templates; ready ones became ready {@code readyAgoMs} before NOW. */
    static List<TaskActual> tasks(int oldReady, int oldNotReady, int newReady, int newNotReady, long readyAgoMs) {
        List<TaskActual> out = new ArrayList<>();
        int seq = 0;
        for (int i = 0; i < oldReady; i++) out.add(task("old", seq++, true, 600_000));
        for (int i = 0; i < oldNotReady; i++) out.add(task("old", seq++, false, 0));
        for (int i = 0; i < newReady; i++) out.add(task("new", seq++, true, readyAgoMs));
        for (int i = 0; i < newNotReady; i++) out.add(task("new", seq++, false, 0));
        return out;
    }

    static TaskActual task(String gen, int seq, boolean ready, long readyAgoMs) {
        return new TaskActual(gen + "-" + seq, TaskPhase.RUNNING, "n" + (1 + seq % 3), ready, seq, gen + "hash000", false, 0,
                ready ? NOW - readyAgoMs : 0, 0);
    }

    static WorkloadDesired web(int replicas, RolloutPolicy p) {
        return WorkloadDesired.deployment("web", "uid-1", replicas, "newhash000", 100).withRollout(p);
    }

    static String outcome(WorkloadDesired d, List<TaskActual> tasks) {
        Steps s = Reconciler.reconcile(d, tasks, UP, NOW);
        long stopOld = s.stop().stream().filter(x -> x.taskId().startsWith("old")).count();
        long stopNew = s.stop().stream().filter(x -> x.taskId().startsWith("new")).count();
        return s.create().size() + "/" + stopOld + (stopNew > 0 ? "/" + stopNew : "");
    }

    @ParameterizedTest(name = "{0} replicas, surge {1}, unavailable {2}: old {3}+{4}, new {5}+{6} -> {7}")
    @CsvSource({
            // replicas, surge, unavail, oldReady, oldNotReady, newReady, newNotReady, create/stopOld
            // scale up the new set (TestNewRSNewReplicas): bounded by replicas + surge
            "1, 1, 0, 1, 0, 0, 0, 1/0",
            "3, 1, 0, 3, 0, 0, 0, 1/0",
            "10, 3, 2, 10, 0, 0, 0, 5/2",   // 2 old go (floor 8), 13 − 8 remaining = 5 new
            "10, 0, 2, 10, 0, 0, 0, 2/2",   // no surge: each old stop makes room for one new
            "10, 3, 0, 10, 0, 0, 0, 3/0",
            "10, 3, 0, 10, 0, 3, 0, 3/3",   // 3 new available: 3 old go, 3 more new come
            "3, 1, 0, 3, 0, 1, 0, 1/1",
            "3, 1, 0, 3, 0, 0, 1, 0/0",     // the surge task is not ready yet: wait
            "3, 1, 0, 2, 0, 1, 0, 1/0",     // old already 2: one more new up to replicas + surge
            // scale down the old set (TestReconcileOldReplicaSets): not-ready old ones go first, whatever the floor
            "3, 1, 0, 2, 1, 0, 0, 2/1",
            "10, 2, 2, 8, 2, 0, 0, 4/2",    // the 2 not ready go; 8 ready = the floor, so no ready one; 12 − 8 = 4 new
            "10, 2, 2, 2, 0, 6, 2, 2/0",    // 8 available = floor: nothing more may go; total 10 < 12: 2 new
            "10, 2, 2, 2, 0, 7, 1, 2/1",
            "5, 0, 1, 0, 0, 4, 1, 0/0",     // no old left, new not ready: nothing to do (no rollout)
            "4, 1, 1, 4, 0, 0, 0, 2/1",
            "2, 0, 1, 2, 0, 0, 0, 1/1",
    })
    void shouldStepWithinSurgeAndUnavailable(int replicas, int surge, int unavailable, int oldReady, int oldNotReady,
                                              int newReady, int newNotReady, String expected) {
        WorkloadDesired d = web(replicas, new RolloutPolicy(false, surge, unavailable));
        assertEquals(expected, outcome(d, tasks(oldReady, oldNotReady, newReady, newNotReady, 60_000)));
    }

    @ParameterizedTest(name = "{0} of {2} replicas → surge {3}, unavailable {4}")
    @CsvSource({
            "25%, 25%, 10, 3, 2",   // surge rounds up, unavailable down
            "25%, 25%, 4, 1, 1",
            "25%, 25%, 3, 1, 0",
            "25%, 25%, 1, 1, 0",
            "30%, 30%, 5, 2, 1",
            "10%, 10%, 5, 1, 0",
            "0%, 0%, 10, 0, 1",     // both zero: unavailable becomes 1 so the rollout can move
            "0, 0, 3, 0, 1",
            "0, 1, 3, 0, 1",
            "2, 0, 3, 2, 0",
            "100%, 0%, 3, 3, 0",
            "0%, 100%, 3, 0, 3",
            "50%, 50%, 1, 1, 0",
            "bad, 1, 3, 0, 1",      // unparseable counts as 0 (the gateway refuses it first)
    })
    void shouldResolvePercentagesAsKubernetesDoes(String surge, String unavailable, int replicas, int expectSurge, int expectUnavailable) {
        RolloutPolicy p = RolloutPolicy.rollingUpdate(surge, unavailable, replicas);
        assertEquals(expectSurge, p.maxSurge(), "surge");
        assertEquals(expectUnavailable, p.maxUnavailable(), "unavailable");
    }

    @ParameterizedTest(name = "weight {0}% of {1} → {2}")
    @CsvSource({"0, 10, 0", "10, 10, 1", "10, 4, 1", "1, 100, 1", "25, 4, 1", "50, 5, 3", "33, 3, 1", "100, 7, 7", "150, 3, 3", "20, 0, 0"})
    void shouldRoundCanaryWeightsUpWithAtLeastOneTask(int weight, int replicas, int expected) {
        assertEquals(expected, RolloutPolicy.canaryTarget(weight, replicas));
    }

    @ParameterizedTest(name = "canary target {3} of {0}, surge {1}, unavailable {2}: old {4}, new {5}+{6} -> {7}")
    @CsvSource({
            // replicas, surge, unavail, target, oldReady, newReady, newNotReady, create/stopOld[/stopNew]
            "4, 1, 0, 1, 4, 0, 0, 1/0",     // 25% of 4: one canary (surge)
            "4, 1, 0, 1, 4, 1, 0, 0/1",     // canary available: one old goes, old kept at 3
            "4, 1, 0, 1, 3, 1, 0, 0/0",     // the step is done: nothing more
            "10, 3, 2, 5, 10, 0, 0, 5/2",   // 50% of 10: as far as the bounds allow
            "10, 3, 2, 5, 8, 5, 0, 0/3",    // new 5 available: old down to 5
            "10, 3, 2, 5, 5, 5, 0, 0/0",
            "10, 1, 0, 0, 10, 0, 0, 0/0",   // weight 0 (a leading pause): nothing new
            "4, 1, 0, 1, 2, 1, 0, 1/0",     // an old one was lost: its slot is filled with the new template
            "4, 1, 1, 1, 3, 3, 0, 0/0/2",   // weight lowered (or scaled down): surplus new tasks go within the floor
    })
    void shouldAimAtTheCanaryWeight(int replicas, int surge, int unavailable, int target, int oldReady, int newReady,
                                    int newNotReady, String expected) {
        WorkloadDesired d = web(replicas, new RolloutPolicy(false, surge, unavailable).withNewTarget(target));
        assertEquals(expected, outcome(d, tasks(oldReady, 0, newReady, newNotReady, 60_000)));
    }

    @ParameterizedTest(name = "minReady {0} ms, ready {1} ms ago -> {2}")
    @CsvSource({
            "0, 0, 1/1",            // ready now = available now
            "10000, 5000, 0/0",     // ready 5 s of 10 s: not available yet, the old one stays
            "10000, 10000, 1/1",
            "10000, 60000, 1/1",
    })
    void shouldCountATaskAvailableOnlyAfterMinReady(long minReadyMs, long readyAgoMs, String expected) {
        WorkloadDesired d = web(3, new RolloutPolicy(false, 1, 0).withMinReadyMs(minReadyMs));
        assertEquals(expected, outcome(d, tasks(3, 0, 1, 0, readyAgoMs)));
        TaskActual canary = task("new", 9, true, readyAgoMs);
        assertEquals(expected.startsWith("1"), canary.available(minReadyMs, NOW), "available only after minReadySeconds");
        assertEquals(NOW - readyAgoMs + minReadyMs, canary.availableSince(minReadyMs));
    }

    @ParameterizedTest(name = "delay {0} ms, last new available {1} ms ago -> {2}")
    @CsvSource({
            "0, 1000, 1/1",
            "10000, 1000, 0/1",     // the old one goes, the next batch waits
            "10000, 10000, 1/1",
            "10000, 30000, 1/1",
    })
    void shouldWaitTheUpdateDelayBeforeTheNextBatch(long delayMs, long availableAgoMs, String expected) {
        WorkloadDesired d = web(3, new RolloutPolicy(false, 1, 0).withUpdateDelayMs(delayMs));
        assertEquals(expected, outcome(d, tasks(3, 0, 1, 0, availableAgoMs)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // paused: no rollout step; scaling only, within replicas..replicas + surge (Kubernetes' proportional scaling bounds)
            "paused mid-rollout, 3, 3, 1, 0/0",
            "paused with a lost task, 3, 1, 1, 1/0",
            "paused and scaled down, 1, 2, 1, 0/1",
    })
    void shouldOnlyScaleWhilePaused(String name, int replicas, int oldReady, int newReady, String expected) {
        WorkloadDesired d = web(replicas, new RolloutPolicy(false, 1, 0).withPaused(true));
        assertEquals(expected, outcome(d, tasks(oldReady, 0, newReady, 0, 60_000)));
    }

    @ParameterizedTest(name = "failed revision: old {0}, new {1}+{2} -> {3}")
    @CsvSource({
            // 3 replicas, surge 1, unavailable 1, HOLD: no more of the failing template beyond the created ones
            "3, 0, 1, 0/1",     // the crashing new one stays; one old may go (floor 2), no new one
            "2, 0, 1, 0/0",     // floor reached: keep it
            "3, 0, 0, 0/0",     // nothing created yet: nothing more
            "1, 1, 1, 0/0",
            "1, 0, 1, 1/0",     // an old one was lost: replaced (Kubernetes keeps trying), total stays ≤ 4
    })
    void shouldHoldAFailedRevision(int oldReady, int newReady, int newNotReady, String expected) {
        WorkloadDesired d = web(3, new RolloutPolicy(false, 1, 1).withNewTarget(RolloutPolicy.HOLD));
        assertEquals(expected, outcome(d, tasks(oldReady, 0, newReady, newNotReady, 60_000)));
    }

    /** Values only a producer writing straight to the bus could send: never a negative or overflowed step. */
    @ParameterizedTest(name = "{0} replicas, maxSurge {1}, maxUnavailable {2} -> surge {3}, unavailable {4}")
    @CsvSource({
            "10, 25%, 25%, 3, 2",
            "10000, 2147483647%, 100%, 536870911, 10000",
            "10000, 2147483647, 0, 536870911, 0",
            "2147483647, 100%, 100%, 536870911, 536870911",
            "3, 99999999999999999999, 1, 0, 1",
            "3, -5, -5%, 0, 1",
            "10, 50%, 2147483647%, 5, 214748364"})
    void shouldResolveRolloutBoundsWithoutOverflow(int replicas, String surge, String unavailable, int expectSurge, int expectUnavailable) {
        RolloutPolicy p = RolloutPolicy.rollingUpdate(surge, unavailable, replicas);
        assertEquals(expectSurge, p.maxSurge());
        assertEquals(expectUnavailable, p.maxUnavailable());
    }

    @ParameterizedTest(name = "weight {0}% of {1} -> {2}")
    @CsvSource({"10, 4, 1", "50, 5, 3", "0, 10, 0", "100, 7, 7", "2147483647, 10000, 10000", "100, 2147483647, 536870911"})
    void shouldComputeACanaryTargetWithoutOverflow(int weight, int replicas, int expected) {
        assertEquals(expected, RolloutPolicy.canaryTarget(weight, replicas));
    }
}
