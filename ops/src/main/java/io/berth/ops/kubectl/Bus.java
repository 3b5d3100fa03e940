package io.berth.ops.kubectl;

import io.berth.gateway.manifest.Intents;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.service.BerthConfig;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/** The CLI's Kafka edge: produces intents and reads compacted views. One short-lived client per call. */
final class Bus {
    private final BerthConfig kafka;
    private final String bootstrapServers;
    private final SchemaRegistryClient registry;
    private final Duration timeout;

    /** @param kafka the bootstrap servers and the operator's client settings ({@code --kafka-config}) */
    Bus(BerthConfig kafka, SchemaRegistryClient registry, Duration timeout) {
        this.kafka = kafka;
        this.bootstrapServers = kafka.bootstrapServers();
        this.registry = registry;
        this.timeout = timeout;
    }

    /**
     * Appends the intents to {@link Topics#INTENTS} (acks=all, idempotent) in order, keyed by resource
     * key, and waits until every one is acknowledged.
     */
    List<RecordMetadata> produce(List<Intent> intents) throws ExecutionException, InterruptedException {
        Map<String, Object> config = kafka.clientMap("berth-cli");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 15_000));
        AvroSerde<Intent> serde = new AvroSerde<>(registry, Intent.class);
        try (KafkaProducer<String, Intent> producer = new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (Intent i : intents) sent.add(producer.send(new ProducerRecord<>(Topics.INTENTS.name(), Intents.key(i), i)));
            producer.flush();
            List<RecordMetadata> acked = new ArrayList<>();
            for (Future<RecordMetadata> f : sent) acked.add(f.get());
            return acked;
        }
    }

    /**
     * The current content of a compacted view: every partition read from the beginning up to the end
     * offsets taken at the start, the last value per key, tombstones removing the key. A plain
     * consumer (no group) so nothing is committed. Records that do not decode are reported and skipped.
     */
    <V extends SpecificRecord> Map<String, V> read(Topic<V> topic, Consumer<String> warn) {
        Map<String, Object> config = kafka.clientMap("berth-cli");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 15_000));
        AvroSerde<V> serde = new AvroSerde<>(registry, topic.valueClass());
        Map<String, V> state = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic.name(), timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic.name() + " does not exist at " + bootstrapServers + "; is Berth running?");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + topic.name() + " from " + bootstrapServers);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        state.remove(r.key());
                        continue;
                    }
                    try {
                        state.put(r.key(), serde.deserialize(r.topic(), r.value()));
                    } catch (RuntimeException e) {
                        warn.accept("skipping " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + e.getMessage());
                    }
                }
            }
        }
        return state;
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }
}
