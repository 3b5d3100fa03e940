package io.berth.node.runtime;

import io.berth.node.docker.Labels;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;

/** Builds the TaskStatus records this node publishes. */
final class Statuses {
    private Statuses() {}

    static TaskStatus of(String nodeId, TaskRecord r, TaskState state, Integer exitCode, String reason, String message, long now) {
        return TaskStatus.newBuilder()
                .setTaskId(r.taskId)
                .setWorkloadKey(r.workloadKey)
                .setNodeId(nodeId)
                .setState(state)
                .setContainerId(r.containerId)
                .setExitCode(exitCode)
                .setReason(reason == null ? "" : reason)
                .setMessage(message == null ? "" : message)
                .setTimestamp(now)
                .setRestartCount(r.restartCount)
                .setContainerName(Labels.containerName(nodeId, r.taskId))
                .build();
    }

    /** Kubernetes' terminated reasons. */
    static String exitReason(Integer exitCode, boolean oomKilled) {
        if (oomKilled) return "OOMKilled";
        return exitCode != null && exitCode == 0 ? "Completed" : "Error";
    }
}
