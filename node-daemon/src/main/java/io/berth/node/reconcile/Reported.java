package io.berth.node.reconcile;

import io.berth.schemas.avro.TaskState;

/**
 * What a container (or a whole pod) last reported on berth.task-status: its state and the exit code,
 * reason and message that went with it. The daemon remembers one per container so that every
 * transition is reported once, and aggregates them into the pod's ({@link PodStatus}).
 *
 * @param state null before the first report
 */
public record Reported(TaskState state, Integer exitCode, String reason, String message) {
    /** Nothing reported yet. */
    public static final Reported NONE = new Reported(null, null, "", "");

    public Reported {
        reason = reason == null ? "" : reason;
        message = message == null ? "" : message;
    }

    public boolean is(TaskState s) {
        return state == s;
    }

    /** RUNNING, READY or UNREADY: the container runs. */
    public boolean running() {
        return state == TaskState.RUNNING || state == TaskState.READY || state == TaskState.UNREADY;
    }

    /** EXITED or FAILED: this run's end was reported already. */
    public boolean down() {
        return state == TaskState.EXITED || state == TaskState.FAILED;
    }
}
