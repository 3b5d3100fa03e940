package io.berth.gateway.timetravel;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.*;

/**
 * What changed between two instants: per object (kind, namespace, name) {@code created},
 * {@code deleted} or {@code changed} with its changed fields ({@link ObjectDiff}, noise ignored). An
 * object whose only differences are noise is not listed. Pure.
 */
public final class ClusterDiff {
    public enum Kind { created, deleted, changed }

    public record Change(Kind change, String kind, String namespace, String name, List<ObjectDiff.Field> fields) {}

    private ClusterDiff() {}

    /** Changes from {@code from} to {@code to}, sorted by kind, namespace, name. */
    public static List<Change> between(PastState from, PastState to) {
        Map<List<String>, PastState.Item> before = index(from);
        Map<List<String>, PastState.Item> after = index(to);
        TreeSet<List<String>> ids = new TreeSet<>(Comparator.comparing((List<String> l) -> l.get(0)).thenComparing(l -> l.get(1)).thenComparing(l -> l.get(2)));
        ids.addAll(before.keySet());
        ids.addAll(after.keySet());
        List<Change> out = new ArrayList<>();
        for (List<String> id : ids) {
            PastState.Item a = before.get(id), b = after.get(id);
            if (a == null) out.add(new Change(Kind.created, id.get(0), id.get(1), id.get(2), List.of()));
            else if (b == null) out.add(new Change(Kind.deleted, id.get(0), id.get(1), id.get(2), List.of()));
            else {
                List<ObjectDiff.Field> fields = ObjectDiff.diff(a.object(), b.object());
                if (!fields.isEmpty()) out.add(new Change(Kind.changed, id.get(0), id.get(1), id.get(2), fields));
            }
        }
        return out;
    }

    /** {@code {"kind":"Diff","apiVersion":"berth.io/v1","from","to","changes":[{change, kind, namespace, name, fields:[{path, from, to}]}]}}. */
    public static ObjectNode toJson(String from, String to, List<Change> changes) {
        ObjectNode root = JsonNodeFactory.instance.objectNode().put("kind", "Diff").put("apiVersion", "berth.io/v1").put("from", from).put("to", to);
        ArrayNode list = root.putArray("changes");
        for (Change c : changes) {
            ObjectNode o = list.addObject().put("change", c.change().name()).put("kind", c.kind()).put("namespace", c.namespace()).put("name", c.name());
            ArrayNode fields = o.putArray("fields");
            for (ObjectDiff.Field f : c.fields()) {
                ObjectNode fo = fields.addObject().put("path", f.path());
                fo.set("from", f.from());
                fo.set("to", f.to());
            }
        }
        return root;
    }

    private static Map<List<String>, PastState.Item> index(PastState s) {
        Map<List<String>, PastState.Item> m = new HashMap<>();
        for (PastState.Item i : s.items()) m.put(List.of(i.kind(), i.namespace(), i.name()), i);
        return m;
    }
}
