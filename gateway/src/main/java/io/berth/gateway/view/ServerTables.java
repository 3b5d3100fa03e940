package io.berth.gateway.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/**
 * Server-side printing as kube-apiserver does it: a list or an object answered as a
 * {@code meta.k8s.io/v1 Table} when the client asks for one in {@code Accept}
 * ({@code application/json;as=Table;v=v1;g=meta.k8s.io}, what {@code kubectl get} sends). The columns
 * are {@link JsonTables}' (the berth CLI prints the same); those only {@code -o wide} shows have
 * priority 1. Each row carries the object's metadata ({@code includeObject=Metadata}, the default),
 * which kubectl needs for {@code -A}, {@code --show-labels} and {@code -L}; {@code Object} carries the
 * whole object, {@code None} nothing. Pure: "now" is given.
 */
public final class ServerTables {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ServerTables() {}

    /** What a row carries besides its cells ({@code includeObject}). */
    public enum Include { NONE, METADATA, OBJECT }

    /**
     * True when {@code accept} asks for a Table before plain JSON (a client that lists a Table type
     * only after {@code application/json} gets JSON, as from the API server).
     */
    public static boolean wanted(String accept) {
        if (accept == null) return false;
        for (String part : accept.split(",")) {
            String p = part.replace(" ", "").toLowerCase(Locale.ROOT);
            if (p.contains("as=table")) return p.contains("g=meta.k8s.io");
            if (p.startsWith("application/json") || p.startsWith("*/*")) return false;
        }
        return false;
    }

    /** {@code includeObject} ({@code None}, {@code Metadata} default, {@code Object}); unknown values are the default. */
    public static Include include(String param) {
        if (param == null) return Include.METADATA;
        return switch (param) {
            case "None" -> Include.NONE;
            case "Object" -> Include.OBJECT;
            default -> Include.METADATA;
        };
    }

    /** A Table of {@code items} (Kubernetes JSON of the resource {@code plural}). */
    public static ObjectNode table(String plural, boolean namespaced, List<? extends JsonNode> items, String resourceVersion,
                                   Include include, long now) {
        ObjectNode t = MAPPER.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        ObjectNode meta = t.putObject("metadata");
        if (resourceVersion != null) meta.put("resourceVersion", resourceVersion);
        ArrayNode columns = t.putArray("columnDefinitions");
        List<String> narrow = JsonTables.header(plural, namespaced, false, false);
        for (String h : JsonTables.header(plural, namespaced, true, false)) {
            String name = title(h);
            columns.addObject().put("name", name).put("type", "string").put("format", h.equals("NAME") ? "name" : "")
                    .put("description", description(h)).put("priority", narrow.contains(h) ? 0 : 1);
        }
        ArrayNode rows = t.putArray("rows");
        for (JsonNode o : items) rows.add(row(plural, namespaced, o, include, now));
        return t;
    }

    /** One row: the wide cells and, as asked, the object's metadata or the object. */
    public static ObjectNode row(String plural, boolean namespaced, JsonNode o, Include include, long now) {
        ObjectNode row = MAPPER.createObjectNode();
        ArrayNode cells = row.putArray("cells");
        for (String c : JsonTables.row(plural, namespaced, o, true, false, now)) cells.add(c);
        switch (include) {
            case OBJECT -> row.set("object", o);
            case METADATA -> {
                ObjectNode partial = row.putObject("object").put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
                partial.set("metadata", o.path("metadata").deepCopy());
            }
            case NONE -> { }
        }
        return row;
    }

    /** kube-apiserver's column names: {@code UP-TO-DATE} → {@code Up-to-date}, {@code PORT(S)} → {@code Port(s)}; kubectl prints them upper-cased. */
    static String title(String header) {
        String lower = header.toLowerCase(Locale.ROOT);
        return Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }

    private static String description(String header) {
        return switch (header) {
            case "NAME" -> "Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
            case "AGE" -> "CreationTimestamp is a timestamp representing the server time when this object was created.";
            default -> header.toLowerCase(Locale.ROOT);
        };
    }
}
