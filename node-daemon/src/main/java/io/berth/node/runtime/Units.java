package io.berth.node.runtime;

import io.berth.node.docker.PodUnit;
import io.berth.node.reconcile.Observed;
import io.berth.schemas.avro.Assignment;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reconciler's {@link TaskRecord}s by unit key ({@link PodUnit}; a single-container pod has one,
 * keyed by its task id), and the pods they make up: a pod's units in pod order, whether a unit belongs
 * to a pod of several, and the units of such a pod already removed (for the pod's REMOVED snapshot).
 * Used on the reconciler's event loop only.
 */
final class Units {
    /** infra first, then init and app containers in pod order */
    static final Comparator<TaskRecord> ORDER = Comparator.<TaskRecord>comparingInt(r -> r.desc.kind().ordinal())
            .thenComparingInt(r -> r.desc.index()).thenComparing(r -> r.unit);

    private final Map<String, TaskRecord> byUnit = new HashMap<>();
    /** pods of several units: the units already removed, until the pod's last one is */
    private final Map<String, List<TaskRecord>> gone = new HashMap<>();
    private final String infraImage;

    Units(String infraImage) {
        this.infraImage = infraImage;
    }

    TaskRecord get(String unit) {
        return byUnit.get(unit);
    }

    /** Every record (a live view: copy it before removing while iterating). */
    Collection<TaskRecord> all() {
        return byUnit.values();
    }

    /**
     * The unit's record, made on first sight, described by its live assignment {@code a} (null: not read
     * yet, or revoked), its workload key from the assignment or else from the listed container {@code o}.
     */
    TaskRecord record(String unit, Assignment a, Observed o) {
        return byUnit.computeIfAbsent(unit, id -> {
            TaskRecord r = new TaskRecord(id, PodUnit.taskOf(id), a != null ? a.getWorkloadKey() : o != null ? o.workloadKey() : "");
            if (a != null) r.describe(a, infraImage);
            return r;
        });
    }

    /** The records of a task's containers, infra first, then init and app containers in pod order. */
    List<TaskRecord> of(String taskId) {
        List<TaskRecord> out = new ArrayList<>();
        for (TaskRecord r : byUnit.values()) if (r.taskId.equals(taskId)) out.add(r);
        out.sort(ORDER);
        return out;
    }

    /** Whether the record belongs to a pod of several units (containers, init containers or an infra container); {@code a}: its live assignment or null. */
    boolean multi(TaskRecord r, Assignment a) {
        if (!r.unit.equals(r.taskId)) return true;
        if (a != null) return PodUnit.sharedNetwork(a);
        if (gone.containsKey(r.taskId)) return true;
        for (TaskRecord o : byUnit.values()) if (o != r && o.taskId.equals(r.taskId)) return true;
        return false;
    }

    /** Forgets the record; false when it was forgotten already. */
    boolean remove(TaskRecord r) {
        return byUnit.remove(r.unit) != null;
    }

    /**
     * Keeps a removed unit of a pod of several for the pod's REMOVED snapshot; once the pod's last unit
     * is removed returns all of them in pod order (and forgets them), else null.
     */
    List<TaskRecord> retire(TaskRecord r) {
        gone.computeIfAbsent(r.taskId, k -> new ArrayList<>()).add(r);
        if (!of(r.taskId).isEmpty()) return null;
        List<TaskRecord> all = gone.remove(r.taskId);
        all.sort(ORDER);
        return all;
    }
}
