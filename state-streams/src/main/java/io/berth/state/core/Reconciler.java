package io.berth.state.core;

import io.berth.schemas.TaskReason;
import io.berth.schemas.avro.TaskPhase;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Desired vs actual for one workload, as a pure function (Nomad's reconcile.go, Kubernetes'
 * ReplicaSet controller): given the workload, its tasks and the ready nodes, return what to do.
 * Level-triggered: calling it again on the state its steps produce yields no steps, so it can run
 * after every event and on every timer tick.
 *
 * <p>A deployment keeps exactly {@code replicas} live tasks. A task leaves the live set when its
 * node is not ready (LOST), when it ended (FAILED/SUCCEEDED: with restartPolicy Always the node
 * restarts crashes itself, so an end means the node gave up), or when a user deleted it; the
 * shortfall is then created afresh with new ids. A bare pod gets one task once and is never
 * replaced; its end stays visible as its status.
 */
public final class Reconciler {
    /**
     * A failed task of a deployment keeps its slot this long before it is replaced, so its reason
     * stays visible and a task that can never start (image not found) is retried every 5 s per
     * replica instead of as fast as the scheduler can place it.
     */
    public static final long FAILED_HOLD_MS = 5_000;
    /** Stop reason of a task moved off a node being drained. */
    public static final String EVICTED = "Evicted";

    private Reconciler() {}

    /**
     * @param readyNodes ids of nodes that are ready now; a placed task on any other node is lost
     * @param now        wall-clock millis of this decision (how long a failure has been held)
     */
    public static Steps reconcile(WorkloadDesired desired, List<TaskActual> tasks, Set<String> readyNodes, long now) {
        return reconcile(desired, tasks, readyNodes, Set.of(), now);
    }

    /**
     * @param drainingNodes ids of nodes being drained: their tasks are evicted, a deployment's only
     *                      after a ready replacement runs elsewhere ({@link Drain}), a bare pod's at once
     */
    public static Steps reconcile(WorkloadDesired desired, List<TaskActual> tasks, Set<String> readyNodes,
                                  Set<String> drainingNodes, long now) {
        List<TaskActual> ordered = tasks.stream().sorted(Comparator.comparingLong(TaskActual::seq)).toList();
        List<Steps.Stop> stops = new ArrayList<>();
        List<String> forget = new ArrayList<>();
        List<TaskActual> live = new ArrayList<>();
        for (TaskActual t : ordered) {
            classify(desired, t, readyNodes, drainingNodes, now, stops, forget, live);
        }
        List<Steps.NewTask> create = new ArrayList<>();
        if (desired.bare()) {
            if (!desired.deleted() && desired.nextTaskSeq() == 0 && tasks.isEmpty()) {
                create.add(newTask(desired, 0));
            }
        } else if (!desired.deleted() && rolling(desired, live) && !desired.rollout().paused()) {
            RolloutBudget.Step r = RolloutBudget.step(desired, live, now);
            for (int i = 0; i < r.create(); i++) {
                create.add(newTask(desired, desired.nextTaskSeq() + i));
            }
            r.superseded().forEach(t -> stops.add(stop(t, TaskPhase.TERMINATING, "Superseded", !confirmable(t, readyNodes))));
            r.excess().forEach(t -> stops.add(stop(t, TaskPhase.TERMINATING, "ScaledDown", !confirmable(t, readyNodes))));
            live.removeAll(r.superseded());
            live.removeAll(r.excess());
        } else if (!desired.deleted() && rolling(desired, live)) {
            // Paused mid-rollout: no step of the rollout, only scaling, kept within replicas .. replicas + maxSurge
            // (Kubernetes scales a paused deployment's replica sets proportionally within the same bounds).
            int missing = desired.replicas() - live.size();
            for (int i = 0; i < missing; i++) {
                create.add(newTask(desired, desired.nextTaskSeq() + i));
            }
            int surplus = live.size() - desired.replicas() - desired.rollout().maxSurge();
            for (TaskActual victim : ScaleDown.victims(live, surplus, t -> t.available(desired.rollout().minReadyMs(), now))) {
                stops.add(stop(victim, TaskPhase.TERMINATING, "ScaledDown", !confirmable(victim, readyNodes)));
                live.remove(victim);
            }
        } else if (!desired.deleted() && Drain.affects(live, drainingNodes)) {
            Drain.Step r = Drain.step(desired, live, drainingNodes);
            for (int i = 0; i < r.create(); i++) {
                create.add(newTask(desired, desired.nextTaskSeq() + i));
            }
            r.evicted().forEach(t -> stops.add(stop(t, TaskPhase.TERMINATING, EVICTED, !confirmable(t, readyNodes))));
            r.excess().forEach(t -> stops.add(stop(t, TaskPhase.TERMINATING, "ScaledDown", !confirmable(t, readyNodes))));
            live.removeAll(r.evicted());
            live.removeAll(r.excess());
        } else if (!desired.deleted()) {
            int missing = desired.replicas() - live.size();
            for (int i = 0; i < missing; i++) {
                create.add(newTask(desired, desired.nextTaskSeq() + i));
            }
            for (TaskActual victim : ScaleDown.victims(live, -missing, t -> t.available(desired.rollout().minReadyMs(), now))) {
                stops.add(stop(victim, TaskPhase.TERMINATING, "ScaledDown", !confirmable(victim, readyNodes)));
                live.remove(victim);
            }
        }
        long nextSeq = desired.nextTaskSeq() + create.size();
        return new Steps(create, stops, forget, nextSeq, status(desired, live, create, now), gone(desired, tasks, stops, forget));
    }

    /** Some live task runs an older template: a rollout is under way. */
    private static boolean rolling(WorkloadDesired d, List<TaskActual> live) {
        return live.stream().anyMatch(t -> !t.templateHash().equals(d.templateHash()));
    }

    /** Only a placed task on a ready node will report its REMOVED; any other stop is final at once. */
    private static boolean confirmable(TaskActual t, Set<String> readyNodes) {
        return t.placed() && readyNodes.contains(t.nodeId());
    }

    /** Sorts one task into: stop it, forget it, or keep it live. */
    private static void classify(WorkloadDesired d, TaskActual t, Set<String> readyNodes, Set<String> draining, long now,
                                 List<Steps.Stop> stops, List<String> forget, List<TaskActual> live) {
        boolean nodeDown = t.placed() && !readyNodes.contains(t.nodeId());
        if (t.leaving()) {
            // A bare pod keeps LOST as its final status until it is deleted; anything else that is
            // leaving is dropped once nothing will report its end any more.
            boolean waitForRemoved = t.phase() == TaskPhase.TERMINATING && t.placed() && !nodeDown;
            boolean keepLostPod = d.bare() && t.phase() == TaskPhase.LOST && !d.deleted();
            if (!waitForRemoved && !keepLostPod) forget.add(t.taskId());
        } else if (t.terminal()) {
            boolean holdsSlot = !d.bare() && !d.deleted() && !t.deleteAsked() && now - t.changedAt() < FAILED_HOLD_MS;
            if (holdsSlot) {
                live.add(t);
            } else if (!d.bare() || d.deleted()) {
                stops.add(stop(t, TaskPhase.TERMINATING, (t.phase() == TaskPhase.FAILED ? TaskReason.FAILED : TaskReason.COMPLETED).text(), true));
            }
        } else if (nodeDown) {
            stops.add(stop(t, TaskPhase.LOST, "NodeLost", !d.bare() || d.deleted()));
        } else if (d.deleted()) {
            stops.add(stop(t, TaskPhase.TERMINATING, "WorkloadDeleted", !t.placed()));
        } else if (t.deleteAsked()) {
            stops.add(stop(t, TaskPhase.TERMINATING, "Deleted", !t.placed()));
        } else if (d.bare() && Drain.onDraining(t, draining)) {
            // kubectl drain refuses unmanaged pods without --force; here the drain forces it.
            stops.add(stop(t, TaskPhase.TERMINATING, EVICTED, false));
        } else {
            live.add(t);
        }
    }

    private static Steps.Stop stop(TaskActual t, TaskPhase phase, String reason, boolean removeNow) {
        return new Steps.Stop(t.taskId(), t.nodeId(), phase, reason, removeNow);
    }

    private static Steps.NewTask newTask(WorkloadDesired d, long seq) {
        return new Steps.NewTask(TaskNames.taskId(d.name(), d.templateHash(), d.uid(), seq), seq);
    }

    private static Steps.ReplicaStatus status(WorkloadDesired d, List<TaskActual> live, List<Steps.NewTask> created, long now) {
        int desired = d.deleted() ? 0 : d.bare() ? 1 : d.replicas();
        int ready = (int) live.stream().filter(TaskActual::ready).count();
        int available = (int) live.stream().filter(t -> t.available(d.rollout().minReadyMs(), now)).count();
        int updated = (int) live.stream().filter(t -> t.templateHash().equals(d.templateHash())).count() + created.size();
        int updatedAvailable = (int) live.stream().filter(t -> t.templateHash().equals(d.templateHash()))
                .filter(t -> t.available(d.rollout().minReadyMs(), now)).count();
        return new Steps.ReplicaStatus(desired, live.size() + created.size(), ready, available, updated, updatedAvailable);
    }

    /** A deleted workload disappears once every task is dropped now or was already gone. */
    private static boolean gone(WorkloadDesired d, List<TaskActual> tasks, List<Steps.Stop> stops, List<String> forget) {
        if (!d.deleted()) return false;
        long leavingNow = stops.stream().filter(Steps.Stop::removeNow).count() + forget.size();
        return leavingNow == tasks.size();
    }
}
