package io.berth.gateway.timetravel;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.AuditSnapshot;
import io.berth.schemas.serde.AvroSerde;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.*;

/**
 * Reading and writing snapshots on {@code berth.audit-snapshots}. Audit partition p's snapshots live in
 * snapshot partition {@code p % partitions}, written oldest first, each record stamped with the
 * snapshot's {@code maxTimestamp} (non-decreasing per audit partition: it is a running maximum). So
 * the newest snapshot valid at T is found without an index: {@code offsetsForTimes(T + 1)} is where
 * the snapshots too new for T begin, and the wanted one is just before — read backwards in a
 * window that grows until a complete snapshot (all its chunks) is in it.
 */
public final class Snapshots {
    /** A snapshot found on the log: the fold of every audit record of its partition below {@code offset}. */
    public record Found(int partition, long offset, AuditFold fold, int chunks) {}

    private Snapshots() {}

    public static TopicPartition partitionOf(int auditPartition, int snapshotPartitions) {
        return new TopicPartition(Topics.AUDIT_SNAPSHOTS.name(), auditPartition % snapshotPartitions);
    }

    /**
     * The newest complete snapshot of {@code auditPartition} valid at {@code t} (its maxTimestamp ≤ t;
     * {@code Long.MAX_VALUE}: the newest of all), read with {@code consumer} (whose assignment it changes).
     */
    public static Optional<Found> newest(KafkaConsumer<String, byte[]> consumer, AvroSerde<AuditSnapshot> serde,
                                         int snapshotPartitions, int auditPartition, long t) {
        TopicPartition tp = partitionOf(auditPartition, snapshotPartitions);
        return newest(consumer, serde, tp, bounds(consumer, List.of(tp), t).get(tp), auditPartition, t);
    }

    /** Per snapshot partition: where it begins, and where the snapshots too new for {@code t} begin. */
    public static Map<TopicPartition, long[]> bounds(KafkaConsumer<String, byte[]> consumer, Collection<TopicPartition> tps, long t) {
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps);
        Map<TopicPartition, Long> end = consumer.endOffsets(tps);
        Map<TopicPartition, OffsetAndTimestamp> after = t == Long.MAX_VALUE ? Map.of() : consumer.offsetsForTimes(
                tps.stream().collect(java.util.stream.Collectors.toMap(tp -> tp, tp -> t + 1)));
        Map<TopicPartition, long[]> out = new HashMap<>();
        for (TopicPartition tp : tps) {
            OffsetAndTimestamp o = after.get(tp);
            out.put(tp, new long[]{begin.get(tp), o == null ? end.get(tp) : o.offset()});
        }
        return out;
    }

    /** The newest complete snapshot of {@code auditPartition} valid at {@code t} in {@code tp} between {@code bounds} (begin, stop). */
    public static Optional<Found> newest(KafkaConsumer<String, byte[]> consumer, AvroSerde<AuditSnapshot> serde,
                                         TopicPartition tp, long[] bounds, int auditPartition, long t) {
        long begin = bounds[0], stop = bounds[1];
        if (stop <= begin) return Optional.empty();
        long window = 4;
        while (true) {
            long lo = Math.max(begin, stop - window);
            TreeMap<Long, List<AuditSnapshot>> byOffset = new TreeMap<>();
            for (AuditSnapshot s : read(consumer, serde, tp, lo, stop)) {
                if (s.getPartition() == auditPartition && s.getMaxTimestamp() <= t) {
                    byOffset.computeIfAbsent(s.getOffset(), k -> new ArrayList<>()).add(s);
                }
            }
            // the newest snapshot is cut by the window: look further back before settling for an older one
            boolean newestComplete = !byOffset.isEmpty() && SnapshotChunks.complete(byOffset.lastEntry().getValue());
            if (newestComplete || lo == begin) {
                for (Map.Entry<Long, List<AuditSnapshot>> e : byOffset.descendingMap().entrySet()) {
                    if (SnapshotChunks.complete(e.getValue())) {
                        return Optional.of(new Found(auditPartition, e.getKey(), SnapshotChunks.restore(e.getValue()),
                                e.getValue().get(0).getChunks()));
                    }
                }
                return Optional.empty();
            }
            window *= 4;
        }
    }

    private static List<AuditSnapshot> read(KafkaConsumer<String, byte[]> consumer, AvroSerde<AuditSnapshot> serde,
                                            TopicPartition tp, long from, long stop) {
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        List<AuditSnapshot> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (consumer.position(tp) < stop) {
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("timed out reading " + tp + " up to " + stop);
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() < stop && r.value() != null) out.add(serde.deserialize(r.topic(), r.value()));
            }
        }
        return out;
    }

    /** Appends the chunks of one snapshot, in order, stamped with its maxTimestamp; the caller flushes. */
    public static void write(KafkaProducer<String, byte[]> producer, AvroSerde<AuditSnapshot> serde, int snapshotPartitions, List<AuditSnapshot> chunks) {
        for (AuditSnapshot c : chunks) {
            TopicPartition tp = partitionOf(c.getPartition(), snapshotPartitions);
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), Math.max(0, c.getMaxTimestamp()),
                    SnapshotChunks.key(c.getPartition(), c.getOffset(), c.getChunk()), serde.serialize(tp.topic(), c)));
        }
    }
}
