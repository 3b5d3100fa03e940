package io.berth.gateway.timetravel;

import io.berth.gateway.ConsumerLoop;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.AuditSnapshot;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.*;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a snapshot of each {@code berth.audit} partition every {@code every} offsets, in the
 * background, so a time-travel query folds at most about {@code every} records per partition after
 * the snapshot it starts from.
 *
 * <p>The snapshot at offset k·every of partition p is the fold of every record of p below k·every —
 * taken when the first record at or past k·every is read (so it is never a partial batch), and only
 * for the highest boundary crossed when a gap (transaction markers, aborted records) skips several.
 * Its content depends only on the log, so two gateways writing it produce equal records on a
 * compacted topic: harmless. On start the writer resumes from the newest snapshot of each partition
 * instead of refolding the whole history.
 */
public final class SnapshotWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SnapshotWriter.class);
    private final Properties props;
    private final AvroSerde<AuditRecord> audit;
    private final AvroSerde<AuditSnapshot> snapshots;
    private final long every;
    private final AtomicLong written = new AtomicLong();
    private final Map<Integer, Long> lastOffset = new java.util.concurrent.ConcurrentHashMap<>();
    private KafkaConsumer<String, byte[]> consumer;
    private ConsumerLoop reader;

    public SnapshotWriter(Properties clientProps, BerthSerdes serdes, long every) {
        if (every < 1) throw new IllegalArgumentException("snapshot interval must be ≥ 1, was " + every);
        this.props = clientProps;
        this.audit = serdes.value(AuditRecord.class);
        this.snapshots = serdes.value(AuditSnapshot.class);
        this.every = every;
    }

    public void start() {
        Properties p = new Properties();
        p.putAll(props);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        reader = new ConsumerLoop(consumer, "audit snapshot writer", log);
        reader.start("gateway-audit-snapshots", this::loop);
    }

    /** Snapshots written by this writer since it started. */
    public long written() {
        return written.get();
    }

    /** The offset of the newest snapshot of each partition, written or found on start. */
    public Map<Integer, Long> lastOffsets() {
        return Map.copyOf(lastOffset);
    }

    private void loop() {
        Properties pp = new Properties();
        pp.putAll(props);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        pp.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
            int auditPartitions = consumer.partitionsFor(Topics.AUDIT.name(), Duration.ofSeconds(30)).size();
            int snapshotPartitions = consumer.partitionsFor(Topics.AUDIT_SNAPSHOTS.name(), Duration.ofSeconds(30)).size();
            Map<Integer, AuditFold> folds = new HashMap<>();
            Map<Integer, Long> resume = new HashMap<>();
            for (int p = 0; p < auditPartitions; p++) {
                Optional<Snapshots.Found> found = Snapshots.newest(consumer, snapshots, snapshotPartitions, p, Long.MAX_VALUE);
                folds.put(p, found.map(Snapshots.Found::fold).orElseGet(AuditFold::new));
                resume.put(p, found.map(Snapshots.Found::offset).orElse(-1L));
                found.ifPresent(f -> lastOffset.put(f.partition(), f.offset()));
            }
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < auditPartitions; p++) tps.add(new TopicPartition(Topics.AUDIT.name(), p));
            consumer.assign(tps);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps);
            for (TopicPartition tp : tps) consumer.seek(tp, Math.max(begin.get(tp), resume.get(tp.partition())));
            Map<Integer, Long> last = new HashMap<>(resume);
            while (reader.running()) {
                boolean wrote = false;
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    int p = r.partition();
                    long boundary = r.offset() / every * every;
                    AuditFold fold = folds.get(p);
                    if (boundary > 0 && boundary > last.get(p)) {
                        Snapshots.write(producer, snapshots, snapshotPartitions, SnapshotChunks.cut(p, boundary, fold));
                        last.put(p, boundary);
                        lastOffset.put(p, boundary);
                        written.incrementAndGet();
                        wrote = true;
                    }
                    if (r.value() == null) continue;
                    AuditRecord a;
                    try {
                        a = audit.deserialize(r.topic(), r.value());
                    } catch (RuntimeException e) {
                        log.warn("audit snapshots: skipping undecodable record {}-{}@{}: {}", r.topic(), p, r.offset(), e.toString());
                        continue;
                    }
                    fold.apply(a.getKey(), a.getViewType(), a.getAfter(), r.timestamp());
                }
                if (wrote) producer.flush();
            }
        }
    }

    @Override
    public void close() {
        if (reader != null) reader.close();
    }
}
