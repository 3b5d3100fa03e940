package io.berth.node.bus;

import io.berth.node.NodeSettings;
import io.berth.schemas.Topic;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's one producer (node events, task status, dead letters), signing every record with
 * the node's key ({@link NodeSigner}). Serialization may call
 * the schema registry over HTTP and {@code send} may block on metadata, so both run on one
 * dedicated thread, which also keeps every record in the order it was published: a task's
 * RUNNING never overtakes its CREATED.
 */
public final class EventPublisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final BerthSerdes serdes;
    private final NodeSigner signer;
    private final io.berth.node.join.ClusterGuard guard;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "berth-node-publisher");
        t.setDaemon(true);
        return t;
    });

    /** Unsigned (fixtures without a cluster secret). */
    public EventPublisher(BerthConfig config, NodeSettings node, BerthSerdes serdes) {
        this(config, node, serdes, NodeSigner.none());
    }

    /** @param signer signs every record ({@link NodeSigner}): node identity is a credential */
    public EventPublisher(BerthConfig config, NodeSettings node, BerthSerdes serdes, NodeSigner signer) {
        this(config, node, serdes, signer, io.berth.node.join.ClusterGuard.none());
    }

    /** @param guard trips when the producer finds itself on another cluster; nothing is sent after that */
    public EventPublisher(BerthConfig config, NodeSettings node, BerthSerdes serdes, NodeSigner signer, io.berth.node.join.ClusterGuard guard) {
        Properties p = config.clientProps("berth-node-" + node.nodeId());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        this.producer = new KafkaProducer<>(p, guard.keySerializer(), new ByteArraySerializer());
        this.serdes = serdes;
        this.signer = signer;
        this.guard = guard;
    }

    /** Publishes one record; the future completes when the broker acknowledged it (acks=all). */
    public <V extends SpecificRecord> CompletableFuture<RecordMetadata> publish(Topic<V> topic, String key, V value) {
        return publish(topic, null, key, value);
    }

    /** As {@link #publish(Topic, String, SpecificRecord)} to an explicit partition. */
    public <V extends SpecificRecord> CompletableFuture<RecordMetadata> publish(Topic<V> topic, Integer partition, String key, V value) {
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        try {
            thread.execute(() -> send(topic, partition, key, value, done));
        } catch (RuntimeException rejected) { // closed
            done.completeExceptionally(rejected);
        }
        return done;
    }

    private <V extends SpecificRecord> void send(Topic<V> topic, Integer partition, String key, V value,
                                                CompletableFuture<RecordMetadata> done) {
        if (guard.tripped()) { // never write into another cluster
            done.completeExceptionally(new IllegalStateException("not sent: the broker belongs to another cluster (" + guard.seen() + ")"));
            return;
        }
        try {
            byte[] bytes = serdes.value(topic).serialize(topic.name(), value);
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic.name(), partition, key, bytes);
            signer.sign(record.headers(), topic.name(), key, bytes, value);
            producer.send(record, (md, err) -> {
                if (err != null) done.completeExceptionally(err);
                else done.complete(md);
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    /**
     * Closes at once, failing every record not yet acknowledged instead of sending it (the broker turned out to
     * belong to another cluster: what was queued for the old one must not land in the new one).
     */
    public void abort() {
        thread.shutdownNow();
        producer.close(Duration.ZERO);
    }

    /** Sends what is queued, waits for acknowledgements (up to the timeout), then closes. */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /**
     * As {@link #close()} within {@code timeout} in all (half to hand over the queue, the rest to flush):
     * with the broker gone nothing is acknowledged, and a stop must not wait for it.
     */
    public void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        thread.shutdown();
        try {
            thread.awaitTermination(timeout.toMillis() / 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.shutdownNow();
        producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
}
