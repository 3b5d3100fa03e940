package io.berth.node.it;

import io.berth.schemas.Topic;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** Reads a whole topic (every partition, from the beginning) and waits, by polling, for a record to appear. */
final class Tail<V extends SpecificRecord> implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final Topic<V> topic;
    private final BerthSerdes serdes;
    private final List<V> seen = new ArrayList<>();

    Tail(String bootstrap, Topic<V> topic, BerthSerdes serdes) {
        this.topic = topic;
        this.serdes = serdes;
        this.consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap), new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> tps = consumer.partitionsFor(topic.name()).stream()
                .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
    }

    /** Waits until a record matches; fails with the records seen so far. */
    V await(String what, Predicate<V> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<V> hit = seen.stream().filter(match).findFirst();
            if (hit.isPresent()) return hit.get();
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + " on " + topic.name() + "; saw " + seen);
            poll();
        }
    }

    List<V> all(Predicate<V> match) {
        poll();
        return seen.stream().filter(match).toList();
    }

    private void poll() {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            if (r.value() != null) seen.add(serdes.value(topic).deserialize(r.topic(), r.value()));
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(1));
    }
}
