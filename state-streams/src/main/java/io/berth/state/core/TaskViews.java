package io.berth.state.core;

import io.berth.schemas.avro.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds task views and placement requests for new tasks, and reads views back as {@link TaskActual}s. */
public final class TaskViews {
    /** Kubernetes' label for the template a pod runs. */
    public static final String TEMPLATE_HASH_LABEL = "pod-template-hash";
    /** Creation order within the workload; scale-down removes the newest first. */
    public static final String SEQ_LABEL = "berth.io/task-seq";

    private TaskViews() {}

    public static TaskView created(WorkloadView w, Steps.NewTask t, long now) {
        PodTemplate template = w.getDeployment().getTemplate();
        Map<String, String> labels = new HashMap<>(template.getLabels());
        labels.put(TEMPLATE_HASH_LABEL, w.getTemplateHash());
        labels.put(SEQ_LABEL, Long.toString(t.seq()));
        return TaskView.newBuilder()
                .setTaskId(t.taskId())
                // a bare pod keeps the name it was given, as in Kubernetes; a deployment's pods are named by their task id
                .setPodName(w.getKind() == ResourceKind.POD ? w.getName() : t.taskId())
                .setNamespace(w.getNamespace())
                .setWorkloadKey(w.getKey())
                .setLabels(labels)
                .setTemplate(template)
                .setTemplateHash(w.getTemplateHash())
                .setPhase(TaskPhase.PENDING)
                .setReason("Pending")
                .setCreatedAt(now)
                .setUpdatedAt(now)
                .build();
    }

    public static PlacementRequest placement(TaskView t, long now) {
        PodTemplate template = t.getTemplate();
        long cpu = 0, mem = 0;
        List<Integer> hostPorts = new ArrayList<>();
        for (ContainerSpec c : template.getContainers()) {
            cpu += c.getRequests().getCpuMillis();
            mem += c.getRequests().getMemoryBytes();
            c.getPorts().stream().map(ContainerPort::getHostPort).filter(p -> p != null && p > 0).forEach(hostPorts::add);
        }
        return PlacementRequest.newBuilder()
                .setRequestId(t.getTaskId())
                .setTaskId(t.getTaskId())
                .setWorkloadKey(t.getWorkloadKey())
                .setNamespace(t.getNamespace())
                .setPodName(t.getPodName())
                .setRequests(new Resources(cpu, mem))
                .setNodeSelector(template.getNodeSelector())
                .setHostPorts(hostPorts)
                .setSpreadKey(t.getWorkloadKey())
                .setTemplate(template)
                .setTimestamp(now)
                .build();
    }

    public static TaskActual actual(TaskView v) {
        String seq = v.getLabels().getOrDefault(SEQ_LABEL, "0");
        return new TaskActual(v.getTaskId(), v.getPhase(), v.getNodeId(), v.getReady(), Long.parseLong(seq),
                v.getTemplateHash(), v.getDesiredStop(), v.getUpdatedAt(), v.getReadyAt(), v.getRestartCount(), v.getCreatedAt(), v.getReason());
    }

    public static TaskView stopped(TaskView v, Steps.Stop s, long now) {
        return TaskView.newBuilder(v).setPhase(s.phase()).setReady(false).setDesiredStop(true)
                .setReason(s.reason()).setUpdatedAt(now).build();
    }
}
