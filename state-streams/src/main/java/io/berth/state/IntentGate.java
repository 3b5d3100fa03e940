package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.ClusterEvent;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.audit.Actors;
import io.berth.schemas.audit.AuditRecords;
import io.berth.schemas.deadletter.DeadLetters;
import io.berth.schemas.serde.AvroJson;
import io.berth.schemas.limits.Limits;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * The first processor on {@code berth.intents}: an intent outside {@link Limits} (2147483647
 * replicas, a 5 MB object, a 10,000-entry env, a 300-character name…) never reaches a store, a
 * repartition topic or a controller. It becomes a dead letter with the reason (Kubernetes' wording,
 * naming the field), its {@code DeadLettered} audit record and a Warning event; every other record
 * passes unchanged. The gateway and the CLI check the same {@link Limits}: this is for records
 * produced straight onto the bus.
 *
 * <p>Why first: the de-duplicator remembers {@code key NUL intentId} in a changelogged store and
 * the split repartitions node intents and pod deletes, so an oversized key or intent would
 * otherwise be written to Kafka (and refused there, failing the transaction) before any validator
 * saw it; and the workload controller expands replicas into tasks.
 *
 * <p>Output: {@link Emit}s, {@link Topics#INTENTS} with the intent when it passes; the topology routes them.
 */
final class IntentGate implements FixedKeyProcessor<String, Intent, Emit> {
    /** A resource key is {@code ns/kind/name}: 63 + 1 + a kind + 1 + 253 bytes. */
    static final int MAX_KEY_BYTES = 512;
    /** How many violations a refusal names. */
    static final int MAX_REASONS = 10;

    private final Limits limits;
    private final Function<Intent, byte[]> encode;
    private final String component;
    private FixedKeyProcessorContext<String, Emit> context;
    private long seq;

    IntentGate(Limits limits, Function<Intent, byte[]> encode, String component) {
        this.limits = limits;
        this.encode = encode;
        this.component = component;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Emit> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, Intent> record) {
        Intent i = record.value();
        if (i == null) {  // a tombstone on the intents topic: nothing to check, the controllers ignore it
            context.forward(record.withValue(new Emit(Topics.INTENTS, null)));
            return;
        }
        byte[] encoded = encode.apply(i);
        String reason = problem(record.key(), i, encoded.length, limits);
        if (reason == null) {
            context.forward(record.withValue(new Emit(Topics.INTENTS, i)));
            return;
        }
        refuse(record, i, encoded, reason);
    }

    /**
     * Why an intent is refused at the gate, or null. Pure ({@code PoisonIntentsTopologyTest} pins it).
     * At most {@link #MAX_REASONS} violations are named, so the reason stays small whatever the record holds.
     */
    static String problem(String key, Intent i, long encodedBytes, Limits limits) {
        List<Limits.Violation> v = new ArrayList<>();
        if (key != null && key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            v.add(new Limits.Violation("", "the record key is " + key.getBytes(StandardCharsets.UTF_8).length
                    + " bytes, limit is " + MAX_KEY_BYTES + " bytes"));
        }
        v.addAll(limits.check(i));  // the fields first: they name what to fix
        v.addAll(limits.checkEncodedSize(encodedBytes));
        if (v.isEmpty()) return null;
        String resource = describable(i) ? "The " + Events.kindName(i.getKind(), "object") + " \"" + i.getName() + "\" is invalid: " : "The intent is invalid: ";
        String named = String.join(", ", v.stream().limit(MAX_REASONS).map(Limits.Violation::message).toList());
        return resource + named + (v.size() > MAX_REASONS ? " (and " + (v.size() - MAX_REASONS) + " more)" : "");
    }

    private void refuse(FixedKeyRecord<String, Intent> record, Intent i, byte[] encoded, String reason) {
        RecordMetadata m = context.recordMetadata().orElse(null);
        long now = record.timestamp();
        DeadLetter dl = DeadLetters.of(m == null || m.topic() == null ? "" : m.topic(), m == null ? -1 : m.partition(),
                m == null ? -1 : m.offset(), record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
                encoded, reason, null, component, now);
        // the keys stay the input's here (a fixed-key processor); outputKey() bounds them at the sinks
        context.forward(record.withValue(new Emit(Topics.DEAD_LETTERS, dl)));
        context.forward(record.withValue(new Emit(Topics.AUDIT, audit(record, i, m, reason, encoded.length))));
        if (describable(i) && record.key() != null && record.key().length() <= MAX_KEY_BYTES) {
            ClusterEvent e = Events.rejected(record.key(), i.getKind(), i.getNamespace(), i.getName(),
                    i.getAction() == IntentAction.APPLY, reason, WorkloadProcessor.ACTOR);
            String seed = (m == null ? "" : m.topic() + "/" + m.partition() + "/" + m.offset()) + "|" + record.key() + "|" + reason;
            ClusterEvent stamped = ClusterEvent.newBuilder(e).setUid(UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString())
                    .setFirstTimestamp(now).setLastTimestamp(now).setCount(1).build();
            context.forward(record.withValue(new Emit(Topics.EVENTS, stamped)));
        }
    }

    /**
     * The refusal's audit record, as the workload controller writes one ({@code IntentRejected}, the
     * one record of that dead letter): keyed by the resource the intent names when that fits, with the
     * intent as Avro JSON when it is small enough to be worth keeping.
     */
    private AuditRecord audit(FixedKeyRecord<String, Intent> record, Intent i, RecordMetadata m, String reason, int encodedBytes) {
        String key = describable(i) ? IntentHandler.intentKey(i) : "";
        String after = encodedBytes <= Limits.MAX_INTENT_BYTES ? AvroJson.encode(i) : null;
        String actor = i.getActor() == null || i.getActor().length() > Limits.MAX_NAME ? Actors.external(record.headers())
                : Actors.of(i, record.headers());
        AuditRecord.Builder b = AuditRecords.of(key, "IntentRejected", actor, reason, record.timestamp());
        return AuditRecords.causedBy(b, m == null ? "" : m.topic(), m == null ? -1 : m.partition(), m == null ? -1 : m.offset())
                .setIntentId(i.getIntentId() != null && i.getIntentId().length() <= Limits.MAX_NAME ? i.getIntentId() : "")
                .setAfter(after).setSeq(++seq).build();
    }

    /** The name and namespace fit in an event's key and message. */
    private static boolean describable(Intent i) {
        return i.getName() != null && i.getName().length() <= Limits.MAX_NAME
                && i.getNamespace() != null && i.getNamespace().length() <= Limits.MAX_LABEL_NAME;
    }

    /**
     * The key a refusal is written under: an audit record's own key (the readable resource key, else
     * ""), else the input key cut to what a dead letter keeps (an oversized key must not make the
     * dead letter itself too large to write).
     */
    static String outputKey(String key, Emit e) {
        if (e.value() instanceof AuditRecord a) return a.getKey();
        if (key == null || key.length() <= DeadLetters.MAX_KEY_BYTES / 4) return key;
        byte[] b = key.getBytes(StandardCharsets.UTF_8);
        return b.length <= DeadLetters.MAX_KEY_BYTES ? key
                : new String(java.util.Arrays.copyOf(b, DeadLetters.MAX_KEY_BYTES), StandardCharsets.UTF_8);
    }
}
