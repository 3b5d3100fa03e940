package io.berth.node.runtime;

import io.berth.node.docker.ContainerRequest;
import io.berth.node.probe.ProbeMachine;
import io.berth.node.reconcile.PodNetwork;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.TaskState;

import java.util.List;

/**
 * What the daemon remembers of one task between reconcile passes: the container it runs, what
 * it last reported (so every transition is reported once), and the restart back-off. Owned by
 * the reconciler verticle's event loop; never shared across threads.
 */
public final class TaskRecord {
    final String taskId;
    String workloadKey;
    String containerId;
    /** last state published on berth.task-status, null before the first */
    TaskState reported;
    String reportedReason = "";
    int restartCount;
    /** restarts since the back-off was last reset */
    int backoffStep;
    long startedAt;
    /** earliest time of the next (re)start or create attempt */
    long notBefore;
    boolean oomKilled;
    /** a Docker call for this task is in flight: plan nothing for it until it returns */
    boolean busy;
    /** a container of this task existed once: a new one counts as a restart */
    boolean hadContainer;

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
        this.taskId = taskId;
        this.workloadKey = workloadKey == null ? "" : workloadKey;
    }

    boolean reportedRunning() {
        return reported == TaskState.RUNNING || reported == TaskState.READY || reported == TaskState.UNREADY;
    }

    void describe(Assignment a) {
        if (a.getTemplate().getContainers().isEmpty()) return;
        ContainerSpec c = ContainerRequest.mainContainer(a);
        containerName = c.getName();
        image = c.getImage();
        declaredPorts = List.copyOf(c.getPorts());
    }
}
