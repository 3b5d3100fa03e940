package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.TaskView;
import io.berth.schemas.avro.WorkloadView;
import io.berth.state.core.TaskActual;
import io.berth.state.core.TaskViews;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The workload controller's stores (workloads, tasks) and the only place that writes them: each
 * write goes to the store, to its view topic, and to the audit log with before and after, so no
 * handler can change a view without its audit record.
 *
 * <p>Every task status and every tick reconciles a workload against ALL its tasks, so reading them
 * is the controller's hot path: a prefix scan of the store deserialized a workload's whole task list
 * (1,000 Avro TaskViews with their templates for a Deployment of 1,000) for each status report of
 * any of its tasks. The tasks of a workload are therefore kept deserialized here once read
 * ({@link #cached}), written through on every change. This class is the only writer of the tasks
 * store and lives as long as its processor's {@code init} (a revived or migrated task builds a new
 * one from its restored store), so the copy cannot go stale; views are immutable in use (every
 * change is a new record through a builder), so sharing the instances is safe. The order is the
 * store's (task ids ascending), so decisions do not change: a replay decides the same.
 */
final class WorkloadState {
    private static final StringSerializer KEYS = new StringSerializer();
    private final KeyValueStore<String, WorkloadView> workloads;
    private final KeyValueStore<String, TaskView> tasks;
    private final Outputs out;
    /** workload key → its tasks by task id (ascending, as the store's prefix scan), for the workloads read so far */
    private final Map<String, TreeMap<String, TaskView>> cached = new HashMap<>();
    /**
     * The same tasks as the reconciler reads them ({@link TaskViews#actual}), kept next to
     * {@link #cached}: every status reconciles the whole workload, and deriving 1,000 of them per
     * status was a third of state-streams' time in a failover (JFR, 300 nodes × 30,000 tasks).
     */
    private final Map<String, TreeMap<String, TaskActual>> actuals = new HashMap<>();

    /** Told the id of each task removed (the HPA's usage samples go with it). */
    private java.util.function.Consumer<String> onTaskRemoved = id -> {};

    void onTaskRemoved(java.util.function.Consumer<String> listener) {
        this.onTaskRemoved = listener;
    }

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
        TreeMap<String, TaskView> c = cached.get(workloadKey);
        return c != null ? c.get(taskId) : tasks.get(taskKey(workloadKey, taskId));
    }

    /** A workload's tasks by task id, ascending (a copy: the caller may keep it across writes). */
    Map<String, TaskView> tasksOf(String key) {
        return new LinkedHashMap<>(loaded(key));
    }

    private TreeMap<String, TaskView> loaded(String key) {
        TreeMap<String, TaskView> c = cached.get(key);
        if (c == null) {
            TreeMap<String, TaskView> m = new TreeMap<>();
            try (KeyValueIterator<String, TaskView> it = tasks.prefixScan(key + "|", KEYS)) {
                it.forEachRemaining(kv -> m.put(kv.value.getTaskId(), kv.value));
            }
            c = m;
            cached.put(key, c);
            TreeMap<String, TaskActual> a = new TreeMap<>();
            m.forEach((id, t) -> a.put(id, TaskViews.actual(t)));
            actuals.put(key, a);
        }
        return c;
    }

    /** A workload's tasks as the reconciler reads them, in the order of {@link #tasksOf} (a copy). */
    List<TaskActual> actualsOf(String key) {
        loaded(key);
        return new ArrayList<>(actuals.get(key).values());
    }

    private void cachePut(String workloadKey, TaskView t) {
        TreeMap<String, TaskView> c = cached.get(workloadKey);
        if (c != null) {
            c.put(t.getTaskId(), t);
            actuals.get(workloadKey).put(t.getTaskId(), TaskViews.actual(t));
        }
    }

    private void cacheRemove(String workloadKey, String taskId) {
        TreeMap<String, TaskView> c = cached.get(workloadKey);
        if (c != null) {
            c.remove(taskId);
            actuals.get(workloadKey).remove(taskId);
        }
    }

    /** A mark kept in the store only (a pod delete asked for): the topic's view changes when the reconcile acts on it. */
    void markTask(String workloadKey, TaskView marked) {
        tasks.put(taskKey(workloadKey, marked.getTaskId()), marked);
        cachePut(workloadKey, marked);
    }

    void writeWorkload(String key, String change, Origin origin, WorkloadView before, WorkloadView after, String message, long now) {
        workloads.put(key, after);
        out.put(Topics.WORKLOADS, key, after, now);
        out.auditView(key, change, origin.actor(), origin.intentId(), before, after, message, now);
    }

    void deleteWorkload(String key, String change, Origin origin, WorkloadView before, String message, long now) {
        workloads.delete(key);
        cached.remove(key); // its tasks were removed one by one before; nothing to keep
        actuals.remove(key);
        out.tombstone(Topics.WORKLOADS, key, now);
        out.auditView(key, change, origin.actor(), origin.intentId(), before, null, message, now);
    }

    /** Every write of a task view: store, berth.state.tasks, and its audit record keyed by the pod. */
    void writeTask(String workloadKey, TaskView before, TaskView after, String change, Origin origin, String message, long now) {
        tasks.put(taskKey(workloadKey, after.getTaskId()), after);
        cachePut(workloadKey, after);
        out.put(Topics.TASKS, after.getTaskId(), after, now, EndpointsTopology.changesEndpoints(before, after));
        out.auditView(Events.podKey(after), change, origin.actor(), origin.intentId(), before, after, message, now);
    }

    /** Tombstones a task's view: TaskRemoved, after = null. */
    void removeTask(String workloadKey, TaskView t, String why, Origin origin, long now) {
        tasks.delete(taskKey(workloadKey, t.getTaskId()));
        onTaskRemoved.accept(t.getTaskId());
        cacheRemove(workloadKey, t.getTaskId());
        out.tombstone(Topics.TASKS, t.getTaskId(), now);
        out.auditView(Events.podKey(t), "TaskRemoved", origin.actor(), origin.intentId(), t, null, t.getTaskId() + ": " + why, now);
    }
}
