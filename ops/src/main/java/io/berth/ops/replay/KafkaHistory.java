package io.berth.ops.replay;

import io.berth.schemas.service.BerthConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.*;

/**
 * Reads recorded topics from Kafka for a replay: every partition from its beginning up to the end
 * offsets taken at the start, read_committed, with a plain consumer (no group, nothing committed,
 * nothing written).
 */
public final class KafkaHistory {
    private final BerthConfig kafka;
    private final Duration timeout;

    public KafkaHistory(String bootstrapServers, Duration timeout) {
        this(BerthConfig.of(bootstrapServers, null, java.nio.file.Path.of(".")), timeout);
    }

    /** @param kafka the bootstrap servers and the operator's client settings ({@code --kafka-config}) */
    public KafkaHistory(BerthConfig kafka, Duration timeout) {
        this.kafka = kafka;
        this.timeout = timeout;
    }

    /** The partition count of {@code topic} (0 when it does not exist). */
    public int partitions(String topic) {
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            List<PartitionInfo> ps = c.partitionsFor(topic, timeout);
            return ps == null ? 0 : ps.size();
        }
    }

    public List<Recorded> read(Collection<String> topics) {
        List<Recorded> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            List<TopicPartition> tps = new ArrayList<>();
            for (String t : topics) {
                List<PartitionInfo> ps = c.partitionsFor(t, timeout);
                if (ps != null) ps.forEach(p -> tps.add(new TopicPartition(t, p.partition())));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(tps, timeout));
            end.entrySet().removeIf(e -> c.position(e.getKey(), timeout) >= e.getValue());
            long deadline = System.nanoTime() + timeout.toNanos() * 10;
            while (!end.isEmpty()) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("timed out reading " + end.keySet());
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    Map<String, String> headers = new LinkedHashMap<>();
                    for (Header h : r.headers()) headers.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
                    out.add(new Recorded(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value(), headers));
                }
                end.entrySet().removeIf(e -> c.position(e.getKey(), timeout) >= e.getValue());
            }
        }
        return out;
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties p = kafka.clientProps("berth-replay");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
