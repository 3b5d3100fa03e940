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
 * @param readyAt      when it last turned ready (millis, 0 = unknown): minReadySeconds counts from here
 * @param restartCount how often its node restarted its containers (a crash loop fails a rollout)
 * @param createdAt    when the controller created it (0 = unknown): only tasks created during a rollout can fail it
 * @param reason       why it is in its phase, for messages (CrashLoopBackOff, ErrImagePull …; "" if none)
 */
public record TaskActual(String taskId, TaskPhase phase, String nodeId, boolean ready, long seq,
                         String templateHash, boolean deleteAsked, long changedAt, long readyAt, int restartCount, long createdAt,
                         String reason) {

    public TaskActual(String taskId, TaskPhase phase, String nodeId, boolean ready, long seq, String templateHash,
                      boolean deleteAsked, long changedAt, long readyAt, int restartCount, long createdAt) {
        this(taskId, phase, nodeId, ready, seq, templateHash, deleteAsked, changedAt, readyAt, restartCount, createdAt, "");
    }

    public TaskActual(String taskId, TaskPhase phase, String nodeId, boolean ready, long seq, String templateHash,
                      boolean deleteAsked, long changedAt, long readyAt, int restartCount) {
        this(taskId, phase, nodeId, ready, seq, templateHash, deleteAsked, changedAt, readyAt, restartCount, 0L, "");
    }

    public TaskActual(String taskId, TaskPhase phase, String nodeId, boolean ready, long seq, String templateHash, boolean deleteAsked) {
        this(taskId, phase, nodeId, ready, seq, templateHash, deleteAsked, 0L);
    }

    public TaskActual(String taskId, TaskPhase phase, String nodeId, boolean ready, long seq, String templateHash,
                      boolean deleteAsked, long changedAt) {
        this(taskId, phase, nodeId, ready, seq, templateHash, deleteAsked, changedAt, 0L, 0);
    }

    public TaskActual withHash(String hash) {
        return new TaskActual(taskId, phase, nodeId, ready, seq, hash, deleteAsked, changedAt, readyAt, restartCount, createdAt, reason);
    }

    public TaskActual withReadyAt(long at) {
        return new TaskActual(taskId, phase, nodeId, ready, seq, templateHash, deleteAsked, changedAt, at, restartCount, createdAt, reason);
    }

    public TaskActual withRestartCount(int n) {
        return new TaskActual(taskId, phase, nodeId, ready, seq, templateHash, deleteAsked, changedAt, readyAt, n, createdAt, reason);
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

    /**
     * Kubernetes' availability: ready for at least {@code minReadyMs}. A ready task whose readyAt
     * is unknown (0, a view written before readyAt existed) counts as ready long ago.
     */
    public boolean available(long minReadyMs, long now) {
        return ready && !terminal() && (minReadyMs <= 0 || readyAt <= 0 || now - readyAt >= minReadyMs);
    }

    /** When it became (or will become) available; 0 when it is not ready or readyAt is unknown. */
    public long availableSince(long minReadyMs) {
        return ready && readyAt > 0 ? readyAt + Math.max(0, minReadyMs) : 0;
    }
}
