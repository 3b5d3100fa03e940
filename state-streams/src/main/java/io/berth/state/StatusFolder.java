package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.audit.Actors;
import io.berth.schemas.audit.ResourceKey;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;
import io.berth.schemas.avro.TaskView;
import io.berth.schemas.avro.WorkloadView;
import io.berth.state.core.RunningListing;
import io.berth.state.core.TaskChanges;
import io.berth.state.core.TaskStateMachine;

import io.berth.schemas.serde.AvroJson;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;

/**
 * Folds a task status (from the scheduler or a node) into the task's view with
 * {@link TaskStateMachine}: the write is credited to the reporter, its events come from
 * {@link WorkloadEvents#forStatus}. A status from a node that should not hold the task revokes that
 * node's assignment. The processor converges the workload afterwards.
 */
final class StatusFolder {
    private final WorkloadState state;
    private final Outputs out;
    private final NodeSignatures signatures;
    private final Function<TaskStatus, byte[]> encode;

    StatusFolder(WorkloadState state, Outputs out) {
        this(state, out, NodeSignatures.OFF, s -> AvroJson.encode(s).getBytes(StandardCharsets.UTF_8));
    }

    StatusFolder(WorkloadState state, Outputs out, NodeSignatures signatures, Function<TaskStatus, byte[]> encode) {
        this.state = state;
        this.out = out;
        this.signatures = signatures;
        this.encode = encode;
    }

    /** Folds a status, unless a node's report is not signed by the node it names (then it is dead-lettered and audited, and changes nothing). */
    void fold(String key, TaskStatus s, Headers headers, long now) {
        Optional<String> forged = forged(key, s, headers);
        if (forged.isPresent()) {
            refuse(key, s, forged.get(), now);
            return;
        }
        fold(key, s, now);
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
            releaseIfEnded(key, t, next.get(), s, now);
        }
    }

    /**
     * A pod of a Job, or a bare pod that ran and exited (Succeeded, Failed: final, never restarted), holds no capacity
     * any more, as in Kubernetes: its assignment is revoked at once, so the scheduler can place on that node
     * again (a Job of 1,000 completions would otherwise fill a node with 110 finished pods and stall). The
     * view stays, with its phase; the node removes the exited container, and its log, already read from
     * the open json-file, stays on berth.logs. A Deployment's ended pods are replaced and stopped by the
     * reconcile as before.
     */
    private void releaseIfEnded(String key, TaskView before, TaskView after, TaskStatus s, long now) {
        boolean ended = after.getPhase() == TaskPhase.SUCCEEDED || after.getPhase() == TaskPhase.FAILED;
        boolean wasEnded = before.getPhase() == TaskPhase.SUCCEEDED || before.getPhase() == TaskPhase.FAILED;
        if (!ended || wasEnded || after.getNodeId().isEmpty()) return;
        WorkloadView w = state.workload(key);
        if (w == null || (w.getKind() != ResourceKind.JOB && w.getKind() != ResourceKind.POD)) return;
        // a bare pod whose containers could not be created (CreateContainerConfigError, ErrImagePull) is retried by its
        // node, as kubelet does: only one that ran and exited lets go; a Job's failed pod is replaced by the controller
        if (w.getKind() == ResourceKind.POD && s.getState() != TaskState.EXITED) return;
        out.tombstone(Topics.ASSIGNMENTS, Topics.assignmentKey(after.getNodeId(), after.getTaskId()), now);
    }

    /**
     * A task the node's heartbeats stopped listing (the node controller's {@link RunningListing}): FAILED
     * with reason ContainerMissing, if this controller still believes it runs there; else nothing (a
     * status got through after all, it moved, or it ended).
     */
    void gap(String key, TaskStatus s, long now) {
        if (RunningListing.believedRunning(state.task(key, s.getTaskId()), s.getNodeId())) fold(key, s, now);
    }

    /**
     * A node's report (any state but the scheduler's ASSIGNED / UNSCHEDULABLE) must be signed by the
     * node it names: node A cannot report for node B's task. A report by A about a task that moved to
     * B is A's own stale copy: it passes here, and only revokes A's assignment ({@link #revokeStale}).
     */
    private Optional<String> forged(String key, TaskStatus s, Headers headers) {
        if (!signatures.enabled() || Actors.SCHEDULER.equals(reporter(s))) return Optional.empty();
        if (s.getNodeId().isEmpty()) return Optional.of("a node's task status names no node");
        return signatures.problem(out.inputTopic(Topics.TASK_STATUS.name()), key, headers, s.getNodeId());
    }

    private void refuse(String key, TaskStatus s, String reason, long now) {
        String why = "status " + s.getState() + " of task " + s.getTaskId() + " from node " + s.getNodeId() + " refused: " + reason;
        out.deadLetter(key, s, encode, why, now);
        TaskView t = state.task(key, s.getTaskId());
        String podKey = t != null ? Events.podKey(t) : Topics.resourceKey(ResourceKey.parse(key).namespace(), ResourceKind.POD, s.getTaskId());
        out.audit(podKey, "TaskStatusRejected", Actors.WORKLOAD_CONTROLLER, "", null, AvroJson.encode(s), why, now);
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
