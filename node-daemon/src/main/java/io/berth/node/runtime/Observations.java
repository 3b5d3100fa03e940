package io.berth.node.runtime;

import io.berth.node.docker.PodUnit;
import io.berth.node.reconcile.Observed;
import io.vertx.core.json.JsonArray;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * What the engine shows of this node's containers, by unit key: the latest fresh listing, kept current
 * between listings by Docker's events and the reconciler's own calls. Event loop only.
 */
final class Observations {
    private Map<String, Observed> byUnit = new HashMap<>();

    /** The containers by unit key, for the pure decisions to read. */
    Map<String, Observed> view() {
        return byUnit;
    }

    /** A fresh listing replaces everything. */
    void replace(Map<String, Observed> listing) {
        byUnit = new HashMap<>(listing);
    }

    Observed get(String unit) {
        return byUnit.get(unit);
    }

    boolean has(String unit) {
        return byUnit.containsKey(unit);
    }

    Collection<Observed> all() {
        return byUnit.values();
    }

    int size() {
        return byUnit.size();
    }

    /** The unit's container as an event or an own call just showed it. */
    void saw(Observed o) {
        byUnit.put(o.taskId(), o);
    }

    /** The unit's container is gone: forget it, unless a newer container took its place. */
    void forget(String unit, String containerId) {
        Observed o = byUnit.get(unit);
        if (o != null && o.containerId().equals(containerId)) byUnit.remove(unit);
    }

    /** Whether a container of the task is seen (a unit not yet recorded, e.g. one to adopt). */
    boolean anyOf(String taskId) {
        for (String unit : byUnit.keySet()) if (PodUnit.taskOf(unit).equals(taskId)) return true;
        return false;
    }

    /** The task ids with a running container, sorted (asked for by the heartbeat). */
    JsonArray runningTaskIds() {
        JsonArray ids = new JsonArray();
        byUnit.values().stream().filter(o -> o.state() == Observed.State.RUNNING)
                .map(o -> PodUnit.taskOf(o.taskId())).distinct().sorted().forEach(ids::add);
        return ids;
    }
}
