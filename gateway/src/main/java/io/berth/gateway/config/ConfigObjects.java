package io.berth.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.ManifestProblem;
import io.berth.schemas.avro.ConfigObject;
import io.berth.schemas.secrets.SecretBox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * v1 Secret and v1 ConfigMap manifests ↔ {@link ConfigObject}: validation with the API server's
 * field paths, encryption of every Secret value on the way in ({@link SecretBox}, the value's place as
 * associated data), and rendering on the way out — decrypted only when asked to (a principal who may
 * {@code get secrets}), otherwise never. Pure: no Kafka, no Vert.x.
 */
public final class ConfigObjects {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern KEY = Pattern.compile("[-._a-zA-Z0-9]+");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Set<String> SECRET_FIELDS = Set.of("apiVersion", "kind", "metadata", "data", "stringData", "type", "immutable");
    private static final Set<String> CONFIGMAP_FIELDS = Set.of("apiVersion", "kind", "metadata", "data", "binaryData", "immutable");
    private static final Set<String> SPEC_FIELDS = Set.of("apiVersion", "kind", "metadata", "spec", "status");

    private ConfigObjects() {}

    public enum Kind {
        SECRET("Secret", "secrets"), CONFIG_MAP("ConfigMap", "configmaps"),
        /** Stored as the spec's JSON under data key {@code spec} ({@link io.berth.gateway.quota.QuotaObjects}). */
        RESOURCE_QUOTA("ResourceQuota", "resourcequotas"), LIMIT_RANGE("LimitRange", "limitranges");

        public final String kind;
        public final String plural;

        Kind(String kind, String plural) {
            this.kind = kind;
            this.plural = plural;
        }

        public static Kind of(String kind) {
            for (Kind k : values()) if (k.kind.equals(kind)) return k;
            return null;
        }

        /** The record key on berth.configs. */
        public String key(String namespace, String name) {
            return kind + "/" + namespace + "/" + name;
        }
    }

    /** Kinds whose object is a spec (ResourceQuota, LimitRange) rather than data. */
    public static boolean hasSpec(Kind k) {
        return k == Kind.RESOURCE_QUOTA || k == Kind.LIMIT_RANGE;
    }

    /** True for a {@code v1} Secret, ConfigMap, ResourceQuota or LimitRange document. */
    public static boolean isConfig(JsonNode doc) {
        return doc != null && doc.isObject() && "v1".equals(doc.path("apiVersion").asText())
                && Kind.of(doc.path("kind").asText()) != null;
    }

    /** A checked manifest: the object to store (Secret values already encrypted) or the problems. */
    public record Parsed(Kind kind, String namespace, String name, ConfigObject object, List<ManifestProblem> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /**
     * Checks and converts a manifest; a Secret's {@code data} (base64) and {@code stringData} (text,
     * winning over data) are decoded and each value encrypted with {@code box}.
     * @param defaultNamespace the namespace when the manifest names none
     */
    public static Parsed parse(JsonNode doc, String defaultNamespace, SecretBox box, String actor, long now) {
        List<ManifestProblem> problems = new ArrayList<>();
        Kind kind = Kind.of(doc.path("kind").asText());
        String resource = kind == null ? "" : kind.kind + " \"" + doc.path("metadata").path("name").asText() + "\"";
        java.util.function.BiConsumer<String, String> problem = (field, detail) -> problems.add(new ManifestProblem("", 1, resource, field, detail));
        if (kind == null) {
            problem.accept("kind", "Unsupported value: \"" + doc.path("kind").asText() + "\": supported values: \"Secret\", \"ConfigMap\", \"ResourceQuota\", \"LimitRange\"");
            return new Parsed(null, "", "", null, problems);
        }
        for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!(kind == Kind.SECRET ? SECRET_FIELDS : hasSpec(kind) ? SPEC_FIELDS : CONFIGMAP_FIELDS).contains(f)) problem.accept(f, "Unknown field \"" + f + "\"");
        }
        JsonNode md = doc.path("metadata");
        String name = md.path("name").asText("");
        if (name.isEmpty()) problem.accept("metadata.name", "Required value: name or generateName is required");
        else if (name.length() > 253 || !SUBDOMAIN.matcher(name).matches()) {
            problem.accept("metadata.name", "Invalid value: \"" + name + "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
        }
        String namespace = md.path("namespace").asText("");
        if (namespace.isEmpty()) namespace = defaultNamespace == null || defaultNamespace.isEmpty() ? "default" : defaultNamespace;
        ObjectNode metadata = JSON.createObjectNode();
        for (String f : List.of("labels", "annotations")) {
            if (md.get(f) instanceof ObjectNode o) metadata.set(f, o.deepCopy());
        }
        if (md.has("uid")) metadata.put("uid", md.path("uid").asText());
        if (md.has("creationTimestamp")) metadata.put("creationTimestamp", md.path("creationTimestamp").asText());

        Map<String, String> data = new TreeMap<>();
        Map<String, String> binary = new TreeMap<>();
        String ns = namespace;
        if (kind == Kind.SECRET) {
            Map<String, byte[]> plain = new TreeMap<>();
            strings(doc, "data", problem).forEach((k, v) -> {
                try {
                    plain.put(k, Base64.getDecoder().decode(v));
                } catch (IllegalArgumentException e) {
                    problem.accept("data[" + k + "]", "Invalid value: <secret contents redacted>: illegal base64 data");
                }
            });
            strings(doc, "stringData", problem).forEach((k, v) -> plain.put(k, v.getBytes(StandardCharsets.UTF_8)));
            for (String k : plain.keySet()) checkKey(k, "data", problem);
            if (problems.isEmpty()) plain.forEach((k, v) -> data.put(k, box.encrypt(v, SecretBox.context(ns, name, k))));
        } else if (kind == Kind.RESOURCE_QUOTA) {
            data.put("spec", io.berth.gateway.quota.QuotaObjects.quotaSpec(doc.path("spec"), problem).toString());
        } else if (kind == Kind.LIMIT_RANGE) {
            data.put("spec", io.berth.gateway.quota.QuotaObjects.limitRangeSpec(doc.path("spec"), problem).toString());
        } else {
            data.putAll(strings(doc, "data", problem));
            Map<String, String> b = strings(doc, "binaryData", problem);
            b.forEach((k, v) -> {
                try {
                    Base64.getDecoder().decode(v);
                } catch (IllegalArgumentException e) {
                    problem.accept("binaryData[" + k + "]", "Invalid value: illegal base64 data");
                }
                if (data.containsKey(k)) problem.accept("data[" + k + "]", "Invalid value: \"" + k + "\": duplicate of key present in binaryData");
            });
            binary.putAll(b);
            for (String k : data.keySet()) checkKey(k, "data", problem);
            for (String k : binary.keySet()) checkKey(k, "binaryData", problem);
        }
        String type = kind == Kind.SECRET ? doc.path("type").asText("Opaque") : "";
        if (kind == Kind.SECRET && !type.equals("Opaque")) problem.accept("type", "Unsupported value: \"" + type + "\": supported values: \"Opaque\"");
        if (!problems.isEmpty()) return new Parsed(kind, namespace, name, null, problems);
        ConfigObject o = ConfigObject.newBuilder().setKind(kind.kind).setNamespace(namespace).setName(name).setType(type)
                .setMetadata(metadata.toString()).setData(data).setBinaryData(binary).setImmutable(doc.path("immutable").asBoolean(false))
                .setActor(actor).setTimestamp(now).build();
        return new Parsed(kind, namespace, name, o, List.of());
    }

    private static void checkKey(String k, String field, java.util.function.BiConsumer<String, String> problem) {
        if (k.isEmpty() || k.length() > 253 || !KEY.matcher(k).matches() || k.equals(".") || k.equals("..")) {
            problem.accept(field + "[" + k + "]", "Invalid value: \"" + k + "\": a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
        }
    }

    private static Map<String, String> strings(JsonNode doc, String field, java.util.function.BiConsumer<String, String> problem) {
        Map<String, String> out = new TreeMap<>();
        JsonNode n = doc.get(field);
        if (n == null || n.isNull()) return out;
        if (!n.isObject()) {
            problem.accept(field, "Invalid value: must be an object of strings");
            return out;
        }
        n.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) problem.accept(field + "[" + e.getKey() + "]", "Invalid value: must be a string");
            else out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }

    /**
     * The object as the API serves it. A Secret's {@code data} is decrypted (base64 of the bytes) only
     * with {@code reveal}; otherwise (audit, anything a reader without {@code get secrets} could see)
     * each value is replaced by its size.
     */
    public static ObjectNode render(ConfigObject o, long resourceVersion, SecretBox box, boolean reveal) {
        ObjectNode out = JSON.createObjectNode().put("apiVersion", "v1").put("kind", o.getKind());
        ObjectNode md = out.putObject("metadata");
        md.put("name", o.getName()).put("namespace", o.getNamespace());
        try {
            JsonNode stored = JSON.readTree(o.getMetadata());
            stored.fields().forEachRemaining(e -> md.set(e.getKey(), e.getValue()));
        } catch (Exception e) {
            // metadata unreadable: name and namespace are enough
        }
        if (resourceVersion >= 0) md.put("resourceVersion", Long.toString(resourceVersion));
        if (o.getImmutable()) out.put("immutable", true);
        if (Kind.of(o.getKind()) == Kind.SECRET) {
            ObjectNode data = out.putObject("data");
            o.getData().forEach((k, v) -> data.put(k, reveal
                    ? Base64.getEncoder().encodeToString(box.decrypt(v, SecretBox.context(o.getNamespace(), o.getName(), k)))
                    : "<redacted>"));
            out.put("type", o.getType().isEmpty() ? "Opaque" : o.getType());
        } else if (hasSpec(Kind.of(o.getKind()))) {
            out.set("spec", io.berth.gateway.quota.QuotaObjects.spec(o));
        } else {
            if (!o.getData().isEmpty()) {
                ObjectNode data = out.putObject("data");
                o.getData().forEach(data::put);
            }
            if (!o.getBinaryData().isEmpty()) {
                ObjectNode data = out.putObject("binaryData");
                o.getBinaryData().forEach(data::put);
            }
        }
        return out;
    }
}
