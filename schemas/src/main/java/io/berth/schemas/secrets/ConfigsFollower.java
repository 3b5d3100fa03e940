package io.berth.schemas.secrets;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.ConfigObject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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

    private final Properties clientProps;
    private final Deserializer<ConfigObject> deserializer;
    private final Map<String, Stored> objects = new ConcurrentSkipListMap<>();
    private final Map<CompletableFuture<Void>, Long> waiting = new ConcurrentHashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile long position;
    private volatile boolean running = true;
    private volatile Runnable onChange = () -> {};
    private Thread reader;

    public ConfigsFollower(Properties clientProps, Deserializer<ConfigObject> deserializer) {
        this.clientProps = clientProps;
        this.deserializer = deserializer;
    }

    /** Called on the reader thread after every batch that changed something. */
    public ConfigsFollower onChange(Runnable r) {
        this.onChange = r;
        return this;
    }

    public ConfigsFollower start(String threadName) {
        reader = new Thread(this::follow, threadName);
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiting.put(f, offset);
        if (position > offset) release();
        return f.orTimeout(30, TimeUnit.SECONDS).whenComplete((x, err) -> waiting.remove(f));
    }

    private void release() {
        long pos = position;
        waiting.forEach((f, offset) -> {
            if (pos > offset && waiting.remove(f) != null) f.complete(null);
        });
    }

    private void follow() {
        Properties p = new Properties();
        p.putAll(clientProps);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientProps.getProperty("client.id", "berth") + "-configs");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(PARTITION));
            consumer.seekToBeginning(List.of(PARTITION));
            long end = consumer.endOffsets(List.of(PARTITION), Duration.ofSeconds(30)).get(PARTITION);
            while (running) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : records) apply(r);
                position = consumer.position(PARTITION);
                if (!records.isEmpty()) onChange.run();
                if (position >= end) caughtUp.countDown();
                release();
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // closing
        } catch (Exception e) {
            log.error("the berth.configs reader stopped; Secrets and ConfigMaps stay as last read", e);
        }
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
        running = false;
        if (reader != null) {
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
