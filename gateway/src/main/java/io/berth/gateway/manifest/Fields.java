package io.berth.gateway.manifest;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Typed reads of one manifest document, each recording a Kubernetes-style problem (field path and
 * reason) instead of throwing, so every error of a document is reported at once.
 */
final class Fields {
    private final String source;
    private final int document;
    private final boolean strict;
    private String resource = "";
    final List<ManifestProblem> errors = new ArrayList<>();
    final List<ManifestProblem> warnings = new ArrayList<>();

    Fields(String source, int document, boolean strict) {
        this.source = source;
        this.document = document;
        this.strict = strict;
    }

    /** Names the resource once known, e.g. {@code Deployment "web"}; later problems carry it. */
    void resource(String r) {
        resource = r;
    }

    static String child(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    static String index(String path, int i) {
        return path + "[" + i + "]";
    }

    // ---- problems, in Kubernetes' field.Error wording ----

    void error(String path, String detail) {
        errors.add(new ManifestProblem(source, document, resource, path, detail));
    }

    void required(String path) {
        error(path, "Required value");
    }

    void required(String path, String why) {
        error(path, "Required value: " + why);
    }

    void invalid(String path, JsonNode value, String why) {
        error(path, "Invalid value: " + render(value) + ": " + why);
    }

    void invalid(String path, String renderedValue, String why) {
        error(path, "Invalid value: " + renderedValue + ": " + why);
    }

    void unsupported(String path, JsonNode value, List<String> supported) {
        error(path, "Unsupported value: " + render(value) + ": supported values: "
                + supported.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ")));
    }

    void duplicate(String path, String value) {
        error(path, "Duplicate value: \"" + value + "\"");
    }

    void forbidden(String path, String why) {
        error(path, "Forbidden: " + why);
    }

    void notFound(String path, String value) {
        error(path, "Not found: \"" + value + "\"");
    }

    /** A field Berth does not know: a warning, or an error in strict mode (kubectl's field validation). */
    void unknown(String path) {
        ManifestProblem p = new ManifestProblem(source, document, resource, "", "unknown field \"" + path + "\"");
        (strict ? errors : warnings).add(p);
    }

    static String render(JsonNode value) {
        if (value == null || value.isMissingNode()) return "null";
        return value.toString();
    }

    static String render(Map<String, String> map) {
        return map.entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    }

    // ---- unknown fields ----

    /** Reports every field of {@code obj} not in {@code known} or {@code ignored} (server-set fields kubectl echoes back). */
    void onlyKnown(JsonNode obj, String path, Set<String> known, Set<String> ignored) {
        if (obj == null || !obj.isObject()) return;
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name) && !ignored.contains(name)) unknown(child(path, name));
        }
    }

    void onlyKnown(JsonNode obj, String path, Set<String> known) {
        onlyKnown(obj, path, known, Set.of());
    }

    // ---- typed reads: null when absent or JSON null, a recorded error when of the wrong type ----

    static JsonNode get(JsonNode parent, String field) {
        if (parent == null || !parent.isObject()) return null;
        JsonNode n = parent.get(field);
        return n == null || n.isNull() ? null : n;
    }

    JsonNode object(JsonNode parent, String field, String path) {
        JsonNode n = get(parent, field);
        if (n == null) return null;
        if (!n.isObject()) {
            invalid(path, n, "must be an object");
            return null;
        }
        return n;
    }

    List<JsonNode> array(JsonNode parent, String field, String path) {
        JsonNode n = get(parent, field);
        if (n == null) return List.of();
        if (!n.isArray()) {
            invalid(path, n, "must be a list");
            return List.of();
        }
        List<JsonNode> items = new ArrayList<>();
        n.forEach(items::add);
        return items;
    }

    String string(JsonNode parent, String field, String path) {
        JsonNode n = get(parent, field);
        if (n == null) return null;
        if (!n.isTextual()) {
            invalid(path, n, "must be a string");
            return null;
        }
        return n.textValue();
    }

    Integer integer(JsonNode parent, String field, String path) {
        JsonNode n = get(parent, field);
        if (n == null) return null;
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            invalid(path, n, "must be an integer");
            return null;
        }
        return n.intValue();
    }

    /** An integer that must be at least {@code min}; {@code fallback} when absent or invalid. */
    int integerAtLeast(JsonNode parent, String field, String path, int min, int fallback) {
        Integer v = integer(parent, field, path);
        if (v == null) return fallback;
        if (v < min) {
            invalid(path, get(parent, field), "must be greater than or equal to " + min);
            return fallback;
        }
        return v;
    }

    Boolean bool(JsonNode parent, String field, String path) {
        JsonNode n = get(parent, field);
        if (n == null) return null;
        if (!n.isBoolean()) {
            invalid(path, n, "must be a boolean");
            return null;
        }
        return n.booleanValue();
    }

    List<String> strings(JsonNode parent, String field, String path) {
        List<String> out = new ArrayList<>();
        List<JsonNode> items = array(parent, field, path);
        for (int i = 0; i < items.size(); i++) {
            JsonNode n = items.get(i);
            if (n.isTextual()) out.add(n.textValue());
            else invalid(index(path, i), n, "must be a string");
        }
        return out;
    }

    /** A string→string map (labels, annotations, selectors), insertion-ordered. */
    Map<String, String> stringMap(JsonNode parent, String field, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode obj = object(parent, field, path);
        if (obj == null) return out;
        obj.fields().forEachRemaining(e -> {
            if (e.getValue().isTextual()) out.put(e.getKey(), e.getValue().textValue());
            else invalid(child(path, e.getKey()), e.getValue(), "must be a string");
        });
        return out;
    }

    static Stream<String> namesOf(JsonNode obj) {
        List<String> names = new ArrayList<>();
        if (obj != null) obj.fieldNames().forEachRemaining(names::add);
        return names.stream();
    }
}
