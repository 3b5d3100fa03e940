package io.berth.node.runtime;

import io.berth.node.reconcile.PodStatus;
import io.berth.node.reconcile.Reported;
import io.berth.node.reconcile.RestartPolicy;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Publishes this node's task statuses ({@link Statuses} builds them): a single container's transition
 * as it is; for a pod of several containers one status aggregated over its units
 * ({@link PodStatus#aggregate}), published only when it or its snapshot changed. The reconciler decides
 * what each container reports; this is where it leaves the node. Event loop only.
 */
final class StatusReporter {
    private final String nodeId;
    private final StatusSink sink;
    private final LongSupplier clock;
    /** pods of several containers: the last status published (timestamp 0), to publish changes only */
    private final Map<String, TaskStatus> podLast = new HashMap<>();

    StatusReporter(String nodeId, StatusSink sink, LongSupplier clock) {
        this.nodeId = nodeId;
        this.sink = sink;
        this.clock = clock;
    }

    /** A single-container pod's transition. */
    void container(TaskRecord r, Reported next) {
        sink.report(Statuses.of(nodeId, r, next.state(), next.exitCode(), next.reason(), next.message(), clock.getAsLong()));
    }

    /** A pod of several containers, after one of its {@code units} (in pod order) changed. */
    void pod(String taskId, List<TaskRecord> units, RestartPolicy policy) {
        if (units.isEmpty()) return;
        TaskStatus last = podLast.get(taskId);
        boolean wasReady = last != null && (last.getState() == TaskState.READY || last.getState() == TaskState.UNREADY);
        List<PodStatus.Member> members = units.stream().map(u -> new PodStatus.Member(u.desc.kind(), u.desc.name(), u.reported, u.run.exitCode(), u.ready())).toList();
        Reported pod = PodStatus.aggregate(policy, members, wasReady);
        publishPod(taskId, units, pod.state(), pod.exitCode(), pod.reason(), pod.message(), false);
    }

    /** A pod of several containers lost its last one: REMOVED, with every unit it had (in pod order). */
    void podRemoved(String taskId, List<TaskRecord> all) {
        podLast.remove(taskId);
        publishPod(taskId, all, TaskState.REMOVED, null, "Revoked", "", true);
    }

    /** A task revoked before anything was created for it: REMOVED, or its pod stays Terminating. */
    void revokedUnstarted(Assignment a) {
        sink.report(Statuses.revokedUnstarted(nodeId, a, clock.getAsLong()));
    }

    private void publishPod(String taskId, List<TaskRecord> units, TaskState state, Integer exit, String reason, String message, boolean removed) {
        TaskRecord main = units.stream().filter(u -> u.unit.equals(taskId)).findFirst().orElse(units.get(0));
        TaskRecord infra = units.stream().filter(TaskRecord::infra).findFirst().orElse(null);
        TaskStatus s = Statuses.pod(nodeId, main, infra, units, state, exit, reason, message, removed, 0);
        if (!removed && s.equals(podLast.get(taskId))) return;
        if (!removed) podLast.put(taskId, s);
        sink.report(TaskStatus.newBuilder(s).setTimestamp(clock.getAsLong()).build());
    }
}
