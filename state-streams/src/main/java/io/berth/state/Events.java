package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.ClusterEvent;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.TaskView;
import io.berth.schemas.avro.WorkloadView;

/**
 * Kubernetes-like events with Kubernetes' reasons, wording and sources, so `get events` reads as
 * kubectl's does. Pure builders: {@link Outputs#event} stamps the uid and times and writes them.
 * Record key and {@code involvedKey} are the involved resource's key ({@code ns/pod/<pod>},
 * {@code ns/deployment/<name>}, {@code /node/<id>}).
 */
final class Events {
    static final String NORMAL = "Normal";
    static final String WARNING = "Warning";
    static final String DEPLOYMENT_CONTROLLER = "deployment-controller";
    static final String SCHEDULER = "default-scheduler";
    static final String NODE_CONTROLLER = "node-controller";
    static final String JOB_CONTROLLER = "job-controller";
    static final String CRONJOB_CONTROLLER = "cronjob-controller";
    static final String DAEMONSET_CONTROLLER = "daemonset-controller";
    static final String STATEFULSET_CONTROLLER = "statefulset-controller";

    private Events() {}

    static ClusterEvent of(String type, String kind, String namespace, String name, String key, String reason,
                           String message, String source) {
        return ClusterEvent.newBuilder().setUid("").setType(type).setInvolvedKind(kind).setNamespace(namespace)
                .setInvolvedName(name).setInvolvedKey(key).setReason(reason).setMessage(message).setSource(source).build();
    }

    /** "Scaled up replica set web-5d8f to 3": the replica set is {@code <deployment>-<templateHash>}. */
    static ClusterEvent scaled(String namespace, String deployment, String workloadKey, String templateHash, int from, int to) {
        String verb = to > from ? "up" : "down";
        return of(NORMAL, "Deployment", namespace, deployment, workloadKey, "ScalingReplicaSet",
                "Scaled " + verb + " replica set " + deployment + "-" + templateHash + " to " + to, DEPLOYMENT_CONTROLLER);
    }

    /** Kubernetes' rollback event: "Rolled back deployment \"web\" to revision 2". */
    static ClusterEvent rolledBack(WorkloadView d, long revision) {
        return deployment(NORMAL, d, "DeploymentRollback", "Rolled back deployment \"" + d.getName() + "\" to revision " + revision);
    }

    static ClusterEvent rollbackUnchanged(WorkloadView d) {
        return deployment(WARNING, d, "DeploymentRollbackTemplateUnchanged",
                "The rollback revision contains the same template as current deployment \"" + d.getName() + "\"");
    }

    /** ProgressDeadlineExceeded or RolloutFailed, with the failure's message. */
    static ClusterEvent rolloutFailed(WorkloadView d, String reason, String message) {
        return deployment(WARNING, d, reason, message);
    }

    static ClusterEvent canaryPaused(WorkloadView d, String message) {
        return deployment(NORMAL, d, "RolloutPaused", message);
    }

    static ClusterEvent promoted(WorkloadView d, String message) {
        return deployment(NORMAL, d, "RolloutPromoted", "Promoted deployment \"" + d.getName() + "\": " + message);
    }

    static ClusterEvent aborted(WorkloadView d, String message) {
        return deployment(WARNING, d, "RolloutAborted", message);
    }

    private static ClusterEvent deployment(String type, WorkloadView d, String reason, String message) {
        return of(type, "Deployment", d.getNamespace(), d.getName(), d.getKey(), reason, message, DEPLOYMENT_CONTROLLER);
    }

    /** The job controller's events: SuccessfulCreate, Completed, BackoffLimitExceeded, DeadlineExceeded, Suspended, Resumed. */
    static ClusterEvent job(String type, WorkloadView j, String reason, String message) {
        return of(type, "Job", j.getNamespace(), j.getName(), j.getKey(), reason, message, JOB_CONTROLLER);
    }

    /** The cronjob controller's events: SuccessfulCreate, SuccessfulDelete, MissSchedule, JobAlreadyActive. */
    static ClusterEvent cronJob(String type, WorkloadView c, String reason, String message) {
        return of(type, "CronJob", c.getNamespace(), c.getName(), c.getKey(), reason, message, CRONJOB_CONTROLLER);
    }

    static ClusterEvent daemonSet(String type, WorkloadView d, String reason, String message) {
        return of(type, "DaemonSet", d.getNamespace(), d.getName(), d.getKey(), reason, message, DAEMONSET_CONTROLLER);
    }

    static ClusterEvent statefulSet(String type, WorkloadView s, String reason, String message) {
        return of(type, "StatefulSet", s.getNamespace(), s.getName(), s.getKey(), reason, message, STATEFULSET_CONTROLLER);
    }

    static ClusterEvent scheduled(TaskView t, String node) {
        return pod(NORMAL, t, "Scheduled", "Successfully assigned " + t.getNamespace() + "/" + t.getPodName() + " to " + node, SCHEDULER);
    }

    static ClusterEvent failedScheduling(TaskView t, String message) {
        return pod(WARNING, t, "FailedScheduling", message, SCHEDULER);
    }

    static ClusterEvent created(TaskView t, String container) {
        return pod(NORMAL, t, "Created", "Created container " + container, kubelet(t));
    }

    static ClusterEvent started(TaskView t, String container) {
        return pod(NORMAL, t, "Started", "Started container " + container, kubelet(t));
    }

    static ClusterEvent backOff(TaskView t, String container) {
        return pod(WARNING, t, "BackOff", "Back-off restarting failed container " + container + " in pod " + t.getPodName(), kubelet(t));
    }

    static ClusterEvent killing(TaskView t, String container) {
        return pod(NORMAL, t, "Killing", "Stopping container " + container, kubelet(t));
    }

    /** A failing probe, in the kubelet's words: {@code Readiness probe failed: HTTP probe failed with statuscode: 404}. */
    static ClusterEvent unhealthy(TaskView t, String message) {
        return pod(WARNING, t, "Unhealthy", message, kubelet(t));
    }

    /** A container the node kills because a probe failed: {@code Container web failed liveness probe, will be restarted}. */
    static ClusterEvent killingUnhealthy(TaskView t, String message) {
        return pod(NORMAL, t, "Killing", message, kubelet(t));
    }

    /** Kubernetes' NodeUnreachablePodReason/Message. */
    static ClusterEvent nodeLost(TaskView t) {
        return pod(WARNING, t, "NodeLost", "Node " + t.getNodeId() + " which was running pod " + t.getPodName() + " is unresponsive",
                NODE_CONTROLLER);
    }

    static ClusterEvent evicted(TaskView t, boolean managed) {
        return managed
                ? pod(NORMAL, t, "Evicted", "Evicting pod " + t.getPodName() + ": node " + t.getNodeId() + " is being drained", NODE_CONTROLLER)
                : pod(WARNING, t, "Evicted", "Deleting pod " + t.getPodName() + " not managed by a controller: node " + t.getNodeId()
                + " is being drained (kubectl drain would need --force)", NODE_CONTROLLER);
    }

    /** An intent the controller refused: FailedCreate for an apply, InvalidIntent otherwise. */
    static ClusterEvent rejected(String key, ResourceKind kind, String namespace, String name, boolean apply, String reason, String source) {
        return of(WARNING, kindName(kind, "Unknown"), namespace, name, key, apply ? "FailedCreate" : "InvalidIntent", reason, source);
    }

    /** "Node n3 status is now: NodeNotReady" (also NodeReady, NodeSchedulable, NodeNotSchedulable). */
    static ClusterEvent nodeStatus(String nodeId, String status) {
        return of(status.equals("NodeNotReady") ? WARNING : NORMAL, "Node", "", nodeId, nodeKey(nodeId), status,
                "Node " + nodeId + " status is now: " + status, NODE_CONTROLLER);
    }

    /**
     * A condition the node daemon judges itself changed status (e.g. ContainerRuntimeUnhealthy):
     * a Warning named after the condition while it holds (message: its reason and message, e.g.
     * {@code PLEGNotHealthy: PLEG is not healthy: pleg was last seen active 3m0s ago; threshold is 3m0s}),
     * a Normal with the healthy reason (e.g. ContainerRuntimeIsHealthy) when it clears.
     */
    static ClusterEvent nodeCondition(String nodeId, io.berth.schemas.avro.Condition c) {
        boolean holds = "True".equals(c.getStatus());
        return of(holds ? WARNING : NORMAL, "Node", "", nodeId, nodeKey(nodeId), holds ? c.getType() : c.getReason(),
                holds ? c.getReason() + ": " + c.getMessage() : "Node " + nodeId + ": " + c.getMessage(), "kubelet/" + nodeId);
    }

    static ClusterEvent nodeDraining(String nodeId) {
        return of(NORMAL, "Node", "", nodeId, nodeKey(nodeId), "NodeDraining",
                "Draining node " + nodeId + ": its pods move to other nodes", NODE_CONTROLLER);
    }

    static String nodeKey(String nodeId) {
        return Topics.resourceKey("", ResourceKind.NODE, nodeId);
    }

    static String podKey(TaskView t) {
        return Topics.resourceKey(t.getNamespace(), ResourceKind.POD, t.getPodName());
    }

    private static ClusterEvent pod(String type, TaskView t, String reason, String message, String source) {
        return of(type, "Pod", t.getNamespace(), t.getPodName(), podKey(t), reason, message, source);
    }

    private static String kubelet(TaskView t) {
        return "kubelet/" + t.getNodeId();
    }

    /** The Kubernetes kind of a resource kind, as events and refusals name it; {@code otherwise} for one without a kind. */
    static String kindName(ResourceKind k, String otherwise) {
        return switch (k) {
            case DEPLOYMENT -> "Deployment";
            case POD -> "Pod";
            case JOB -> "Job";
            case CRONJOB -> "CronJob";
            case DAEMONSET -> "DaemonSet";
            case STATEFULSET -> "StatefulSet";
            case SERVICE -> "Service";
            case NODE -> "Node";
            case NAMESPACE -> "Namespace";
            case HORIZONTALPODAUTOSCALER -> "HorizontalPodAutoscaler";
            default -> otherwise;
        };
    }
}
