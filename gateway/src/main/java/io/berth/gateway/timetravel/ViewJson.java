package io.berth.gateway.timetravel;

import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decodes the {@code after} of an audit record (the view in Avro's standard JSON encoding) back into
 * its generated class, named by the record's {@code viewType}. Only classes of
 * {@code io.berth.schemas.avro} are accepted: the type name comes from the log, not from us.
 *
 * <p>Stand-in for {@code io.berth.schemas.serde.AvroJson.decode}, written at the same time in the
 * schemas module; the integrator can switch the one call site ({@link #decode}) to it.
 */
public final class ViewJson {
    private static final String PACKAGE = "io.berth.schemas.avro.";
    private static final Map<String, SpecificDatumReader<SpecificRecord>> READERS = new ConcurrentHashMap<>();
    /** A JSON decoder builds a grammar from the schema when created: reuse one per type and thread, re-aimed with configure. */
    private static final ThreadLocal<Map<String, org.apache.avro.io.JsonDecoder>> DECODERS = ThreadLocal.withInitial(java.util.HashMap::new);

    private ViewJson() {}

    public static SpecificRecord decode(String viewType, String json) {
        if (!viewType.startsWith(PACKAGE)) throw new IllegalArgumentException("not a Berth view type: " + viewType);
        SpecificDatumReader<SpecificRecord> reader = READERS.computeIfAbsent(viewType, ViewJson::reader);
        try {
            Map<String, org.apache.avro.io.JsonDecoder> mine = DECODERS.get();
            org.apache.avro.io.JsonDecoder decoder = mine.get(viewType);
            if (decoder == null) {
                decoder = DecoderFactory.get().jsonDecoder(reader.getSchema(), json);
                mine.put(viewType, decoder);
            } else {
                decoder.configure(json);
            }
            return reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("undecodable " + viewType + ": " + e.getMessage(), e);
        }
    }

    /** The contract's encoding of a view: Avro's standard JSON (SpecificDatumWriter + jsonEncoder). Used by tests and the benchmark. */
    public static String encode(SpecificRecord view) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            org.apache.avro.io.JsonEncoder enc = org.apache.avro.io.EncoderFactory.get().jsonEncoder(view.getSchema(), out);
            new org.apache.avro.specific.SpecificDatumWriter<SpecificRecord>(view.getSchema()).write(view, enc);
            enc.flush();
            return out.toString(java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SpecificDatumReader<SpecificRecord> reader(String viewType) {
        Class<?> type = SpecificData.get().getClass(Schema.createRecord(viewType, null, null, false));
        if (type == null || !SpecificRecord.class.isAssignableFrom(type)) throw new IllegalArgumentException("unknown view type: " + viewType);
        Schema schema = SpecificData.get().getSchema(type);
        return new SpecificDatumReader<>(schema);
    }
}
