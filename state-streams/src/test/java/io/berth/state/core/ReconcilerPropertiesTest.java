package io.berth.state.core;

import io.berth.schemas.avro.TaskPhase;
import net.jqwik.api.*;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Invariants of {@link Reconciler} over random histories: a simulated cluster (3 nodes, one
 * deployment) receives random events; after each one the reconciler runs and its steps are applied
 * as the adapter would. A failing history is shrunk by jqwik and can be pinned as a table row.
 */
class ReconcilerPropertiesTest {
    private static final List<String> NODES = List.of("n1", "n2", "n3");

    /** What can happen between two reconciles. */
    sealed interface Event permits Scale, NodeDown, NodeUp, Place, Ready, Fail, Delete, Removed, NewTemplate, DrainNode, Uncordon {}
    record Scale(int replicas) implements Event {}
    record NodeDown(int node) implements Event {}
    record NodeUp(int node) implements Event {}
    record Place(int task, int node) implements Event {}
    record Ready(int task) implements Event {}
    record Fail(int task) implements Event {}
    record Delete(int task) implements Event {}
    record Removed(int task) implements Event {}
    record NewTemplate() implements Event {}
    record DrainNode(int node) implements Event {}
    record Uncordon(int node) implements Event {}

    @Provide
    Arbitrary<List<Event>> histories() {
        Arbitrary<Integer> task = Arbitraries.integers().between(0, 9);
        Arbitrary<Integer> node = Arbitraries.integers().between(0, NODES.size() - 1);
        Arbitrary<Event> event = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 7).map(Scale::new),
                node.map(NodeDown::new),
                node.map(NodeUp::new),
                Combinators.combine(task, node).as(Place::new),
                Combinators.combine(task, node).as(Place::new),
                task.map(Ready::new),
                task.map(Ready::new),
                task.map(Fail::new),
                task.map(Delete::new),
                task.map(Removed::new),
                Arbitraries.just(new NewTemplate()),
                node.map(DrainNode::new),
                node.map(Uncordon::new));
        return event.list().ofMaxSize(60);
    }

    @Property(tries = 1000)
    void shouldNeverDuplicateOrReuseTaskIdsAndShouldKeepReplicasLive(@ForAll("histories") List<Event> history,
                                                                      @ForAll("policies") RolloutPolicy policy) {
        World w = new World(WorkloadDesired.deployment("web", "uid-1", 3, "hash000000", 0).withRollout(policy));
        w.reconcile();
        for (Event e : history) {
            w.clock += 1_000;
            w.apply(e);
            w.reconcile();
            if (!w.rolling() && !w.drainingAffects()) {
                assertEquals(w.desired.replicas(), w.live().size(), "live tasks == replicas right after a reconcile");
            } else if (!w.rolling()) {
                assertTrue(w.live().size() >= w.desired.replicas(), "a drain never shrinks the live set below replicas");
            }
            w.settleDrainAfterRolloutStep();
            assertTrue(w.reconcileIsNoOp(), "a second reconcile on the result changes nothing");
        }
        w.finishRollout();
        w.finishDrain();
        w.draining.clear();
        // Quiet period: every node back, every failure past its hold, every stop confirmed.
        NODES.forEach(w.ready::add);
        w.clock += Reconciler.FAILED_HOLD_MS;
        w.reconcile();
        new ArrayList<>(w.tasks.values()).stream().filter(t -> t.phase() == TaskPhase.TERMINATING)
                .forEach(t -> w.tasks.remove(t.taskId()));
        w.reconcile();
        assertEquals(w.desired.replicas(), w.tasks.size(), "converged: exactly replicas tasks exist");
        assertTrue(w.reconcileIsNoOp());
    }

    /**
     * Pinned counterexample (jqwik seed 6599580709468286918): a drain during a rollout with maxSurge 0.
     * The rollout's last step stops the old pod; the drain's surge replacement follows on the next tick.
     */
    @org.junit.jupiter.api.Test
    void shouldContinueADrainOnTheTickAfterTheRolloutStepThatEndedTheRollout() {
        World w = new World(WorkloadDesired.deployment("web", "uid-1", 3, "hash000000", 0).withRollout(new RolloutPolicy(false, 0, 2)));
        w.reconcile();
        for (Event e : List.of(new Place(0, 0), new Ready(0), new NewTemplate(), new Place(1, 2), new DrainNode(2), new Ready(1))) {
            w.clock += 1_000;
            w.apply(e);
            w.reconcile();
            w.settleDrainAfterRolloutStep();
            Steps again = Reconciler.reconcile(w.desired, List.copyOf(w.tasks.values()), Set.copyOf(w.ready), Set.copyOf(w.draining), w.clock);
            assertTrue(again.isEmpty(), "after " + e + ": " + again + "\ntasks " + w.tasks.values());
        }
    }

    @Provide
    Arbitrary<RolloutPolicy> policies() {
        return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2), Arbitraries.of(true, false, false))
                .as((surge, unavailable, recreate) -> recreate ? RolloutPolicy.recreateAll()
                        : new RolloutPolicy(false, surge, surge + unavailable == 0 ? 1 : unavailable));
    }

    /** The simulated cluster: the tasks as the views hold them, the ready nodes, every id ever issued. */
    static final class World {
        WorkloadDesired desired;
        /** Each event happens 1 s after the previous one. */
        long clock = 0;
        final Map<String, TaskActual> tasks = new LinkedHashMap<>();
        final Set<String> ready = new HashSet<>(NODES);
        final Set<String> everIssued = new HashSet<>();
        /** Nodes being drained (also cordoned: nothing new is placed there). */
        final Set<String> draining = new TreeSet<>();

        World(WorkloadDesired desired) {
            this.desired = desired;
        }

        List<TaskActual> live() {
            return tasks.values().stream().filter(t -> !t.leaving() && !t.deleteAsked())
                    .filter(t -> !t.terminal() || clock - t.changedAt() < Reconciler.FAILED_HOLD_MS).toList();
        }

        boolean drainingAffects() {
            return live().stream().anyMatch(t -> t.placed() && draining.contains(t.nodeId()));
        }

        /** The first node new tasks may go to, by the task's sequence (the scheduler skips cordoned nodes). */
        String placeable(long seq) {
            List<String> open = NODES.stream().filter(n -> !draining.contains(n)).toList();
            return open.isEmpty() ? null : open.get((int) (seq % open.size()));
        }

        /** Nodes do their part until every live task left the draining nodes; then exactly replicas remain. */
        void finishDrain() {
            if (draining.size() == NODES.size()) return;  // nowhere to go
            // At least one round: a drain that ended (uncordon) leaves surge tasks the next reconcile removes.
            for (int i = 0; i < 40; i++) {
                NODES.forEach(ready::add);
                clock += Reconciler.FAILED_HOLD_MS;
                for (TaskActual t : List.copyOf(tasks.values())) {
                    if (t.phase() == TaskPhase.TERMINATING) tasks.remove(t.taskId());
                    else if (!t.placed()) put(t, TaskPhase.RUNNING, placeable(t.seq()), true, t.deleteAsked());
                    else if (!t.terminal() && !t.leaving()) put(t, TaskPhase.RUNNING, t.nodeId(), true, t.deleteAsked());
                }
                reconcile();
                if (!drainingAffects()) break;
            }
            assertFalse(drainingAffects(), "the drain finishes once every replacement is ready");
            assertEquals(desired.replicas(), live().size(), "after the drain exactly replicas are live");
        }

        boolean rolling() {
            return live().stream().anyMatch(t -> !t.templateHash().equals(desired.templateHash()));
        }

        /** Nodes do their part until the rollout is done: place, start, confirm stops. */
        void finishRollout() {
            if (draining.size() == NODES.size()) draining.clear();  // a rollout needs somewhere to go
            for (int i = 0; i < 40 && rolling(); i++) {
                NODES.forEach(ready::add);
                clock += Reconciler.FAILED_HOLD_MS;
                for (TaskActual t : List.copyOf(tasks.values())) {
                    if (t.phase() == TaskPhase.TERMINATING) tasks.remove(t.taskId());
                    else if (!t.placed() && placeable(t.seq()) != null) put(t, TaskPhase.RUNNING, placeable(t.seq()), true, t.deleteAsked());
                    else if (!t.terminal() && !t.leaving()) put(t, TaskPhase.RUNNING, t.nodeId(), true, t.deleteAsked());
                }
                reconcile();
            }
            assertFalse(rolling(), "the rollout finishes once every new task is ready");
        }

        void reconcile() {
            Steps s = Reconciler.reconcile(desired, List.copyOf(tasks.values()), Set.copyOf(ready), Set.copyOf(draining), clock);
            checkAvailability(s);
            for (Steps.Stop stop : s.stop()) {
                TaskActual t = tasks.get(stop.taskId());
                if (stop.removeNow()) tasks.remove(t.taskId());
                else tasks.put(t.taskId(), new TaskActual(t.taskId(), stop.phase(), t.nodeId(), false, t.seq(), t.templateHash(), t.deleteAsked(), clock));
            }
            s.forget().forEach(tasks::remove);
            for (Steps.NewTask n : s.create()) {
                assertFalse(tasks.containsKey(n.taskId()), "two live copies of " + n.taskId());
                assertTrue(everIssued.add(n.taskId()), "task id reused: " + n.taskId());
                tasks.put(n.taskId(), new TaskActual(n.taskId(), TaskPhase.PENDING, "", false, n.seq(), desired.templateHash(), false, clock));
            }
            desired = desired.withNextTaskSeq(s.nextTaskSeq());
        }

        /** Voluntary stops (rollout, scale-down) never take availability below replicas - maxUnavailable. */
        private void checkAvailability(Steps s) {
            List<TaskActual> readyLive = live().stream().filter(TaskActual::ready)
                    .filter(t -> !t.placed() || ready.contains(t.nodeId())).filter(t -> !t.terminal()).toList();
            Set<String> voluntary = new HashSet<>();
            s.stop().stream().filter(x -> x.reason().equals("Superseded") || x.reason().equals("ScaledDown") || x.reason().equals(Reconciler.EVICTED))
                    .forEach(x -> voluntary.add(x.taskId()));
            long after = readyLive.stream().filter(t -> !voluntary.contains(t.taskId())).count();
            boolean drainOnly = s.stop().stream().anyMatch(x -> x.reason().equals(Reconciler.EVICTED));
            int floor = desired.rollout().recreate() && !drainOnly ? 0 : desired.replicas() - desired.rollout().maxUnavailable();
            assertTrue(after >= Math.min(readyLive.size(), floor),
                    "available " + readyLive.size() + " -> " + after + " below floor " + floor);
        }

        /**
         * A drain yields to a rollout step taken in the same tick (one safe step per sync, as in
         * Kubernetes); when that step ended the rollout, the next tick continues the drain.
         */
        void settleDrainAfterRolloutStep() {
            if (!reconcileIsNoOp() && !rolling() && drainingAffects()) reconcile();
        }

        boolean reconcileIsNoOp() {
            return Reconciler.reconcile(desired, List.copyOf(tasks.values()), Set.copyOf(ready), Set.copyOf(draining), clock).isEmpty();
        }

        void apply(Event e) {
            List<TaskActual> all = List.copyOf(tasks.values());
            if (e instanceof NewTemplate) {
                desired = desired.withTemplateHash("hash" + String.format("%06d", clock / 1000));
            } else if (e instanceof Scale s) {
                desired = desired.withReplicas(s.replicas());
            } else if (e instanceof NodeDown d) {
                ready.remove(NODES.get(d.node()));
            } else if (e instanceof NodeUp u) {
                ready.add(NODES.get(u.node()));
            } else if (e instanceof DrainNode d) {
                draining.add(NODES.get(d.node()));
            } else if (e instanceof Uncordon u) {
                draining.remove(NODES.get(u.node()));
            } else if (all.isEmpty()) {
                return;
            } else if (e instanceof Place p) {
                TaskActual t = at(all, p.task());
                String n = NODES.get(p.node());
                if (t.phase() == TaskPhase.PENDING && !draining.contains(n)) put(t, TaskPhase.SCHEDULED, n, false, t.deleteAsked());
            } else if (e instanceof Ready r) {
                TaskActual t = at(all, r.task());
                if (t.placed() && !t.leaving() && !t.terminal()) put(t, TaskPhase.RUNNING, t.nodeId(), true, t.deleteAsked());
            } else if (e instanceof Fail f) {
                TaskActual t = at(all, f.task());
                if (t.placed() && !t.leaving()) put(t, TaskPhase.FAILED, t.nodeId(), false, t.deleteAsked());
            } else if (e instanceof Delete d) {
                TaskActual t = at(all, d.task());
                put(t, t.phase(), t.nodeId(), t.ready(), true);
            } else if (e instanceof Removed r) {
                TaskActual t = at(all, r.task());
                if (t.phase() == TaskPhase.TERMINATING) tasks.remove(t.taskId());
            }
        }

        private void put(TaskActual t, TaskPhase phase, String node, boolean isReady, boolean deleteAsked) {
            tasks.put(t.taskId(), new TaskActual(t.taskId(), phase, node, isReady, t.seq(), t.templateHash(), deleteAsked, clock));
        }

        private static TaskActual at(List<TaskActual> all, int i) {
            return all.get(i % all.size());
        }
    }
}
