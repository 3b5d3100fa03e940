package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.audit.Actors;
import io.berth.schemas.audit.ResourceKey;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;
import io.berth.schemas.avro.TaskView;
import io.berth.state.core.TaskChanges;
import io.berth.state.core.TaskStateMachine;

import java.util.Optional;

/**
 * Folds a task status (from the scheduler or a node) into the task's view with
 * {@link TaskStateMachine}: the write is credited to the reporter, its events come from
 * {@link WorkloadEvents#forStatus}. A status from a node that should not hold the task revokes that
 * node's assignment. The processor converges the workload afterwards.
 */
final class StatusFolder {
    private final WorkloadState state;
    private final Outputs out;

    StatusFolder(WorkloadState state, Outputs out) {
        this.state = state;
        this.out = out;
    }

    void fold(String key, TaskStatus s, long now) {
        TaskView t = state.task(key, s.getTaskId());
        if (t == null || staleNode(t, s)) {
            revokeStale(key, t, s, now);
            return;
        }
        if (t.getDesiredStop() && s.getState() == TaskState.ASSIGNED) {
            revokeStale(key, t, s, now);  // placed after we asked it to stop: revoke the placement
        }
        Optional<TaskView> next = TaskStateMachine.apply(t, s, now);
        Origin reporter = new Origin(reporter(s), "");
        if (next.isEmpty()) {
            state.removeTask(key, t, "container removed on " + t.getNodeId(), reporter, now);
        } else if (!next.get().equals(t)) {
            WorkloadEvents.forStatus(t, next.get(), s).forEach(e -> out.event(e, now));
            state.writeTask(key, t, next.get(), TaskChanges.of(t, next.get(), s.getState()), reporter,
                    TaskChanges.describe(t, next.get(), s.getState()), now);
        }
    }

    /** The scheduler reports placements (ASSIGNED, UNSCHEDULABLE); everything else comes from the task's node. */
    static String reporter(TaskStatus s) {
        return s.getState() == TaskState.ASSIGNED || s.getState() == TaskState.UNSCHEDULABLE ? Actors.SCHEDULER : Actors.node(s.getNodeId());
    }

    /** A status from a node the task is not (or no longer) on: that node holds a stale copy. */
    private static boolean staleNode(TaskView t, TaskStatus s) {
        return !t.getNodeId().isEmpty() && !s.getNodeId().isEmpty() && !t.getNodeId().equals(s.getNodeId());
    }

    /** Revoking is idempotent, so a stale placement or a node that comes back is simply tombstoned. */
    private void revokeStale(String key, TaskView t, TaskStatus s, long now) {
        boolean holdsAssignment = s.getState() != TaskState.REMOVED && s.getState() != TaskState.UNSCHEDULABLE
                && s.getState() != TaskState.UNKNOWN;
        if (!holdsAssignment || s.getNodeId().isEmpty()) return;
        out.tombstone(Topics.ASSIGNMENTS, Topics.assignmentKey(s.getNodeId(), s.getTaskId()), now);
        String podKey = t != null ? Events.podKey(t) : Topics.resourceKey(ResourceKey.parse(key).namespace(), ResourceKind.POD, s.getTaskId());
        out.audit(podKey, "StaleAssignmentRevoked", Actors.WORKLOAD_CONTROLLER, "", null, null,
                "task " + s.getTaskId() + " on " + s.getNodeId() + " is not wanted there", now);
    }
}
