package io.berth.state;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.testing.TestKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * On a real broker: the node leases survive a restart of state-streams that lost its local state
 * (a new machine): the store is restored from its changelog, so a node's lease is not forgotten and
 * expiry after the restart still counts from the node's last heartbeat.
 */
class NodeLeaseRestartTest {

    @Test
    @Timeout(180)
    void shouldRestoreTheLeasesFromTheChangelogAfterARestartWithoutLocalState(@TempDir Path first, @TempDir Path second) throws Exception {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        BerthSerdes serdes = new BerthSerdes(registry);
        long beat = System.currentTimeMillis();
        try (TestKafka kafka = TestKafka.start().withBerthTopics()) {
            try (StateStreamsService before = new StateStreamsService(config(kafka, first), registry)) {
                before.start();
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new StringSerializer(), new ByteArraySerializer())) {
                    send(producer, serdes, Fixtures.register("n1"), beat - 2_000);
                    send(producer, serdes, Fixtures.heartbeat("n1"), beat);
                }
                awaitLease(before, "n1", beat);
            }
            // same application, empty state directory: every store comes back from its changelog
            try (StateStreamsService after = new StateStreamsService(config(kafka, second), registry)) {
                after.start();
                awaitLease(after, "n1", beat);
            }
        }
    }

    private static BerthConfig config(TestKafka kafka, Path dir) {
        return BerthConfig.of(kafka.bootstrapServers(), "in-memory", dir).with("replication-factor", "1");
    }

    private static void send(KafkaProducer<String, byte[]> producer, BerthSerdes serdes, NodeEvent e, long at) throws Exception {
        byte[] bytes = serdes.value(NodeEvent.class).serialize(Topics.NODE_EVENTS.name(), e);
        producer.send(new ProducerRecord<>(Topics.NODE_EVENTS.name(), null, at, e.getNodeId(), bytes)).get();
    }

    /** Waits (deadline 60 s) until the service's lease store holds {@code expected} for the node. */
    private static void awaitLease(StateStreamsService service, String nodeId, long expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        Long seen = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                ReadOnlyKeyValueStore<String, Long> leases = service.streams().store(StoreQueryParameters.fromNameAndType(
                        StateStreamsTopology.NODE_LEASES_STORE, QueryableStoreTypes.<String, Long>keyValueStore()));
                seen = leases.get(nodeId);
                if (Long.valueOf(expected).equals(seen)) return;
            } catch (InvalidStateStoreException notYet) {
                // restoring or rebalancing: ask again
            }
            Thread.sleep(100);
        }
        fail("lease of " + nodeId + ": expected " + expected + ", last seen " + seen);
    }
}
