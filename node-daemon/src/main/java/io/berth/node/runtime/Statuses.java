package io.berth.node.runtime;

import io.berth.node.docker.Labels;
import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerStatus;
import io.berth.schemas.avro.PublishedPort;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;

import java.util.ArrayList;
import java.util.List;

/** Builds the TaskStatus records this node publishes, each with a snapshot of the pod's containers. */
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
                .setContainers(List.of(container(r, state, exitCode, reason, message)))
                .setPodIP(r.network.ip())
                .setPublishedPorts(publishedPorts(r))
                .build();
    }

    /** Kubernetes' containerStatuses entry of the pod's container at this transition. */
    static ContainerStatus container(TaskRecord r, TaskState state, Integer exitCode, String reason, String message) {
        ContainerStatus.Builder b = ContainerStatus.newBuilder()
                .setName(r.containerName)
                .setImage(r.image)
                .setContainerId(r.containerId == null ? "" : r.containerId)
                .setRestartCount(r.restartCount)
                .setStartedAt(r.startedAt)
                .setExitCode(r.lastExitCode == null ? 0 : r.lastExitCode);
        String rs = reason == null ? "" : reason;
        String msg = message == null ? "" : message;
        switch (state) {
            case RUNNING, READY, UNREADY -> b.setState("running").setReady(r.ready).setStarted(r.started)
                    .setReason("").setMessage(state == TaskState.UNREADY ? msg : "");
            case EXITED -> {
                if ("CrashLoopBackOff".equals(rs)) b.setState("waiting").setReason(rs).setMessage(msg);
                else b.setState("terminated").setReason(rs).setMessage(msg).setFinishedAt(r.finishedAt)
                        .setExitCode(exitCode == null ? b.getExitCode() : exitCode);
            }
            case REMOVED -> b.setState("terminated").setReason(rs).setMessage(msg).setFinishedAt(r.finishedAt);
            case CREATED -> b.setState("waiting").setReason("ContainerCreating").setMessage("");
            default -> b.setState("waiting").setReason(rs).setMessage(msg); // FAILED: ErrImagePull, CreateContainerError …
        }
        return b.build();
    }

    /** Every declared port Docker published, with its host port read back from Docker. */
    static List<PublishedPort> publishedPorts(TaskRecord r) {
        List<PublishedPort> out = new ArrayList<>();
        for (ContainerPort p : r.declaredPorts) {
            String proto = p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol().toUpperCase(java.util.Locale.ROOT);
            int host = r.network.hostPort(p.getContainerPort(), proto);
            if (host <= 0) continue;
            out.add(PublishedPort.newBuilder().setName(p.getName()).setContainerPort(p.getContainerPort())
                    .setHostPort(host).setProtocol(proto).build());
        }
        return out;
    }

    /** Kubernetes' terminated reasons. */
    static String exitReason(Integer exitCode, boolean oomKilled) {
        if (oomKilled) return "OOMKilled";
        return exitCode != null && exitCode == 0 ? "Completed" : "Error";
    }
}
