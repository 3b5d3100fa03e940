package io.berth.node.sim;

import io.berth.node.bus.Addresses;
import io.berth.node.bus.AssignmentChange;
import io.berth.node.bus.ConsumerThreadVerticle;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.service.BerthConfig;
import io.vertx.core.Context;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.PartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The assignment log read ONCE for many simulated daemons: one KafkaConsumer assigned to every
 * partition of berth.assignments (no group, from the beginning, read_committed, as each daemon's
 * {@code AssignmentConsumerVerticle}), dispatching each record by its key {@code nodeId/taskId} to
 * that node's reconciler address, and telling every node "synced" once the end offsets seen at
 * start are reached. What each reconciler receives is exactly what its own consumer would have
 * forwarded (same records, same order per node: one node's records are on one partition); what
 * differs is the transport — one fetch session instead of one per node, so a thousand daemons do
 * not cost a thousand consumer threads and fetch sessions against the broker.
 */
final class SharedAssignmentConsumer extends ConsumerThreadVerticle {
    private static final Logger log = LoggerFactory.getLogger(SharedAssignmentConsumer.class);

    private final AvroSerde<Assignment> serde;
    /** the nodes served, by id (a killed node is removed: its records are dropped, as its dead consumer would) */
    private final Map<String, Addresses> nodes = new ConcurrentHashMap<>();
    private volatile boolean synced;

    SharedAssignmentConsumer(BerthConfig config, String name, AvroSerde<Assignment> serde) {
        super(log, config, name, "assignments", "assignment");
        this.serde = serde;
    }

    void add(String nodeId) {
        nodes.put(nodeId, new Addresses(nodeId));
        if (synced && vertx != null) vertx.eventBus().send(new Addresses(nodeId).assignmentsSynced(), null);
    }

    void remove(String nodeId) {
        nodes.remove(nodeId);
    }

    Set<String> nodes() {
        return nodes.keySet();
    }

    @Override
    protected void read(KafkaConsumer<String, byte[]> c, Context ctx) {
        List<PartitionInfo> infos = c.partitionsFor(Topics.ASSIGNMENTS.name());
        List<TopicPartition> tps = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        c.assign(tps);
        c.seekToBeginning(tps);
        Map<TopicPartition, Long> end = c.endOffsets(tps);
        while (running()) {
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                String key = r.key();
                int slash = key == null ? -1 : key.indexOf('/');
                if (slash < 0) continue;
                Addresses addr = nodes.get(key.substring(0, slash));
                if (addr == null) continue;
                Assignment a;
                try {
                    a = serde.deserialize(r.topic(), r.value());
                } catch (RuntimeException e) {
                    log.warn("assignment {} at offset {} is undecodable: {}", key, r.offset(), e.toString());
                    continue;
                }
                vertx.eventBus().send(addr.assignments(), new AssignmentChange(key.substring(slash + 1), a));
            }
            polled();
            if (!synced && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                synced = true;
                for (Addresses addr : nodes.values()) vertx.eventBus().send(addr.assignmentsSynced(), null);
            }
        }
    }
}
