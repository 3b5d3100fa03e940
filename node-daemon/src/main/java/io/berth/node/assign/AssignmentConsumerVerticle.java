package io.berth.node.assign;

import io.berth.node.bus.Addresses;
import io.berth.node.bus.AssignmentChange;
import io.berth.node.bus.EventPublisher;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.service.BerthConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * Reads this node's partition of the compacted assignment log from the beginning, without a
 * consumer group (the log itself is the state; nothing to commit), and forwards the records keyed
 * {@code nodeId/…} to the reconciler. Once it has read up to the end offset it saw at start, it
 * says so: only then may the reconciler remove containers it has no assignment for.
 * KafkaConsumer blocks, so it runs on its own thread, never on an event loop.
 */
public final class AssignmentConsumerVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(AssignmentConsumerVerticle.class);

    private final BerthConfig config;
    private final String nodeId;
    private final AvroSerde<Assignment> serde;
    private final EventPublisher publisher;
    private final Addresses addr;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Promise<Void> exited;
    private volatile long retryMs = 500;

    public AssignmentConsumerVerticle(BerthConfig config, String nodeId, AvroSerde<Assignment> serde, EventPublisher publisher) {
        this.config = config;
        this.nodeId = nodeId;
        this.serde = serde;
        this.publisher = publisher;
        this.addr = new Addresses(nodeId);
    }

    @Override
    public Future<?> start() {
        session();
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c == null) return Future.succeededFuture();
        c.wakeup();
        return exited.future();
    }

    /** One consumer on its own thread; if it fails, a fresh one starts after a back-off (on a Vert.x timer). */
    private void session() {
        if (!running) return;
        Properties p = config.clientProps("berth-node-" + nodeId + "-assignments");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // the scheduler writes transactionally (exactly_once_v2): never act on an aborted placement
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        exited = Promise.promise();
        Promise<Void> done = exited;
        KafkaConsumer<String, byte[]> c = consumer;
        Thread t = new Thread(() -> {
            boolean failed = loop(c);
            done.tryComplete();
            if (failed && running) {
                long delay = retryMs;
                retryMs = Math.min(30_000, retryMs * 2);
                vertx.setTimer(delay, id -> session());
            }
        }, "berth-node-" + nodeId + "-assignments");
        t.setDaemon(true);
        t.start();
    }

    /** Reads until stopped; returns true if it ended by failure. Re-reading from the start is safe: every handler is idempotent. */
    private boolean loop(KafkaConsumer<String, byte[]> c) {
        try {
            TopicPartition tp = partition(c);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            boolean synced = false;
            String prefix = nodeId + "/";
            while (running) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.key().startsWith(prefix)) forward(r, r.key().substring(prefix.length()));
                }
                retryMs = 500;
                if (!synced && c.position(tp) >= end) {
                    synced = true;
                    vertx.eventBus().send(addr.assignmentsSynced(), null);
                }
            }
            return false;
        } catch (WakeupException e) {
            return running;
        } catch (RuntimeException e) {
            log.error("node {}: assignment consumer failed; restarting it in {} ms", nodeId, retryMs, e);
            return true;
        } finally {
            c.close(Duration.ofSeconds(2));
        }
    }

    private TopicPartition partition(KafkaConsumer<String, byte[]> c) {
        int n = c.partitionsFor(Topics.ASSIGNMENTS.name()).size();
        return new TopicPartition(Topics.ASSIGNMENTS.name(), Topics.assignmentPartition(nodeId, n));
    }

    private void forward(ConsumerRecord<String, byte[]> r, String taskId) {
        Assignment a;
        try {
            a = serde.deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            deadLetter(r, e);
            return;
        }
        vertx.eventBus().send(addr.assignments(), new AssignmentChange(taskId, a));
    }

    /** An undecodable assignment is parked, not retried: the next records of the node still apply. */
    private void deadLetter(ConsumerRecord<String, byte[]> r, RuntimeException e) {
        log.warn("node {}: assignment {} at offset {} is undecodable: {}", nodeId, r.key(), r.offset(), e.toString());
        DeadLetter dl = DeadLetter.newBuilder()
                .setSourceTopic(r.topic()).setPartition(r.partition()).setOffset(r.offset())
                .setKey(ByteBuffer.wrap(r.key().getBytes(StandardCharsets.UTF_8)))
                .setValue(r.value() == null ? null : ByteBuffer.wrap(r.value()))
                .setReason(String.valueOf(e.getMessage())).setExceptionClass(e.getClass().getName())
                .setComponent("node-daemon/" + nodeId).setTimestamp(System.currentTimeMillis())
                .build();
        publisher.publish(Topics.DEAD_LETTERS, r.key(), dl);
    }
}
