package io.berth.registry.core;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a new schema against earlier versions with Avro's own
 * {@link SchemaCompatibility#checkReaderWriterCompatibility}, as Confluent does: BACKWARD reads
 * old data with the new schema (reader = new), FORWARD reads new data with the old schema
 * (reader = old), FULL both; TRANSITIVE levels check every live version, the others only the latest.
 * The messages follow Confluent's layout ({@code oldSchemaVersion:}, {@code oldSchema:},
 * {@code compatibility:}).
 */
public final class CompatibilityChecker {
    private CompatibilityChecker() {}

    /** One earlier version to check against. */
    public record Previous(int version, Schema schema) {}

    /**
     * @param previous live earlier versions, oldest first
     * @return the reasons for incompatibility; empty when compatible
     */
    public static List<String> check(CompatibilityLevel level, Schema candidate, List<Previous> previous) {
        if (level == CompatibilityLevel.NONE || previous.isEmpty()) return List.of();
        List<Previous> against = level.transitive ? previous : List.of(previous.get(previous.size() - 1));
        for (int i = against.size() - 1; i >= 0; i--) {
            Previous old = against.get(i);
            List<String> messages = new ArrayList<>();
            if (level.backward) messages.addAll(incompatibilities(candidate, old.schema(), "new", "old"));
            if (level.forward) messages.addAll(incompatibilities(old.schema(), candidate, "old", "new"));
            if (!messages.isEmpty()) {
                messages.add("{oldSchemaVersion: " + old.version() + "}");
                messages.add("{oldSchema: '" + old.schema() + "'}");
                messages.add("{compatibility: '" + level + "'}");
                return messages;
            }
        }
        return List.of();
    }

    private static List<String> incompatibilities(Schema reader, Schema writer, String readerName, String writerName) {
        List<String> out = new ArrayList<>();
        for (Incompatibility inc : SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult().getIncompatibilities()) {
            out.add("{errorType:'" + inc.getType() + "', description:'The " + readerName + " schema (reader) cannot read data written with the "
                    + writerName + " schema (writer) at path '" + inc.getLocation() + "': " + inc.getMessage()
                    + "', additionalInfo:'" + inc.getMessage() + "'}");
        }
        return out;
    }
}
