package io.berth.state.core;

import io.berth.schemas.avro.TaskPhase;

import java.util.List;

/**
 * The next steps for one workload, as values: the adapter turns them into records.
 *
 * @param create      tasks to create (and ask the scheduler to place)
 * @param stop        tasks to stop: revoke the assignment (if placed) and set the phase
 * @param forget      tasks to drop from the views (gone for good)
 * @param nextTaskSeq the workload's sequence after the creations
 * @param status      replica counts after these steps
 * @param workloadGone the workload was deleted and no task is left: tombstone it
 */
public record Steps(List<NewTask> create, List<Stop> stop, List<String> forget, long nextTaskSeq,
                    ReplicaStatus status, boolean workloadGone) {

    public Steps {
        create = List.copyOf(create);
        stop = List.copyOf(stop);
        forget = List.copyOf(forget);
    }

    public boolean isEmpty() {
        return create.isEmpty() && stop.isEmpty() && forget.isEmpty() && !workloadGone;
    }

    /** A task to create; its id is new and never used before in this workload. */
    public record NewTask(String taskId, long seq) {}

    /**
     * A task to stop.
     *
     * @param phase     TERMINATING (asked to stop) or LOST (its node is gone)
     * @param reason    why, readable by a user (e.g. ScaledDown, NodeLost, Deleted, Failed)
     * @param removeNow nothing will report its end (unplaced, lost or failed): drop it right away
     */
    public record Stop(String taskId, String nodeId, TaskPhase phase, String reason, boolean removeNow) {}

    /**
     * Kubernetes' Deployment status counts over the live tasks after the steps.
     *
     * @param replicas  live tasks (created, not stopping)
     * @param ready     live tasks whose containers are ready
     * @param available live tasks ready for at least minReadySeconds
     * @param updated   live tasks running the current template
     * @param updatedAvailable available tasks running the current template
     */
    public record ReplicaStatus(int desired, int replicas, int ready, int available, int updated, int updatedAvailable) {
        public ReplicaStatus(int desired, int replicas, int ready, int available, int updated) {
            this(desired, replicas, ready, available, updated, Math.min(updated, available));
        }

        /** Kubernetes' DeploymentComplete: every replica updated and available, no old one left. */
        public boolean complete() {
            return updated == desired && replicas == desired && available == desired && updatedAvailable == desired;
        }

        public int unavailable() {
            return Math.max(0, desired - available);
        }
    }
}
