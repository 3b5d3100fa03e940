package io.berth.node.runtime;

import io.berth.schemas.TaskReason;
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

    /**
     * A task revoked before this node created anything for it: REMOVED, so the control plane can drop the pod
     * (the status a removed container would have brought; no container, no snapshot).
     */
    static TaskStatus revokedUnstarted(String nodeId, io.berth.schemas.avro.Assignment a, long now) {
        return TaskStatus.newBuilder()
                .setTaskId(a.getTaskId())
                .setWorkloadKey(a.getWorkloadKey())
                .setNodeId(nodeId)
                .setState(TaskState.REMOVED)
                .setReason("Revoked")
                .setMessage("revoked before its container was created")
                .setTimestamp(now)
                .setContainerName(Labels.containerName(nodeId, a.getTaskId()))
                .build();
    }

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
                .setRestartCount(r.restartCount())
                .setContainerName(Labels.containerName(nodeId, r.taskId))
                .setContainers(List.of(container(r, state, exitCode, reason, message)))
                .setPodIP(r.network.ip())
                .setPublishedPorts(publishedPorts(r))
                .build();
    }

    /**
     * The status of a pod of several containers: the first app container's id, the sum of the
     * containers' restarts, the infra container's IP and published ports, and a snapshot entry per
     * init and app container (as each last reported; waiting {@code PodInitializing} before its first).
     */
    static TaskStatus pod(String nodeId, TaskRecord main, TaskRecord infra, List<TaskRecord> units, TaskState state, Integer exitCode,
                          String reason, String message, boolean removed, long now) {
        List<ContainerStatus> cs = new ArrayList<>();
        int restarts = 0;
        for (TaskRecord u : units) {
            if (u.infra()) continue;
            restarts += u.restartCount();
            ContainerStatus c;
            if (removed) c = container(u, TaskState.REMOVED, null, "Revoked", "");
            else if (u.reported.state() == null) c = ContainerStatus.newBuilder().setName(u.desc.name()).setImage(u.desc.image())
                    .setContainerId("").setRestartCount(u.restartCount()).setState("waiting")
                    .setReason(u.desc.kind() == io.berth.node.docker.PodUnit.Kind.APP && main.reported.state() == null ? TaskReason.CONTAINER_CREATING.text() : TaskReason.POD_INITIALIZING.text())
                    .setMessage("").build();
            else c = container(u, u.reported.state(), u.reported.exitCode(), u.reported.reason(), u.reported.message());
            c.setInit(u.desc.kind() == io.berth.node.docker.PodUnit.Kind.INIT);
            cs.add(c);
        }
        boolean up = infra != null && !removed && (state == TaskState.RUNNING || state == TaskState.READY || state == TaskState.UNREADY);
        return TaskStatus.newBuilder()
                .setTaskId(main.taskId)
                .setWorkloadKey(main.workloadKey)
                .setNodeId(nodeId)
                .setState(state)
                .setContainerId(main.containerId)
                .setExitCode(exitCode)
                .setReason(reason == null ? "" : reason)
                .setMessage(message == null ? "" : message)
                .setTimestamp(now)
                .setRestartCount(restarts)
                .setContainerName(Labels.containerName(nodeId, main.taskId))
                .setContainers(cs)
                .setPodIP(infra == null ? main.network.ip() : infra.network.ip())
                .setPublishedPorts(up ? publishedPorts(infra) : List.of())
                .build();
    }

    /** Kubernetes' containerStatuses entry of the pod's container at this transition. */
    static ContainerStatus container(TaskRecord r, TaskState state, Integer exitCode, String reason, String message) {
        ContainerStatus.Builder b = ContainerStatus.newBuilder()
                .setName(r.desc.name())
                .setImage(r.desc.image())
                .setContainerId(r.containerId == null ? "" : r.containerId)
                .setRestartCount(r.restartCount())
                .setStartedAt(r.run.startedAt())
                .setExitCode(r.run.exitCode() == null ? 0 : r.run.exitCode());
        String rs = reason == null ? "" : reason;
        String msg = message == null ? "" : message;
        switch (state) {
            case RUNNING, READY, UNREADY -> b.setState("running").setReady(r.ready()).setStarted(r.started())
                    .setReason("").setMessage(state == TaskState.UNREADY ? msg : "");
            case EXITED -> {
                if (TaskReason.CRASH_LOOP_BACK_OFF.is(rs)) b.setState("waiting").setReason(rs).setMessage(msg);
                else b.setState("terminated").setReason(rs).setMessage(msg).setFinishedAt(r.run.finishedAt())
                        .setExitCode(exitCode == null ? b.getExitCode() : exitCode);
            }
            case REMOVED -> b.setState("terminated").setReason(rs).setMessage(msg).setFinishedAt(r.run.finishedAt());
            case CREATED -> b.setState("waiting").setReason(TaskReason.CONTAINER_CREATING.text()).setMessage("");
            default -> b.setState("waiting").setReason(rs).setMessage(msg); // FAILED: ErrImagePull, CreateContainerError …
        }
        return b.build();
    }

    /** Every declared port Docker published, with its host port read back from Docker. */
    static List<PublishedPort> publishedPorts(TaskRecord r) {
        List<PublishedPort> out = new ArrayList<>();
        for (ContainerPort p : r.desc.declaredPorts()) {
            String proto = p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol().toUpperCase(java.util.Locale.ROOT);
            int host = r.network.hostPort(p.getContainerPort(), proto);
            if (host <= 0) continue;
            out.add(PublishedPort.newBuilder().setName(p.getName()).setContainerPort(p.getContainerPort())
                    .setHostPort(host).setProtocol(proto).build());
        }
        return out;
    }
}
