package io.berth.node.assign;

import io.berth.node.bus.Addresses;
import io.berth.node.bus.AssignmentChange;
import io.berth.node.bus.EventPublisher;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.service.BerthConfig;
import io.berth.node.bus.ConsumerThreadVerticle;
import io.vertx.core.Context;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Reads this node's partition of the compacted assignment log from the beginning, without a
 * consumer group (the log itself is the state; nothing to commit), and forwards the records keyed
 * {@code nodeId/…} to the reconciler. Once it has read up to the end offset it saw at start, it
 * says so: only then may the reconciler remove containers it has no assignment for.
 * KafkaConsumer blocks, so it runs on its own thread, never on an event loop.
 */
public final class AssignmentConsumerVerticle extends ConsumerThreadVerticle {
    private static final Logger log = LoggerFactory.getLogger(AssignmentConsumerVerticle.class);

    private final AvroSerde<Assignment> serde;
    private final EventPublisher publisher;
    private final Addresses addr;

    public AssignmentConsumerVerticle(BerthConfig config, String nodeId, AvroSerde<Assignment> serde, EventPublisher publisher) {
        // the scheduler writes transactionally (exactly_once_v2): read_committed never acts on an aborted placement
        super(log, config, nodeId, "assignments", "assignment");
        this.serde = serde;
        this.publisher = publisher;
        this.addr = new Addresses(nodeId);
    }

    /** Reads until stopped. Re-reading from the start is safe: every handler is idempotent. */
    @Override
    protected void read(KafkaConsumer<String, byte[]> c, Context ctx) {
        TopicPartition tp = partition(c);
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        long end = c.endOffsets(List.of(tp)).get(tp);
        boolean synced = false;
        String prefix = nodeId + "/";
        while (running()) {
            ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(200));
            if (foreignCluster()) return; // polled from another cluster: not one of its assignments is acted on
            for (ConsumerRecord<String, byte[]> r : records) {
                if (r.key() != null && r.key().startsWith(prefix)) forward(r, r.key().substring(prefix.length()));
            }
            polled();
            if (!synced && c.position(tp) >= end) {
                synced = true;
                vertx.eventBus().send(addr.assignmentsSynced(), null);
            }
        }
    }

    private TopicPartition partition(KafkaConsumer<String, byte[]> c) {
        int n = c.partitionsFor(Topics.ASSIGNMENTS.name()).size();
        return new TopicPartition(Topics.ASSIGNMENTS.name(), Topics.assignmentPartition(nodeId, n));
    }

    private void forward(ConsumerRecord<String, byte[]> r, String taskId) {
        Assignment a;
        try {
            // a registry that is down is waited for (the node falls behind), never a reason to park a good assignment
            a = io.berth.registry.client.RegistryRetry.untilDecoded(() -> serde.deserialize(r.topic(), r.value()), this::running, 1000,
                    "node " + nodeId + ": assignment " + r.key());
        } catch (RuntimeException e) {
            if (!running()) return;
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
        io.berth.schemas.metrics.ProcessMetrics.deadLetter(r.topic());
        publisher.publish(Topics.DEAD_LETTERS, r.key(), dl);
        publisher.publish(Topics.AUDIT, r.key(), io.berth.schemas.deadletter.DeadLetters.audit(dl, "node/" + nodeId));
    }
}
