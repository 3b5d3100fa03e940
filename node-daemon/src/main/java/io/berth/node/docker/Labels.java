package io.berth.node.docker;

/**
 * Labels every Berth container carries. {@code berth.node} is how a daemon finds what it owns
 * (and never touches anyone else's); the others let a restarted daemon report a container's
 * status even when its assignment is already gone.
 */
public final class Labels {
    private Labels() {}

    public static final String TASK = "berth.task";
    public static final String WORKLOAD = "berth.workload";
    public static final String NODE = "berth.node";
    public static final String NAMESPACE = "berth.namespace";
    public static final String POD = "berth.pod";
    public static final String CONTAINER = "berth.container";
    /** The pod unit (container) key: {@code taskId}, {@code taskId/<name>} or {@code taskId/.infra}. */
    public static final String UNIT = "berth.unit";
    /** {@code infra} on the container holding a pod's shared network namespace. */
    public static final String ROLE = "berth.role";
    /** Seconds to wait between SIGTERM and SIGKILL when the task is revoked. */
    public static final String GRACE = "berth.grace-seconds";

    /** Container name: node id included so several daemons can share one engine. */
    public static String containerName(String nodeId, String taskId) {
        return "berth-" + nodeId + "-" + taskId;
    }

    /** Container name of a unit: the task's name for its first app container, {@code <task>_<name>} otherwise. */
    public static String unitContainerName(String nodeId, String unitKey) {
        return containerName(nodeId, unitKey.replace('/', '_'));
    }
}
