package io.berth.gateway.view;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.Quantities;
import io.berth.schemas.avro.*;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Berth's materialized views rendered as the Kubernetes objects {@code kubectl get -o json} prints
 * ({@code v1 Pod}, {@code v1 Node}, {@code apps/v1 Deployment}, {@code apps/v1 DaemonSet}, {@code apps/v1 ControllerRevision}, {@code batch/v1 Job}, {@code batch/v1 CronJob}, {@code v1 Service}, {@code v1 List}).
 * Pure: shared by the CLI and the gateway's REST API.
 *
 * <p>Mapping: a task is a pod (uid = task id), a NodeView a node (uid = node id), a WorkloadView a
 * Deployment or Service. Task phases map onto pod phases: PENDING and SCHEDULED are {@code Pending},
 * LOST is {@code Unknown}, TERMINATING keeps the phase it had and gains {@code metadata.deletionTimestamp}.
 */
public final class KubeObjects {
    private KubeObjects() {}

    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** What {@code VERSION} and {@code status.nodeInfo.kubeletVersion} show for Berth nodes. */
    public static final String NODE_VERSION = "v0.1.0-berth";

    public static ObjectNode list(List<ObjectNode> items) {
        ObjectNode list = JSON.objectNode().put("apiVersion", "v1").put("kind", "List");
        list.putArray("items").addAll(items);
        list.putObject("metadata").put("resourceVersion", "");
        return list;
    }

    // ---- pods ----

    public static String podName(TaskView t) {
        return t.getPodName().isEmpty() ? t.getTaskId() : t.getPodName();
    }

    /** Annotation: the scheduler's one-line verdict, e.g. {@code n2 of 3 feasible — spread 1.00, leastAllocated 0.71; n1: Insufficient memory}. */
    public static final String PLACEMENT = "berth.io/placement";
    /** Annotation: the whole verdict as JSON ({@link #placementVerdict}), what describe lays out line by line. */
    public static final String PLACEMENT_VERDICT = "berth.io/placement-verdict";

    /**
     * The scheduler's verdict as plain JSON: {@code nodeId, feasible, total, scores:[{ranker, score,
     * normalized}], runnerUp, runnerUpScores, rejected:{node: reason}, rejectedOmitted, message, decidedAt}.
     */
    public static ObjectNode placementVerdict(PlacementVerdict v) {
        ObjectNode o = JSON.objectNode().put("nodeId", v.getNodeId()).put("feasible", v.getFeasible()).put("total", v.getTotal());
        o.set("scores", rankerScores(v.getScores()));
        o.put("runnerUp", v.getRunnerUp());
        o.set("runnerUpScores", rankerScores(v.getRunnerUpScores()));
        ObjectNode rejected = o.putObject("rejected");
        new TreeMap<>(v.getRejected()).forEach(rejected::put);
        return o.put("rejectedOmitted", v.getRejectedOmitted()).put("message", v.getMessage())
                .put("decidedAt", timestamp(v.getDecidedAt()));
    }

    private static ArrayNode rankerScores(List<RankerScore> scores) {
        ArrayNode a = JSON.arrayNode();
        for (RankerScore s : scores) a.addObject().put("ranker", s.getRanker()).put("score", s.getScore()).put("normalized", s.getNormalized());
        return a;
    }

    /** The label state-streams keeps a task's ordinal in ({@code TaskViews.SEQ_LABEL}); never shown on a pod. */
    static final String TASK_SEQ_LABEL = "berth.io/task-seq";

    /** The pod of a task; {@code nodes} (by node id) supply spec.nodeName and status.hostIP. */
    public static ObjectNode pod(TaskView t, Map<String, NodeView> nodes) {
        return pod(t, nodes, key -> "");
    }

    /**
     * The pod of a task, with {@code workloadUid} (a workload key → its uid, "" when not known yet) for the
     * owner reference of a Job's pod, which names the Job's uid as Kubernetes' does.
     */
    public static ObjectNode pod(TaskView t, Map<String, NodeView> nodes, java.util.function.Function<String, String> workloadUid) {
        ObjectNode pod = JSON.objectNode().put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode meta = pod.putObject("metadata").put("name", podName(t)).put("namespace", t.getNamespace());
        Map<String, String> labels = new TreeMap<>(t.getLabels());
        labels.remove(TASK_SEQ_LABEL); // state-streams' bookkeeping, not the user's: a pod shows the labels Kubernetes would
        String[] owner = t.getWorkloadKey().split("/", 3);
        boolean daemon = owner.length == 3 && (owner[1].equals("daemonset") || owner[1].equals("statefulset"));
        boolean stateful = owner.length == 3 && owner[1].equals("statefulset");
        // a DaemonSet's pods carry the hash of their ControllerRevision, a Deployment's that of their ReplicaSet
        if (!t.getTemplateHash().isEmpty()) labels.putIfAbsent(daemon ? CONTROLLER_REVISION_HASH : "pod-template-hash", t.getTemplateHash());
        putMap(meta, "labels", labels);
        ObjectNode annotations = JSON.objectNode();
        if (!t.getWorkloadKey().isEmpty()) annotations.put("berth.io/workload", t.getWorkloadKey());
        if (t.getPlacement() != null) {
            annotations.put(PLACEMENT, t.getPlacement().getMessage());
            annotations.put(PLACEMENT_VERDICT, placementVerdict(t.getPlacement()).toString());
        }
        if (!annotations.isEmpty()) meta.set("annotations", annotations);
        meta.put("uid", t.getTaskId()).put("resourceVersion", t.getResourceVersion())
                .put("creationTimestamp", timestamp(t.getCreatedAt()));
        if (owner.length == 3 && owner[1].equals("deployment") && !t.getTemplateHash().isEmpty()) {
            // the ReplicaSet of its revision controls it, as on Kubernetes (kubectl drain and garbage-collecting clients look for it)
            meta.putArray("ownerReferences").addObject().put("apiVersion", "apps/v1").put("kind", "ReplicaSet")
                    .put("name", owner[2] + "-" + t.getTemplateHash()).put("uid", replicaSetUid(t.getWorkloadKey(), t.getTemplateHash()))
                    .put("controller", true).put("blockOwnerDeletion", true);
        } else if (owner.length == 3 && (owner[1].equals("job") || daemon)) {
            // the Job or DaemonSet controls it directly (kubectl drain --ignore-daemonsets, describe's Controlled By and
            // garbage-collecting clients look for it)
            ObjectNode ref = meta.putArray("ownerReferences").addObject().put("apiVersion", daemon ? "apps/v1" : "batch/v1")
                    .put("kind", stateful ? "StatefulSet" : daemon ? "DaemonSet" : "Job").put("name", owner[2]);
            String uid = workloadUid.apply(t.getWorkloadKey());
            if (uid != null && !uid.isEmpty()) ref.put("uid", uid);
            ref.put("controller", true).put("blockOwnerDeletion", true);
        }
        if (t.getPhase() == TaskPhase.TERMINATING) meta.put("deletionTimestamp", timestamp(t.getUpdatedAt()));

        NodeView node = nodes.get(t.getNodeId());
        ObjectNode spec = pod.putObject("spec");
        if (!t.getNodeId().isEmpty()) spec.put("nodeName", node == null ? t.getNodeId() : nodeName(node));
        ObjectNode template = podSpec(t.getTemplate());
        spec.setAll(template);

        ObjectNode status = pod.putObject("status").put("phase", podPhase(t));
        putIfNotEmpty(status, "reason", t.getPhase() == TaskPhase.LOST && t.getReason().isEmpty() ? "NodeLost" : t.getReason());
        putIfNotEmpty(status, "message", t.getMessage());
        if (node != null) putIfNotEmpty(status, "hostIP", node.getAddress());
        if (!t.getPodIP().isEmpty()) {
            status.put("podIP", t.getPodIP());
            status.putArray("podIPs").addObject().put("ip", t.getPodIP());
        }
        if (t.getStartedAt() > 0) status.put("startTime", timestamp(t.getStartedAt()));
        status.set("conditions", podConditions(t));
        List<ContainerStatus> reported = t.getContainerStatuses();
        if (reported.isEmpty()) {
            // no per-container snapshot (older node daemons): derived from the task as a whole
            ArrayNode statuses = status.putArray("containerStatuses");
            for (ContainerSpec c : t.getTemplate().getContainers()) {
                ObjectNode cs = statuses.addObject().put("name", c.getName()).put("ready", t.getReady())
                        .put("restartCount", t.getRestartCount()).put("image", c.getImage());
                if (t.getContainerId() != null) cs.put("containerID", "docker://" + t.getContainerId());
                cs.set("state", containerState(t));
            }
        } else {
            ArrayNode inits = JSON.arrayNode();
            ArrayNode statuses = JSON.arrayNode();
            for (ContainerStatus c : reported) (c.getInit() ? inits : statuses).add(containerStatus(c, t.getTemplate()));
            if (!inits.isEmpty()) status.set("initContainerStatuses", inits);
            status.set("containerStatuses", statuses);
        }
        return pod;
    }

    /** One container's status as Kubernetes reports it, from the node daemon's snapshot. */
    static ObjectNode containerStatus(ContainerStatus c, PodTemplate template) {
        String image = c.getImage();
        if (image.isEmpty()) {
            for (ContainerSpec spec : c.getInit() ? template.getInitContainers() : template.getContainers()) {
                if (spec.getName().equals(c.getName())) image = spec.getImage();
            }
        }
        ObjectNode o = JSON.objectNode().put("name", c.getName());
        ObjectNode state = o.putObject("state");
        ObjectNode last = o.putObject("lastState");
        switch (c.getState()) {
            case "running" -> {
                state.putObject("running").put("startedAt", timestamp(c.getStartedAt()));
                // a restarted container: its previous run ended at finishedAt
                if (c.getRestartCount() > 0 && c.getFinishedAt() > 0 && c.getFinishedAt() <= c.getStartedAt()) {
                    terminated(last, c, null);
                }
            }
            case "terminated" -> terminated(state, c, c.getContainerId());
            default -> {
                ObjectNode waiting = state.putObject("waiting");
                waiting.put("reason", c.getReason().isEmpty() ? "ContainerCreating" : c.getReason());
                putIfNotEmpty(waiting, "message", c.getMessage());
                // waiting to restart (CrashLoopBackOff): the run that ended is the last state, known by its
                // finish time or, when the node reported only the exit code with the back-off, by that code
                if (c.getFinishedAt() > 0 || c.getRestartCount() > 0 && c.getExitCode() != 0) terminated(last, c, c.getContainerId());
            }
        }
        o.put("ready", c.getReady()).put("restartCount", c.getRestartCount()).put("image", image)
                .put("imageID", "");
        if (!c.getContainerId().isEmpty()) o.put("containerID", "docker://" + c.getContainerId());
        o.put("started", c.getStarted());
        return o;
    }

    private static void terminated(ObjectNode parent, ContainerStatus c, String containerId) {
        ObjectNode t = parent.putObject("terminated").put("exitCode", c.getExitCode());
        String reason = c.getState().equals("terminated") && !c.getReason().isEmpty() ? c.getReason()
                : c.getReason().equals("OOMKilled") ? "OOMKilled" : c.getExitCode() == 0 ? "Completed" : "Error";
        t.put("reason", reason);
        if (c.getState().equals("terminated")) putIfNotEmpty(t, "message", c.getMessage());
        if (c.getStartedAt() > 0) t.put("startedAt", timestamp(c.getStartedAt()));
        if (c.getFinishedAt() > 0) t.put("finishedAt", timestamp(c.getFinishedAt()));
        if (containerId != null && !containerId.isEmpty()) t.put("containerID", "docker://" + containerId);
    }

    /**
     * The pod's conditions in Kubernetes' order: Initialized, Ready, ContainersReady, PodScheduled,
     * with reasons and messages when False and the time each last changed (as far as the view knows it).
     */
    static ArrayNode podConditions(TaskView t) {
        ArrayNode conditions = JSON.arrayNode();
        boolean scheduled = !t.getNodeId().isEmpty();
        long scheduledAt = t.getScheduledAt() > 0 ? t.getScheduledAt() : t.getCreatedAt();
        List<String> unready = new java.util.ArrayList<>(), uninitialized = new java.util.ArrayList<>();
        boolean initsDone;
        if (!t.getContainerStatuses().isEmpty()) {
            for (ContainerStatus c : t.getContainerStatuses()) {
                if (c.getInit()) {
                    if (!(c.getState().equals("terminated") && c.getExitCode() == 0)) uninitialized.add(c.getName());
                } else if (!c.getReady()) {
                    unready.add(c.getName());
                }
            }
        } else {
            if (!t.getReady()) t.getTemplate().getContainers().forEach(c -> unready.add(c.getName()));
            if (t.getStartedAt() == 0) t.getTemplate().getInitContainers().forEach(c -> uninitialized.add(c.getName()));
        }
        initsDone = uninitialized.isEmpty() && scheduled;
        if (!scheduled && t.getTemplate().getInitContainers().isEmpty()) initsDone = false;
        // as the task says (a stopping pod stays Ready until its container is gone, as the kubelet reports it)
        boolean ready = t.getReady() && unready.isEmpty() && (t.getPhase() == TaskPhase.RUNNING || t.getPhase() == TaskPhase.TERMINATING);
        long readySince = t.getReadyAt() > 0 ? t.getReadyAt() : t.getStartedAt();
        long changed = t.getUpdatedAt() > 0 ? t.getUpdatedAt() : t.getCreatedAt();

        if (scheduled) {
            ObjectNode init = condition(conditions, "Initialized", initsDone || t.getTemplate().getInitContainers().isEmpty(),
                    initsDone ? (t.getStartedAt() > 0 ? t.getStartedAt() : scheduledAt) : scheduledAt);
            if (!(initsDone || t.getTemplate().getInitContainers().isEmpty())) {
                init.put("reason", "ContainersNotInitialized").put("message", "containers with incomplete status: [" + String.join(" ", uninitialized) + "]");
            }
            for (String type : List.of("Ready", "ContainersReady")) {
                ObjectNode c = condition(conditions, type, ready, ready ? readySince : changed);
                if (!ready) {
                    List<String> names = unready.isEmpty() ? t.getTemplate().getContainers().stream().map(ContainerSpec::getName).toList() : unready;
                    c.put("reason", "ContainersNotReady").put("message", "containers with unready status: [" + String.join(" ", names) + "]");
                }
            }
        }
        ObjectNode sched = condition(conditions, "PodScheduled", scheduled, scheduled ? scheduledAt : changed);
        if (!scheduled && !t.getReason().isEmpty()) {
            sched.put("reason", "Unschedulable");
            putIfNotEmpty(sched, "message", t.getMessage().isEmpty() ? t.getReason() : t.getMessage());
        }
        return conditions;
    }

    private static ObjectNode condition(ArrayNode conditions, String type, boolean status, long since) {
        ObjectNode c = conditions.addObject().put("type", type).put("status", status ? "True" : "False");
        c.putNull("lastProbeTime");
        if (since > 0) c.put("lastTransitionTime", timestamp(since));
        else c.putNull("lastTransitionTime");
        return c;
    }

    /** Kubernetes' pod phase for a task phase. */
    public static String podPhase(TaskView t) {
        return switch (t.getPhase()) {
            case PENDING, SCHEDULED -> "Pending";
            case RUNNING -> "Running";
            case SUCCEEDED -> "Succeeded";
            // a container that could not be configured (a Secret or ConfigMap missing) waits, as the kubelet's does
            case FAILED -> t.getStartedAt() == 0 && io.berth.schemas.TaskReason.CREATE_CONTAINER_CONFIG_ERROR.is(t.getReason()) ? "Pending" : "Failed";
            case TERMINATING -> t.getStartedAt() > 0 ? "Running" : "Pending";
            case LOST, UNKNOWN -> "Unknown";
        };
    }

    /** The STATUS column of {@code kubectl get pods}: the phase, or the more precise reason kubectl prefers. */
    public static String podStatus(TaskView t) {
        boolean oneWordReason = t.getReason().matches("[A-Za-z]+");
        return switch (t.getPhase()) {
            case PENDING -> "Pending";
            case SCHEDULED -> t.getReason().startsWith("Init:") ? t.getReason() : "ContainerCreating";
            // a waiting or exited container (CrashLoopBackOff, Error, Completed) shows its reason; merely unready shows Running
            case RUNNING -> !t.getReady() && oneWordReason && !t.getReason().equals("ContainersNotReady") ? t.getReason() : "Running";
            case SUCCEEDED -> "Completed";
            case FAILED -> oneWordReason || t.getReason().startsWith("Init:") ? t.getReason() : "Error";
            case TERMINATING -> "Terminating";
            case LOST, UNKNOWN -> "Unknown";
        };
    }

    private static ObjectNode containerState(TaskView t) {
        ObjectNode state = JSON.objectNode();
        String status = podStatus(t);
        switch (t.getPhase()) {
            case RUNNING, TERMINATING -> {
                if (status.equals("Running") || status.equals("Terminating")) {
                    state.putObject("running").put("startedAt", timestamp(t.getStartedAt()));
                } else {
                    state.putObject("waiting").put("reason", status);
                }
            }
            case SUCCEEDED, FAILED -> state.putObject("terminated").put("reason", status);
            default -> state.putObject("waiting").put("reason", status.equals("Pending") ? "ContainerCreating" : status);
        }
        return state;
    }

    /** A pod template's spec, as Kubernetes writes it (the inverse of the manifest parser). */
    public static ObjectNode podSpec(PodTemplate t) {
        ObjectNode spec = JSON.objectNode();
        ArrayNode containers = spec.putArray("containers");
        t.getContainers().forEach(c -> containers.add(container(c)));
        if (!t.getInitContainers().isEmpty()) {
            ArrayNode inits = spec.putArray("initContainers");
            t.getInitContainers().forEach(c -> inits.add(container(c)));
        }
        putMapIfNotEmpty(spec, "nodeSelector", t.getNodeSelector());
        spec.put("restartPolicy", t.getRestartPolicy());
        spec.put("terminationGracePeriodSeconds", t.getTerminationGracePeriodSeconds());
        if (!t.getVolumes().isEmpty()) {
            ArrayNode volumes = spec.putArray("volumes");
            for (Volume v : t.getVolumes()) {
                ObjectNode vol = volumes.addObject().put("name", v.getName());
                if (v.getType().equals("hostPath")) vol.putObject("hostPath").put("path", v.getHostPath());
                else if (v.getType().equals("persistentVolumeClaim")) vol.putObject("persistentVolumeClaim").put("claimName", v.getSource());
                else if (v.getType().equals("secret") || v.getType().equals("configMap")) {
                    ObjectNode src = vol.putObject(v.getType()).put(v.getType().equals("secret") ? "secretName" : "name", v.getSource());
                    if (!v.getItems().isEmpty()) {
                        ArrayNode items = src.putArray("items");
                        v.getItems().forEach(i -> items.addObject().put("key", i.getKey()).put("path", i.getPath()));
                    }
                    if (v.getOptional()) src.put("optional", true);
                } else vol.putObject("emptyDir");
            }
        }
        SecurityContexts.put(spec, t.getSecurityContext());
        return spec;
    }

    public static ObjectNode container(ContainerSpec c) {
        ObjectNode o = JSON.objectNode().put("name", c.getName()).put("image", c.getImage());
        if (!c.getCommand().isEmpty()) c.getCommand().forEach(o.putArray("command")::add);
        if (!c.getArgs().isEmpty()) c.getArgs().forEach(o.putArray("args")::add);
        if (!c.getWorkingDir().isEmpty()) o.put("workingDir", c.getWorkingDir());
        if (!c.getEnv().isEmpty()) {
            ArrayNode env = o.putArray("env");
            c.getEnv().forEach(e -> {
                ObjectNode var = env.addObject().put("name", e.getName());
                if (e.getValueFrom() == null) {
                    var.put("value", e.getValue());
                    return;
                }
                ObjectNode ref = var.putObject("valueFrom").putObject("Secret".equals(e.getValueFrom().getKind()) ? "secretKeyRef" : "configMapKeyRef")
                        .put("name", e.getValueFrom().getName()).put("key", e.getValueFrom().getKey());
                if (e.getValueFrom().getOptional()) ref.put("optional", true);
            });
        }
        if (!c.getEnvFrom().isEmpty()) {
            ArrayNode from = o.putArray("envFrom");
            c.getEnvFrom().forEach(r -> {
                ObjectNode f = from.addObject();
                if (!r.getPrefix().isEmpty()) f.put("prefix", r.getPrefix());
                ObjectNode ref = f.putObject("Secret".equals(r.getKind()) ? "secretRef" : "configMapRef").put("name", r.getName());
                if (r.getOptional()) ref.put("optional", true);
            });
        }
        if (!c.getPorts().isEmpty()) {
            ArrayNode ports = o.putArray("ports");
            for (ContainerPort p : c.getPorts()) {
                ObjectNode port = ports.addObject();
                putIfNotEmpty(port, "name", p.getName());
                port.put("containerPort", p.getContainerPort());
                if (p.getHostPort() != null) port.put("hostPort", p.getHostPort());
                port.put("protocol", p.getProtocol());
            }
        }
        ObjectNode resources = o.putObject("resources");
        putResources(resources, "limits", c.getLimits());
        putResources(resources, "requests", c.getRequests());
        putProbe(o, "livenessProbe", c.getLivenessProbe());
        putProbe(o, "readinessProbe", c.getReadinessProbe());
        putProbe(o, "startupProbe", c.getStartupProbe());
        if (!c.getVolumeMounts().isEmpty()) {
            ArrayNode mounts = o.putArray("volumeMounts");
            for (VolumeMount m : c.getVolumeMounts()) {
                ObjectNode mount = mounts.addObject().put("name", m.getName()).put("mountPath", m.getMountPath());
                if (m.getReadOnly()) mount.put("readOnly", true);
            }
        }
        SecurityContexts.put(o, c.getSecurityContext());
        return o;
    }

    private static void putResources(ObjectNode parent, String field, Resources r) {
        if (r.getCpuMillis() == 0 && r.getMemoryBytes() == 0) return;
        ObjectNode o = parent.putObject(field);
        if (r.getCpuMillis() > 0) o.put("cpu", Quantities.formatCpu(r.getCpuMillis()));
        if (r.getMemoryBytes() > 0) o.put("memory", Quantities.formatMemory(r.getMemoryBytes()));
    }

    private static void putProbe(ObjectNode parent, String field, Probe p) {
        if (p == null) return;
        ObjectNode o = parent.putObject(field);
        switch (p.getType()) {
            case HTTP_GET -> o.putObject("httpGet").put("path", p.getPath()).put("port", p.getPort());
            case TCP_SOCKET -> o.putObject("tcpSocket").put("port", p.getPort());
            case EXEC -> p.getCommand().forEach(o.putObject("exec").putArray("command")::add);
        }
        o.put("initialDelaySeconds", p.getInitialDelaySeconds()).put("periodSeconds", p.getPeriodSeconds())
                .put("timeoutSeconds", p.getTimeoutSeconds()).put("successThreshold", p.getSuccessThreshold())
                .put("failureThreshold", p.getFailureThreshold());
    }

    // ---- nodes ----

    public static String nodeName(NodeView n) {
        return n.getName().isEmpty() ? n.getNodeId() : n.getName();
    }

    public static ObjectNode node(NodeView n) {
        ObjectNode node = JSON.objectNode().put("apiVersion", "v1").put("kind", "Node");
        ObjectNode meta = node.putObject("metadata").put("name", nodeName(n));
        Map<String, String> labels = new TreeMap<>(n.getLabels());
        // every Kubernetes node carries its hostname label; Berth's scheduler reads it as the node's id when it has none
        labels.putIfAbsent(io.berth.schemas.NodeLabels.HOSTNAME, n.getNodeId());
        putMap(meta, "labels", labels);
        if (!n.getIncarnation().isEmpty()) meta.putObject("annotations").put("berth.io/incarnation", n.getIncarnation());
        meta.put("uid", n.getNodeId()).put("resourceVersion", n.getResourceVersion())
                .put("creationTimestamp", timestamp(n.getRegisteredAt()));
        node.putObject("spec").put("unschedulable", n.getCordoned());

        ObjectNode status = node.putObject("status");
        ObjectNode capacity = status.putObject("capacity").put("cpu", Quantities.formatCpu(n.getCapacity().getCpuMillis()))
                .put("memory", Quantities.formatMemory(n.getCapacity().getMemoryBytes()));
        if (n.getMaxPods() > 0) capacity.put("pods", Integer.toString(n.getMaxPods())); // the daemon's --max-pods
        status.set("allocatable", capacity.deepCopy());
        ObjectNode allocated = JSON.objectNode().put("cpu", Quantities.formatCpu(n.getAllocated().getCpuMillis()))
                .put("memory", Quantities.formatMemory(n.getAllocated().getMemoryBytes()));
        status.set("berthAllocated", allocated);
        Condition ready = readyCondition(n);
        ArrayNode conditions = status.putArray("conditions");
        conditions.addObject().put("type", "Ready").put("status", ready.getStatus())
                .put("reason", ready.getReason()).put("message", ready.getMessage())
                .put("lastHeartbeatTime", timestamp(n.getLastHeartbeat()))
                .put("lastTransitionTime", timestamp(ready.getLastTransitionTime()));
        for (Condition c : n.getConditions()) { // the daemon's own, e.g. ContainerRuntimeUnhealthy
            if (c.getType().equals("Ready")) continue;
            conditions.addObject().put("type", c.getType()).put("status", c.getStatus())
                    .put("reason", c.getReason()).put("message", c.getMessage())
                    .put("lastHeartbeatTime", timestamp(n.getLastHeartbeat()))
                    .put("lastTransitionTime", timestamp(c.getLastTransitionTime()));
        }
        ArrayNode addresses = status.putArray("addresses");
        if (!n.getAddress().isEmpty()) addresses.addObject().put("type", "InternalIP").put("address", n.getAddress());
        addresses.addObject().put("type", "Hostname").put("address", nodeName(n));
        status.putObject("nodeInfo").put("kubeletVersion", NODE_VERSION).put("containerRuntimeVersion", "docker")
                .put("machineID", n.getNodeId());
        return node;
    }

    /** The node's Ready condition: the one state-streams wrote, else derived from {@code ready}. */
    public static Condition readyCondition(NodeView n) {
        for (Condition c : n.getConditions()) {
            if (c.getType().equals("Ready")) {
                boolean agrees = c.getStatus().equals(n.getReady() ? "True" : "False");
                if (agrees) return c;
            }
        }
        return n.getReady()
                ? new Condition("Ready", "True", "NodeReady", "berth node daemon is posting ready status", n.getLastHeartbeat())
                : new Condition("Ready", "False", "NodeStatusUnknown", "Node daemon stopped posting node status.", n.getLastHeartbeat());
    }

    /**
     * The STATUS column of {@code kubectl get nodes}: Ready or NotReady (heartbeats, truthful), then
     * SchedulingDisabled when cordoned and the type of every problem condition the daemon reports as
     * holding (e.g. {@code Ready,ContainerRuntimeUnhealthy}).
     */
    public static String nodeStatus(NodeView n) {
        StringBuilder s = new StringBuilder(n.getReady() ? "Ready" : "NotReady");
        if (n.getCordoned()) s.append(",SchedulingDisabled");
        for (Condition c : n.getConditions()) {
            if (!c.getType().equals("Ready") && c.getStatus().equals("True")) s.append(',').append(c.getType());
        }
        return s.toString();
    }

    public static String nodeRoles(NodeView n) {
        String prefix = "node-role.kubernetes.io/";
        List<String> roles = n.getLabels().keySet().stream().filter(k -> k.startsWith(prefix))
                .map(k -> k.substring(prefix.length())).sorted().toList();
        return roles.isEmpty() ? "<none>" : String.join(",", roles);
    }

    // ---- workloads ----

    public static ObjectNode deployment(WorkloadView w) {
        ObjectNode d = JSON.objectNode().put("apiVersion", "apps/v1").put("kind", "Deployment");
        Map<String, String> annotations = new TreeMap<>(w.getAnnotations());
        if (w.getRevision() > 0) annotations.put(REVISION, Long.toString(w.getRevision()));
        d.set("metadata", workloadMeta(w, annotations).put("generation", w.getGeneration()));
        DeploymentSpec s = w.getDeployment();
        ObjectNode spec = d.putObject("spec");
        if (s != null) {
            spec.put("replicas", s.getReplicas());
            putMap(spec.putObject("selector"), "matchLabels", s.getSelector());
            ObjectNode template = spec.putObject("template");
            ObjectNode tmeta = template.putObject("metadata");
            putMap(tmeta, "labels", s.getTemplate().getLabels());
            putMapIfNotEmpty(tmeta, "annotations", s.getTemplate().getAnnotations());
            template.set("spec", podSpec(s.getTemplate()));
            ObjectNode strategy = spec.putObject("strategy").put("type", s.getStrategyType());
            if (!s.getStrategyType().equals("Recreate")) {
                strategy.putObject("rollingUpdate").set("maxSurge", intOrString(s.getRollingUpdate().getMaxSurge()));
                ((ObjectNode) strategy.get("rollingUpdate")).set("maxUnavailable", intOrString(s.getRollingUpdate().getMaxUnavailable()));
            }
            if (s.getStrategyType().equals("Canary")) {
                ArrayNode steps = strategy.putObject("canary").putArray("steps");
                for (CanaryStep step : s.getCanarySteps()) {
                    if (!step.getPause()) steps.addObject().put("setWeight", step.getSetWeight());
                    else if (step.getPauseSeconds() > 0) steps.addObject().putObject("pause").put("duration", step.getPauseSeconds());
                    else steps.addObject().putObject("pause");
                }
            }
            if (s.getUpdateDelaySeconds() > 0) strategy.put("updateDelaySeconds", s.getUpdateDelaySeconds());
            if (s.getRollbackOnFailure()) strategy.put("rollbackOnFailure", true);
            spec.put("minReadySeconds", s.getMinReadySeconds()).put("revisionHistoryLimit", s.getRevisionHistoryLimit())
                    .put("progressDeadlineSeconds", s.getProgressDeadlineSeconds());
            if (s.getPaused()) spec.put("paused", true);
        }
        ObjectNode status = d.putObject("status").put("observedGeneration", w.getObservedGeneration())
                .put("replicas", w.getReplicas()).put("readyReplicas", w.getReadyReplicas())
                .put("availableReplicas", w.getAvailableReplicas()).put("updatedReplicas", w.getUpdatedReplicas())
                .put("unavailableReplicas", w.getUnavailableReplicas());
        ArrayNode conditions = status.putArray("conditions");
        for (Condition c : w.getConditions()) {
            ObjectNode o = conditions.addObject().put("type", c.getType()).put("status", c.getStatus());
            if (c.getLastTransitionTime() > 0) {
                o.put("lastUpdateTime", timestamp(c.getLastTransitionTime())).put("lastTransitionTime", timestamp(c.getLastTransitionTime()));
            }
            putIfNotEmpty(o, "reason", c.getReason());
            putIfNotEmpty(o, "message", c.getMessage());
        }
        RolloutStatus r = w.getRollout();
        if (r != null && (!r.getPhase().isEmpty() || r.getFailedRevision() > 0)) status.set("berth", rollout(r, s));
        return d;
    }

    /**
     * A {@code batch/v1 Job}: its spec as Kubernetes defaults it (completionMode NonIndexed, the selector =
     * the template's job-name labels) and its status as the job controller reports it: counts omitted
     * when 0 (ready kept, as Kubernetes writes it), startTime and completionTime once they happened, the
     * conditions (Complete, Failed, Suspended) each only while it holds ({@code kubectl wait
     * --for=condition=complete} reads them).
     */
    public static ObjectNode job(WorkloadView w) {
        return job(w, key -> "");
    }

    /**
     * A Job, with {@code workloadUid} (a workload key → its uid, "" when not known yet) for the owner reference
     * of a Job a CronJob created (its {@link io.berth.schemas.Topics#OWNER_ANNOTATION} annotation names the
     * CronJob): {@code ownerReferences: [{batch/v1 CronJob NAME, uid, controller, blockOwnerDeletion}]}, as
     * Kubernetes' CronJob controller sets it. The annotation stays visible in metadata.annotations.
     */
    public static ObjectNode job(WorkloadView w, java.util.function.Function<String, String> workloadUid) {
        ObjectNode o = JSON.objectNode().put("apiVersion", "batch/v1").put("kind", "Job");
        ObjectNode meta = workloadMeta(w).put("generation", Math.max(1, w.getGeneration()));
        o.set("metadata", meta);
        String owner = w.getAnnotations().getOrDefault(io.berth.schemas.Topics.OWNER_ANNOTATION, "");
        if (owner.startsWith("CronJob/") && owner.length() > "CronJob/".length()) {
            String cronJob = owner.substring("CronJob/".length());
            ObjectNode ref = meta.putArray("ownerReferences").addObject().put("apiVersion", "batch/v1").put("kind", "CronJob").put("name", cronJob);
            String uid = workloadUid.apply(io.berth.schemas.Topics.resourceKey(w.getNamespace(), ResourceKind.CRONJOB, cronJob));
            if (uid != null && !uid.isEmpty()) ref.put("uid", uid);
            ref.put("controller", true).put("blockOwnerDeletion", true);
        }
        JobSpec j = w.getJob() == null ? JobSpec.newBuilder().build() : w.getJob();
        o.set("spec", jobSpec(j, w.getDeployment(), true));

        ObjectNode status = o.putObject("status");
        if (!w.getConditions().isEmpty()) {
            ArrayNode conditions = status.putArray("conditions");
            for (Condition c : w.getConditions()) {
                ObjectNode co = conditions.addObject().put("type", c.getType()).put("status", c.getStatus());
                String at = timestamp(c.getLastTransitionTime());
                co.put("lastProbeTime", at).put("lastTransitionTime", at);
                putIfNotEmpty(co, "reason", c.getReason());
                putIfNotEmpty(co, "message", c.getMessage());
            }
        }
        JobStatus js = w.getJobStatus() == null ? JobStatus.newBuilder().build() : w.getJobStatus();
        if (js.getStartTime() > 0) status.put("startTime", timestamp(js.getStartTime()));
        if (js.getCompletionTime() > 0) status.put("completionTime", timestamp(js.getCompletionTime()));
        if (js.getActive() > 0) status.put("active", js.getActive());
        if (js.getSucceeded() > 0) status.put("succeeded", js.getSucceeded());
        if (js.getFailed() > 0) status.put("failed", js.getFailed());
        status.put("ready", js.getReady());
        return o;
    }

    /**
     * A Job's spec: {@code withSelector} for a Job (its selector = the template's job-name labels); a CronJob's
     * {@code jobTemplate.spec} has none, as Kubernetes generates it for each Job.
     */
    private static ObjectNode jobSpec(JobSpec j, DeploymentSpec d, boolean withSelector) {
        ObjectNode spec = JSON.objectNode();
        spec.put("parallelism", j.getParallelism());
        if (j.getCompletions() != null) spec.put("completions", j.getCompletions());
        if (j.getActiveDeadlineSeconds() != null) spec.put("activeDeadlineSeconds", j.getActiveDeadlineSeconds());
        spec.put("backoffLimit", j.getBackoffLimit());
        if (d != null && d.getTemplate() != null) {
            if (withSelector) {
                putMap(spec.putObject("selector"), "matchLabels", d.getSelector().isEmpty() ? d.getTemplate().getLabels() : d.getSelector());
            }
            ObjectNode template = spec.putObject("template");
            ObjectNode tmeta = template.putObject("metadata");
            if (withSelector || !d.getTemplate().getLabels().isEmpty()) putMap(tmeta, "labels", d.getTemplate().getLabels());
            putMapIfNotEmpty(tmeta, "annotations", d.getTemplate().getAnnotations());
            template.set("spec", podSpec(d.getTemplate()));
        }
        if (j.getTtlSecondsAfterFinished() != null) spec.put("ttlSecondsAfterFinished", j.getTtlSecondsAfterFinished());
        spec.put("completionMode", "NonIndexed").put("suspend", j.getSuspend());
        return spec;
    }

    /** A {@code batch/v1 CronJob} with no owner uids known. */
    public static ObjectNode cronJob(WorkloadView w) {
        return cronJob(w, key -> "");
    }

    /**
     * A {@code batch/v1 CronJob}: its spec as Kubernetes defaults it (timeZone and startingDeadlineSeconds
     * only when set; the jobTemplate's metadata and its Job spec, with no selector: each Job gets its own)
     * and its status as the cronjob controller reports it: {@code active} (references to its running Jobs,
     * their uids from {@code workloadUid} when known; omitted when none), {@code lastScheduleTime} and
     * {@code lastSuccessfulTime} once they happened.
     */
    public static ObjectNode cronJob(WorkloadView w, java.util.function.Function<String, String> workloadUid) {
        ObjectNode o = JSON.objectNode().put("apiVersion", "batch/v1").put("kind", "CronJob");
        o.set("metadata", workloadMeta(w).put("generation", Math.max(1, w.getGeneration())));
        ObjectNode spec = o.putObject("spec");
        CronJobSpec c = w.getCronJob();
        if (c != null) {
            spec.put("schedule", c.getSchedule());
            if (c.getTimeZone() != null) spec.put("timeZone", c.getTimeZone());
            if (c.getStartingDeadlineSeconds() != null) spec.put("startingDeadlineSeconds", c.getStartingDeadlineSeconds());
            spec.put("concurrencyPolicy", c.getConcurrencyPolicy()).put("suspend", c.getSuspend());
            ObjectNode jobTemplate = spec.putObject("jobTemplate");
            ObjectNode jmeta = jobTemplate.putObject("metadata");
            putMapIfNotEmpty(jmeta, "labels", c.getJobLabels());
            putMapIfNotEmpty(jmeta, "annotations", c.getJobAnnotations());
            JobSpec j = c.getJob() == null ? JobSpec.newBuilder().build() : c.getJob();
            jobTemplate.set("spec", jobSpec(j, w.getDeployment(), false));
            spec.put("successfulJobsHistoryLimit", c.getSuccessfulJobsHistoryLimit()).put("failedJobsHistoryLimit", c.getFailedJobsHistoryLimit());
        }
        ObjectNode status = o.putObject("status");
        CronJobStatus cs = w.getCronJobStatus();
        if (cs != null) {
            if (!cs.getActive().isEmpty()) {
                ArrayNode active = status.putArray("active");
                for (String job : cs.getActive()) {
                    ObjectNode ref = active.addObject().put("apiVersion", "batch/v1").put("kind", "Job").put("name", job)
                            .put("namespace", w.getNamespace());
                    String uid = workloadUid.apply(io.berth.schemas.Topics.resourceKey(w.getNamespace(), ResourceKind.JOB, job));
                    if (uid != null && !uid.isEmpty()) ref.put("uid", uid);
                }
            }
            if (cs.getLastScheduleTime() > 0) status.put("lastScheduleTime", timestamp(cs.getLastScheduleTime()));
            if (cs.getLastSuccessfulTime() > 0) status.put("lastSuccessfulTime", timestamp(cs.getLastSuccessfulTime()));
        }
        return o;
    }

    // ---- daemon sets ----

    /** The label a DaemonSet's pods and ControllerRevisions carry: the hash of their template. */
    public static final String CONTROLLER_REVISION_HASH = "controller-revision-hash";
    /** The annotation Kubernetes puts on a DaemonSet: the generation of its template. */
    public static final String TEMPLATE_GENERATION = "deprecated.daemonset.template.generation";

    /**
     * An {@code apps/v1 DaemonSet}: its spec as Kubernetes defaults it (updateStrategy with its rollingUpdate
     * only for RollingUpdate) and its status as the daemon set controller reports it. Kubernetes always writes
     * currentNumberScheduled, desiredNumberScheduled, numberMisscheduled, numberReady and observedGeneration
     * (kubectl rollout status reads them with generation, updatedNumberScheduled and numberAvailable); the other
     * counts are omitted when 0.
     */
    public static ObjectNode daemonSet(WorkloadView w) {
        ObjectNode o = JSON.objectNode().put("apiVersion", "apps/v1").put("kind", "DaemonSet");
        long generation = Math.max(1, w.getGeneration());
        Map<String, String> annotations = new TreeMap<>(w.getAnnotations());
        annotations.put(TEMPLATE_GENERATION, Long.toString(generation));
        o.set("metadata", workloadMeta(w, annotations).put("generation", generation));
        ObjectNode spec = o.putObject("spec");
        DeploymentSpec s = w.getDeployment();
        if (s != null) {
            putMap(spec.putObject("selector"), "matchLabels", s.getSelector());
            spec.set("template", template(s.getTemplate()));
            ObjectNode strategy = spec.putObject("updateStrategy").put("type", s.getStrategyType());
            if (s.getStrategyType().equals("RollingUpdate")) {
                ObjectNode ru = strategy.putObject("rollingUpdate");
                ru.set("maxSurge", intOrString(s.getRollingUpdate().getMaxSurge()));
                ru.set("maxUnavailable", intOrString(s.getRollingUpdate().getMaxUnavailable()));
            }
            spec.put("minReadySeconds", s.getMinReadySeconds()).put("revisionHistoryLimit", s.getRevisionHistoryLimit());
        }
        DaemonSetStatus d = w.getDaemonSetStatus() == null ? DaemonSetStatus.newBuilder().build() : w.getDaemonSetStatus();
        ObjectNode status = o.putObject("status").put("currentNumberScheduled", d.getCurrentNumberScheduled())
                .put("desiredNumberScheduled", d.getDesiredNumberScheduled());
        if (d.getNumberAvailable() > 0) status.put("numberAvailable", d.getNumberAvailable());
        status.put("numberMisscheduled", d.getNumberMisscheduled()).put("numberReady", d.getNumberReady());
        if (d.getNumberUnavailable() > 0) status.put("numberUnavailable", d.getNumberUnavailable());
        status.put("observedGeneration", w.getObservedGeneration());
        if (d.getUpdatedNumberScheduled() > 0) status.put("updatedNumberScheduled", d.getUpdatedNumberScheduled());
        return o;
    }

    // ---- stateful sets ----

    /**
     * An {@code apps/v1 StatefulSet}: its spec as Kubernetes defaults it (serviceName, podManagementPolicy,
     * updateStrategy with its partition, volumeClaimTemplates, persistentVolumeClaimRetentionPolicy) and its status
     * as the stateful set controller reports it (kubectl rollout status reads observedGeneration, replicas,
     * readyReplicas, updatedReplicas, currentRevision, updateRevision).
     */
    public static ObjectNode statefulSet(WorkloadView w) {
        ObjectNode o = JSON.objectNode().put("apiVersion", "apps/v1").put("kind", "StatefulSet");
        long generation = Math.max(1, w.getGeneration());
        o.set("metadata", workloadMeta(w, new TreeMap<>(w.getAnnotations())).put("generation", generation));
        ObjectNode spec = o.putObject("spec");
        DeploymentSpec s = w.getDeployment();
        StatefulSetSpec ss = w.getStatefulSet();
        if (s != null && ss != null) {
            spec.put("replicas", s.getReplicas());
            putMap(spec.putObject("selector"), "matchLabels", s.getSelector());
            spec.put("serviceName", ss.getServiceName()).put("podManagementPolicy", ss.getPodManagementPolicy());
            spec.set("template", template(s.getTemplate()));
            ObjectNode strategy = spec.putObject("updateStrategy").put("type", s.getStrategyType());
            if (s.getStrategyType().equals("RollingUpdate")) strategy.putObject("rollingUpdate").put("partition", ss.getPartition());
            if (!ss.getVolumeClaimTemplates().isEmpty()) {
                ArrayNode claims = spec.putArray("volumeClaimTemplates");
                for (VolumeClaimTemplate c : ss.getVolumeClaimTemplates()) {
                    ObjectNode claim = claims.addObject().put("apiVersion", "v1").put("kind", "PersistentVolumeClaim");
                    claim.putObject("metadata").put("name", c.getName());
                    ObjectNode cs = claim.putObject("spec");
                    ArrayNode modes = cs.putArray("accessModes");
                    c.getAccessModes().forEach(modes::add);
                    if (!c.getStorage().isEmpty()) cs.putObject("resources").putObject("requests").put("storage", c.getStorage());
                    if (!c.getStorageClassName().isEmpty()) cs.put("storageClassName", c.getStorageClassName());
                    cs.put("volumeMode", "Filesystem");
                    claim.putObject("status").put("phase", "Pending");
                }
            }
            spec.putObject("persistentVolumeClaimRetentionPolicy").put("whenDeleted", ss.getWhenDeleted()).put("whenScaled", ss.getWhenScaled());
            spec.put("minReadySeconds", s.getMinReadySeconds()).put("revisionHistoryLimit", s.getRevisionHistoryLimit());
        }
        StatefulSetStatus st = w.getStatefulSetStatus() == null ? StatefulSetStatus.newBuilder().build() : w.getStatefulSetStatus();
        ObjectNode status = o.putObject("status").put("observedGeneration", w.getObservedGeneration()).put("replicas", st.getReplicas());
        if (st.getReadyReplicas() > 0) status.put("readyReplicas", st.getReadyReplicas());
        if (st.getCurrentReplicas() > 0) status.put("currentReplicas", st.getCurrentReplicas());
        if (st.getUpdatedReplicas() > 0) status.put("updatedReplicas", st.getUpdatedReplicas());
        status.put("availableReplicas", st.getAvailableReplicas());
        if (!st.getCurrentRevision().isEmpty()) status.put("currentRevision", w.getName() + "-" + st.getCurrentRevision());
        if (!st.getUpdateRevision().isEmpty()) status.put("updateRevision", w.getName() + "-" + st.getUpdateRevision());
        status.put("collisionCount", 0);
        return o;
    }

    /**
     * The {@code v1 PersistentVolumeClaim}s of a stateful set's claim templates, one per claim it made
     * ({@code TEMPLATE-NAME-ORDINAL}), kept when it scales down: Bound to the node-local volume
     * {@code local-NODE-CLAIM} once its first pod was placed, Pending before. Derived from the view, read-only.
     */
    public static List<ObjectNode> persistentVolumeClaims(WorkloadView w) {
        List<ObjectNode> out = new ArrayList<>();
        StatefulSetSpec ss = w.getStatefulSet();
        StatefulSetStatus st = w.getStatefulSetStatus();
        if (ss == null || st == null || w.getKind() != ResourceKind.STATEFULSET) return out;
        for (Map.Entry<String, String> e : new TreeMap<>(st.getClaims()).entrySet()) {
            String claim = e.getKey(), node = e.getValue();
            VolumeClaimTemplate t = ss.getVolumeClaimTemplates().stream().filter(c -> claim.startsWith(c.getName() + "-" + w.getName() + "-"))
                    .findFirst().orElse(VolumeClaimTemplate.newBuilder().setName("").build());
            ObjectNode pvc = JSON.objectNode().put("apiVersion", "v1").put("kind", "PersistentVolumeClaim");
            ObjectNode meta = pvc.putObject("metadata").put("name", claim).put("namespace", w.getNamespace());
            Map<String, String> labels = new TreeMap<>(w.getDeployment() == null ? Map.of() : w.getDeployment().getSelector());
            putMap(meta, "labels", labels);
            ObjectNode ann = meta.putObject("annotations");
            if (!node.isEmpty()) ann.put("volume.kubernetes.io/selected-node", node).put("pv.kubernetes.io/bind-completed", "yes");
            meta.putArray("finalizers").add("kubernetes.io/pvc-protection"); // Kubernetes': a claim in use is not removed
            meta.put("uid", java.util.UUID.nameUUIDFromBytes(("pvc/" + w.getNamespace() + "/" + claim).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString())
                    .put("resourceVersion", w.getResourceVersion())
                    .put("creationTimestamp", timestamp(st.getClaimsCreatedAt().getOrDefault(claim, w.getCreatedAt())));
            ObjectNode spec = pvc.putObject("spec");
            ArrayNode modes = spec.putArray("accessModes");
            t.getAccessModes().forEach(modes::add);
            if (!t.getStorage().isEmpty()) spec.putObject("resources").putObject("requests").put("storage", t.getStorage());
            spec.put("storageClassName", t.getStorageClassName().isEmpty() ? "local" : t.getStorageClassName()).put("volumeMode", "Filesystem");
            if (!node.isEmpty()) spec.put("volumeName", "local-" + node + "-" + claim);
            ObjectNode status = pvc.putObject("status").put("phase", node.isEmpty() ? "Pending" : "Bound");
            if (!node.isEmpty()) {
                ArrayNode sm = status.putArray("accessModes");
                t.getAccessModes().forEach(sm::add);
                if (!t.getStorage().isEmpty()) status.putObject("capacity").put("storage", t.getStorage());
            }
            out.add(pvc);
        }
        return out;
    }

    /** A pod template ({@code metadata.labels}, {@code metadata.annotations} when any, {@code spec}) as Kubernetes writes it. */
    private static ObjectNode template(PodTemplate t) {
        ObjectNode template = JSON.objectNode();
        ObjectNode tmeta = template.putObject("metadata");
        putMap(tmeta, "labels", t.getLabels());
        putMapIfNotEmpty(tmeta, "annotations", t.getAnnotations());
        template.set("spec", podSpec(t));
        return template;
    }

    /**
     * The ControllerRevisions of a DaemonSet, one per revision of its history (oldest first), as Kubernetes'
     * daemon set controller keeps them and kubectl's DaemonSetHistoryViewer and rollbacker read them: named
     * {@code NAME-<templateHash>}, labelled with the template's labels (which the DaemonSet's selector matches)
     * and {@code controller-revision-hash}, owned by the DaemonSet (its uid: kubectl keeps only the revisions
     * the DaemonSet controls), {@code revision}, and {@code data}: the strategic merge patch that restores the
     * revision's template, {@code {"spec":{"template":{…,"$patch":"replace"}}}}. Read-only, derived from the view.
     */
    public static List<ObjectNode> controllerRevisions(WorkloadView w) {
        List<ObjectNode> out = new ArrayList<>();
        DeploymentSpec s = w.getDeployment();
        if (s == null || (w.getKind() != ResourceKind.DAEMONSET && w.getKind() != ResourceKind.STATEFULSET) || w.getDeleted()) return out;
        List<Revision> history = w.getHistory();
        if (history.isEmpty() && !w.getTemplateHash().isEmpty()) {
            history = List.of(Revision.newBuilder().setRevision(Math.max(1, w.getRevision())).setTemplateHash(w.getTemplateHash())
                    .setTemplate(s.getTemplate()).setCreatedAt(w.getCreatedAt()).build());
        }
        for (Revision rev : history) out.add(controllerRevision(w, rev));
        return out;
    }

    /** A ControllerRevision's uid: derived from its DaemonSet's key and template hash, so it is stable across renderings. */
    public static String controllerRevisionUid(String workloadKey, String templateHash) {
        return java.util.UUID.nameUUIDFromBytes(("controllerrevision/" + workloadKey + "/" + templateHash)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    private static ObjectNode controllerRevision(WorkloadView w, Revision rev) {
        ObjectNode cr = JSON.objectNode().put("apiVersion", "apps/v1").put("kind", "ControllerRevision");
        Map<String, String> labels = new TreeMap<>(rev.getTemplate().getLabels());
        labels.putAll(w.getDeployment().getSelector());
        labels.put(CONTROLLER_REVISION_HASH, rev.getTemplateHash());
        ObjectNode meta = cr.putObject("metadata").put("name", w.getName() + "-" + rev.getTemplateHash()).put("namespace", w.getNamespace());
        putMap(meta, "labels", labels);
        if (!rev.getChangeCause().isEmpty()) meta.putObject("annotations").put(CHANGE_CAUSE, rev.getChangeCause());
        meta.put("uid", controllerRevisionUid(w.getKey(), rev.getTemplateHash())).put("resourceVersion", w.getResourceVersion())
                .put("creationTimestamp", timestamp(rev.getCreatedAt() > 0 ? rev.getCreatedAt() : w.getCreatedAt()));
        meta.putArray("ownerReferences").addObject().put("apiVersion", "apps/v1")
                .put("kind", w.getKind() == ResourceKind.STATEFULSET ? "StatefulSet" : "DaemonSet").put("name", w.getName())
                .put("uid", w.getUid()).put("controller", true).put("blockOwnerDeletion", true);
        ObjectNode template = template(rev.getTemplate());
        template.put("$patch", "replace");
        cr.putObject("data").putObject("spec").set("template", template);
        cr.put("revision", rev.getRevision());
        return cr;
    }

    /** The annotation Kubernetes puts on a Deployment and its ReplicaSets: the revision number. */
    public static final String REVISION = "deployment.kubernetes.io/revision";
    public static final String CHANGE_CAUSE = "kubernetes.io/change-cause";

    /**
     * Berth's rollout block, {@code status.berth}: the phase (Progressing, Complete, Paused, Failed,
     * RolledBack, Aborted), the canary step, the last failure (kept after an automatic rollback) and
     * the revision an automatic rollback or abort left.
     */
    static ObjectNode rollout(RolloutStatus r, DeploymentSpec s) {
        ObjectNode o = JSON.objectNode();
        putIfNotEmpty(o, "phase", r.getPhase());
        putIfNotEmpty(o, "reason", r.getReason());
        putIfNotEmpty(o, "message", r.getMessage());
        if (r.getStartedAt() > 0) o.put("startedAt", timestamp(r.getStartedAt()));
        if (r.getLastProgressAt() > 0) o.put("lastProgressAt", timestamp(r.getLastProgressAt()));
        if (s != null && s.getStrategyType().equals("Canary")) {
            o.put("canaryStep", r.getCanaryStep()).put("canarySteps", s.getCanarySteps().size());
            if (r.getStepStartedAt() > 0) o.put("stepStartedAt", timestamp(r.getStepStartedAt()));
        }
        if (r.getFailedRevision() > 0) {
            o.put("failedRevision", r.getFailedRevision());
            putIfNotEmpty(o, "failedReason", r.getFailedReason());
            putIfNotEmpty(o, "failedMessage", r.getFailedMessage());
        }
        if (r.getRolledBackFrom() > 0) o.put("rolledBackFrom", r.getRolledBackFrom());
        return o;
    }

    // ---- replica sets ----

    /**
     * The ReplicaSets of a deployment, one per revision of its history (oldest first), named
     * {@code NAME-<templateHash>}; replicas are counted from the deployment's live pods of that hash.
     * DESIRED (spec.replicas) is the deployment's replicas for the current revision once its rollout
     * has finished, else the pods the revision holds now (not stopping), as the controller scales it.
     */
    public static List<ObjectNode> replicaSets(WorkloadView w, List<TaskView> pods, long now) {
        List<ObjectNode> out = new java.util.ArrayList<>();
        DeploymentSpec s = w.getDeployment();
        if (s == null || w.getKind() != ResourceKind.DEPLOYMENT) return out;
        List<Revision> history = w.getHistory();
        if (history.isEmpty() && !w.getTemplateHash().isEmpty()) {
            history = List.of(Revision.newBuilder().setRevision(Math.max(1, w.getRevision())).setTemplateHash(w.getTemplateHash())
                    .setTemplate(s.getTemplate()).setCreatedAt(w.getCreatedAt()).build());
        }
        for (Revision rev : history) {
            boolean current = rev.getTemplateHash().equals(w.getTemplateHash());
            int live = 0, holding = 0, ready = 0, available = 0;
            for (TaskView t : pods) {
                if (!t.getWorkloadKey().equals(w.getKey()) || !t.getTemplateHash().equals(rev.getTemplateHash())) continue;
                if (t.getPhase() == TaskPhase.SUCCEEDED || t.getPhase() == TaskPhase.FAILED || t.getPhase() == TaskPhase.TERMINATING) continue;
                live++;
                if (!t.getDesiredStop()) holding++;
                if (t.getReady() && t.getPhase() == TaskPhase.RUNNING) {
                    ready++;
                    long since = t.getReadyAt() > 0 ? t.getReadyAt() : t.getStartedAt();
                    if (now - since >= s.getMinReadySeconds() * 1000L) available++;
                }
            }
            String phase = w.getRollout() == null ? "" : w.getRollout().getPhase();
            boolean settled = phase.isEmpty() || phase.equals("Complete") || phase.equals("RolledBack");
            int desired = current && settled ? s.getReplicas() : holding;
            out.add(replicaSet(w, rev, desired, live, ready, available));
        }
        return out;
    }

    /**
     * A ReplicaSet's uid: derived (name-based UUID) from its deployment's key and template hash, so a
     * pod, rendered without its deployment at hand, names the same owner uid as the ReplicaSet.
     */
    public static String replicaSetUid(String workloadKey, String templateHash) {
        return java.util.UUID.nameUUIDFromBytes(("replicaset/" + workloadKey + "/" + templateHash).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    private static ObjectNode replicaSet(WorkloadView w, Revision rev, int desired, int replicas, int ready, int available) {
        ObjectNode rs = JSON.objectNode().put("apiVersion", "apps/v1").put("kind", "ReplicaSet");
        Map<String, String> labels = new TreeMap<>(rev.getTemplate().getLabels());
        labels.put("pod-template-hash", rev.getTemplateHash());
        ObjectNode meta = rs.putObject("metadata").put("name", w.getName() + "-" + rev.getTemplateHash()).put("namespace", w.getNamespace());
        putMap(meta, "labels", labels);
        ObjectNode annotations = meta.putObject("annotations");
        if (w.getDeployment() != null) {
            annotations.put("deployment.kubernetes.io/desired-replicas", Integer.toString(w.getDeployment().getReplicas()));
        }
        annotations.put(REVISION, Long.toString(rev.getRevision()));
        if (!rev.getChangeCause().isEmpty()) annotations.put(CHANGE_CAUSE, rev.getChangeCause());
        meta.put("uid", replicaSetUid(w.getKey(), rev.getTemplateHash()))
                .put("resourceVersion", w.getResourceVersion()).put("generation", 1)
                .put("creationTimestamp", timestamp(rev.getCreatedAt() > 0 ? rev.getCreatedAt() : w.getCreatedAt()));
        meta.putArray("ownerReferences").addObject().put("apiVersion", "apps/v1").put("kind", "Deployment").put("name", w.getName())
                .put("uid", w.getUid()).put("controller", true).put("blockOwnerDeletion", true);
        ObjectNode spec = rs.putObject("spec").put("replicas", desired);
        Map<String, String> selector = new TreeMap<>(w.getDeployment() == null ? Map.of() : w.getDeployment().getSelector());
        selector.put("pod-template-hash", rev.getTemplateHash());
        putMap(spec.putObject("selector"), "matchLabels", selector);
        ObjectNode template = spec.putObject("template");
        ObjectNode tmeta = template.putObject("metadata");
        putMap(tmeta, "labels", labels);
        putMapIfNotEmpty(tmeta, "annotations", rev.getTemplate().getAnnotations());
        template.set("spec", podSpec(rev.getTemplate()));
        rs.putObject("status").put("replicas", replicas).put("fullyLabeledReplicas", replicas).put("readyReplicas", ready)
                .put("availableReplicas", available).put("observedGeneration", 1);
        return rs;
    }

    public static ObjectNode service(WorkloadView w) {
        return service(w, null);
    }

    /**
     * A Service with what the endpoints controller allocated ({@code e}, may be null while it has not
     * answered yet): {@code spec.clusterIP}/{@code clusterIPs} and each port's {@code nodePort}.
     * The type is the declared one (a LoadBalancer is served as a NodePort; its external IP stays
     * pending, as on a cluster without a load balancer).
     */
    public static ObjectNode service(WorkloadView w, EndpointsView e) {
        ObjectNode svc = JSON.objectNode().put("apiVersion", "v1").put("kind", "Service");
        svc.set("metadata", workloadMeta(w));
        ServiceSpec s = w.getService();
        ObjectNode spec = svc.putObject("spec");
        if (s != null) {
            String ip = e != null && !e.getClusterIP().isEmpty() ? e.getClusterIP() : s.getClusterIP();
            if (!ip.isEmpty()) {
                spec.put("clusterIP", ip);
                spec.putArray("clusterIPs").add(ip);
            }
            spec.put("type", s.getType());
            putMap(spec, "selector", s.getSelector());
            ArrayNode ports = spec.putArray("ports");
            for (int i = 0; i < s.getPorts().size(); i++) {
                ServicePort p = s.getPorts().get(i);
                int nodePort = p.getNodePort();
                if (e != null && i < e.getPorts().size() && e.getPorts().get(i).getPort() == p.getPort()) nodePort = e.getPorts().get(i).getNodePort();
                ObjectNode port = ports.addObject();
                putIfNotEmpty(port, "name", p.getName());
                port.put("port", p.getPort()).put("targetPort", p.getTargetPort() == 0 ? p.getPort() : p.getTargetPort())
                        .put("protocol", p.getProtocol());
                if (nodePort != 0) port.put("nodePort", nodePort);
            }
        }
        svc.putObject("status").putObject("loadBalancer");
        return svc;
    }

    /**
     * {@code v1 Endpoints} of a service: one subset, {@code addresses} (ready) and
     * {@code notReadyAddresses} with {@code ip} = the pod IP, {@code nodeName}, {@code targetRef} to
     * the Pod; {@code ports} = the container (target) ports by service port name. No subsets when no
     * pod is selected (kubectl prints {@code <none>}). Where Berth's proxies actually connect (node
     * address and published host port) is in the annotation {@code berth.io/backends}.
     */
    public static ObjectNode endpoints(EndpointsView e, long createdAt) {
        ObjectNode o = JSON.objectNode().put("apiVersion", "v1").put("kind", "Endpoints");
        ObjectNode meta = o.putObject("metadata").put("name", e.getName()).put("namespace", e.getNamespace())
                .put("resourceVersion", e.getResourceVersion());
        if (createdAt > 0) meta.put("creationTimestamp", timestamp(createdAt));
        Map<String, ObjectNode> ready = new LinkedHashMap<>(), notReady = new LinkedHashMap<>();
        Map<String, ObjectNode> ports = new LinkedHashMap<>();
        List<String> backends = new ArrayList<>();
        for (Endpoint ep : e.getEndpoints()) {
            String ip = ep.getPodIP().isEmpty() ? ep.getAddress() : ep.getPodIP();
            Map<String, ObjectNode> into = ep.getReady() ? ready : notReady;
            if (!ip.isEmpty() && !ready.containsKey(ep.getTaskId()) && !notReady.containsKey(ep.getTaskId())) {
                ObjectNode a = JSON.objectNode().put("ip", ip);
                putIfNotEmpty(a, "nodeName", ep.getNodeId());
                a.putObject("targetRef").put("kind", "Pod").put("namespace", e.getNamespace()).put("name", ep.getPodName());
                into.put(ep.getTaskId(), a);
            }
            ports.computeIfAbsent(ep.getPortName() + "/" + ep.getTargetPort(), k -> {
                ObjectNode p = JSON.objectNode();
                putIfNotEmpty(p, "name", ep.getPortName());
                String protocol = e.getPorts().stream().filter(sp -> sp.getName().equals(ep.getPortName())).map(ServicePort::getProtocol)
                        .findFirst().orElse("TCP");
                return p.put("port", ep.getTargetPort()).put("protocol", protocol);
            });
            if (ep.getReady()) backends.add(ep.getAddress() + ":" + ep.getPort());
        }
        if (!backends.isEmpty()) meta.putObject("annotations").put("berth.io/backends", String.join(",", backends));
        if (!ready.isEmpty() || !notReady.isEmpty()) {
            ObjectNode subset = o.putArray("subsets").addObject();
            if (!ready.isEmpty()) ready.values().forEach(subset.putArray("addresses")::add);
            if (!notReady.isEmpty()) notReady.values().forEach(subset.putArray("notReadyAddresses")::add);
            ports.values().forEach(subset.putArray("ports")::add);
        }
        return o;
    }

    /** kubectl's ENDPOINTS column: {@code 10.0.0.1:80,10.0.0.2:80 + 1 more...} (ready addresses, at most 3 shown). */
    public static String endpointsColumn(ObjectNode endpoints) {
        List<String> all = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode subset : endpoints.path("subsets")) {
            // as kubectl's formatEndpoints: ports outer, addresses inner
            if (subset.path("ports").isEmpty()) {
                for (com.fasterxml.jackson.databind.JsonNode a : subset.path("addresses")) all.add(a.path("ip").asText());
            }
            for (com.fasterxml.jackson.databind.JsonNode p : subset.path("ports")) {
                for (com.fasterxml.jackson.databind.JsonNode a : subset.path("addresses")) all.add(a.path("ip").asText() + ":" + p.path("port").asInt());
            }
        }
        if (all.isEmpty()) return "<none>";
        int max = 3;
        String shown = String.join(",", all.subList(0, Math.min(max, all.size())));
        return all.size() > max ? shown + " + " + (all.size() - max) + " more..." : shown;
    }

    /** kubectl's {@code PORT(S)} column: {@code 80/TCP}, {@code 80:30080/TCP}. */
    public static String servicePorts(ServiceSpec s) {
        if (s == null || s.getPorts().isEmpty()) return "<none>";
        return String.join(",", s.getPorts().stream().map(p -> p.getPort() + (p.getNodePort() != 0 ? ":" + p.getNodePort() : "")
                + "/" + p.getProtocol()).toList());
    }

    // ---- horizontal pod autoscalers ----

    /**
     * An {@code autoscaling/v2 HorizontalPodAutoscaler} from its target Deployment's view ({@code WorkloadView.autoscaler}):
     * spec with Kubernetes' defaults (behavior shown as set), status as the HPA controller reports it (currentReplicas,
     * desiredReplicas, currentMetrics, lastScaleTime once it scaled, conditions).
     */
    public static ObjectNode horizontalPodAutoscaler(WorkloadView target) {
        HpaStatus h = target.getAutoscaler();
        ObjectNode o = JSON.objectNode().put("apiVersion", "autoscaling/v2").put("kind", "HorizontalPodAutoscaler");
        ObjectNode meta = o.putObject("metadata").put("name", h.getName()).put("namespace", target.getNamespace());
        putMapIfNotEmpty(meta, "labels", h.getLabels());
        putMapIfNotEmpty(meta, "annotations", h.getAnnotations());
        meta.put("uid", h.getUid()).put("resourceVersion", target.getResourceVersion())
                .put("creationTimestamp", timestamp(h.getCreatedAt())).put("generation", h.getGeneration());
        HpaSpec sp = h.getSpec();
        ObjectNode spec = o.putObject("spec");
        spec.putObject("scaleTargetRef").put("apiVersion", sp.getTargetApiVersion()).put("kind", sp.getTargetKind()).put("name", sp.getTargetName());
        spec.put("minReplicas", sp.getMinReplicas()).put("maxReplicas", sp.getMaxReplicas());
        ArrayNode metrics = spec.putArray("metrics");
        for (HpaMetric m : sp.getMetrics()) {
            ObjectNode r = metrics.addObject().put("type", "Resource").putObject("resource").put("name", m.getResource());
            ObjectNode t = r.putObject("target");
            if (m.getAverageUtilization() != null) t.put("type", "Utilization").put("averageUtilization", m.getAverageUtilization());
            else t.put("type", "AverageValue").put("averageValue", hpaQuantity(m.getResource(), m.getAverageValue() == null ? 0 : m.getAverageValue()));
        }
        if (sp.getScaleUp() != null || sp.getScaleDown() != null) {
            ObjectNode behavior = spec.putObject("behavior");
            if (sp.getScaleUp() != null) behavior.set("scaleUp", hpaRules(sp.getScaleUp()));
            if (sp.getScaleDown() != null) behavior.set("scaleDown", hpaRules(sp.getScaleDown()));
        }
        ObjectNode status = o.putObject("status");
        if (h.getObservedGeneration() > 0) status.put("observedGeneration", h.getObservedGeneration());
        if (h.getLastScaleTime() > 0) status.put("lastScaleTime", timestamp(h.getLastScaleTime()));
        status.put("currentReplicas", h.getCurrentReplicas()).put("desiredReplicas", h.getDesiredReplicas());
        if (!h.getCurrentMetrics().isEmpty()) {
            ArrayNode cur = status.putArray("currentMetrics");
            for (HpaMetricStatus m : h.getCurrentMetrics()) {
                ObjectNode c = cur.addObject().put("type", "Resource").putObject("resource").put("name", m.getResource()).putObject("current");
                if (m.getAverageUtilization() != null) c.put("averageUtilization", m.getAverageUtilization());
                c.put("averageValue", hpaQuantity(m.getResource(), m.getAverageValue()));
            }
        }
        if (!h.getConditions().isEmpty()) {
            ArrayNode conds = status.putArray("conditions");
            for (Condition c : h.getConditions()) {
                conds.addObject().put("type", c.getType()).put("status", c.getStatus())
                        .put("lastTransitionTime", timestamp(c.getLastTransitionTime())).put("reason", c.getReason()).put("message", c.getMessage());
            }
        }
        return o;
    }

    private static ObjectNode hpaRules(HpaRules r) {
        ObjectNode o = JSON.objectNode();
        if (r.getStabilizationWindowSeconds() != null) o.put("stabilizationWindowSeconds", r.getStabilizationWindowSeconds());
        if (r.getSelectPolicy() != null) o.put("selectPolicy", r.getSelectPolicy());
        if (r.getPolicies() != null) {
            ArrayNode ps = o.putArray("policies");
            for (HpaPolicy p : r.getPolicies()) ps.addObject().put("type", p.getType()).put("value", p.getValue()).put("periodSeconds", p.getPeriodSeconds());
        }
        return o;
    }

    /** CPU in millicores as {@code 250m}, memory in bytes as Kubernetes prints a quantity ({@code 64Mi}). */
    public static String hpaQuantity(String resource, long v) {
        if (resource.equals("cpu")) return v + "m";
        return v > 0 && v % (1L << 20) == 0 ? (v >> 20) + "Mi" : v > 0 && v % 1024 == 0 ? (v >> 10) + "Ki" : Long.toString(v);
    }

    private static ObjectNode workloadMeta(WorkloadView w) {
        return workloadMeta(w, w.getAnnotations());
    }

    private static ObjectNode workloadMeta(WorkloadView w, Map<String, String> annotations) {
        ObjectNode meta = JSON.objectNode().put("name", w.getName()).put("namespace", w.getNamespace());
        putMap(meta, "labels", w.getLabels());
        putMapIfNotEmpty(meta, "annotations", annotations);
        return meta.put("uid", w.getUid()).put("resourceVersion", w.getResourceVersion())
                .put("creationTimestamp", timestamp(w.getCreatedAt()));
    }

    // ---- events and namespaces ----

    /** A {@code v1 Event}; its name is {@code <involved name>.<uid>} as Kubernetes names events. */
    public static ObjectNode event(ClusterEvent e) {
        ObjectNode ev = JSON.objectNode().put("apiVersion", "v1").put("kind", "Event");
        ev.putObject("metadata").put("name", eventName(e)).put("namespace", e.getNamespace())
                .put("uid", e.getUid()).put("resourceVersion", "")
                .put("creationTimestamp", timestamp(e.getFirstTimestamp()));
        ObjectNode involved = ev.putObject("involvedObject").put("kind", e.getInvolvedKind()).put("name", e.getInvolvedName());
        if (!e.getInvolvedKind().equals("Node")) involved.put("namespace", e.getNamespace());
        ev.put("reason", e.getReason()).put("message", e.getMessage()).put("type", e.getType());
        ev.putObject("source").put("component", e.getSource());
        ev.put("firstTimestamp", timestamp(e.getFirstTimestamp())).put("lastTimestamp", timestamp(e.getLastTimestamp()))
                .put("count", e.getCount());
        return ev;
    }

    public static String eventName(ClusterEvent e) {
        return (e.getInvolvedName().isEmpty() ? "event" : e.getInvolvedName()) + "." + e.getUid();
    }

    /** A {@code v1 Namespace}; Berth derives namespaces from the objects it has seen. */
    public static ObjectNode namespace(String name) {
        ObjectNode ns = JSON.objectNode().put("apiVersion", "v1").put("kind", "Namespace");
        ns.putObject("metadata").put("name", name).put("uid", "ns-" + name).put("resourceVersion", "")
                .putObject("labels").put("kubernetes.io/metadata.name", name);
        ns.putObject("spec").putArray("finalizers").add("kubernetes");
        ns.putObject("status").put("phase", "Active");
        return ns;
    }

    /** A {@code v1 Namespace} created as one: its labels and annotations (the admission level is a label). */
    public static ObjectNode namespace(WorkloadView w) {
        ObjectNode ns = namespace(w.getName());
        ObjectNode md = (ObjectNode) ns.get("metadata");
        md.put("uid", w.getUid());
        putIfNotEmpty(md, "creationTimestamp", timestamp(w.getCreatedAt()));
        ObjectNode labels = md.putObject("labels");
        new TreeMap<>(w.getLabels()).forEach(labels::put);
        labels.put("kubernetes.io/metadata.name", w.getName());
        Map<String, String> annotations = new TreeMap<>(w.getAnnotations());
        annotations.remove(DELETION_ANNOTATION);
        putMapIfNotEmpty(md, "annotations", annotations);
        deletionTime(w).ifPresent(t -> {
            md.put("deletionTimestamp", timestamp(t));
            ((ObjectNode) ns.get("status")).put("phase", "Terminating");
        });
        return ns;
    }

    /**
     * A namespace being terminated carries this annotation (its deletion time, epoch ms) on its stored view:
     * the Terminating state survives a gateway restart, and any gateway resumes the sweep. Never served.
     */
    public static final String DELETION_ANNOTATION = "berth.io/deletion-timestamp";

    /** The deletion time of a namespace being terminated. */
    public static java.util.Optional<Long> deletionTime(WorkloadView w) {
        String t = w.getAnnotations().get(DELETION_ANNOTATION);
        if (t == null) return java.util.Optional.empty();
        try {
            return java.util.Optional.of(Long.parseLong(t));
        } catch (NumberFormatException e) {
            return java.util.Optional.of(w.getUpdatedAt());
        }
    }

    // ---- helpers ----

    /** RFC 3339 in UTC with second precision, as Kubernetes writes timestamps; null for "never". */
    public static String timestamp(long epochMillis) {
        return epochMillis <= 0 ? null : Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static com.fasterxml.jackson.databind.JsonNode intOrString(String v) {
        return v.matches("[0-9]+") ? JSON.numberNode(Integer.parseInt(v)) : JSON.textNode(v);
    }

    private static void putMap(ObjectNode parent, String field, Map<String, String> map) {
        ObjectNode o = parent.putObject(field);
        new TreeMap<>(map).forEach(o::put);
    }

    private static void putMapIfNotEmpty(ObjectNode parent, String field, Map<String, String> map) {
        if (!map.isEmpty()) putMap(parent, field, map);
    }

    private static void putIfNotEmpty(ObjectNode o, String field, String value) {
        if (value != null && !value.isEmpty()) o.put(field, value);
    }
}
