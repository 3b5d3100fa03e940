package io.berth.node.bus;

/** Event-bus addresses between the daemon's verticles. Prefixed with the node id: two daemons may share a JVM (tests). */
public record Addresses(String nodeId) {
    /** {@link AssignmentChange}: an assignment of this node arrived or was revoked. */
    public String assignments() {
        return "berth.node." + nodeId + ".assignments";
    }

    /** Empty message: the assignment log was read to its end once, so unknown containers may now be removed. */
    public String assignmentsSynced() {
        return "berth.node." + nodeId + ".assignments-synced";
    }

    /** {@link ContainerEvent}: a Docker event on one of this node's containers. */
    public String containerEvents() {
        return "berth.node." + nodeId + ".container-events";
    }

    /** {@link TaskRunning}, published: a task's container (re)started or was adopted. */
    public String taskRunning() {
        return "berth.node." + nodeId + ".task-running";
    }

    /** Request, reply a {@code JsonArray} of the task ids whose containers run now (for heartbeats). */
    public String runningTasks() {
        return "berth.node." + nodeId + ".running-tasks";
    }

    /** Long (ms without an acknowledged heartbeat), from the heartbeat: the node's lease ran out; kill every container and start nothing. */
    public String fence() {
        return "berth.node." + nodeId + ".fence";
    }

    /** Empty, from the heartbeat: a heartbeat sent within the lease was acknowledged again. */
    public String leaseRegained() {
        return "berth.node." + nodeId + ".lease-regained";
    }
}
