package io.berth.registry.core;

import java.util.List;

/**
 * The body of a register, lookup or compatibility request.
 *
 * @param id      only in IMPORT mode: the id the schema must get; null otherwise
 * @param version only in IMPORT mode: the version it must get; null otherwise
 */
public record RegisterRequest(String schema, String schemaType, List<SchemaReference> references, Integer id, Integer version) {
    public RegisterRequest {
        references = references == null ? List.of() : List.copyOf(references);
        schemaType = schemaType == null || schemaType.isBlank() ? SchemaEntry.AVRO : schemaType.trim().toUpperCase(java.util.Locale.ROOT);
    }

    public static RegisterRequest of(String schema) {
        return new RegisterRequest(schema, null, null, null, null);
    }
}
