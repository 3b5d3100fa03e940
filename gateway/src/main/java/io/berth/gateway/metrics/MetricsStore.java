package io.berth.gateway.metrics;

import io.berth.gateway.ConsumerLoop;
import io.berth.schemas.Topics;
import io.berth.schemas.auth.NodeKeys;
import io.berth.schemas.avro.NodeStats;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The latest usage window of every node, read from {@code berth.node-stats} by one plain consumer on its own
 * thread (no group; at start it seeks to {@code maxAge} ago, so a restarted gateway serves metrics at once).
 * A record is kept only when its node signed it ({@link NodeKeys}, when the gateway has the cluster secret) and
 * it is readable; others are counted, logged once per node, and skipped: every gateway reads every record, so
 * they are not dead-lettered here (N gateways would write N copies). Reads take no lock.
 */
public final class MetricsStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsStore.class);

    private final Properties props;
    private final BerthSerdes serdes;
    private final byte[] clusterSecret;
    private final long maxAgeMs;
    private final LongSupplier clock;
    private final Map<String, NodeStats> latest = new ConcurrentHashMap<>();
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    private final Map<String, Boolean> refusalSaid = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private ConsumerLoop reader;

    /** @param clusterSecret null: signatures are not checked (fixtures without a secret) */
    public MetricsStore(Properties consumerProps, BerthSerdes serdes, byte[] clusterSecret, long maxAgeMs, LongSupplier clock) {
        this.props = consumerProps;
        this.serdes = serdes;
        this.clusterSecret = clusterSecret == null ? null : clusterSecret.clone();
        this.maxAgeMs = maxAgeMs;
        this.clock = clock;
    }

    public void start() {
        Properties p = new Properties();
        p.putAll(props);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        reader = new ConsumerLoop(consumer, "metrics store", log);
        reader.start("gateway-metrics", () -> loop(consumer));
    }

    private void loop(KafkaConsumer<String, byte[]> consumer) throws InterruptedException {
        List<PartitionInfo> parts = consumer.partitionsFor(Topics.NODE_STATS.name(), Duration.ofSeconds(30));
        while (parts.isEmpty() && reader.running()) { // a cluster created before the topic existed: berth up creates it
            log.warn("metrics: topic {} not found; retrying in 5 s", Topics.NODE_STATS.name());
            Thread.sleep(5000); // this reader's own thread
            parts = consumer.partitionsFor(Topics.NODE_STATS.name(), Duration.ofSeconds(30));
        }
        List<TopicPartition> all = new ArrayList<>();
        for (PartitionInfo pi : parts) all.add(new TopicPartition(pi.topic(), pi.partition()));
        consumer.assign(all);
        Map<TopicPartition, Long> since = new HashMap<>();
        for (TopicPartition tp : all) since.put(tp, clock.getAsLong() - maxAgeMs);
        Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(since);
        for (TopicPartition tp : all) {
            OffsetAndTimestamp o = from.get(tp);
            if (o == null) consumer.seekToEnd(List.of(tp));
            else consumer.seek(tp, o.offset());
        }
        while (reader.running()) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) accept(r);
        }
    }

    private void accept(ConsumerRecord<String, byte[]> r) {
        NodeStats s;
        try {
            s = serdes.value(NodeStats.class).deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            refuse(r.key(), "unreadable: " + e.getMessage(), r);
            return;
        }
        if (s == null) return;
        if (!s.getNodeId().equals(r.key())) {
            refuse(r.key(), "keyed " + r.key() + " but names node " + s.getNodeId(), r);
            return;
        }
        if (clusterSecret != null) {
            NodeKeys.stampDigest(r.headers(), r.value());
            Optional<String> problem = NodeKeys.verify(n -> keys.computeIfAbsent(n, id -> NodeKeys.nodeKey(clusterSecret, id)),
                    r.topic(), r.key(), r.headers()).problemFor(s.getNodeId());
            if (problem.isPresent()) {
                refuse(r.key(), problem.get(), r);
                return;
            }
        }
        latest.merge(s.getNodeId(), s, (old, neu) -> neu.getTimestamp() >= old.getTimestamp() ? neu : old);
    }

    private void refuse(String key, String why, ConsumerRecord<String, byte[]> r) {
        refused.incrementAndGet();
        if (refusalSaid.putIfAbsent(String.valueOf(key), Boolean.TRUE) == null) {
            log.warn("metrics: record {}-{}@{} (key {}) skipped: {} (said once per key)", r.topic(), r.partition(), r.offset(), key, why);
        }
    }

    /** The latest window of node {@code nodeId}, unless older than the max age by the gateway's clock. */
    public Optional<NodeStats> node(String nodeId) {
        NodeStats s = latest.get(nodeId);
        if (s == null || clock.getAsLong() - s.getTimestamp() > maxAgeMs) return Optional.empty();
        return Optional.of(s);
    }

    /** Every node's latest window that is not too old. */
    public List<NodeStats> fresh() {
        long now = clock.getAsLong();
        return latest.values().stream().filter(s -> now - s.getTimestamp() <= maxAgeMs).toList();
    }

    /** Records skipped so far (unreadable, or not signed by the node they name). */
    public long refused() {
        return refused.get();
    }

    @Override
    public void close() {
        if (reader != null) reader.close();
    }
}
