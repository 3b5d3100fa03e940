package io.berth.state;

import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.audit.AuditRecords;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.ClusterEvent;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.deadletter.DeadLetters;
import io.berth.schemas.serde.AvroJson;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Function;

/**
 * How a controller forwards its outputs: views, tombstones, audit records and dead letters.
 *
 * <p>Audit: every view write is paired by the caller with one {@link #auditView} (the complete
 * before and after as Avro JSON, see {@link AvroJson}); the cause is the input record being
 * processed (set by {@link #received}), or a tick. Each output also carries its cause in the
 * {@link Cause#HEADER} header, so a controller downstream (endpoints) can name the original input.
 */
final class Outputs {
    private final ProcessorContext<String, Emit> context;
    private final String component;
    /** Orders this instance's audit records written in the same millisecond. */
    private long seq;
    private Headers inputHeaders = new RecordHeaders();
    private final Causes causes;

    Outputs(ProcessorContext<String, Emit> context, String component) {
        this.context = context;
        this.component = component;
        this.causes = new Causes(context);
    }

    /**
     * Every input passes here first ({@code process} calls it before anything else): its headers may
     * name its original cause (audit), and each output names its cause and what had been read before
     * it ({@link Causes}, for replay).
     */
    void observe(Record<?, ?> input) {
        inputHeaders = input.headers();
        causes.observe(input.headers());
    }

    /** The input behind what is being written now: a header's original cause for a repartitioned record, a tick in a punctuation. */
    Cause cause() {
        Cause c = Cause.of(context.recordMetadata());
        if (c.isTick() || !c.isInternal()) return c;
        return Cause.read(inputHeaders).orElse(c);
    }

    void put(Topic<?> topic, String key, SpecificRecord value, long now) {
        put(topic, key, value, now, true);
    }

    /** @param forEndpoints whether the endpoints controller needs this value ({@link Emit#forEndpoints}) */
    void put(Topic<?> topic, String key, SpecificRecord value, long now, boolean forEndpoints) {
        context.forward(new Record<>(key, new Emit(topic, value, forEndpoints), now, causeHeaders()));
    }

    void tombstone(Topic<?> topic, String key, long now) {
        context.forward(new Record<>(key, Emit.tombstone(topic), now, causeHeaders()));
    }

    /** The replay's order headers ({@link Causes}) plus the audit's original cause ({@link Cause#HEADER}). */
    private Headers causeHeaders() {
        Headers h = causes.headers();
        Cause c = cause();
        if (!c.isTick()) h.add(Cause.HEADER, c.bytes());
        return h;
    }

    /**
     * The audit record of a view write: {@code after} the complete new view ({@code null} for a
     * tombstone), {@code before} the previous one ({@code null} when created), typed by the view's
     * schema name.
     */
    void auditView(String key, String change, String actor, String intentId, SpecificRecord before, SpecificRecord after,
                   String message, long now) {
        SpecificRecord typed = after != null ? after : before;
        write(record(key, change, actor, intentId, message, now).setBefore(AvroJson.encode(before))
                .setAfter(AvroJson.encode(after)).setViewType(typed == null ? "" : typed.getSchema().getFullName()), now);
    }

    /** An audit record that is no view change (an intent accepted or refused, a revision): any JSON, no view type. */
    void audit(String key, String change, String actor, String intentId, String beforeJson, String afterJson, String message, long now) {
        write(record(key, change, actor, intentId, message, now).setBefore(beforeJson).setAfter(afterJson), now);
    }

    private AuditRecord.Builder record(String key, String change, String actor, String intentId, String message, long now) {
        Cause c = cause();
        return AuditRecords.causedBy(AuditRecords.of(key, change, actor, message, now), c.topic(), c.partition(), c.offset())
                .setIntentId(intentId == null ? "" : intentId);
    }

    private void write(AuditRecord.Builder b, long now) {
        AuditRecord a = b.setSeq(++seq).build();
        put(Topics.AUDIT, a.getKey(), a, now);
    }

    /**
     * Writes an event keyed by its involved resource. Its uid is derived from the record being
     * processed (topic, partition, offset) and the event's content, so a replay of that record
     * yields the same uid; events from a wall-clock tick are named after the tick.
     */
    void event(ClusterEvent e, long now) {
        Cause c = Cause.of(context.recordMetadata());
        String cause = c.isTick() ? "tick/" + now : c.text();
        String seed = cause + "|" + e.getInvolvedKey() + "|" + e.getReason() + "|" + e.getMessage();
        ClusterEvent stamped = ClusterEvent.newBuilder(e).setUid(UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString())
                .setFirstTimestamp(now).setLastTimestamp(now).setCount(1).build();
        put(Topics.EVENTS, e.getInvolvedKey(), stamped, now);
    }

    /** The topic of the record being processed ({@code dflt} when unknown, as in a punctuation). */
    String inputTopic(String dflt) {
        return context.recordMetadata().map(RecordMetadata::topic).filter(t -> t != null).orElse(dflt);
    }

    /** The offset of the record being processed if it was read from {@code topic}, else -1. */
    long offsetIfFrom(Topic<?> topic) {
        return context.recordMetadata().filter(m -> topic.name().equals(m.topic())).map(RecordMetadata::offset).orElse(-1L);
    }

    /**
     * A record this controller refuses: to the dead letters with the reason, keyed by its key. Its
     * audit record is the caller's (IntentRejected), not a second DeadLettered one.
     */
    <V> void deadLetter(String key, V value, Function<V, byte[]> encode, String reason, long now) {
        RecordMetadata m = context.recordMetadata().orElse(null);
        DeadLetter dl = DeadLetters.of(m == null || m.topic() == null ? "" : m.topic(), m == null ? -1 : m.partition(), m == null ? -1 : m.offset(),
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value == null ? null : encode.apply(value),
                reason, null, component, now);
        put(Topics.DEAD_LETTERS, key, dl, now);
    }
}
