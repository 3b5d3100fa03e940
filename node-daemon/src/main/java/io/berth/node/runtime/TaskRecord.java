package io.berth.node.runtime;

import io.berth.node.docker.ContainerRequest;
import io.berth.node.docker.PodUnit;
import io.berth.node.probe.ProbeMachine;
import io.berth.node.reconcile.PodNetwork;
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
 * adapter's own bookkeeping (container id, Docker call in flight, probe machine and timer). Owned by
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
    /** probes of the current run, null while not running: a restart starts a new machine */
    ProbeMachine probes;
    long probeTimer = -1;
    /** startup probe passed (or none) in the current run */
    boolean started;
    /** ready as last reported (running, started, readiness passed or no readiness probe) */
    boolean ready;
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
