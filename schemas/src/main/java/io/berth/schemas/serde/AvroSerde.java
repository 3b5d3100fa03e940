package io.berth.schemas.serde;

import io.berth.registry.client.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.io.*;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Confluent wire format for Avro specific records: byte 0 is the magic {@code 0x00}, bytes 1–4
 * the schema id (signed int32, big endian), then the Avro binary encoding with no container
 * header. The writer's schema is registered under the topic's value subject (TopicNameStrategy);
 * the reader resolves the writer's schema by id, so records written by an older or newer schema
 * version are read through Avro schema resolution. On read the id must be registered under the
 * topic's subject and the record must use every byte; a record that fails either check, names an
 * id the registry does not know or does not decode is refused with a {@link SerializationException}
 * whose message says which (the dead-letter handlers use it as the reason).
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    public static final byte MAGIC = 0x0;

    static {
        io.berth.schemas.AvroTrust.ensure(); // before any generated class is used
    }

    private final SchemaRegistryClient registry;
    private final Class<T> type;
    private final Schema readerSchema;
    private final boolean isKey;
    private final ConcurrentHashMap<String, Integer> idBySubject = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, DatumReader<T>> readersById = new ConcurrentHashMap<>();
    private final Set<String> subjectCheckedIds = ConcurrentHashMap.newKeySet(); // subject NUL id
    private final DatumWriter<T> writer;

    public AvroSerde(SchemaRegistryClient registry, Class<T> type) {
        this(registry, type, false);
    }

    public AvroSerde(SchemaRegistryClient registry, Class<T> type, boolean isKey) {
        this.registry = registry;
        this.type = type;
        this.readerSchema = SpecificData.get().getSchema(type);
        this.isKey = isKey;
        this.writer = new SpecificDatumWriter<>(readerSchema);
    }

    public Class<T> type() {
        return type;
    }

    @Override
    public Serializer<T> serializer() {
        return this::serialize;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this::deserialize;
    }

    public byte[] serialize(String topic, T value) {
        if (value == null) return null;
        String subject = topic + (isKey ? "-key" : "-value");
        int id;
        try {
            id = idBySubject.computeIfAbsent(subject, s -> registry.register(s, readerSchema));
        } catch (RuntimeException e) {
            throw new SerializationException("cannot register schema " + readerSchema.getFullName() + " under subject " + subject + ": " + e.getMessage(), e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            out.write(MAGIC);
            out.write(ByteBuffer.allocate(4).putInt(id).array());
            BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(value, enc);
            enc.flush();
            return out.toByteArray();
        } catch (Exception e) {
            throw new SerializationException("cannot encode " + readerSchema.getFullName() + " for topic " + topic + ": " + e.getMessage(), e);
        }
    }

    public T deserialize(String topic, byte[] data) {
        if (data == null) return null;
        if (data.length < 5) {
            throw new SerializationException("record on " + topic + " is " + data.length + " bytes, shorter than the 5-byte Confluent header");
        }
        ByteBuffer buf = ByteBuffer.wrap(data);
        byte magic = buf.get();
        if (magic != MAGIC) {
            throw new SerializationException("record on " + topic + " has magic byte " + magic + ", expected 0 (Confluent wire format)");
        }
        int id = buf.getInt();
        DatumReader<T> reader;
        try {
            reader = readersById.computeIfAbsent(id, i -> new SpecificDatumReader<>(registry.getById(i), readerSchema));
        } catch (SchemaRegistryClient.RegistryException e) {
            if (e.errorCode() == 40403) {
                throw new SerializationException("record on " + topic + " names schema id " + id + ", which is unknown to the registry ("
                        + e.getMessage() + ")", e);
            }
            throw new SerializationException("record on " + topic + " names schema id " + id + " which cannot be fetched: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new SerializationException("record on " + topic + " names schema id " + id + " which cannot be fetched: " + e.getMessage(), e);
        }
        checkSubject(topic, id);
        T value;
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null);
        try {
            value = reader.read(null, dec);
        } catch (Exception e) {
            throw new SerializationException("record on " + topic + " does not decode as " + readerSchema.getFullName()
                    + " with writer schema " + id + ": " + e, e);
        }
        int trailing;
        try {
            trailing = dec.isEnd() ? 0 : dec.inputStream().available();
        } catch (java.io.IOException e) {
            trailing = -1;
        }
        if (trailing != 0) {
            throw new SerializationException("record on " + topic + " does not decode as " + readerSchema.getFullName()
                    + " with writer schema " + id + ": " + (trailing > 0 ? trailing + " bytes" : "bytes") + " left after the record");
        }
        return value;
    }

    /**
     * TopicNameStrategy, enforced on read: the writer's schema id must be registered under this
     * topic's subject. A record produced with another topic's schema (a producer pointed at the
     * wrong topic, or a serializer configured for another subject) can happen to decode, field by
     * field, into garbage; it is refused by name instead. An id once seen under the subject is
     * remembered; a registry that cannot list subjects ({@code null}) is not checked.
     */
    private void checkSubject(String topic, int id) {
        String subject = topic + (isKey ? "-key" : "-value");
        String checked = subject + '\u0000' + id;
        if (subjectCheckedIds.contains(checked)) return;
        List<String> subjects;
        try {
            subjects = registry.subjectsOf(id);
        } catch (RuntimeException e) {
            throw new SerializationException("record on " + topic + " names schema id " + id
                    + " whose subjects cannot be fetched: " + e.getMessage(), e);
        }
        if (subjects == null || subjects.contains(subject)) {
            subjectCheckedIds.add(checked);
            return;
        }
        throw new SerializationException("schema id " + id + " is registered under subject "
                + (subjects.isEmpty() ? "(none)" : String.join(", ", subjects)) + ", not " + subject);
    }
}
