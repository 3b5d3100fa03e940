package io.berth.registry.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.registry.core.CompatibilityLevel;
import io.berth.registry.core.Mode;
import io.berth.registry.core.SchemaEntry;
import io.berth.registry.core.SchemaReference;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Confluent's {@code _schemas} record layout (SR {@code storage/SchemaRegistrySerializer}): UTF-8
 * JSON keys and values. Compaction compares key bytes, so keys keep Confluent's property order
 * ({@code keytype, subject[, version], magic}) and write a null subject explicitly.
 */
public final class StoreCodec {
    public static final String SCHEMA = "SCHEMA";
    public static final String CONFIG = "CONFIG";
    public static final String MODE = "MODE";
    public static final String DELETE_SUBJECT = "DELETE_SUBJECT";
    public static final String CLEAR_SUBJECT = "CLEAR_SUBJECT";
    public static final String NOOP = "NOOP";

    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreCodec() {}

    // ---- keys ----

    public static byte[] schemaKey(String subject, int version) {
        ObjectNode k = JSON.createObjectNode().put("keytype", SCHEMA).put("subject", subject).put("version", version).put("magic", 1);
        return bytes(k);
    }

    /** {@code subject} null = the global config. */
    public static byte[] configKey(String subject) {
        return subjectKey(CONFIG, subject);
    }

    /** {@code subject} null = the global mode. */
    public static byte[] modeKey(String subject) {
        return subjectKey(MODE, subject);
    }

    public static byte[] deleteSubjectKey(String subject) {
        return subjectKey(DELETE_SUBJECT, subject);
    }

    public static byte[] noopKey() {
        return bytes(JSON.createObjectNode().put("keytype", NOOP).put("magic", 0));
    }

    private static byte[] subjectKey(String keytype, String subject) {
        return bytes(JSON.createObjectNode().put("keytype", keytype).put("subject", subject).put("magic", 0));
    }

    // ---- values ----

    public static byte[] schemaValue(SchemaEntry e) {
        ObjectNode v = JSON.createObjectNode().put("subject", e.subject()).put("version", e.version()).put("id", e.id());
        if (!SchemaEntry.AVRO.equals(e.schemaType())) v.put("schemaType", e.schemaType());
        if (!e.references().isEmpty()) {
            ArrayNode refs = v.putArray("references");
            for (SchemaReference r : e.references()) {
                refs.addObject().put("name", r.name()).put("subject", r.subject()).put("version", r.version());
            }
        }
        v.put("schema", e.schema()).put("deleted", e.deleted());
        return bytes(v);
    }

    public static byte[] configValue(CompatibilityLevel level) {
        return bytes(JSON.createObjectNode().put("compatibilityLevel", level.name()));
    }

    public static byte[] modeValue(Mode mode) {
        return bytes(JSON.createObjectNode().put("mode", mode.name()));
    }

    public static byte[] deleteSubjectValue(String subject, int version) {
        return bytes(JSON.createObjectNode().put("subject", subject).put("version", version));
    }

    // ---- reading ----

    public static JsonNode parse(byte[] data) {
        try {
            return JSON.readTree(data);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON: " + new String(data, StandardCharsets.UTF_8), e);
        }
    }

    public static SchemaEntry readSchemaValue(JsonNode v) {
        List<SchemaReference> refs = new ArrayList<>();
        for (JsonNode r : v.path("references")) {
            refs.add(new SchemaReference(r.path("name").asText(null), r.path("subject").asText(null), r.path("version").asInt(-1)));
        }
        return new SchemaEntry(v.path("subject").asText(), v.path("version").asInt(), v.path("id").asInt(),
                v.path("schemaType").asText(SchemaEntry.AVRO), refs, v.path("schema").asText(), v.path("deleted").asBoolean(false));
    }

    /** The subject of a key, or null (global). */
    public static String subjectOf(JsonNode key) {
        JsonNode s = key.get("subject");
        return s == null || s.isNull() ? null : s.asText();
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
