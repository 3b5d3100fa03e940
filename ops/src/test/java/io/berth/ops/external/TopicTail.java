package io.berth.ops.external;

import io.berth.schemas.Topic;
import io.berth.schemas.serde.AvroSerde;
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
import java.util.function.Function;
import java.util.function.Predicate;

/** Everything on one Berth topic from its beginning, read on demand; waits on conditions with a deadline. */
final class TopicTail<V extends SpecificRecord> implements AutoCloseable {
    static final Duration DEADLINE = Duration.ofSeconds(60);
    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroSerde<V> serde;
    private final String topic;
    private final List<V> values = new ArrayList<>();

    TopicTail(String bootstrap, Topic<V> topic, BerthSerdes serdes) {
        this.topic = topic.name();
        this.serde = serdes.value(topic);
        this.consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = consumer.partitionsFor(topic.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
    }

    /** Every non-tombstone value read so far, after one more poll. */
    synchronized List<V> all() {
        poll(Duration.ofMillis(200));
        return List.copyOf(values);
    }

    /** The first value matching, waiting up to {@link #DEADLINE}. */
    synchronized V await(String what, Predicate<V> match) {
        return waitFor(what, vs -> vs.stream().filter(match).findFirst().orElse(null));
    }

    /** Waits until {@code count} distinct record values match (distinct by their Avro equality). */
    synchronized List<V> awaitCount(String what, Predicate<V> match, int count) {
        return waitFor(what, vs -> {
            List<V> m = vs.stream().filter(match).toList();
            return m.size() >= count ? m : null;
        });
    }

    private <R> R waitFor(String what, Function<List<V>, R> check) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            R r = check.apply(values);
            if (r != null) return r;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + DEADLINE.toSeconds() + " s on " + topic + ": " + what + "; read " + values);
            }
            poll(Duration.ofMillis(200));
        }
    }

    private void poll(Duration d) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(d)) {
            if (r.value() != null) values.add(serde.deserialize(r.topic(), r.value()));
        }
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
