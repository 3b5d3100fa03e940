package io.berth.node.runtime;

import io.berth.schemas.avro.TaskState;

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

    TaskRecord(String taskId, String workloadKey) {
        this.taskId = taskId;
        this.workloadKey = workloadKey == null ? "" : workloadKey;
    }

    boolean reportedRunning() {
        return reported == TaskState.RUNNING || reported == TaskState.READY;
    }
}
