package io.berth.node.mesh;

import io.berth.node.bus.EventPublisher;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.EndpointsView;
import io.berth.schemas.deadletter.DeadLetters;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.service.BerthConfig;
import io.vertx.core.Context;
import io.berth.node.bus.ConsumerThreadVerticle;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every daemon reads the WHOLE {@code berth.state.endpoints} topic (all partitions, from the beginning,
 * no consumer group, read_committed: state-streams writes it exactly-once) into the {@link ServiceTable}
 * and publishes each actual change as a {@link ServiceChange} on {@link MeshAddresses#services()}.
 * KafkaConsumer blocks, so it polls on its own thread; the table is applied on this verticle's context.
 * An undecodable record goes to {@code berth.dead-letters} and the consumer moves on.
 */
public final class ServiceTableVerticle extends ConsumerThreadVerticle {
    private static final Logger log = LoggerFactory.getLogger(ServiceTableVerticle.class);

    private final AvroSerde<EndpointsView> serde;
    private final EventPublisher publisher;
    private final MeshAddresses addr;
    private final ServiceTable table;
    private boolean syncedOnce;

    public ServiceTableVerticle(BerthConfig config, String nodeId, AvroSerde<EndpointsView> serde,
                                EventPublisher publisher, ServiceTable table) {
        super(log, config, nodeId, "endpoints", "endpoints");
        this.serde = serde;
        this.publisher = publisher;
        this.addr = new MeshAddresses(nodeId);
        this.table = table;
    }

    @Override
    protected void read(KafkaConsumer<String, byte[]> c, Context ctx) {
        List<TopicPartition> tps = new ArrayList<>();
        for (PartitionInfo pi : c.partitionsFor(Topics.ENDPOINTS.name())) tps.add(new TopicPartition(pi.topic(), pi.partition()));
        c.assign(tps);
        c.seekToBeginning(tps);
        Map<TopicPartition, Long> end = c.endOffsets(tps);
        boolean synced = false;
        Set<String> seen = new HashSet<>(); // keys read before the sync point of this session
        while (running()) {
            ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(200));
            long now = System.nanoTime();
            List<ServiceChange> batch = new ArrayList<>(records.count());
            for (ConsumerRecord<String, byte[]> r : records) {
                ServiceChange ch = decode(r, now);
                if (ch != null) batch.add(ch);
                if (!synced && r.key() != null) seen.add(r.key());
            }
            polled();
            boolean syncedNow = false;
            if (!synced && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                synced = syncedNow = true;
            }
            boolean announce = syncedNow;
            Set<String> present = syncedNow ? Set.copyOf(seen) : null;
            if (syncedNow) seen.clear();
            if (!batch.isEmpty() || announce) ctx.runOnContext(v -> apply(batch, present));
        }
    }

    private ServiceChange decode(ConsumerRecord<String, byte[]> r, long now) {
        if (r.key() == null) return null;
        if (r.value() == null) return new ServiceChange(r.key(), null, now);
        try {
            EndpointsView v = io.berth.registry.client.RegistryRetry.untilDecoded(() -> serde.deserialize(r.topic(), r.value()), this::running, 1000,
                    "node " + nodeId + ": endpoints " + r.key());
            return new ServiceChange(r.key(), v == null || v.getDeleted() ? null : v, now);
        } catch (RuntimeException e) {
            log.warn("node {}: endpoints {} at {}-{}@{} is undecodable: {}", nodeId, r.key(), r.topic(), r.partition(), r.offset(), e.toString());
            var dl = DeadLetters.of(r.topic(), r.partition(), r.offset(),
                    r.key().getBytes(StandardCharsets.UTF_8), r.value(), DeadLetters.reasonOf(e), e,
                    "node-daemon/" + nodeId + "/mesh", System.currentTimeMillis());
            publisher.publish(Topics.DEAD_LETTERS, r.key(), dl);
            publisher.publish(Topics.AUDIT, r.key(), DeadLetters.audit(dl, "node/" + nodeId));
            return null;
        }
    }

    /**
     * On the verticle's context: fold into the table, publish the real changes. At the sync point of a
     * session ({@code present} = every key read up to the end offsets seen at its start), services the
     * log no longer has (deleted while this consumer was restarting, tombstone compacted away) are
     * dropped, and the first time "synced" is announced.
     */
    private void apply(List<ServiceChange> batch, Set<String> present) {
        for (ServiceChange ch : batch) {
            if (table.apply(ch.key(), ch.view())) vertx.eventBus().publish(addr.services(), ch);
        }
        if (present == null) return;
        long now = System.nanoTime();
        for (String key : table.snapshot().keySet()) {
            if (!present.contains(key) && table.apply(key, null)) vertx.eventBus().publish(addr.services(), new ServiceChange(key, null, now));
        }
        if (!syncedOnce) {
            syncedOnce = true;
            log.info("node {}: service table synced, {} services", nodeId, table.snapshot().size());
            vertx.eventBus().publish(addr.servicesSynced(), null);
        }
    }
}
