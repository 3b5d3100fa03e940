package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.audit.Actors;
import io.berth.schemas.serde.AvroJson;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.Intent;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Makes producing the same intent twice apply it once. An intent with a non-empty
 * {@code intentId} is remembered (per resource key: intents are keyed by resource key, so every
 * copy of one intent lands on the same partition and meets this processor's store); a later intent
 * with the same id for the same resource is dropped and audited as {@code IntentDuplicate} instead
 * of reaching the controllers. This is what lets an external producer retry blindly (a timeout, a
 * restarted job): a SCALE, a ROLLBACK or a PROMOTE sent twice is applied once.
 *
 * <p>Ids are kept for {@link #retentionMs} of <em>record</em> time (the newest record timestamp this
 * task has seen, never the wall clock, so replaying the log decides the same) and at most
 * {@link #maxIds} per partition, oldest first out. Two stores: the ids ({@code resourceKey NUL id} →
 * first sighting) and a time index (timestamp big-endian ‖ store key) that pruning scans from its
 * start. An intent with an empty id is never de-duplicated (the gateway always sets one; a producer
 * that does not care about retries may leave it empty).
 *
 * <p>Output: an {@link Emit} per input, {@link Topics#INTENTS} with the intent when it passes,
 * {@link Topics#AUDIT} with the audit record when it is a duplicate; the topology routes both.
 */
final class IntentDeduplicator implements FixedKeyProcessor<String, Intent, Emit> {
    static final String IDS_STORE = "intent-ids";
    static final String IDS_BY_TIME_STORE = "intent-ids-by-time";
    static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    static final int DEFAULT_MAX_IDS = 1_000_000;
    static final String CHANGE = "IntentDuplicate";
    /** Header an external producer sets to name itself; the audit credits {@code external:<id>} when the intent has no actor. */

    private final long retentionMs;
    private final int maxIds;
    private FixedKeyProcessorContext<String, Emit> context;
    private KeyValueStore<String, Seen> ids;
    private KeyValueStore<Bytes, byte[]> byTime;
    private long count;
    private long streamTime = Long.MIN_VALUE;

    IntentDeduplicator(Duration retention, int maxIds) {
        if (maxIds < 1) throw new IllegalArgumentException("maxIds must be at least 1");
        this.retentionMs = retention.toMillis();
        this.maxIds = maxIds;
    }

    /** Where the first copy of an intent was seen: its record time and topic/partition/offset. */
    record Seen(long timestamp, String cause) {}

    static StoreBuilder<KeyValueStore<String, Seen>> idsStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(IDS_STORE), Serdes.String(), SEEN_SERDE);
    }

    static StoreBuilder<KeyValueStore<Bytes, byte[]>> byTimeStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(IDS_BY_TIME_STORE), Serdes.Bytes(), Serdes.ByteArray());
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Emit> context) {
        this.context = context;
        this.ids = context.getStateStore(IDS_STORE);
        this.byTime = context.getStateStore(IDS_BY_TIME_STORE);
        // init runs after the stores are restored: count them once and resume stream time from the newest entry
        try (KeyValueIterator<Bytes, byte[]> it = byTime.all()) {
            while (it.hasNext()) {
                streamTime = Math.max(streamTime, timeOf(it.next().key));
                count++;
            }
        }
    }

    @Override
    public void process(FixedKeyRecord<String, Intent> record) {
        Intent i = record.value();
        if (i == null || i.getIntentId() == null || i.getIntentId().isEmpty() || record.key() == null) {
            context.forward(record.withValue(new Emit(Topics.INTENTS, i)));
            return;
        }
        streamTime = Math.max(streamTime, record.timestamp());
        prune();
        String storeKey = record.key() + '\u0000' + i.getIntentId();
        Seen first = ids.get(storeKey);
        if (first != null) {
            context.forward(record.withValue(new Emit(Topics.AUDIT, audit(record, i, first))));
            return;
        }
        ids.put(storeKey, new Seen(record.timestamp(), cause()));
        byTime.put(indexKey(record.timestamp(), storeKey), new byte[0]);
        count++;
        prune();
        context.forward(record.withValue(new Emit(Topics.INTENTS, i)));
    }

    /** Drops ids older than the retention (by record time), then the oldest while over the count bound. */
    private void prune() {
        long cutoff = streamTime == Long.MIN_VALUE ? Long.MIN_VALUE : streamTime - retentionMs;
        try (KeyValueIterator<Bytes, byte[]> it = byTime.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                if (timeOf(e.key) >= cutoff && count <= maxIds) break;
                byTime.delete(e.key);
                ids.delete(storeKeyOf(e.key));
                count--;
            }
        }
    }

    private AuditRecord audit(FixedKeyRecord<String, Intent> record, Intent i, Seen first) {
        RecordMetadata m = context.recordMetadata().orElse(null);
        String topic = m == null ? "" : m.topic();
        int partition = m == null ? -1 : m.partition();
        long offset = m == null ? -1 : m.offset();
        String kind = i.getKind().name().toLowerCase(Locale.ROOT);
        return AuditRecord.newBuilder()
                .setKey(record.key()).setKind(kind).setNamespace(i.getNamespace()).setName(i.getName())
                .setChange(CHANGE).setActor(Actors.of(i, record.headers())).setIntentId(i.getIntentId())
                .setCause(m == null ? "" : topic + "/" + partition + "/" + offset)
                .setCauseTopic(topic).setCausePartition(partition).setCauseOffset(offset)
                .setMessage(i.getAction() + " " + record.key() + " with intent id " + i.getIntentId()
                        + " was already applied (first seen at " + first.cause() + "); this copy is dropped")
                .setAfter(AvroJson.encode(i)).setViewType("").setTimestamp(record.timestamp())
                .build();
    }

    private String cause() {
        return context.recordMetadata().map(m -> m.topic() + "/" + m.partition() + "/" + m.offset()).orElse("unknown");
    }

    static Bytes indexKey(long timestamp, String storeKey) {
        byte[] k = storeKey.getBytes(StandardCharsets.UTF_8);
        // sign bit flipped: byte order = numeric order, negative timestamps included
        return Bytes.wrap(ByteBuffer.allocate(8 + k.length).putLong(timestamp ^ Long.MIN_VALUE).put(k).array());
    }

    static long timeOf(Bytes indexKey) {
        return ByteBuffer.wrap(indexKey.get()).getLong() ^ Long.MIN_VALUE;
    }

    static String storeKeyOf(Bytes indexKey) {
        byte[] b = indexKey.get();
        return new String(b, 8, b.length - 8, StandardCharsets.UTF_8);
    }

    private static final Serde<Seen> SEEN_SERDE = Serdes.serdeFrom(
            (Serializer<Seen>) (topic, s) -> s == null ? null : ByteBuffer.allocate(8 + s.cause().getBytes(StandardCharsets.UTF_8).length)
                    .putLong(s.timestamp()).put(s.cause().getBytes(StandardCharsets.UTF_8)).array(),
            (Deserializer<Seen>) (topic, b) -> b == null ? null : new Seen(ByteBuffer.wrap(b).getLong(),
                    new String(b, 8, b.length - 8, StandardCharsets.UTF_8)));
}
