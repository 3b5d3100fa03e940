package io.berth.schemas;

import io.berth.schemas.avro.*;

import java.time.Duration;
import java.util.List;

/** Every topic on the Berth bus, defined once. See ARCHITECTURE.md for who writes and reads each. */
public final class Topics {
    private Topics() {}

    /** Partitions of the keyed, high-volume topics; a cluster may be created with more. */
    public static final int PARTITIONS = 6;
    private static final Duration DAY = Duration.ofDays(1);
    private static final Duration WEEK = Duration.ofDays(7);

    /** What users and systems ask for. Key: resource key {@code ns/kind/name}. Kept forever. */
    public static final Topic<Intent> INTENTS = new Topic<>("berth.intents", Intent.class, PARTITIONS, Topic.DELETE, null);
    /** Registration, heartbeat and leave of nodes. Key: node id. */
    public static final Topic<NodeEvent> NODE_EVENTS = new Topic<>("berth.node-events", NodeEvent.class, PARTITIONS, Topic.DELETE, DAY);
    /** Task transitions reported by nodes and the scheduler. Key: owning workload key (co-partitioned with intents). */
    public static final Topic<TaskStatus> TASK_STATUS = new Topic<>("berth.task-status", TaskStatus.class, PARTITIONS, Topic.DELETE, WEEK);
    /** Tasks to place. Key: the scheduling partition ({@link #SCHEDULING_KEY}); one partition keeps placement serialized. */
    public static final Topic<PlacementRequest> PLACEMENT_REQUESTS = new Topic<>("berth.placement-requests", PlacementRequest.class, 1, Topic.DELETE, DAY);
    /** Tasks assigned to nodes. Key: {@code nodeId/taskId}, partitioned by node id ({@link #assignmentPartition}); a tombstone revokes. */
    public static final Topic<Assignment> ASSIGNMENTS = new Topic<>("berth.assignments", Assignment.class, PARTITIONS, Topic.COMPACT, null);
    /** Materialized workloads (deployments, services). Key: resource key. */
    public static final Topic<WorkloadView> WORKLOADS = new Topic<>("berth.state.workloads", WorkloadView.class, PARTITIONS, Topic.COMPACT, null);
    /** Materialized tasks (pods). Key: task id. */
    public static final Topic<TaskView> TASKS = new Topic<>("berth.state.tasks", TaskView.class, PARTITIONS, Topic.COMPACT, null);
    /** Materialized nodes. Key: node id. */
    public static final Topic<NodeView> NODES = new Topic<>("berth.state.nodes", NodeView.class, PARTITIONS, Topic.COMPACT, null);
    /** Materialized service endpoints. Key: {@code ns/service/name}. */
    public static final Topic<EndpointsView> ENDPOINTS = new Topic<>("berth.state.endpoints", EndpointsView.class, PARTITIONS, Topic.COMPACT, null);
    /** Every state change with cause and actor. Key: resource key. Kept forever. */
    public static final Topic<AuditRecord> AUDIT = new Topic<>("berth.audit", AuditRecord.class, PARTITIONS, Topic.DELETE, null);
    /**
     * Periodic snapshots of {@link #AUDIT}, one per audit partition every N records, written by the gateway so
     * time travel reads a snapshot plus a short tail instead of the whole history. Partition = the audit
     * partition; key {@code <partition>/<offset>/<chunk>}; record timestamp = the newest audit timestamp
     * folded in. Compacted (a snapshot written twice is kept once), never deleted otherwise.
     */
    public static final Topic<AuditSnapshot> AUDIT_SNAPSHOTS = new Topic<>("berth.audit-snapshots", AuditSnapshot.class, PARTITIONS, Topic.COMPACT, null);
    /** Container output. Key: task id. */
    public static final Topic<LogLine> LOGS = new Topic<>("berth.logs", LogLine.class, PARTITIONS, Topic.DELETE, WEEK);
    /** Kubernetes-like events (controller decisions, scheduling, back-offs, node conditions). Key: involved resource key. */
    public static final Topic<ClusterEvent> EVENTS = new Topic<>("berth.events", ClusterEvent.class, PARTITIONS, Topic.DELETE, DAY);
    /**
     * Resource usage of nodes and their pods (kubectl top, the metrics.k8s.io API), one record per node per
     * sampling period. Key: node id; signed by the node. Only the latest per node matters: kept an hour.
     */
    public static final Topic<NodeStats> NODE_STATS = new Topic<>("berth.node-stats", NodeStats.class, PARTITIONS, Topic.DELETE, Duration.ofHours(1));
    /** Records a consumer rejected, with the reason. Key: the original key. Kept forever. */
    public static final Topic<DeadLetter> DEAD_LETTERS = new Topic<>("berth.dead-letters", DeadLetter.class, 1, Topic.DELETE, null);

    /**
     * Time as records: the state-streams ticker writes a {@link Tick} per partition every
     * controller-tick-ms; the controllers and the scheduler run their periodic checks when they read
     * one, so replay re-runs them exactly. Key: the partition number. Kept a week, like task status.
     */
    public static final Topic<Tick> TICKS = new Topic<>("berth.ticks", Tick.class, PARTITIONS, Topic.DELETE, WEEK);

    /**
     * RBAC objects (Role, ClusterRole, RoleBinding, ClusterRoleBinding) the gateway accepted. Key:
     * {@code kind/namespace/name}; a tombstone deletes. One partition, compacted: every gateway reads it
     * whole into memory at start and follows it.
     */
    public static final Topic<RbacObject> RBAC = new Topic<>("berth.rbac", RbacObject.class, 1, Topic.COMPACT, null);

    /**
     * Secrets and ConfigMaps the gateway accepted. Key: {@code Kind/namespace/name}; a tombstone deletes.
     * A Secret's values are AES-256-GCM ciphertext ({@link io.berth.schemas.secrets.SecretBox}). One
     * partition, compacted: every gateway and every node daemon reads it whole and follows it.
     */
    public static final Topic<ConfigObject> CONFIGS = new Topic<>("berth.configs", ConfigObject.class, 1, Topic.COMPACT, null);

    /**
     * The views of Jobs a CronJob started, re-keyed to that CronJob (key: its resource key), so the workload
     * controller that holds the CronJob learns of its jobs' progress in its own partition; a view with
     * {@code deleted} set says the job is gone. Written and read by state-streams only. Kept a day.
     */
    public static final Topic<WorkloadView> CRONJOB_JOBS = new Topic<>("berth.cronjob-jobs", WorkloadView.class, PARTITIONS, Topic.DELETE, DAY);

    public static final List<Topic<?>> ALL = List.of(INTENTS, NODE_EVENTS, TASK_STATUS, PLACEMENT_REQUESTS, ASSIGNMENTS,
            WORKLOADS, TASKS, NODES, ENDPOINTS, AUDIT, AUDIT_SNAPSHOTS, EVENTS, LOGS, DEAD_LETTERS, TICKS, RBAC, CONFIGS, NODE_STATS,
            CRONJOB_JOBS);

    /** The registry's own topic: exactly one partition, compacted (Confluent's layout). */
    public static final String SCHEMAS_TOPIC = "_schemas";

    /** The one scheduling partition key used today. */
    public static final String SCHEDULING_KEY = "default";

    /** Key of an assignment record. */
    public static String assignmentKey(String nodeId, String taskId) {
        return nodeId + "/" + taskId;
    }

    /**
     * The partition that holds every assignment of one node, so a node daemon reads one partition.
     * Every writer of {@link #ASSIGNMENTS} must use this (see {@code AssignmentPartitioner}).
     */
    public static int assignmentPartition(String nodeId, int numPartitions) {
        return (org.apache.kafka.common.utils.Utils.murmur2(nodeId.getBytes(java.nio.charset.StandardCharsets.UTF_8)) & 0x7fffffff) % numPartitions;
    }

    /** Node id part of an assignment key {@code nodeId/taskId}. */
    public static String nodeOfAssignmentKey(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? key : key.substring(0, slash);
    }

    /**
     * Annotation of a pod delete intent naming the kind of the pod's owner ({@code Job}); without it a pod
     * with a generated name belongs to a Deployment. The gateway sets it from the pod's view.
     */
    public static final String POD_OWNER_KIND_ANNOTATION = "berth.io/owner-kind";

    /**
     * Annotation of a Job a CronJob created: {@code CronJob/NAME}, its owner (the gateway shows it as the Job's
     * ownerReferences; the controller reports the Job's progress to that CronJob).
     */
    public static final String OWNER_ANNOTATION = "berth.io/owner";

    /** Resource key {@code ns/kind/name}, kind in lower case (e.g. {@code default/deployment/web}). */
    public static String resourceKey(String namespace, ResourceKind kind, String name) {
        return namespace + "/" + kind.name().toLowerCase(java.util.Locale.ROOT) + "/" + name;
    }
}
