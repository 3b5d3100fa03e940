package io.berth.registry.core;

import java.util.List;

/**
 * One version of one subject, as stored in a SCHEMA record of {@code _schemas}.
 *
 * @param schema the canonical schema string (Avro's {@code Schema.toString()})
 * @param deleted soft-deleted: hidden from listings and checks, the id stays readable
 */
public record SchemaEntry(String subject, int version, int id, String schemaType,
                          List<SchemaReference> references, String schema, boolean deleted) {

    public static final String AVRO = "AVRO";

    public SchemaEntry {
        references = references == null ? List.of() : List.copyOf(references);
        schemaType = schemaType == null ? AVRO : schemaType;
    }

    public SchemaEntry markDeleted() {
        return new SchemaEntry(subject, version, id, schemaType, references, schema, true);
    }
}
