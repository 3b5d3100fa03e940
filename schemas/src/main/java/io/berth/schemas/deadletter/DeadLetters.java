package io.berth.schemas.deadletter;

import io.berth.schemas.Topics;
import io.berth.schemas.audit.Actors;
import io.berth.schemas.audit.AuditRecords;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Building and sending {@link DeadLetter}s: a record a consumer cannot deserialize or act on goes
 * to {@link Topics#DEAD_LETTERS}, keyed by its original key, with the bytes and the reason, and the
 * consumer moves on. Used by the Streams handler and by plain consumers (node daemon, gateway).
 *
 * <p>Every dead letter is audited: a {@code DeadLettered} {@link AuditRecord} on
 * {@link Topics#AUDIT} keyed by the original key when it is readable text (else ""), crediting the
 * producer that named itself ({@code external:<berth.client-id>}) or the refusing component
 * ({@code controller/<component>}), with the source record as its cause and the reason as message.
 */
public final class DeadLetters {
    public static final String CHANGE = "DeadLettered";
    /** Orders the audit records of dead letters written in one millisecond by this process. */
    private static final AtomicLong SEQ = new AtomicLong();

    static {
        // Avro 1.12 reads its trusted packages once, when its class validator first loads; AvroSerde's
        // static block adds io.berth. Load it before any generated class is touched, or every later
        // encode of a DeadLetter is refused as "not trusted".
        try {
            Class.forName(io.berth.schemas.serde.AvroSerde.class.getName(), true, DeadLetters.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A dead letter keeps at most this much of the refused record's value (Kafka's default record limit is 1 MiB). */
    public static final int MAX_VALUE_BYTES = 256 * 1024;
    /** ... and of its key. */
    public static final int MAX_KEY_BYTES = 4 * 1024;
    /** ... and of the reason. */
    public static final int MAX_REASON_CHARS = 4 * 1024;

    private DeadLetters() {}

    public static DeadLetter of(String sourceTopic, int partition, long offset, byte[] key, byte[] value,
                                String reason, Throwable error, String component, long timestamp) {
        // The all-fields constructor, not the builder: the builder resolves schema defaults, which
        // Avro 1.12 refuses for untrusted packages until AvroSerde has registered io.berth as trusted.
        // A poison record may be larger than a Kafka record may be (a 5 MB intent on a topic whose
        // max.message.bytes allows it): its dead letter keeps only the head, or writing it would fail
        // the transaction and stop the stream it protects.
        io.berth.schemas.metrics.ProcessMetrics.deadLetter(sourceTopic);
        String r = reason == null ? "" : reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) + "..." : reason;
        if (key != null && key.length > MAX_KEY_BYTES) r += " (key truncated from " + key.length + " bytes)";
        if (value != null && value.length > MAX_VALUE_BYTES) r += " (value truncated from " + value.length + " bytes)";
        return new DeadLetter(sourceTopic, partition, offset,
                key == null ? null : ByteBuffer.wrap(java.util.Arrays.copyOf(key, Math.min(key.length, MAX_KEY_BYTES))),
                value == null ? null : ByteBuffer.wrap(java.util.Arrays.copyOf(value, Math.min(value.length, MAX_VALUE_BYTES))),
                r, error == null ? "" : error.getClass().getName(), component, timestamp);
    }

    /** A dead letter for a raw record a plain consumer read. */
    public static DeadLetter of(ConsumerRecord<byte[], byte[]> r, Throwable error, String component, long timestamp) {
        return of(r.topic(), r.partition(), r.offset(), r.key(), r.value(), reasonOf(error), error, component, timestamp);
    }

    /** The readable reason of a failure: its message, walking down to the first cause that has one. */
    /**
     * True (and logged) when {@code error} is a transient schema-registry failure: the registry was unreachable or
     * between leaders (its client already retried), so the record is not at fault and must not be dead-lettered;
     * the Streams handlers fail the thread instead, which is replaced and processes the record again.
     */
    static boolean notAtFault(org.slf4j.Logger log, String component, String topic, int partition, long offset, Throwable error) {
        if (!io.berth.registry.client.SchemaRegistryClient.RegistryException.isTransient(error)) return false;
        log.error("{}: not dead-lettering {}-{}@{}: the schema registry failed transiently ({}); failing the stream thread so it is retried",
                component, topic, partition, offset, reasonOf(error));
        return true;
    }

    public static String reasonOf(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) return t.getMessage();
        }
        return error == null ? "unknown" : error.getClass().getSimpleName();
    }

    /** The dead letter as raw bytes for {@link Topics#DEAD_LETTERS}, keyed by the original key bytes. */
    public static ProducerRecord<byte[], byte[]> toRawRecord(DeadLetter dl, BerthSerdes serdes) {
        byte[] key = dl.getKey() == null ? null : bytes(dl.getKey());
        byte[] value = serdes.value(DeadLetter.class).serialize(Topics.DEAD_LETTERS.name(), dl);
        return new ProducerRecord<>(Topics.DEAD_LETTERS.name(), key, value);
    }

    /** Sends the dead letter and its audit record with a byte-array producer (any client can have one next to its typed consumer). */
    public static Future<RecordMetadata> send(Producer<byte[], byte[]> producer, BerthSerdes serdes, DeadLetter dl) {
        producer.send(toRawAuditRecord(audit(dl, (Headers) null), serdes));
        return producer.send(toRawRecord(dl, serdes));
    }

    /** The dead letter and its audit record, as a Streams exception handler returns them. */
    public static List<ProducerRecord<byte[], byte[]>> toRawRecords(DeadLetter dl, Headers sourceHeaders, BerthSerdes serdes) {
        return List.of(toRawRecord(dl, serdes), toRawAuditRecord(audit(dl, sourceHeaders), serdes));
    }

    /** The {@code DeadLettered} audit record of a dead letter; {@code sourceHeaders} are the refused record's (may be null). */
    public static AuditRecord audit(DeadLetter dl, Headers sourceHeaders) {
        return audit(dl, Actors.ofDeadLetter(sourceHeaders, dl.getComponent()));
    }

    /** The same, credited to {@code actor} (a node daemon's own dead letters: {@code node/<id>}). */
    public static AuditRecord audit(DeadLetter dl, String actor) {
        String key = readableKey(dl.getKey());
        AuditRecord.Builder b = AuditRecords.of(key, CHANGE, actor, dl.getReason(), dl.getTimestamp());
        return AuditRecords.causedBy(b, dl.getSourceTopic(), dl.getPartition(), dl.getOffset()).setSeq(SEQ.incrementAndGet()).build();
    }

    public static ProducerRecord<byte[], byte[]> toRawAuditRecord(AuditRecord a, BerthSerdes serdes) {
        byte[] value = serdes.value(AuditRecord.class).serialize(Topics.AUDIT.name(), a);
        return new ProducerRecord<>(Topics.AUDIT.name(), null, a.getTimestamp(), a.getKey().getBytes(StandardCharsets.UTF_8), value);
    }

    /** The key as text if it is valid UTF-8 without control characters (a resource key), else "". */
    static String readableKey(ByteBuffer key) {
        if (key == null) return "";
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(key.duplicate()).toString();
            return s.chars().anyMatch(Character::isISOControl) ? "" : s;
        } catch (CharacterCodingException e) {
            return "";
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
