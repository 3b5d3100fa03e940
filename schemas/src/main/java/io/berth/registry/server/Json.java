package io.berth.registry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.registry.core.RegisterRequest;
import io.berth.registry.core.RegistryError;
import io.berth.registry.core.SchemaEntry;
import io.berth.registry.core.SchemaReference;

import java.util.ArrayList;
import java.util.List;

/** The JSON shapes of Confluent's REST API: request bodies in, responses out. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ObjectNode error(int errorCode, String message) {
        return object().put("error_code", errorCode).put("message", message);
    }

    /** A JSON object body, or 42201 saying why it is not one. */
    static JsonNode body(String text) {
        if (text == null || text.isBlank()) throw RegistryError.invalidSchema("Invalid request body: the body is empty, a JSON object was expected.");
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw RegistryError.invalidSchema("Invalid request body: it is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) throw RegistryError.invalidSchema("Invalid request body: a JSON object was expected.");
        return node;
    }

    /** The body of register, lookup and compatibility requests. */
    static RegisterRequest registerRequest(String text) {
        JsonNode body = body(text);
        JsonNode schema = body.get("schema");
        if (schema == null || schema.isNull()) throw RegistryError.invalidSchema("Invalid schema: the request body has no \"schema\".");
        if (!schema.isTextual()) throw RegistryError.invalidSchema("Invalid schema: \"schema\" must be a string holding the schema's JSON.");
        List<SchemaReference> refs = new ArrayList<>();
        JsonNode references = body.path("references");
        if (!references.isMissingNode() && !references.isNull() && !references.isArray()) {
            throw RegistryError.invalidSchema("Invalid schema: \"references\" must be an array.");
        }
        for (JsonNode r : references) {
            refs.add(new SchemaReference(text(r, "name"), text(r, "subject"), r.path("version").asInt(-1)));
        }
        return new RegisterRequest(schema.asText(), text(body, "schemaType"), refs, integer(body, "id"), integer(body, "version"));
    }

    /** The string value of a required property of a config or mode body, or 42201/… from the caller. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || !v.canConvertToInt() ? null : v.asInt();
    }

    /** {@code {"subject","version","id","schemaType"?,"references"?,"schema"}}; schemaType left out for AVRO (SR 7.x). */
    static ObjectNode version(SchemaEntry e) {
        ObjectNode n = object().put("subject", e.subject()).put("version", e.version()).put("id", e.id());
        typeAndReferences(n, e);
        return n.put("schema", e.schema());
    }

    /** {@code {"schema","schemaType"?,"references"?}} for GET /schemas/ids/{id}. */
    static ObjectNode schemaById(SchemaEntry e) {
        ObjectNode n = object().put("schema", e.schema());
        typeAndReferences(n, e);
        return n;
    }

    private static void typeAndReferences(ObjectNode n, SchemaEntry e) {
        if (!SchemaEntry.AVRO.equals(e.schemaType())) n.put("schemaType", e.schemaType());
        if (!e.references().isEmpty()) {
            ArrayNode refs = n.putArray("references");
            for (SchemaReference r : e.references()) refs.addObject().put("name", r.name()).put("subject", r.subject()).put("version", r.version());
        }
    }
}
