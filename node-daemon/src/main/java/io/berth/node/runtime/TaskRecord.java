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
 * it last reported (so every transition is reported once), and the restart back-off. Owned by
 * the reconciler verticle's event loop; never shared across threads.
 */
public final class TaskRecord {
    /** the unit key: {@code taskId} for the pod's first app container, {@code taskId/<name>}, {@code taskId/.infra} */
    final String unit;
    final String taskId;
    PodUnit.Kind kind = PodUnit.Kind.APP;
    int index;
    String workloadKey;
    String containerId;
    /** last transition published on berth.task-status ({@link Reported#NONE} before the first) */
    Reported reported = Reported.NONE;
    /** restart count, back-off and the gate of the next attempt: replaced (never changed) by {@link RestartGate} */
    RestartState restart = RestartState.NEW;
    long startedAt;
    boolean oomKilled;
    /** a Docker call for this task is in flight: plan nothing for it until it returns */
    boolean busy;

    // ---- the pod's container, from the assignment (for the status snapshot)
    String containerName = "";
    String image = "";
    List<ContainerPort> declaredPorts = List.of();

    // ---- the current run of the container
    /** IP and published ports while it runs (read back from Docker); NONE otherwise */
    PodNetwork network = PodNetwork.NONE;
    long finishedAt;
    Integer lastExitCode;
    /** probes of the current run, null while not running: a restart starts a new machine */
    ProbeMachine probes;
    long probeTimer = -1;
    /** startup probe passed (or none) in the current run */
    boolean started;
    /** ready as last reported (running, started, readiness passed or no readiness probe) */
    boolean ready;
    /** why the daemon killed the container (a failed liveness or startup probe), for the EXITED report */
    String killMessage;

    TaskRecord(String taskId, String workloadKey) {
        this(taskId, taskId, workloadKey);
    }

    TaskRecord(String unit, String taskId, String workloadKey) {
        this.unit = unit;
        this.taskId = taskId;
        if (unit.endsWith("/" + PodUnit.INFRA)) {
            kind = PodUnit.Kind.INFRA;
            containerName = PodUnit.INFRA;
        } else if (!unit.equals(taskId)) {
            containerName = unit.substring(taskId.length() + 1);
        }
        this.workloadKey = workloadKey == null ? "" : workloadKey;
    }

    int restartCount() {
        return restart.restartCount();
    }

    boolean reportedRunning() {
        return reported.running();
    }

    boolean infra() {
        return kind == PodUnit.Kind.INFRA;
    }

    void describe(Assignment a, String infraImage) {
        if (a.getTemplate().getContainers().isEmpty()) return;
        for (PodUnit u : PodUnit.of(a)) {
            if (!u.key().equals(unit)) continue;
            kind = u.kind();
            index = u.index();
            if (u.kind() == PodUnit.Kind.INFRA) {
                containerName = PodUnit.INFRA;
                image = infraImage;
                declaredPorts = List.copyOf(ContainerRequest.podPorts(a));
            } else {
                ContainerSpec c = u.spec();
                containerName = c.getName();
                image = c.getImage();
                // a container joined to the pod's infra publishes nothing itself
                declaredPorts = PodUnit.sharedNetwork(a) ? List.of() : List.copyOf(c.getPorts());
            }
        }
    }
}
