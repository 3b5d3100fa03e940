package io.berth.scheduler;

import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.PlacementRequest;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;

/** The records a decision is published as. */
final class Decisions {
    private Decisions() {}

    static Assignment assignment(PlacementRequest r, String nodeId, long now) {
        return Assignment.newBuilder()
                .setTaskId(r.getTaskId())
                .setNodeId(nodeId)
                .setWorkloadKey(r.getWorkloadKey())
                .setNamespace(r.getNamespace())
                .setPodName(r.getPodName().isEmpty() ? r.getTaskId() : r.getPodName())
                .setTemplate(r.getTemplate())
                .setRequests(r.getRequests())
                .setAssignedAt(now)
                .setRequestId(r.getRequestId())
                .build();
    }

    static TaskStatus assigned(PlacementRequest r, String nodeId, long now) {
        return status(r, TaskState.ASSIGNED, now).setNodeId(nodeId).setReason("Scheduled")
                .setMessage("Successfully assigned " + r.getNamespace() + "/" + r.getTaskId() + " to " + nodeId).build();
    }

    /** Kubernetes shape: reason "Unschedulable", the per-node explanation in message (as kubectl describe shows it). */
    static TaskStatus unschedulable(PlacementRequest r, String text, long now) {
        return status(r, TaskState.UNSCHEDULABLE, now).setReason("Unschedulable").setMessage(text).build();
    }

    private static TaskStatus.Builder status(PlacementRequest r, TaskState state, long now) {
        return TaskStatus.newBuilder().setTaskId(r.getTaskId()).setWorkloadKey(r.getWorkloadKey()).setState(state).setTimestamp(now);
    }
}
