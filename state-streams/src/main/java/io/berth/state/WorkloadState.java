package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.TaskView;
import io.berth.schemas.avro.WorkloadView;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The workload controller's stores (workloads, tasks) and the only place that writes them: each
 * write goes to the store, to its view topic, and to the audit log with before and after, so no
 * handler can change a view without its audit record.
 */
final class WorkloadState {
    private static final StringSerializer KEYS = new StringSerializer();
    private final KeyValueStore<String, WorkloadView> workloads;
    private final KeyValueStore<String, TaskView> tasks;
    private final Outputs out;

    WorkloadState(KeyValueStore<String, WorkloadView> workloads, KeyValueStore<String, TaskView> tasks, Outputs out) {
        this.workloads = workloads;
        this.tasks = tasks;
        this.out = out;
    }

    /** The tasks store is keyed {@code workloadKey|taskId} so one workload's tasks are one prefix scan. */
    static String taskKey(String workloadKey, String taskId) {
        return workloadKey + "|" + taskId;
    }

    WorkloadView workload(String key) {
        return workloads.get(key);
    }

    KeyValueIterator<String, WorkloadView> allWorkloads() {
        return workloads.all();
    }

    TaskView task(String workloadKey, String taskId) {
        return tasks.get(taskKey(workloadKey, taskId));
    }

    Map<String, TaskView> tasksOf(String key) {
        Map<String, TaskView> m = new LinkedHashMap<>();
        try (KeyValueIterator<String, TaskView> it = tasks.prefixScan(key + "|", KEYS)) {
            it.forEachRemaining(kv -> m.put(kv.value.getTaskId(), kv.value));
        }
        return m;
    }

    /** A mark kept in the store only (a pod delete asked for): the topic's view changes when the reconcile acts on it. */
    void markTask(String workloadKey, TaskView marked) {
        tasks.put(taskKey(workloadKey, marked.getTaskId()), marked);
    }

    void writeWorkload(String key, String change, Origin origin, WorkloadView before, WorkloadView after, String message, long now) {
        workloads.put(key, after);
        out.put(Topics.WORKLOADS, key, after, now);
        out.auditView(key, change, origin.actor(), origin.intentId(), before, after, message, now);
    }

    void deleteWorkload(String key, String change, Origin origin, WorkloadView before, String message, long now) {
        workloads.delete(key);
        out.tombstone(Topics.WORKLOADS, key, now);
        out.auditView(key, change, origin.actor(), origin.intentId(), before, null, message, now);
    }

    /** Every write of a task view: store, berth.state.tasks, and its audit record keyed by the pod. */
    void writeTask(String workloadKey, TaskView before, TaskView after, String change, Origin origin, String message, long now) {
        tasks.put(taskKey(workloadKey, after.getTaskId()), after);
        out.put(Topics.TASKS, after.getTaskId(), after, now);
        out.auditView(Events.podKey(after), change, origin.actor(), origin.intentId(), before, after, message, now);
    }

    /** Tombstones a task's view: TaskRemoved, after = null. */
    void removeTask(String workloadKey, TaskView t, String why, Origin origin, long now) {
        tasks.delete(taskKey(workloadKey, t.getTaskId()));
        out.tombstone(Topics.TASKS, t.getTaskId(), now);
        out.auditView(Events.podKey(t), "TaskRemoved", origin.actor(), origin.intentId(), t, null, t.getTaskId() + ": " + why, now);
    }
}
