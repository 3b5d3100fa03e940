package io.berth.state.core;

import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskView;

/**
 * Names the change of a task view for the audit log, one name per write (the most telling one):
 * TaskRestarted when the restart count grew, TaskPhaseChanged when the phase moved,
 * TaskReadinessChanged when ready flipped, TaskUnschedulable for the scheduler's verdict on a
 * pending task, TaskStatusChanged for anything else (a message, container statuses, an IP).
 */
public final class TaskChanges {
    private TaskChanges() {}

    public static String of(TaskView before, TaskView after, TaskState reported) {
        if (after.getRestartCount() > before.getRestartCount()) return "TaskRestarted";
        if (after.getPhase() != before.getPhase()) return "TaskPhaseChanged";
        if (after.getReady() != before.getReady()) return "TaskReadinessChanged";
        if (reported == TaskState.UNSCHEDULABLE) return "TaskUnschedulable";
        return "TaskStatusChanged";
    }

    /** {@code web-x: RUNNING -> RUNNING, ready true -> false, restarts 1 -> 2 (CrashLoopBackOff); reported EXITED}. */
    public static String describe(TaskView before, TaskView after, TaskState reported) {
        StringBuilder b = new StringBuilder(after.getTaskId()).append(": ").append(before.getPhase()).append(" -> ").append(after.getPhase());
        if (after.getReady() != before.getReady()) b.append(", ready ").append(before.getReady()).append(" -> ").append(after.getReady());
        if (after.getRestartCount() != before.getRestartCount()) {
            b.append(", restarts ").append(before.getRestartCount()).append(" -> ").append(after.getRestartCount());
        }
        if (!after.getReason().isEmpty()) b.append(" (").append(after.getReason()).append(')');
        return b.append("; reported ").append(reported).toString();
    }
}
