package io.berth.gateway.api;

import org.pcollections.HashTreePMap;
import org.pcollections.PMap;
import org.pcollections.TreePMap;

import java.util.*;
import java.util.function.Function;

/**
 * The view cache's objects indexed the way the API asks for them, so that no read walks every object
 * of a topic (100,000 pods): kind → namespace → name, kept sorted (a list comes out in the order
 * Kubernetes lists it, namespace then name, without sorting), and kind → namespace → {@code label=value}
 * → name for the equality requirements of a label selector ({@code app=web}, {@code app in (web)}).
 * A list with a selector starts from the smallest matching label set and checks the rest of the
 * selector on those only. Pure: no Kafka, no Vert.x.
 *
 * <p>The maps are persistent (pcollections: a change copies the path to it, O(log n), and shares the
 * rest), so {@link #snapshot()} is O(1) and yields an index nothing changes any more: the cache's
 * consumer thread changes its own index and publishes a snapshot after each poll, and readers
 * read snapshots without any lock. One writer at a time; a snapshot may be read by any thread.
 *
 * <p>Two objects may share a name in a namespace for a moment (a bare pod replaced: the old task's view
 * is still there when the new one arrives), so the sorted maps are keyed {@code name \0 key}.
 */
final class ObjectIndex<E> {
    /** How the index reads an entry: its kind, namespace ("" for cluster-scoped), name, unique key and labels. */
    record Keys<E>(Function<E, String> kind, Function<E, String> namespace, Function<E, String> name,
                   Function<E, String> key, Function<E, Map<String, String>> labels) {}

    private final Keys<E> keys;
    private final boolean frozen;
    private PMap<String, TreePMap<String, TreePMap<String, E>>> byName;
    private PMap<String, PMap<String, PMap<String, TreePMap<String, E>>>> byLabel;

    ObjectIndex(Keys<E> keys) {
        this(keys, false, HashTreePMap.empty(), HashTreePMap.empty());
    }

    private ObjectIndex(Keys<E> keys, boolean frozen, PMap<String, TreePMap<String, TreePMap<String, E>>> byName,
                        PMap<String, PMap<String, PMap<String, TreePMap<String, E>>>> byLabel) {
        this.keys = keys;
        this.frozen = frozen;
        this.byName = byName;
        this.byLabel = byLabel;
    }

    /** True when any object of any kind lives in the namespace. */
    boolean anyIn(String namespace) {
        for (TreePMap<String, TreePMap<String, E>> namespaces : byName.values()) {
            TreePMap<String, E> names = namespaces.get(namespace);
            if (names != null && !names.isEmpty()) return true;
        }
        return false;
    }

    /** This index as it is now, unchangeable (later changes to this one do not show in it): O(1). */
    ObjectIndex<E> snapshot() {
        return frozen ? this : new ObjectIndex<>(keys, true, byName, byLabel);
    }

    /** Replaces {@code before} (null: none) by {@code after} (null: removed). */
    void replace(E before, E after) {
        if (frozen) throw new UnsupportedOperationException("a snapshot of the index does not change");
        if (before != null) remove(before);
        if (after != null) add(after);
    }

    private void add(E e) {
        String kind = keys.kind.apply(e), ns = keys.namespace.apply(e), id = id(e);
        TreePMap<String, TreePMap<String, E>> namespaces = byName.getOrDefault(kind, TreePMap.empty());
        byName = byName.plus(kind, namespaces.plus(ns, namespaces.getOrDefault(ns, TreePMap.empty()).plus(id, e)));
        Map<String, String> entryLabels = keys.labels.apply(e);
        if (entryLabels.isEmpty()) return;
        PMap<String, PMap<String, TreePMap<String, E>>> kindLabels = byLabel.getOrDefault(kind, HashTreePMap.empty());
        PMap<String, TreePMap<String, E>> labels = kindLabels.getOrDefault(ns, HashTreePMap.empty());
        for (Map.Entry<String, String> l : entryLabels.entrySet()) {
            String label = l.getKey() + "=" + l.getValue();
            labels = labels.plus(label, labels.getOrDefault(label, TreePMap.empty()).plus(id, e));
        }
        byLabel = byLabel.plus(kind, kindLabels.plus(ns, labels));
    }

    private void remove(E e) {
        String kind = keys.kind.apply(e), ns = keys.namespace.apply(e), id = id(e);
        TreePMap<String, TreePMap<String, E>> namespaces = byName.get(kind);
        if (namespaces != null && namespaces.containsKey(ns)) {
            TreePMap<String, E> names = namespaces.get(ns).minus(id);
            namespaces = names.isEmpty() ? namespaces.minus(ns) : namespaces.plus(ns, names);
            byName = byName.plus(kind, namespaces);
        }
        PMap<String, PMap<String, TreePMap<String, E>>> kindLabels = byLabel.get(kind);
        PMap<String, TreePMap<String, E>> labels = kindLabels == null ? null : kindLabels.get(ns);
        if (labels == null) return;
        for (Map.Entry<String, String> l : keys.labels.apply(e).entrySet()) {
            String label = l.getKey() + "=" + l.getValue();
            TreePMap<String, E> set = labels.get(label);
            if (set == null) continue;
            set = set.minus(id);
            labels = set.isEmpty() ? labels.minus(label) : labels.plus(label, set);
        }
        kindLabels = labels.isEmpty() ? kindLabels.minus(ns) : kindLabels.plus(ns, labels);
        byLabel = byLabel.plus(kind, kindLabels);
    }

    /** The object of that kind and name in {@code namespace} (null: in any namespace, the first in order). */
    Optional<E> get(String kind, String namespace, String name) {
        TreePMap<String, TreePMap<String, E>> namespaces = byName.get(kind);
        if (namespaces == null) return Optional.empty();
        for (TreePMap<String, E> names : namespace == null ? namespaces.values() : single(namespaces.get(namespace))) {
            Map.Entry<String, E> e = names.ceilingEntry(name + "\u0000");
            if (e != null && e.getKey().startsWith(name + "\u0000")) return Optional.of(e.getValue());
        }
        return Optional.empty();
    }

    /**
     * The objects of a kind in {@code namespace} (null: all), sorted by namespace then name, narrowed to
     * those carrying every label of {@code equalities} (the caller still applies the whole selector).
     */
    List<E> list(String kind, String namespace, Map<String, String> equalities) {
        TreePMap<String, TreePMap<String, E>> namespaces = byName.get(kind);
        if (namespaces == null) return List.of();
        List<E> out = new ArrayList<>();
        for (Map.Entry<String, TreePMap<String, E>> ns : namespace == null ? namespaces.entrySet() : singleEntry(namespaces, namespace)) {
            Collection<E> candidates = ns.getValue().values();
            if (!equalities.isEmpty()) {
                PMap<String, TreePMap<String, E>> labels = byLabel.getOrDefault(kind, HashTreePMap.empty()).getOrDefault(ns.getKey(), HashTreePMap.empty());
                for (Map.Entry<String, String> l : equalities.entrySet()) {
                    TreePMap<String, E> set = labels.get(l.getKey() + "=" + l.getValue());
                    if (set == null) {
                        candidates = List.of();
                        break;
                    }
                    if (set.size() < candidates.size()) candidates = set.values();
                }
            }
            if (candidates.isEmpty()) continue;
            if (equalities.isEmpty() || equalities.size() == 1) {
                out.addAll(candidates);
            } else {
                for (E e : candidates) if (carries(e, equalities)) out.add(e);
            }
        }
        return out;
    }

    /** How many objects of a kind are indexed (all namespaces). */
    int size(String kind) {
        int n = 0;
        for (TreePMap<String, E> names : byName.getOrDefault(kind, TreePMap.empty()).values()) n += names.size();
        return n;
    }

    private boolean carries(E e, Map<String, String> equalities) {
        Map<String, String> labels = keys.labels.apply(e);
        for (Map.Entry<String, String> l : equalities.entrySet()) if (!l.getValue().equals(labels.get(l.getKey()))) return false;
        return true;
    }

    private String id(E e) {
        return keys.name.apply(e) + "\u0000" + keys.key.apply(e);
    }

    private static <T> List<T> single(T t) {
        return t == null ? List.of() : List.of(t);
    }

    private static <T> Set<Map.Entry<String, T>> singleEntry(Map<String, T> map, String key) {
        T t = map.get(key);
        return t == null ? Set.of() : Set.of(Map.entry(key, t));
    }
}
