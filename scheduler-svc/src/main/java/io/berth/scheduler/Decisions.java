package io.berth.scheduler;

import io.berth.scheduler.core.Verdict;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.PlacementRequest;
import io.berth.schemas.avro.PlacementVerdict;
import io.berth.schemas.avro.RankerScore;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;

import java.util.List;

/** The records a decision is published as. */
final class Decisions {
    private Decisions() {}

    static Assignment assignment(PlacementRequest r, String nodeId, long now) {
        return Assignment.newBuilder()
                .setTaskId(r.getTaskId())
                .setNodeId(nodeId)
                .setWorkloadKey(r.getWorkloadKey())
                .setNamespace(r.getNamespace())
                .setPodName(r.getPodName().isEmpty() ? r.getTaskId() : r.getPodName())
                .setTemplate(r.getTemplate())
                .setRequests(r.getRequests())
                .setAssignedAt(now)
                .setRequestId(r.getRequestId())
                .build();
    }

    static TaskStatus assigned(PlacementRequest r, String nodeId, PlacementVerdict verdict, long now) {
        return status(r, TaskState.ASSIGNED, now).setNodeId(nodeId).setReason("Scheduled")
                .setMessage("Successfully assigned " + r.getNamespace() + "/" + r.getTaskId() + " to " + nodeId)
                .setPlacement(verdict).build();
    }

    /** Kubernetes shape: reason "Unschedulable", the per-node explanation in message (as kubectl describe shows it). */
    static TaskStatus unschedulable(PlacementRequest r, String text, PlacementVerdict verdict, long now) {
        return status(r, TaskState.UNSCHEDULABLE, now).setReason("Unschedulable").setMessage(text).setPlacement(verdict).build();
    }

    /** The core's verdict as the bus carries it, stamped with the decision's time. */
    static PlacementVerdict verdict(Verdict v, long now) {
        return PlacementVerdict.newBuilder()
                .setNodeId(v.nodeId())
                .setFeasible(v.feasible())
                .setTotal(v.total())
                .setScores(scores(v.scores()))
                .setRunnerUp(v.runnerUp())
                .setRunnerUpScores(scores(v.runnerUpScores()))
                .setRejected(v.rejected())
                .setRejectedOmitted(v.rejectedOmitted())
                .setMessage(v.message())
                .setDecidedAt(now)
                .build();
    }

    private static List<RankerScore> scores(List<Verdict.RankerScore> scores) {
        return scores.stream().map(s -> new RankerScore(s.ranker(), s.raw(), s.normalized())).toList();
    }

    private static TaskStatus.Builder status(PlacementRequest r, TaskState state, long now) {
        return TaskStatus.newBuilder().setTaskId(r.getTaskId()).setWorkloadKey(r.getWorkloadKey()).setState(state).setTimestamp(now);
    }
}
