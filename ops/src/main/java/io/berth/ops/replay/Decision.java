package io.berth.ops.replay;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.apache.avro.specific.SpecificRecord;

import java.util.stream.Collectors;

/**
 * One controller decision, by content: the topic and key it was written under, its time, and a
 * fingerprint of what was decided (task ids, nodes, phases, revisions, tombstones, event reasons and
 * messages, audit changes). Fields that name the log position a record was read from (event uids,
 * intent offsets, dead-letter offsets, cause headers) are left out: a replay reads copies of the
 * records at other offsets. Pure (no Kafka).
 */
public record Decision(String topic, String key, String writer, long timestamp, String what) {

    /** A decision whose key has one writer (the usual case: the task that owns the key). */
    public Decision(String topic, String key, long timestamp, String what) {
        this(topic, key, "", timestamp, what);
    }

    /** The decision a controller output records; {@code value} null is a tombstone. */
    public static Decision of(String topic, String key, long timestamp, SpecificRecord value) {
        return new Decision(topic, key, writer(value), timestamp, value == null ? "tombstone" : fingerprint(topic, value));
    }

    /**
     * Which of several writers of one key decided this, where a key has several. Placement requests
     * are keyed by namespace (the scheduler's lane) but written by the workload controller's task
     * that owns the workload: two workloads on different tasks interleave on that key as the tasks'
     * threads happen to run, which no decision fixes and no replay can reproduce. Their order is
     * compared per workload, which one task decides.
     */
    static String writer(SpecificRecord value) {
        return value instanceof PlacementRequest r ? r.getWorkloadKey() : "";
    }

    static String fingerprint(String topic, SpecificRecord v) {
        if (v instanceof PlacementRequest r) return "place " + r.getTaskId() + " of " + r.getWorkloadKey() + " requests " + r.getRequests();
        if (v instanceof TaskView t) {
            return t.getTaskId() + " " + t.getPhase() + (t.getNodeId().isEmpty() ? "" : " on " + t.getNodeId())
                    + (t.getReady() ? " ready" : "") + (t.getDesiredStop() ? " stopping" : "")
                    + (t.getReason().isEmpty() ? "" : " reason " + t.getReason()) + " template " + t.getTemplateHash()
                    + " restarts " + t.getRestartCount();
        }
        if (v instanceof WorkloadView w) {
            String revisions = w.getHistory() == null ? "" : w.getHistory().stream()
                    .map(r -> r.getRevision() + ":" + r.getTemplateHash()).collect(Collectors.joining(","));
            String replicas = w.getKind() == ResourceKind.SERVICE ? "" : " replicas " + (w.getDeployment() == null ? "-" : w.getDeployment().getReplicas())
                    + " current " + w.getReplicas() + " ready " + w.getReadyReplicas() + " updated " + w.getUpdatedReplicas();
            String rollout = w.getRollout() == null ? "" : " rollout " + w.getRollout().getPhase() + "/" + w.getRollout().getReason()
                    + (w.getRollout().getFailedRevision() == 0 ? "" : " failed " + w.getRollout().getFailedRevision());
            return w.getKind() + " " + w.getKey() + (w.getDeleted() ? " deleted" : "") + " template " + w.getTemplateHash()
                    + replicas + " revisions [" + revisions + "]" + rollout + " generation " + w.getGeneration()
                    + " rv " + w.getResourceVersion();
        }
        if (v instanceof NodeView n) {
            return n.getNodeId() + (n.getReady() ? " Ready" : " NotReady") + (n.getCordoned() ? " cordoned" : "")
                    + (n.getLabels() != null && "true".equals(n.getLabels().get("berth.io/draining")) ? " draining" : "");
        }
        if (v instanceof ClusterEvent e) return e.getType() + " " + e.getReason() + " " + e.getInvolvedKey() + ": " + e.getMessage();
        if (v instanceof AuditRecord a) return a.getChange() + " " + a.getKey();
        if (v instanceof DeadLetter d) return "dead letter: " + d.getReason();
        if (v instanceof EndpointsView e) {
            return "clusterIP " + e.getClusterIP() + " ports " + e.getPorts().stream().map(p -> p.getPort() + ":" + p.getNodePort())
                    .collect(Collectors.joining(",")) + (e.getDeleted() ? " deleted" : "");
        }
        if (v instanceof Assignment a) return "assign " + a.getTaskId() + " to " + a.getNodeId();
        if (v instanceof TaskStatus t) {
            return t.getTaskId() + " " + t.getState() + (t.getNodeId().isEmpty() ? "" : " on " + t.getNodeId())
                    + (t.getReason().isEmpty() ? "" : " reason " + t.getReason()) + (t.getMessage().isEmpty() ? "" : ": " + t.getMessage());
        }
        return v.toString();
    }

    /** Topics whose records are kept only as their last value per key (a recorded history there may have gaps). */
    static boolean compacted(String topic) {
        return Topics.ALL.stream().anyMatch(t -> t.name().equals(topic) && "compact".equals(t.cleanupPolicy()));
    }
}
