package io.berth.state.core;

import io.berth.schemas.avro.TaskPhase;
import net.jqwik.api.*;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The rollout bounds over random schedules: tasks are placed, turn ready and unready, crash and
 * fail; the clock jumps (minReadySeconds, update delay); templates change; the deployment scales;
 * the rollout is paused and resumed and its new-template target moves (canary weights, a failed
 * revision's hold). After every reconcile step, with the steps applied as the adapter does:
 * <ul>
 *   <li>live tasks ≤ replicas + maxSurge, whenever that held before the step;</li>
 *   <li>available tasks ≥ replicas − maxUnavailable, whenever that held before the step
 *       (a rolling update; Recreate stops everything by definition).</li>
 * </ul>
 */
class RolloutPropertiesTest {
    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final Set<String> UP = Set.copyOf(NODES);

    sealed interface Event permits Place, Ready, Unready, Crash, Fail, Removed, Tick, NewTemplate, Scale, Target, Pause {}
    record Place(int task, int node) implements Event {}
    record Ready(int task) implements Event {}
    record Unready(int task) implements Event {}
    record Crash(int task) implements Event {}
    record Fail(int task) implements Event {}
    record Removed(int task) implements Event {}
    record Tick(long ms) implements Event {}
    record NewTemplate() implements Event {}
    record Scale(int replicas) implements Event {}
    /** A canary weight's target (0..7), ALL, or HOLD (a failed revision). */
    record Target(int target) implements Event {}
    record Pause(boolean paused) implements Event {}

    @Provide
    Arbitrary<List<Event>> schedules() {
        Arbitrary<Integer> task = Arbitraries.integers().between(0, 11);
        Arbitrary<Event> event = Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(task, Arbitraries.integers().between(0, 2)).as(Place::new)),
                Tuple.of(5, task.map(Ready::new)),
                Tuple.of(2, task.map(Unready::new)),
                Tuple.of(2, task.map(Crash::new)),
                Tuple.of(1, task.map(Fail::new)),
                Tuple.of(3, task.map(Removed::new)),
                Tuple.of(3, Arbitraries.of(250L, 1_000L, 2_500L, 6_000L).map(Tick::new)),
                Tuple.of(2, Arbitraries.just(new NewTemplate())),
                Tuple.of(1, Arbitraries.integers().between(0, 7).map(Scale::new)),
                Tuple.of(1, Arbitraries.integers().between(-2, 7).map(Target::new)),
                Tuple.of(1, Arbitraries.of(true, false).map(Pause::new)));
        return event.list().ofMaxSize(80);
    }

    @Provide
    Arbitrary<RolloutPolicy> policies() {
        Arbitrary<Integer> bound = Arbitraries.integers().between(0, 3);
        return Combinators.combine(bound, bound, Arbitraries.of(0L, 2_000L), Arbitraries.of(0L, 3_000L), Arbitraries.of(false, false, false, true))
                .as((surge, unavailable, minReady, delay, recreate) -> recreate ? RolloutPolicy.recreateAll().withMinReadyMs(minReady)
                        : new RolloutPolicy(false, surge, surge + unavailable == 0 ? 1 : unavailable)
                        .withMinReadyMs(minReady).withUpdateDelayMs(delay));
    }

    @Property(tries = 600)
    void shouldKeepEveryStepWithinSurgeAndUnavailable(@ForAll("schedules") List<Event> schedule, @ForAll("policies") RolloutPolicy policy) {
        Sim w = new Sim(WorkloadDesired.deployment("web", "uid-1", 4, "hash000000", 0).withRollout(policy));
        w.step();
        for (Event e : schedule) {
            w.clock += 250;
            w.apply(e);
            w.step();
        }
    }

    /** The tasks as the views hold them; nodes never die here (the reconciler's own property covers that). */
    static final class Sim {
        WorkloadDesired desired;
        long clock = 1_000_000;
        int templates = 0;
        final Map<String, TaskActual> tasks = new LinkedHashMap<>();

        Sim(WorkloadDesired desired) {
            this.desired = desired;
        }

        RolloutPolicy p() {
            return desired.rollout();
        }

        /** What the reconciler counts as live: not leaving, not deleted, a failure only while it holds its slot. */
        List<TaskActual> live() {
            return tasks.values().stream().filter(t -> !t.leaving() && !t.deleteAsked())
                    .filter(t -> !t.terminal() || clock - t.changedAt() < Reconciler.FAILED_HOLD_MS).toList();
        }

        long available(Collection<TaskActual> ts) {
            return ts.stream().filter(t -> t.available(p().minReadyMs(), clock)).count();
        }

        void step() {
            int replicas = desired.replicas();
            int ceiling = replicas + p().maxSurge();
            int floor = replicas - p().maxUnavailable();
            List<TaskActual> before = live();
            long availableBefore = available(before);

            Steps s = Reconciler.reconcile(desired, List.copyOf(tasks.values()), UP, clock);
            Set<String> stopped = new HashSet<>();
            s.stop().forEach(x -> stopped.add(x.taskId()));
            for (Steps.Stop stop : s.stop()) {
                TaskActual t = tasks.get(stop.taskId());
                if (stop.removeNow()) tasks.remove(t.taskId());
                else tasks.put(t.taskId(), new TaskActual(t.taskId(), stop.phase(), t.nodeId(), false, t.seq(), t.templateHash(),
                        false, clock, 0, t.restartCount()));
            }
            s.forget().forEach(tasks::remove);
            for (Steps.NewTask n : s.create()) {
                assertFalse(tasks.containsKey(n.taskId()), "task id reused: " + n.taskId());
                tasks.put(n.taskId(), new TaskActual(n.taskId(), TaskPhase.PENDING, "", false, n.seq(), desired.templateHash(), false, clock));
            }
            desired = desired.withNextTaskSeq(s.nextTaskSeq());

            List<TaskActual> after = live();
            if (before.size() <= ceiling) {
                assertTrue(after.size() <= ceiling, "live " + before.size() + " -> " + after.size() + " above replicas + maxSurge = "
                        + ceiling + "\n" + desired + "\n" + before + "\n" + s);
            }
            long availableAfter = available(before.stream().filter(t -> !stopped.contains(t.taskId())).toList());
            if (!p().recreate() && availableBefore >= floor) {
                assertTrue(availableAfter >= floor, "available " + availableBefore + " -> " + availableAfter + " below replicas − maxUnavailable = "
                        + floor + "\n" + desired + "\n" + before + "\n" + s);
            }
        }

        void apply(Event e) {
            List<TaskActual> all = List.copyOf(tasks.values());
            if (e instanceof Tick t) {
                clock += t.ms();
            } else if (e instanceof NewTemplate) {
                desired = desired.withTemplateHash(String.format("hash%06d", ++templates));
            } else if (e instanceof Scale s) {
                desired = desired.withReplicas(s.replicas());
            } else if (e instanceof Target t) {
                if (!p().recreate()) desired = desired.withRollout(p().withNewTarget(t.target() < 0 ? t.target() : t.target()));
            } else if (e instanceof Pause p) {
                desired = desired.withRollout(p().withPaused(p.paused()));
            } else if (all.isEmpty()) {
                return;
            } else if (e instanceof Place p) {
                TaskActual t = at(all, p.task());
                if (t.phase() == TaskPhase.PENDING) put(t, TaskPhase.SCHEDULED, NODES.get(p.node()), false, 0, t.restartCount());
            } else if (e instanceof Ready r) {
                TaskActual t = at(all, r.task());
                if (t.placed() && !t.leaving() && !t.terminal() && !t.ready()) put(t, TaskPhase.RUNNING, t.nodeId(), true, clock, t.restartCount());
            } else if (e instanceof Unready u) {
                TaskActual t = at(all, u.task());
                if (t.ready() && !t.leaving()) put(t, TaskPhase.RUNNING, t.nodeId(), false, 0, t.restartCount());
            } else if (e instanceof Crash c) {
                TaskActual t = at(all, c.task());
                if (t.placed() && !t.leaving() && !t.terminal()) put(t, TaskPhase.RUNNING, t.nodeId(), false, 0, t.restartCount() + 1);
            } else if (e instanceof Fail f) {
                TaskActual t = at(all, f.task());
                if (t.placed() && !t.leaving()) put(t, TaskPhase.FAILED, t.nodeId(), false, 0, t.restartCount());
            } else if (e instanceof Removed r) {
                TaskActual t = at(all, r.task());
                if (t.phase() == TaskPhase.TERMINATING) tasks.remove(t.taskId());
            }
        }

        private void put(TaskActual t, TaskPhase phase, String node, boolean ready, long readyAt, int restarts) {
            tasks.put(t.taskId(), new TaskActual(t.taskId(), phase, node, ready, t.seq(), t.templateHash(), false, clock, readyAt, restarts));
        }

        private static TaskActual at(List<TaskActual> all, int i) {
            return all.get(i % all.size());
        }
    }
}
