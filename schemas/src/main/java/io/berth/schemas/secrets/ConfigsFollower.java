package io.berth.schemas.secrets;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.ConfigObject;
import io.berth.schemas.service.PartitionFollower;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Reads the compacted {@code berth.configs} whole from the beginning and follows it on one thread,
 * keeping every Secret and ConfigMap in memory as stored (a Secret's values stay encrypted here).
 * Used by the gateway (to serve them; {@link #awaitRead} for read-your-writes) and by every node
 * daemon (to resolve the pods it runs).
 */
public final class ConfigsFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigsFollower.class);
    private static final TopicPartition PARTITION = new TopicPartition(Topics.CONFIGS.name(), 0);

    /** An object with the offset that wrote it (its resourceVersion). */
    public record Stored(ConfigObject object, long offset) {}

    private final Deserializer<ConfigObject> deserializer;
    private final Map<String, Stored> objects = new ConcurrentSkipListMap<>();
    private final PartitionFollower follower;
    private volatile Runnable onChange = () -> {};

    public ConfigsFollower(Properties clientProps, Deserializer<ConfigObject> deserializer) {
        this.deserializer = deserializer;
        this.follower = new PartitionFollower(clientProps, PARTITION, this::apply, () -> onChange.run());
    }

    /** Called on the reader thread after every batch that changed something. */
    public ConfigsFollower onChange(Runnable r) {
        this.onChange = r;
        return this;
    }

    public ConfigsFollower start(String threadName) {
        follower.start(threadName);
        return this;
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return follower.awaitCaughtUp(timeout);
    }

    public Optional<Stored> get(String kind, String namespace, String name) {
        return Optional.ofNullable(objects.get(key(kind, namespace, name)));
    }

    /** Every object, ordered by key ({@code Kind/namespace/name}). */
    public List<Stored> all() {
        return List.copyOf(objects.values());
    }

    public static String key(String kind, String namespace, String name) {
        return kind + "/" + namespace + "/" + name;
    }

    /** Completes when the reader's position is past {@code offset}. */
    public CompletableFuture<Void> awaitRead(long offset) {
        return follower.awaitRead(offset);
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            objects.remove(r.key());
            return;
        }
        try {
            objects.put(r.key(), new Stored(deserializer.deserialize(r.topic(), r.value()), r.offset()));
        } catch (Exception e) {
            log.warn("skipping unreadable berth.configs record {} at offset {}: {}", r.key(), r.offset(), e.toString());
        }
    }

    @Override
    public void close() {
        follower.close();
    }
}
