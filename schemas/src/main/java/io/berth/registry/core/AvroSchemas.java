package io.berth.registry.core;

import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

import java.util.*;
import java.util.function.BiFunction;

/**
 * Parses schema text into a {@link ParsedSchema}: the named types of referenced subjects are
 * parsed first (recursively) into the same parser, then the schema itself; defaults are
 * validated (a string field with {@code "default": null} is refused, as Confluent does).
 */
public final class AvroSchemas {
    private static final int MAX_REFERENCE_DEPTH = 32;

    private AvroSchemas() {}

    /**
     * @param resolver finds the entry a reference names: (subject, version) → entry or null
     * @throws RegistryError 42201 naming the parse error or the reference that cannot be found
     */
    public static ParsedSchema parse(String text, List<SchemaReference> references,
                                     BiFunction<String, Integer, SchemaEntry> resolver) {
        if (text == null || text.isBlank()) throw RegistryError.invalidSchema("Invalid schema: the request has no \"schema\".");
        List<SchemaReference> refs = references == null ? List.of() : List.copyOf(references);
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> referenced = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (SchemaReference ref : refs) parseReference(parser, ref, resolver, referenced, seen, 0);
        Schema schema;
        try {
            schema = parser.parse(text);
        } catch (SchemaParseException | NullPointerException | IllegalArgumentException e) {
            throw RegistryError.invalidSchema("Invalid schema " + abbreviate(text) + ": " + e.getMessage());
        } catch (org.apache.avro.AvroRuntimeException e) {
            throw RegistryError.invalidSchema("Invalid schema " + abbreviate(text) + ": " + e.getMessage());
        }
        String canonical = referenced.isEmpty() ? schema.toString() : canonicalWithReferences(schema, referenced.values());
        return new ParsedSchema(schema, canonical, refs, ParsedSchema.hashOf(canonical, refs));
    }

    @SuppressWarnings("deprecation")
    private static String canonicalWithReferences(Schema schema, Collection<Schema> referenced) {
        return schema.toString(referenced, false);
    }

    private static void parseReference(Schema.Parser parser, SchemaReference ref, BiFunction<String, Integer, SchemaEntry> resolver,
                                       Map<String, Schema> referenced, Set<String> seen, int depth) {
        if (depth > MAX_REFERENCE_DEPTH) {
            throw RegistryError.invalidSchema("Invalid schema: references nest deeper than " + MAX_REFERENCE_DEPTH + " levels (a cycle?) at " + ref);
        }
        if (ref.name() == null || ref.subject() == null) {
            throw RegistryError.invalidSchema("Invalid schema: reference " + ref + " needs a name, a subject and a version.");
        }
        SchemaEntry entry = resolver.apply(ref.subject(), ref.version());
        if (entry == null) {
            throw RegistryError.invalidSchema("Invalid schema: reference " + ref + " names subject '" + ref.subject()
                    + "' version " + ref.version() + ", which is not registered.");
        }
        String key = entry.subject() + "/" + entry.version();
        if (!seen.add(key)) return;
        for (SchemaReference nested : entry.references()) parseReference(parser, nested, resolver, referenced, seen, depth + 1);
        try {
            Schema s = parser.parse(entry.schema());
            referenced.put(key, s);
        } catch (RuntimeException e) {
            throw RegistryError.invalidSchema("Invalid schema: referenced schema " + ref + " does not parse: " + e.getMessage());
        }
    }

    static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
    }
}
