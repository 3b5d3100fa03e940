package io.berth.ops.plan;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A field-level diff of two JSON trees, one line per changed leaf, as {@code berth apply --plan}
 * prints it: {@code spec.replicas: 3 -> 5}, {@code + spec.template.spec.nodeSelector.disk: ssd},
 * {@code - spec.strategy.rollingUpdate.maxSurge: 1}. Objects are compared key by key (the desired
 * object's key order first), arrays index by index; an element only on one side is shown whole.
 * Pure and deterministic.
 */
public final class SpecDiff {
    private SpecDiff() {}

    /** One changed path; {@code before} is null for an addition, {@code after} null for a removal. */
    public record Change(String path, JsonNode before, JsonNode after) {
        public String op() {
            return before == null ? "add" : after == null ? "remove" : "change";
        }

        /** {@code path: 3 -> 5}, {@code + path: v}, {@code - path: v}. */
        public String line() {
            return switch (op()) {
                case "add" -> "+ " + path + ": " + text(after);
                case "remove" -> "- " + path + ": " + text(before);
                default -> path + ": " + text(before) + " -> " + text(after);
            };
        }
    }

    public static List<Change> diff(String path, JsonNode before, JsonNode after) {
        return diff(path, before, after, p -> false);
    }

    /** As {@link #diff(String, JsonNode, JsonNode)}, leaving out paths only the current side has that {@code serverAssigned} accepts (a cluster IP, a node port). */
    public static List<Change> diff(String path, JsonNode before, JsonNode after, Predicate<String> serverAssigned) {
        List<Change> out = new ArrayList<>();
        walk(path, absent(before) ? null : before, absent(after) ? null : after, serverAssigned, out);
        return out;
    }

    private static void walk(String path, JsonNode before, JsonNode after, Predicate<String> serverAssigned, List<Change> out) {
        if (before == null && after == null) return;
        if (before == null) {
            out.add(new Change(path, null, after));
        } else if (after == null) {
            if (!serverAssigned.test(path)) out.add(new Change(path, before, null));
        } else if (before.isObject() && after.isObject()) {
            Set<String> keys = new LinkedHashSet<>();
            after.fieldNames().forEachRemaining(keys::add);
            before.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) walk(path + "." + k, field(before, k), field(after, k), serverAssigned, out);
        } else if (before.isArray() && after.isArray()) {
            int n = Math.max(before.size(), after.size());
            for (int i = 0; i < n; i++) {
                walk(path + "[" + i + "]", i < before.size() ? before.get(i) : null, i < after.size() ? after.get(i) : null, serverAssigned, out);
            }
        } else if (!same(before, after)) {
            out.add(new Change(path, before, after));
        }
    }

    /** 3 and 3.0, "1" and 1 are different JSON but the same quantity to a reader: compared by text for scalars. */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isValueNode() && b.isValueNode()) return a.asText().equals(b.asText()) && a.isNull() == b.isNull();
        return a.equals(b);
    }

    private static JsonNode field(JsonNode o, String k) {
        JsonNode v = o.get(k);
        return absent(v) ? null : v;
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull();
    }

    /** Scalars as their text (no quotes), objects and arrays as compact JSON. */
    static String text(JsonNode n) {
        return n.isValueNode() ? n.asText() : n.toString();
    }

    /** True when a change touches {@code prefix} or a path below it. */
    public static boolean touches(List<Change> changes, String prefix) {
        for (Iterator<Change> it = changes.iterator(); it.hasNext(); ) {
            String p = it.next().path();
            if (p.equals(prefix) || p.startsWith(prefix + ".") || p.startsWith(prefix + "[")) return true;
        }
        return false;
    }
}
