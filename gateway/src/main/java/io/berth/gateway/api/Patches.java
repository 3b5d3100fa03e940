package io.berth.gateway.api;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The three patch types of the Kubernetes API, applied to an object's JSON. Pure functions.
 * <ul>
 *   <li>{@code application/merge-patch+json}: RFC 7386 ({@link #merge});</li>
 *   <li>{@code application/strategic-merge-patch+json}: Kubernetes' strategic merge ({@link #strategic}):
 *   lists of objects with a merge key (containers and volumes by {@code name}, volume mounts by
 *   {@code mountPath}, container ports by {@code containerPort}, service ports by {@code port}, …) are
 *   merged element by element instead of replaced, and the directives kubectl sends are honoured:
 *   {@code $patch: replace|delete|merge}, {@code $setElementOrder/FIELD}, {@code $retainKeys} and
 *   {@code $deleteFromPrimitiveList/FIELD};</li>
 *   <li>{@code application/json-patch+json}: RFC 6902 ({@link #json}).</li>
 * </ul>
 * A malformed patch is an {@link IllegalArgumentException} whose message the caller answers with 422.
 */
public final class Patches {
    private Patches() {}

    /** The merge key of a list field, as the Kubernetes types declare {@code patchMergeKey}; null: the list is replaced. */
    static String mergeKey(String field, ArrayNode sample) {
        return switch (field) {
            case "containers", "initContainers", "ephemeralContainers", "env", "volumes", "imagePullSecrets" -> "name";
            case "hostAliases" -> "ip";
            case "readinessGates" -> "conditionType";
            case "volumeMounts" -> "mountPath";
            case "volumeDevices" -> "devicePath";
            case "conditions" -> "type";
            case "topologySpreadConstraints" -> "topologyKey";
            case "ownerReferences" -> "uid";
            // a container's ports merge by containerPort; a Service's by port
            case "ports" -> sample != null && sample.size() > 0 && sample.get(0).has("containerPort") ? "containerPort" : "port";
            default -> null;
        };
    }

    /**
     * {@code patch} applied to {@code current} (changed in place, except by a JSON patch) as its
     * {@code contentType} says: JSON patch, strategic merge patch, else JSON merge patch. A patch that
     * does not apply is a 422 Status naming why.
     */
    public static JsonNode apply(ObjectNode current, String contentType, JsonNode patch) {
        String type = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
        try {
            if (type.startsWith("application/json-patch+json")) return json(current, patch);
            if (type.startsWith("application/strategic-merge-patch+json")) strategic(current, patch);
            else merge(current, patch);
            return current;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            ObjectNode st = Status.failure(422, "Invalid", "the patch does not apply: " + e.getMessage(), null, null);
            throw new ApiException(st);
        }
    }

    /** RFC 7386 JSON merge patch: null removes, objects merge, anything else replaces. */
    public static void merge(ObjectNode target, JsonNode patch) {
        if (!patch.isObject()) throw new IllegalArgumentException("a merge patch must be a JSON object");
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getValue().isNull()) target.remove(f.getKey());
            else if (f.getValue().isObject() && target.get(f.getKey()) instanceof ObjectNode child) merge(child, f.getValue());
            else if (f.getValue().isObject()) {
                ObjectNode fresh = target.putObject(f.getKey());
                merge(fresh, f.getValue());
            } else target.set(f.getKey(), f.getValue().deepCopy());
        }
    }

    /** Kubernetes' strategic merge patch of {@code target} (changed in place). */
    public static void strategic(ObjectNode target, JsonNode patch) {
        if (!patch.isObject()) throw new IllegalArgumentException("a strategic merge patch must be a JSON object");
        mergeObject(target, (ObjectNode) patch);
    }

    private static void mergeObject(ObjectNode target, ObjectNode patch) {
        String directive = patch.path("$patch").asText("");
        if (directive.equals("replace")) {
            target.removeAll();
            patch.fields().forEachRemaining(f -> { if (!f.getKey().startsWith("$")) target.set(f.getKey(), strip(f.getValue())); });
            return;
        }
        if (!directive.isEmpty() && !directive.equals("merge")) throw new IllegalArgumentException("unknown $patch directive: " + directive);
        List<String> retain = null;
        if (patch.has("$retainKeys")) {
            retain = new ArrayList<>();
            for (JsonNode k : patch.get("$retainKeys")) retain.add(k.asText());
        }
        List<Map.Entry<String, JsonNode>> orders = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            JsonNode value = f.getValue();
            if (key.startsWith("$setElementOrder/")) {
                orders.add(f);
                continue;
            }
            if (key.startsWith("$deleteFromPrimitiveList/")) {
                String field = key.substring("$deleteFromPrimitiveList/".length());
                if (target.get(field) instanceof ArrayNode list) {
                    for (int i = list.size() - 1; i >= 0; i--) {
                        for (JsonNode v : value) if (v.equals(list.get(i))) { list.remove(i); break; }
                    }
                }
                continue;
            }
            if (key.startsWith("$")) continue;
            if (value.isNull()) {
                target.remove(key);
            } else if (value.isObject()) {
                if (value.path("$patch").asText("").equals("delete")) {
                    target.remove(key);
                } else if (target.get(key) instanceof ObjectNode child) {
                    mergeObject(child, (ObjectNode) value);
                } else {
                    ObjectNode fresh = target.putObject(key);
                    mergeObject(fresh, (ObjectNode) value);
                }
            } else if (value.isArray() && target.get(key) instanceof ArrayNode current) {
                target.set(key, mergeList(key, current, (ArrayNode) value));
            } else {
                target.set(key, strip(value));
            }
        }
        for (Map.Entry<String, JsonNode> o : orders) {
            String field = o.getKey().substring("$setElementOrder/".length());
            if (target.get(field) instanceof ArrayNode list) target.set(field, order(field, list, (ArrayNode) o.getValue()));
        }
        if (retain != null) {
            List<String> drop = new ArrayList<>();
            target.fieldNames().forEachRemaining(n -> drop.add(n));
            drop.removeAll(retain);
            drop.forEach(target::remove);
        }
    }

    private static ArrayNode mergeList(String field, ArrayNode current, ArrayNode patch) {
        for (JsonNode p : patch) {
            if (p.isObject() && p.path("$patch").asText("").equals("replace")) {
                ArrayNode replaced = JsonNodeFactory.instance.arrayNode();
                for (JsonNode q : patch) if (!(q.isObject() && q.has("$patch") && q.size() == 1)) replaced.add(strip(q));
                return replaced;
            }
        }
        String key = mergeKey(field, current.size() > 0 ? current : patch);
        boolean objects = true;
        for (JsonNode p : patch) objects &= p.isObject();
        if (key == null || !objects) return (ArrayNode) strip(patch);
        ArrayNode out = current.deepCopy();
        for (JsonNode p : patch) {
            JsonNode k = p.get(key);
            if (k == null) throw new IllegalArgumentException("map: " + p + " does not contain declared merge key: " + key);
            int at = indexOf(out, key, k);
            if (p.path("$patch").asText("").equals("delete")) {
                if (at >= 0) out.remove(at);
            } else if (at >= 0) {
                mergeObject((ObjectNode) out.get(at), (ObjectNode) p);
            } else {
                out.add(strip(p));
            }
        }
        return out;
    }

    /** {@code $setElementOrder}: the elements in the patch's order; the others after them, as they were. */
    private static ArrayNode order(String field, ArrayNode list, ArrayNode order) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        String key = mergeKey(field, list);
        List<JsonNode> rest = new ArrayList<>();
        list.forEach(rest::add);
        for (JsonNode o : order) {
            for (Iterator<JsonNode> it = rest.iterator(); it.hasNext(); ) {
                JsonNode e = it.next();
                boolean same = key != null && o.isObject() ? e.path(key).equals(o.path(key)) : e.equals(o);
                if (same) {
                    out.add(e);
                    it.remove();
                    break;
                }
            }
        }
        rest.forEach(out::add);
        return out;
    }

    private static int indexOf(ArrayNode list, String key, JsonNode value) {
        for (int i = 0; i < list.size(); i++) if (value.equals(list.get(i).get(key))) return i;
        return -1;
    }

    /** A copy without directives (fields starting with {@code $}). */
    private static JsonNode strip(JsonNode v) {
        if (v.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            v.fields().forEachRemaining(f -> { if (!f.getKey().startsWith("$")) o.set(f.getKey(), strip(f.getValue())); });
            return o;
        }
        if (v.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            for (JsonNode e : v) a.add(strip(e));
            return a;
        }
        return v;
    }

    /** RFC 6902 JSON patch: {@code add}, {@code remove}, {@code replace}, {@code move}, {@code copy}, {@code test}; returns the result. */
    public static JsonNode json(JsonNode target, JsonNode patch) {
        if (!patch.isArray()) throw new IllegalArgumentException("a JSON patch must be an array of operations");
        JsonNode doc = target.deepCopy();
        for (JsonNode op : patch) {
            String kind = op.path("op").asText("");
            JsonPointer path = pointer(op, "path");
            switch (kind) {
                case "add" -> doc = put(doc, path, value(op), true);
                case "remove" -> doc = remove(doc, path);
                case "replace" -> {
                    if (doc.at(path).isMissingNode()) throw new IllegalArgumentException("replace operation does not apply: doc is missing path: " + path);
                    doc = put(doc, path, value(op), false);
                }
                case "move" -> {
                    JsonPointer from = pointer(op, "from");
                    JsonNode v = doc.at(from);
                    if (v.isMissingNode()) throw new IllegalArgumentException("move operation does not apply: doc is missing from path: " + from);
                    doc = put(remove(doc, from), path, v.deepCopy(), true);
                }
                case "copy" -> {
                    JsonPointer from = pointer(op, "from");
                    JsonNode v = doc.at(from);
                    if (v.isMissingNode()) throw new IllegalArgumentException("copy operation does not apply: doc is missing from path: " + from);
                    doc = put(doc, path, v.deepCopy(), true);
                }
                case "test" -> {
                    if (!doc.at(path).equals(value(op))) throw new IllegalArgumentException("testing value " + path + " failed");
                }
                default -> throw new IllegalArgumentException("Unexpected kind: " + (kind.isEmpty() ? "(missing op)" : kind));
            }
        }
        return doc;
    }

    private static JsonPointer pointer(JsonNode op, String field) {
        JsonNode p = op.get(field);
        if (p == null || !p.isTextual()) throw new IllegalArgumentException("operation " + op.path("op").asText("") + " needs a string \"" + field + "\"");
        try {
            return JsonPointer.compile(p.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a JSON pointer: " + p.asText());
        }
    }

    private static JsonNode value(JsonNode op) {
        if (!op.has("value")) throw new IllegalArgumentException("operation " + op.path("op").asText("") + " needs a \"value\"");
        return op.get("value").deepCopy();
    }

    private static JsonNode put(JsonNode doc, JsonPointer path, JsonNode value, boolean insert) {
        if (path.matches()) return value;
        JsonNode parent = doc.at(path.head());
        String last = path.last().getMatchingProperty();
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else if (parent instanceof ArrayNode a) {
            if (last.equals("-")) {
                a.add(value);
            } else {
                int i = index(last, a.size() + (insert ? 1 : 0));
                if (insert) a.insert(i, value);
                else a.set(i, value);
            }
        } else {
            throw new IllegalArgumentException("doc is missing path: " + path);
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, JsonPointer path) {
        JsonNode parent = doc.at(path.head());
        String last = path.last() == null ? "" : path.last().getMatchingProperty();
        if (parent instanceof ObjectNode o && o.has(last)) {
            o.remove(last);
        } else if (parent instanceof ArrayNode a) {
            a.remove(index(last, a.size()));
        } else {
            throw new IllegalArgumentException("remove operation does not apply: doc is missing path: " + path);
        }
        return doc;
    }

    private static int index(String s, int size) {
        try {
            int i = Integer.parseInt(s);
            if (i < 0 || i >= size) throw new IllegalArgumentException("index " + s + " is out of bounds (size " + size + ")");
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an array index: " + s);
        }
    }
}
