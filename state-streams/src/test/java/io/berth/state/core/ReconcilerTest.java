package io.berth.state.core;

import io.berth.schemas.avro.TaskPhase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.berth.schemas.avro.TaskPhase.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Table tests of {@link Reconciler#reconcile}: (workload, tasks, ready nodes) → expected steps. */
class ReconcilerTest {
    private static final long NOW = 1_000_000L;
    private static final Set<String> UP = Set.of("n1", "n2", "n3");
    private static final WorkloadDesired WEB = WorkloadDesired.deployment("web", "uid-1", 3, "hash000000", 10);
    private static final WorkloadDesired POD = WorkloadDesired.pod("dbg", "uid-2", "hash000000", 1);

    static TaskActual t(String id, TaskPhase phase, String node, boolean ready, long seq) {
        return new TaskActual(id, phase, node, ready, seq, "hash000000", false);
    }

    static TaskActual old(String id, String node, long seq) {
        return running(id, node, seq).withHash("oldhash000");
    }

    static TaskActual running(String id, String node, long seq) {
        return t(id, RUNNING, node, true, seq);
    }

    static TaskActual pending(String id, long seq) {
        return t(id, PENDING, "", false, seq);
    }

    /** Expected steps in a compact form: creations, stops as "id:PHASE:reason[:now]", forgotten ids, gone. */
    record Expect(int create, List<String> stops, List<String> forget, boolean gone) {
        static Expect of(int create, String... stops) {
            return new Expect(create, List.of(stops), List.of(), false);
        }

        Expect forgetting(String... ids) {
            return new Expect(create, stops, List.of(ids), gone);
        }

        Expect andGone() {
            return new Expect(create, stops, forget, true);
        }
    }

    static Stream<Arguments> table() {
        return Stream.of(
                arguments("fresh deployment of 3 creates 3", WEB, List.of(), UP, Expect.of(3)),
                arguments("converged: nothing to do", WEB,
                        List.of(running("a", "n1", 1), running("b", "n2", 2), running("c", "n3", 3)), UP, Expect.of(0)),
                arguments("task on a down node is lost and replaced", WEB,
                        List.of(running("a", "n1", 1), running("b", "n2", 2), running("c", "n3", 3)), Set.of("n1", "n2"),
                        Expect.of(1, "c:LOST:NodeLost:now")),
                arguments("failed task is stopped and replaced", WEB,
                        List.of(running("a", "n1", 1), running("b", "n2", 2), t("c", FAILED, "n3", false, 3)), UP,
                        Expect.of(1, "c:TERMINATING:Failed:now")),
                arguments("a fresh failure holds its slot for a while: no replacement yet", WEB,
                        List.of(running("a", "n1", 1), running("b", "n2", 2),
                                new TaskActual("c", FAILED, "n3", false, 3, "hash000000", false, NOW - 1_000)), UP, Expect.of(0)),
                arguments("a held failure is the first to go on scale-down", WEB.withReplicas(2),
                        List.of(running("a", "n1", 1), running("b", "n2", 2),
                                new TaskActual("c", FAILED, "n3", false, 3, "hash000000", false, NOW - 1_000)), UP,
                        Expect.of(0, "c:TERMINATING:ScaledDown")),
                // pinned from a jqwik counterexample: Place, Fail, NodeDown, Scale 0
                arguments("a held failure on a down node is dropped at once on scale-down", WEB.withReplicas(0),
                        List.of(new TaskActual("c", FAILED, "n3", false, 3, "hash000000", false, NOW - 1_000)), Set.of("n1"),
                        Expect.of(0, "c:TERMINATING:ScaledDown:now")),
                // Rolling update, 3 replicas, surge 1, unavailable 0 (25%/25% of 3): old tasks run "oldhash000".
                arguments("rollout step 1: surge one new task, keep every old one", WEB.withRollout(new RolloutPolicy(false, 1, 0)),
                        List.of(old("a", "n1", 1), old("b", "n2", 2), old("c", "n3", 3)), UP, Expect.of(1)),
                arguments("rollout step 2: new one not ready yet, nothing to do", WEB.withRollout(new RolloutPolicy(false, 1, 0)),
                        List.of(old("a", "n1", 1), old("b", "n2", 2), old("c", "n3", 3), t("d", RUNNING, "n1", false, 10)), UP,
                        Expect.of(0)),
                arguments("rollout step 3: new one ready, newest old one goes and the next new one comes", WEB.withRollout(new RolloutPolicy(false, 1, 0)),
                        List.of(old("a", "n1", 1), old("b", "n2", 2), old("c", "n3", 3), running("d", "n1", 10)), UP,
                        Expect.of(1, "c:TERMINATING:Superseded")),
                arguments("rollout with unavailable 1: stop one old, create up to replicas + surge", WEB.withRollout(new RolloutPolicy(false, 1, 1)),
                        List.of(old("a", "n1", 1), old("b", "n2", 2), old("c", "n3", 3)), UP,
                        Expect.of(2, "c:TERMINATING:Superseded")),
                arguments("rollout: old tasks that are not ready go first, whatever the floor", WEB.withRollout(new RolloutPolicy(false, 1, 0)),
                        List.of(old("a", "n1", 1), old("b", "n2", 2), t("c", RUNNING, "n3", false, 3).withHash("oldhash000")), UP,
                        Expect.of(2, "c:TERMINATING:Superseded")),
                arguments("recreate: stop every old task and create the new ones at once", WEB.withRollout(RolloutPolicy.recreateAll()),
                        List.of(old("a", "n1", 1), old("b", "n2", 2), old("c", "n3", 3)), UP,
                        Expect.of(3, "a:TERMINATING:Superseded", "b:TERMINATING:Superseded", "c:TERMINATING:Superseded")),
                arguments("deleted pod is stopped and replaced", WEB,
                        List.of(running("a", "n1", 1), running("b", "n2", 2),
                                new TaskActual("c", RUNNING, "n3", true, 3, "hash000000", true)), UP,
                        Expect.of(1, "c:TERMINATING:Deleted")),
                arguments("terminating task waits for REMOVED while its node is up", WEB,
                        List.of(running("a", "n1", 1), running("b", "n2", 2), running("c", "n3", 3), t("d", TERMINATING, "n1", false, 4)),
                        UP, Expect.of(0)),
                arguments("terminating task on a down node is forgotten", WEB,
                        List.of(running("a", "n1", 1), running("b", "n2", 2), running("c", "n2", 3), t("d", TERMINATING, "n3", false, 4)),
                        Set.of("n1", "n2"), Expect.of(0).forgetting("d")),
                arguments("scale-down removes pending, then not ready", WEB.withReplicas(2),
                        List.of(running("a", "n1", 1), t("b", RUNNING, "n2", false, 2), running("c", "n3", 3), pending("d", 4)),
                        UP, Expect.of(0, "d:TERMINATING:ScaledDown:now", "b:TERMINATING:ScaledDown")),
                arguments("scale-down takes from the busiest node, newest first", WEB.withReplicas(2),
                        List.of(running("a", "n1", 1), running("b", "n1", 2), running("c", "n1", 3), running("d", "n2", 4)),
                        UP, Expect.of(0, "c:TERMINATING:ScaledDown", "b:TERMINATING:ScaledDown")),
                arguments("scale-down on a node tie picks the lowest node id's newest", WEB.withReplicas(1),
                        List.of(running("a", "n2", 1), running("b", "n1", 2)), UP,
                        Expect.of(0, "b:TERMINATING:ScaledDown")),
                arguments("deleted deployment stops all; unplaced go at once", WEB.withDeleted(true),
                        List.of(running("a", "n1", 1), pending("b", 2)), UP,
                        Expect.of(0, "a:TERMINATING:WorkloadDeleted", "b:TERMINATING:WorkloadDeleted:now")),
                arguments("deleted deployment with nothing placed is gone", WEB.withDeleted(true),
                        List.of(pending("a", 1), t("b", TERMINATING, "n2", false, 2)), Set.of("n1"),
                        Expect.of(0, "a:TERMINATING:WorkloadDeleted:now").forgetting("b").andGone()),
                arguments("bare pod is created once", POD.withNextTaskSeq(0), List.of(), UP, Expect.of(1)),
                arguments("bare pod is never recreated", POD, List.of(), UP, Expect.of(0)),
                arguments("bare pod keeps its failure", POD, List.of(t("p", FAILED, "n1", false, 0)), UP, Expect.of(0)),
                arguments("bare pod on a down node is lost but kept as status", POD,
                        List.of(running("p", "n1", 0)), Set.of(), Expect.of(0, "p:LOST:NodeLost")),
                arguments("deleted bare pod that is lost is forgotten and gone", POD.withDeleted(true),
                        List.of(t("p", LOST, "n1", false, 0)), UP, Expect.of(0).forgetting("p").andGone())
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void shouldReconcile(String name, WorkloadDesired desired, List<TaskActual> tasks, Set<String> ready, Expect expect) {
        Steps steps = Reconciler.reconcile(desired, tasks, ready, NOW);
        assertEquals(expect.create(), steps.create().size(), "creations");
        assertEquals(expect.stops(), steps.stop().stream()
                .map(s -> s.taskId() + ":" + s.phase() + ":" + s.reason() + (s.removeNow() ? ":now" : "")).toList(), "stops");
        assertEquals(expect.forget(), steps.forget(), "forgotten");
        assertEquals(expect.gone(), steps.workloadGone(), "workload gone");
        assertEquals(desired.nextTaskSeq() + expect.create(), steps.nextTaskSeq(), "sequence advances by the creations");
    }

    // Drain of n1: 4 replicas, surge 1, unavailable 1 (Kubernetes' 25%/25% of 4, and the e2e's manifest).
    private static final WorkloadDesired WEB4 = WEB.withReplicas(4).withRollout(new RolloutPolicy(false, 1, 1));
    private static final Set<String> N1 = Set.of("n1");

    static Stream<Arguments> drainTable() {
        return Stream.of(
                arguments("drain step 1: one surge replacement, nothing stopped yet", WEB4,
                        List.of(running("a", "n1", 1), running("b", "n1", 2), running("c", "n2", 3), running("d", "n3", 4)),
                        Expect.of(1)),
                arguments("drain step 2: the replacement is not ready: wait", WEB4,
                        List.of(running("a", "n1", 1), running("b", "n1", 2), running("c", "n2", 3), running("d", "n3", 4),
                                t("e", RUNNING, "n2", false, 10)), Expect.of(0)),
                arguments("drain step 3: replacement ready: the newest on n1 goes, the next replacement comes", WEB4,
                        List.of(running("a", "n1", 1), running("b", "n1", 2), running("c", "n2", 3), running("d", "n3", 4),
                                running("e", "n2", 10)), Expect.of(1, "b:TERMINATING:Evicted")),
                arguments("drain step 4: the last one on n1 goes once its replacement is ready", WEB4,
                        List.of(running("a", "n1", 1), running("c", "n2", 3), running("d", "n3", 4), running("e", "n2", 10),
                                running("f", "n3", 11)), Expect.of(0, "a:TERMINATING:Evicted")),
                arguments("drain: both replacements ready at once: both go", WEB4,
                        List.of(running("a", "n1", 1), running("b", "n1", 2), running("c", "n2", 3), running("d", "n3", 4),
                                running("e", "n2", 10), running("f", "n3", 11)),
                        Expect.of(0, "b:TERMINATING:Evicted", "a:TERMINATING:Evicted")),
                arguments("drain: a task on the drained node that is not ready still waits for its replacement", WEB4,
                        List.of(t("a", RUNNING, "n1", false, 1), running("c", "n2", 3), running("d", "n3", 4), running("e", "n2", 5)),
                        Expect.of(1)),
                arguments("drain: not-ready one goes first once covered", WEB4,
                        List.of(t("a", RUNNING, "n1", false, 1), running("b", "n1", 2), running("c", "n2", 3), running("d", "n3", 4),
                                running("e", "n2", 10)), Expect.of(1, "a:TERMINATING:Evicted")),
                arguments("drain: the budget holds when other tasks are not ready", WEB4,
                        List.of(running("a", "n1", 1), t("c", RUNNING, "n2", false, 3), running("d", "n3", 4), running("e", "n2", 10),
                                t("f", RUNNING, "n3", false, 11)), Expect.of(0)),
                arguments("drain: nothing on the drained node: plain reconcile", WEB4,
                        List.of(running("a", "n2", 1), running("b", "n2", 2), running("c", "n3", 3), running("d", "n3", 4)),
                        Expect.of(0)),
                arguments("drain with scale-down: the drained node's tasks are the surplus", WEB4.withReplicas(2),
                        List.of(running("a", "n1", 1), running("b", "n1", 2), running("c", "n2", 3), running("d", "n3", 4)),
                        Expect.of(0, "b:TERMINATING:Evicted", "a:TERMINATING:Evicted")),
                arguments("drain of a bare pod: stopped at once, not replaced", POD,
                        List.of(running("p", "n1", 0)), Expect.of(0, "p:TERMINATING:Evicted")),
                arguments("drained node goes down: its tasks are lost and replaced as usual", WEB4,
                        List.of(running("a", "n1", 1), running("b", "n1", 2), running("c", "n2", 3), running("d", "n3", 4)),
                        Expect.of(2, "a:LOST:NodeLost:now", "b:LOST:NodeLost:now"))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drainTable")
    void shouldDrainWithinTheBudget(String name, WorkloadDesired desired, List<TaskActual> tasks, Expect expect) {
        Set<String> ready = name.contains("goes down") ? Set.of("n2", "n3") : UP;
        Steps steps = Reconciler.reconcile(desired, tasks, ready, N1, NOW);
        assertEquals(expect.create(), steps.create().size(), "creations");
        assertEquals(expect.stops(), steps.stop().stream()
                .map(s -> s.taskId() + ":" + s.phase() + ":" + s.reason() + (s.removeNow() ? ":now" : "")).toList(), "stops");
        assertEquals(expect.forget(), steps.forget(), "forgotten");
    }
}
