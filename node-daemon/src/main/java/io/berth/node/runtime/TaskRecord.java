package io.berth.node.runtime;

import io.berth.node.docker.ContainerRequest;
import io.berth.node.docker.PodUnit;
import io.berth.node.probe.ProbeMachine;
import io.berth.node.reconcile.PodNetwork;
import io.berth.node.reconcile.PodStatus;
import io.berth.node.reconcile.Reported;
import io.berth.node.reconcile.RestartGate;
import io.berth.node.reconcile.RestartState;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerSpec;

import java.util.List;

/**
 * What the daemon remembers of one container of a task (a {@link PodUnit}; for a single-container
 * pod, of the task) between reconcile passes: the container it runs, what
 * it last reported (so every transition is reported once), and the restart back-off. The decided
 * parts are immutable values the pure functions of {@code reconcile} return ({@link Reported},
 * {@link RestartState}) or that are replaced whole ({@link Description}, {@link Run}); the rest is the
 * adapter's own bookkeeping (container id, Docker call in flight, probe machine and timer). Whether it is
 * started and ready is not kept here but read from the run's probe machine. Owned by
 * the reconciler verticle's event loop; never shared across threads.
 */
public final class TaskRecord {
    /** the unit key: {@code taskId} for the pod's first app container, {@code taskId/<name>}, {@code taskId/.infra} */
    final String unit;
    final String taskId;
    final String workloadKey;
    /** the container as its assignment describes it (for the status snapshot): replaced whole when the assignment is read */
    Description desc;
    String containerId;
    /** last transition published on berth.task-status ({@link Reported#NONE} before the first) */
    Reported reported = Reported.NONE;
    /** restart count, back-off and the gate of the next attempt: replaced (never changed) by {@link RestartGate} */
    RestartState restart = RestartState.NEW;
    /** when the current (or last) run started and ended: replaced at each start and exit */
    Run run = Run.NONE;
    boolean oomKilled;
    /** a Docker call for this task is in flight: plan nothing for it until it returns */
    boolean busy;

    // ---- the current run of the container
    /** IP and published ports while it runs (read back from Docker); NONE otherwise */
    PodNetwork network = PodNetwork.NONE;
    /** probes of the current run, null while not running: a restart starts a new machine (written by {@link ProbeScheduler} only) */
    ProbeMachine probes;
    /** the timer of the next due probe, -1 for none (written by {@link ProbeScheduler} only) */
    long probeTimer = -1;
    /** why the daemon killed the container (a failed liveness or startup probe), for the EXITED report */
    String killMessage;

    /**
     * The pod's container as its assignment describes it.
     *
     * @param name          its name in the pod spec ({@code .infra} for the infra container; "" until known for the first app container)
     * @param declaredPorts the ports it publishes itself (a container joined to the pod's infra publishes none)
     */
    record Description(PodUnit.Kind kind, int index, String name, String image, List<ContainerPort> declaredPorts) {
        /** What the unit key alone tells, before (or without) an assignment. */
        static Description ofKey(String unit, String taskId) {
            if (unit.endsWith("/" + PodUnit.INFRA)) return new Description(PodUnit.Kind.INFRA, 0, PodUnit.INFRA, "", List.of());
            return new Description(PodUnit.Kind.APP, 0, unit.equals(taskId) ? "" : unit.substring(taskId.length() + 1), "", List.of());
        }
    }

    /** One run of the container: started and finished wall-clock millis (0 = not yet), its exit code (null = none yet). */
    record Run(long startedAt, long finishedAt, Integer exitCode) {
        static final Run NONE = new Run(0, 0, null);

        Run started(long at) {
            return new Run(at, finishedAt, exitCode);
        }

        Run exited(long at, Integer code) {
            return new Run(startedAt, at, code);
        }
    }

    TaskRecord(String taskId, String workloadKey) {
        this(taskId, taskId, workloadKey);
    }

    TaskRecord(String unit, String taskId, String workloadKey) {
        this.unit = unit;
        this.taskId = taskId;
        this.desc = Description.ofKey(unit, taskId);
        this.workloadKey = workloadKey == null ? "" : workloadKey;
    }

    int restartCount() {
        return restart.restartCount();
    }

    boolean reportedRunning() {
        return reported.running();
    }

    /** The startup probe passed (or there is none) in the current run; its probe machine is the one source. */
    boolean started() {
        return probes != null && probes.started();
    }

    /** Running, started, and its readiness probe passed (or there is none) in the current run; its probe machine is the one source. */
    boolean ready() {
        return probes != null && probes.ready();
    }

    // ---- transitions: each field below changes here only, the decided ones through the pure functions

    /** The container {@code id} is this unit's (found by a listing). */
    void containerIs(String id) {
        containerId = id;
    }

    /** The container {@code id} was created, or seen running with {@code seen} (null: not known yet): a later create is a restart. */
    void hasContainer(String id, PodNetwork seen) {
        containerId = id;
        restart = RestartGate.hasContainer(restart);
        if (seen != null) network = seen;
    }

    /** A new run began at {@code now}: a kill meant for the previous one is moot. */
    void runs(long now) {
        run = run.started(now);
        killMessage = null;
    }

    /** The unit's container is about to be launched {@code how} ({@link RestartGate#launched}: the one place restartCount goes up). */
    void launching(RestartGate.Launch how) {
        restart = RestartGate.launched(restart, how);
    }

    /** Creating or starting its container failed at {@code now}: the next attempt backs off. */
    void launchFailed(long now) {
        restart = RestartGate.failed(restart, now);
    }

    /** Docker said the container ran out of memory: its exit is OOMKilled. */
    void oomKilled() {
        oomKilled = true;
    }

    /** The daemon stops the container because a probe failed: its exit says so. */
    void killedFor(String message) {
        killMessage = message;
    }

    /**
     * The container exited with {@code exitCode} at {@code now}: what this run's end reports
     * ({@link PodStatus#exited}), or null when its end was reported already.
     */
    Reported exited(Integer exitCode, long now) {
        network = PodNetwork.NONE;
        if (reported.down()) return null;
        run = run.exited(now, exitCode);
        restart = RestartGate.exited(restart, run.startedAt(), now);
        Reported exit = PodStatus.exited(exitCode, oomKilled, killMessage);
        oomKilled = false;
        killMessage = null;
        return exit;
    }

    /** {@code next} is what the unit reports now (published, or kept for its pod's snapshot). */
    void reports(Reported next) {
        reported = next;
    }

    /** The container {@code id} is gone (removed, by us or behind our back): forget it, if it is the one remembered, and its network. */
    void containerGone(String id) {
        if (id.equals(containerId)) containerId = null;
        network = PodNetwork.NONE;
    }

    boolean infra() {
        return desc.kind() == PodUnit.Kind.INFRA;
    }

    void describe(Assignment a, String infraImage) {
        if (a.getTemplate().getContainers().isEmpty()) return;
        for (PodUnit u : PodUnit.of(a)) {
            if (!u.key().equals(unit)) continue;
            if (u.kind() == PodUnit.Kind.INFRA) {
                desc = new Description(u.kind(), u.index(), PodUnit.INFRA, infraImage, List.copyOf(ContainerRequest.podPorts(a)));
            } else {
                ContainerSpec c = u.spec();
                // a container joined to the pod's infra publishes nothing itself
                desc = new Description(u.kind(), u.index(), c.getName(), c.getImage(), PodUnit.sharedNetwork(a) ? List.of() : List.copyOf(c.getPorts()));
            }
        }
    }
}
