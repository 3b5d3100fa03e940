package io.berth.node.bus;

import io.berth.schemas.avro.Assignment;

/** One record of this node's assignment log. {@code assignment == null} is a tombstone: the task is revoked. */
public record AssignmentChange(String taskId, Assignment assignment) {
    public boolean revoked() {
        return assignment == null;
    }
}
