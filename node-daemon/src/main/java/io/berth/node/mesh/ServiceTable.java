package io.berth.node.mesh;

import io.berth.schemas.avro.EndpointsView;

import java.util.Map;
import java.util.TreeMap;

/**
 * The services of the whole cluster as this node knows them (key {@code ns/service/name}), folded
 * from {@code berth.state.endpoints}. Copy-on-write: {@link #snapshot()} is an immutable map any
 * thread may read; {@link #apply} is called from one context only.
 */
public final class ServiceTable {
    private volatile Map<String, EndpointsView> snapshot = Map.of();

    public Map<String, EndpointsView> snapshot() {
        return snapshot;
    }

    /**
     * Applies one record (null view, or deleted=true = gone); returns whether the table changed.
     * A deleted service and a tombstone are the same thing to a proxy.
     */
    public boolean apply(String key, EndpointsView view) {
        EndpointsView v = view == null || view.getDeleted() ? null : view;
        EndpointsView old = snapshot.get(key);
        if (v == null ? old == null : v.equals(old)) return false;
        Map<String, EndpointsView> next = new TreeMap<>(snapshot);
        if (v == null) next.remove(key);
        else next.put(key, v);
        snapshot = Map.copyOf(next);
        return true;
    }

    /** Folds a change into a plain map (what each consumer of {@link ServiceChange} keeps). */
    public static void fold(Map<String, EndpointsView> into, ServiceChange c) {
        if (c.gone()) into.remove(c.key());
        else into.put(c.key(), c.view());
    }
}
