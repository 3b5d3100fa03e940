package io.berth.gateway.api;

import java.util.*;
import java.util.function.Function;

/**
 * The view cache's objects indexed the way the API asks for them, so that no read walks every object
 * of a topic (100,000 pods): kind → namespace → name, kept sorted (a list comes out in the order
 * Kubernetes lists it, namespace then name, without sorting), and kind → namespace → {@code label=value}
 * → name for the equality requirements of a label selector ({@code app=web}, {@code app in (web)}).
 * A list with a selector starts from the smallest matching label set and checks the rest of the
 * selector on those only. Pure: no Kafka, no Vert.x; not thread-safe (the cache's lock guards it).
 *
 * <p>Two objects may share a name in a namespace for a moment (a bare pod replaced: the old task's view
 * is still there when the new one arrives), so the sorted maps are keyed {@code name \0 key}.
 */
final class ObjectIndex<E> {
    /** How the index reads an entry: its kind, namespace ("" for cluster-scoped), name, unique key and labels. */
    record Keys<E>(Function<E, String> kind, Function<E, String> namespace, Function<E, String> name,
                   Function<E, String> key, Function<E, Map<String, String>> labels) {}

    private final Keys<E> keys;
    private final Map<String, TreeMap<String, TreeMap<String, E>>> byName = new HashMap<>();
    private final Map<String, Map<String, Map<String, TreeMap<String, E>>>> byLabel = new HashMap<>();

    ObjectIndex(Keys<E> keys) {
        this.keys = keys;
    }

    /** Replaces {@code before} (null: none) by {@code after} (null: removed). */
    void replace(E before, E after) {
        if (before != null) remove(before);
        if (after != null) add(after);
    }

    private void add(E e) {
        String kind = keys.kind.apply(e), ns = keys.namespace.apply(e), id = id(e);
        byName.computeIfAbsent(kind, k -> new TreeMap<>()).computeIfAbsent(ns, k -> new TreeMap<>()).put(id, e);
        Map<String, TreeMap<String, E>> labels = byLabel.computeIfAbsent(kind, k -> new HashMap<>()).computeIfAbsent(ns, k -> new HashMap<>());
        for (Map.Entry<String, String> l : keys.labels.apply(e).entrySet()) {
            labels.computeIfAbsent(l.getKey() + "=" + l.getValue(), k -> new TreeMap<>()).put(id, e);
        }
    }

    private void remove(E e) {
        String kind = keys.kind.apply(e), ns = keys.namespace.apply(e), id = id(e);
        TreeMap<String, TreeMap<String, E>> namespaces = byName.get(kind);
        if (namespaces != null && namespaces.containsKey(ns)) {
            namespaces.get(ns).remove(id);
            if (namespaces.get(ns).isEmpty()) namespaces.remove(ns);
        }
        Map<String, TreeMap<String, E>> labels = byLabel.getOrDefault(kind, Map.of()).get(ns);
        if (labels == null) return;
        for (Map.Entry<String, String> l : keys.labels.apply(e).entrySet()) {
            String label = l.getKey() + "=" + l.getValue();
            TreeMap<String, E> set = labels.get(label);
            if (set == null) continue;
            set.remove(id);
            if (set.isEmpty()) labels.remove(label);
        }
        if (labels.isEmpty()) byLabel.get(kind).remove(ns);
    }

    /** The object of that kind and name in {@code namespace} (null: in any namespace, the first in order). */
    Optional<E> get(String kind, String namespace, String name) {
        TreeMap<String, TreeMap<String, E>> namespaces = byName.get(kind);
        if (namespaces == null) return Optional.empty();
        for (TreeMap<String, E> names : namespace == null ? namespaces.values() : single(namespaces.get(namespace))) {
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
        TreeMap<String, TreeMap<String, E>> namespaces = byName.get(kind);
        if (namespaces == null) return List.of();
        List<E> out = new ArrayList<>();
        for (Map.Entry<String, TreeMap<String, E>> ns : namespace == null ? namespaces.entrySet() : singleEntry(namespaces, namespace)) {
            Collection<E> candidates = ns.getValue().values();
            if (!equalities.isEmpty()) {
                Map<String, TreeMap<String, E>> labels = byLabel.getOrDefault(kind, Map.of()).getOrDefault(ns.getKey(), Map.of());
                for (Map.Entry<String, String> l : equalities.entrySet()) {
                    TreeMap<String, E> set = labels.get(l.getKey() + "=" + l.getValue());
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
        for (TreeMap<String, E> names : byName.getOrDefault(kind, new TreeMap<>()).values()) n += names.size();
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
