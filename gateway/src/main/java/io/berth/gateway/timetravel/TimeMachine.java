package io.berth.gateway.timetravel;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.AuditSnapshot;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.*;

/**
 * Rebuilds the cluster at an instant T from {@code berth.audit} alone: per audit partition, the
 * newest snapshot valid at T (see {@link Snapshots}) or the partition's beginning, then the tail of
 * the partition folded with {@link AuditFold} (records with timestamp ≤ T), then rendered by
 * {@link PastState}.
 *
 * <p>Where the tail ends: at the first record stamped after {@code T + skewMs}
 * ({@code offsetsForTimes}). Audit timestamps are decision times, and writers on one partition
 * (several stream tasks) may interleave slightly out of order; a record stamped ≤ T that sits after
 * a record stamped later than T + skew is not seen. {@code skewMs} bounds that disorder (default 5 s).
 * One consumer per query (no group, read_committed), closed after it.
 */
public final class TimeMachine implements AutoCloseable {
    /** What a query did: where each partition started, how much it read, how long it took. */
    public record Stats(int snapshotsUsed, long snapshotEntries, long tailRecords, long millis,
                        long offsetsMs, long snapshotsMs, long tailMs, long renderMs) {}

    public record Result(PastState state, Stats stats, List<String> skipped) {}

    private final Properties props;
    private final AvroSerde<AuditRecord> audit;
    private final AvroSerde<AuditSnapshot> snapshots;
    private final long skewMs;
    /** Idle consumers kept between queries: creating one and fetching metadata costs more than a small query. */
    private final java.util.concurrent.ArrayBlockingQueue<KafkaConsumer<String, byte[]>> idle = new java.util.concurrent.ArrayBlockingQueue<>(4);

    public TimeMachine(Properties clientProps, BerthSerdes serdes, long skewMs) {
        this.props = new Properties();
        this.props.putAll(clientProps);
        this.props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        // a query moves its consumer from partition to partition: a fetch left parked at the end of a
        // partition would hold the next one up for fetch.max.wait.ms (500 ms by default)
        this.props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        this.props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(1024 * 1024));
        this.props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024));
        this.audit = serdes.value(AuditRecord.class);
        this.snapshots = serdes.value(AuditSnapshot.class);
        this.skewMs = skewMs;
    }

    /** The cluster at {@code t} (epoch ms); {@code useSnapshots=false} folds every partition from its beginning. */
    public Result stateAt(long t, boolean useSnapshots) {
        long started = System.nanoTime();
        KafkaConsumer<String, byte[]> consumer = idle.poll();
        if (consumer == null) consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        boolean healthy = false;
        try {
            Result r = fold(consumer, t, useSnapshots, started);
            healthy = true;
            return r;
        } finally {
            consumer.unsubscribe();
            if (!healthy || !idle.offer(consumer)) consumer.close(Duration.ofSeconds(1));
        }
    }

    private Result fold(KafkaConsumer<String, byte[]> consumer, long t, boolean useSnapshots, long started) {
        int used = 0;
        long entries = 0, tail = 0;
        int partitions = consumer.partitionsFor(Topics.AUDIT.name(), Duration.ofSeconds(30)).size();
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) tps.add(new TopicPartition(Topics.AUDIT.name(), p));
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps);
        Map<TopicPartition, Long> end = consumer.endOffsets(tps);
        Map<TopicPartition, Long> target = new HashMap<>();
        long bound = t > Long.MAX_VALUE - skewMs - 1 ? Long.MAX_VALUE : t + skewMs + 1;
        for (TopicPartition tp : tps) target.put(tp, bound);
        Map<TopicPartition, OffsetAndTimestamp> after = consumer.offsetsForTimes(target);
        Map<TopicPartition, Long> from = new HashMap<>(), stop = new HashMap<>();
        for (TopicPartition tp : tps) {
            OffsetAndTimestamp o = after.get(tp);
            stop.put(tp, o == null ? end.get(tp) : o.offset());
            from.put(tp, begin.get(tp));
        }
        Map<TopicPartition, long[]> snapshotBounds = Map.of();
        int snapshotPartitions = 0;
        if (useSnapshots) {
            snapshotPartitions = consumer.partitionsFor(Topics.AUDIT_SNAPSHOTS.name(), Duration.ofSeconds(30)).size();
            Set<TopicPartition> sps = new HashSet<>();
            for (TopicPartition tp : tps) if (stop.get(tp) > begin.get(tp)) sps.add(Snapshots.partitionOf(tp.partition(), snapshotPartitions));
            if (!sps.isEmpty()) snapshotBounds = Snapshots.bounds(consumer, sps, t);
        }
        long offsetsDone = System.nanoTime();
        Map<Integer, AuditFold> folds = new HashMap<>();
        for (TopicPartition tp : tps) {
            AuditFold fold = new AuditFold();
            TopicPartition sp = useSnapshots ? Snapshots.partitionOf(tp.partition(), snapshotPartitions) : null;
            if (sp != null && snapshotBounds.containsKey(sp)) {
                Optional<Snapshots.Found> found = Snapshots.newest(consumer, snapshots, sp, snapshotBounds.get(sp), tp.partition(), t);
                if (found.isPresent() && found.get().offset() > from.get(tp)) {
                    fold = found.get().fold();
                    from.put(tp, found.get().offset());
                    used++;
                    entries += fold.views().size();
                }
            }
            folds.put(tp.partition(), fold);
        }
        long snapshotsDone = System.nanoTime();
        List<TopicPartition> todo = new ArrayList<>();
        for (TopicPartition tp : tps) if (from.get(tp) < stop.get(tp)) todo.add(tp);
        consumer.assign(todo);
        for (TopicPartition tp : todo) consumer.seek(tp, from.get(tp));
        long deadline = System.currentTimeMillis() + 120_000;
        while (!todo.isEmpty()) {
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("timed out reading " + Topics.AUDIT.name());
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (r.offset() >= stop.get(tp) || r.value() == null) continue;
                tail++;
                AuditRecord a;
                try {
                    a = audit.deserialize(r.topic(), r.value());
                } catch (RuntimeException e) {
                    continue; // an undecodable audit record changes no view
                }
                folds.get(r.partition()).apply(a.getKey(), a.getViewType(), a.getAfter(), r.timestamp(), t);
            }
            List<TopicPartition> done = new ArrayList<>();
            for (TopicPartition tp : todo) if (consumer.position(tp) >= stop.get(tp)) done.add(tp);
            if (!done.isEmpty()) {
                todo.removeAll(done);
                consumer.pause(done);
            }
        }
        long tailDone = System.nanoTime();
        Map<String, AuditFold.Latest> all = new HashMap<>();
        for (AuditFold f : folds.values()) all.putAll(f.views());
        List<String> skipped = new ArrayList<>();
        PastState state = PastState.render(t, all.values(), skipped);
        long now = System.nanoTime();
        return new Result(state, new Stats(used, entries, tail, (now - started) / 1_000_000, (offsetsDone - started) / 1_000_000,
                (snapshotsDone - offsetsDone) / 1_000_000, (tailDone - snapshotsDone) / 1_000_000, (now - tailDone) / 1_000_000), skipped);
    }

    public Result stateAt(long t) {
        return stateAt(t, true);
    }

    /** Closes the idle consumers. */
    @Override
    public void close() {
        for (KafkaConsumer<String, byte[]> c; (c = idle.poll()) != null; ) c.close(Duration.ofSeconds(1));
    }
}
