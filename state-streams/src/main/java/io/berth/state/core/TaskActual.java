package io.berth.state.core;

import io.berth.schemas.avro.TaskPhase;

/**
 * A task as the reconciler sees it.
 *
 * @param nodeId       empty while unplaced
 * @param seq          creation order within the workload (newest = highest)
 * @param templateHash template the task runs
 * @param deleteAsked  a user deleted this pod: stop it (and replace it, for a deployment)
 * @param changedAt    when the task last changed (millis): how long a failure has been showing
 */
public record TaskActual(String taskId, TaskPhase phase, String nodeId, boolean ready, long seq,
                         String templateHash, boolean deleteAsked, long changedAt) {

    public TaskActual(String taskId, TaskPhase phase, String nodeId, boolean ready, long seq, String templateHash, boolean deleteAsked) {
        this(taskId, phase, nodeId, ready, seq, templateHash, deleteAsked, 0L);
    }

    public TaskActual withHash(String hash) {
        return new TaskActual(taskId, phase, nodeId, ready, seq, hash, deleteAsked, changedAt);
    }

    public boolean placed() {
        return !nodeId.isEmpty();
    }

    /** FAILED/SUCCEEDED: the task ran and ended; a bare pod keeps it as its final status. */
    public boolean terminal() {
        return phase == TaskPhase.FAILED || phase == TaskPhase.SUCCEEDED;
    }

    /** Already on its way out: stopped by the controller or lost with its node. */
    public boolean leaving() {
        return phase == TaskPhase.TERMINATING || phase == TaskPhase.LOST;
    }
}
