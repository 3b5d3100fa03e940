package io.berth.state;

import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.ClusterEvent;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.deadletter.DeadLetters;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Function;

/** How a controller forwards its outputs: views, tombstones, audit records and dead letters. */
final class Outputs {
    private final ProcessorContext<String, Emit> context;
    private final String component;
    private final Causes causes;

    Outputs(ProcessorContext<String, Emit> context, String component) {
        this.context = context;
        this.component = component;
        this.causes = new Causes(context);
    }

    /** Every input passes here first, so each output names its cause and what had been read before it ({@link Causes}). */
    void observe(Record<?, ?> input) {
        causes.observe(input.headers());
    }

    void put(Topic<?> topic, String key, SpecificRecord value, long now) {
        context.forward(new Record<>(key, new Emit(topic, value), now, causes.headers()));
    }

    void tombstone(Topic<?> topic, String key, long now) {
        context.forward(new Record<>(key, Emit.tombstone(topic), now, causes.headers()));
    }

    void audit(String key, String kind, String change, String actor, String cause, String message, long now) {
        AuditRecord a = AuditRecord.newBuilder().setKey(key).setKind(kind).setChange(change)
                .setActor(actor).setCause(cause).setMessage(message).setTimestamp(now).build();
        put(Topics.AUDIT, key, a, now);
    }

    /**
     * Writes an event keyed by its involved resource. Its uid is derived from the record being
     * processed (topic, partition, offset) and the event's content, so a replay of that record
     * yields the same uid; events from a wall-clock tick are named after the tick.
     */
    void event(ClusterEvent e, long now) {
        String cause = context.recordMetadata().map(m -> m.topic() + "/" + m.partition() + "/" + m.offset()).orElse("tick/" + now);
        String seed = cause + "|" + e.getInvolvedKey() + "|" + e.getReason() + "|" + e.getMessage();
        ClusterEvent stamped = ClusterEvent.newBuilder(e).setUid(UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString())
                .setFirstTimestamp(now).setLastTimestamp(now).setCount(1).build();
        put(Topics.EVENTS, e.getInvolvedKey(), stamped, now);
    }

    /** The offset of the record being processed if it was read from {@code topic}, else -1. */
    long offsetIfFrom(Topic<?> topic) {
        return context.recordMetadata().filter(m -> m.topic().equals(topic.name())).map(RecordMetadata::offset).orElse(-1L);
    }

    /** A record this controller refuses: to the dead letters with the reason, keyed by its key. */
    <V> void deadLetter(String key, V value, Function<V, byte[]> encode, String reason, long now) {
        RecordMetadata m = context.recordMetadata().orElse(null);
        DeadLetter dl = DeadLetters.of(m == null ? "" : m.topic(), m == null ? -1 : m.partition(), m == null ? -1 : m.offset(),
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value == null ? null : encode.apply(value),
                reason, null, component, now);
        put(Topics.DEAD_LETTERS, key, dl, now);
    }
}
