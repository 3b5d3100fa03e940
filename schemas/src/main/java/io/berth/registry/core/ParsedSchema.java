package io.berth.registry.core;

import org.apache.avro.Schema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * An Avro schema as the registry keeps it.
 *
 * @param schema     the parsed schema (references resolved)
 * @param canonical  the string stored and served: Avro's {@code Schema.toString()} with the types
 *                   of referenced schemas left as names, as Confluent's {@code canonicalString()}
 * @param references the references it was parsed with
 * @param hash       the dedup key: MD5 over the canonical string and the references
 */
public record ParsedSchema(Schema schema, String canonical, List<SchemaReference> references, String hash) {

    public static String hashOf(String canonical, List<SchemaReference> references) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(canonical.getBytes(StandardCharsets.UTF_8));
            for (SchemaReference r : references) {
                md5.update(("\u0000" + r.name() + "\u0000" + r.subject() + "\u0000" + r.version()).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this JVM", e);
        }
    }
}
