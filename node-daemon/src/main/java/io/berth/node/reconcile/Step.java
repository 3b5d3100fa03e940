package io.berth.node.reconcile;

/** One thing the reconciler decided to do for one task. Executing a step is the adapter's job. */
public sealed interface Step {
    String taskId();

    /** No container exists for a live assignment: create and start one. */
    record Create(String taskId) implements Step {}

    /** A container exists but was never started. */
    record Start(String taskId, String containerId) implements Step {}

    /** The container exited and its policy says run again; the back-off has elapsed. */
    record Restart(String taskId, String containerId) implements Step {}

    /** The container exited and must wait for its back-off (reported as CrashLoopBackOff). */
    record Wait(String taskId, long untilMillis) implements Step {}

    /** The container exited and its policy says it stays down: a terminal state. */
    record Done(String taskId, Integer exitCode) implements Step {}

    /** The container's assignment is gone (revoked): stop it within the grace and remove it. */
    record Remove(String taskId, String containerId, int graceSeconds) implements Step {}
}
