package io.berth.schemas.serde;

import io.berth.schemas.AvroTrust;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.JsonDecoder;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Avro's standard JSON encoding of a view, as the audit log stores it in {@code before}/{@code after}
 * (unions wrapped: {@code {"string": "x"}}). {@link #decode} takes the audit record's
 * {@code viewType}, so a reader (time travel, {@code berth history}) gets the typed view back.
 * Only Berth's generated classes are decoded: a view type names a class, and the log is input.
 */
public final class AvroJson {
    static {
        AvroTrust.ensure();
    }

    private static final String PACKAGE = "io.berth.schemas.avro.";
    /** Readers are thread-safe and cached per type; a JSON decoder builds a grammar from the schema, so one per type and thread is re-aimed with configure (time travel decodes 100,000s). */
    private static final Map<String, SpecificDatumReader<SpecificRecord>> READERS = new ConcurrentHashMap<>();
    private static final ThreadLocal<Map<String, JsonDecoder>> DECODERS = ThreadLocal.withInitial(HashMap::new);
    /** Writers are thread-safe (one per schema); encoders are not (one per schema and thread). */
    private static final Map<Schema, SpecificDatumWriter<SpecificRecord>> WRITERS = new ConcurrentHashMap<>();
    private static final ThreadLocal<Map<Schema, JsonEncoder>> ENCODERS = ThreadLocal.withInitial(HashMap::new);

    private AvroJson() {}

    /** The record as Avro JSON; {@code null} for {@code null} (a deleted view). */
    public static String encode(SpecificRecord record) {
        if (record == null) return null;
        Schema schema = record.getSchema();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            // a JSON encoder builds a grammar from the schema (profiled: a quarter of state-streams'
            // time while placing, one audit record per task): one per schema and thread, re-aimed
            Map<Schema, JsonEncoder> mine = ENCODERS.get();
            JsonEncoder enc = mine.get(schema);
            if (enc == null) {
                enc = EncoderFactory.get().jsonEncoder(schema, out);
                mine.put(schema, enc);
            } else {
                enc.configure(out);
            }
            WRITERS.computeIfAbsent(schema, SpecificDatumWriter::new).write(record, enc);
            enc.flush();
        } catch (IOException | RuntimeException e) {
            ENCODERS.get().remove(schema); // a failed write may leave the encoder mid-record
            if (e instanceof IOException io) throw new UncheckedIOException(io);
            throw (RuntimeException) e;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The view of type {@code viewType} (a full schema name such as
     * {@code io.berth.schemas.avro.WorkloadView}) encoded in {@code json}; {@code null} for a
     * {@code null} json.
     *
     * @throws IllegalArgumentException for a type that is not a Berth record or JSON that does not match it
     */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> T decode(String viewType, String json) {
        if (json == null) return null;
        SpecificDatumReader<SpecificRecord> reader = READERS.computeIfAbsent(schemaKey(viewType), t -> new SpecificDatumReader<>(schemaOf(t)));
        try {
            Map<String, JsonDecoder> mine = DECODERS.get();
            JsonDecoder decoder = mine.get(viewType);
            if (decoder == null) {
                decoder = DecoderFactory.get().jsonDecoder(reader.getSchema(), json);
                mine.put(viewType, decoder);
            } else {
                decoder.configure(json);
            }
            return (T) reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a " + viewType + " in Avro JSON: " + e.getMessage(), e);
        }
    }

    /** Validates the type name before it keys the reader cache: the name comes from the log. */
    private static String schemaKey(String viewType) {
        schemaOf(viewType);
        return viewType;
    }

    /** Same, typed by class. */
    public static <T extends SpecificRecord> T decode(Class<T> type, String json) {
        return decode(type.getName(), json);
    }

    private static Schema schemaOf(String viewType) {
        if (viewType == null || !viewType.startsWith(PACKAGE)) {
            throw new IllegalArgumentException("not a Berth view type: " + viewType);
        }
        try {
            Class<?> c = Class.forName(viewType, true, AvroJson.class.getClassLoader());
            if (!SpecificRecord.class.isAssignableFrom(c)) throw new IllegalArgumentException("not a record type: " + viewType);
            return SpecificData.get().getSchema(c);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("unknown view type: " + viewType, e);
        }
    }
}
