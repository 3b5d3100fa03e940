package io.berth.schemas.deadletter;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.ByteBuffer;
import java.util.concurrent.Future;

/**
 * Building and sending {@link DeadLetter}s: a record a consumer cannot deserialize or act on goes
 * to {@link Topics#DEAD_LETTERS}, keyed by its original key, with the bytes and the reason, and the
 * consumer moves on. Used by the Streams handler and by plain consumers (node daemon, gateway).
 */
public final class DeadLetters {
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

    private DeadLetters() {}

    public static DeadLetter of(String sourceTopic, int partition, long offset, byte[] key, byte[] value,
                                String reason, Throwable error, String component, long timestamp) {
        // The all-fields constructor, not the builder: the builder resolves schema defaults, which
        // Avro 1.12 refuses for untrusted packages until AvroSerde has registered io.berth as trusted.
        return new DeadLetter(sourceTopic, partition, offset,
                key == null ? null : ByteBuffer.wrap(key.clone()),
                value == null ? null : ByteBuffer.wrap(value.clone()),
                reason, error == null ? "" : error.getClass().getName(), component, timestamp);
    }

    /** A dead letter for a raw record a plain consumer read. */
    public static DeadLetter of(ConsumerRecord<byte[], byte[]> r, Throwable error, String component, long timestamp) {
        return of(r.topic(), r.partition(), r.offset(), r.key(), r.value(), reasonOf(error), error, component, timestamp);
    }

    /** The readable reason of a failure: its message, walking down to the first cause that has one. */
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

    /** Sends with a byte-array producer (any client can have one next to its typed consumer). */
    public static Future<RecordMetadata> send(Producer<byte[], byte[]> producer, BerthSerdes serdes, DeadLetter dl) {
        return producer.send(toRawRecord(dl, serdes));
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
