package io.berth.testing;

import io.berth.schemas.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.util.Map;

/**
 * A real single-node KRaft Kafka (broker + controller in one) for integration tests, started
 * in-process with Kafka's own test kit. Internal topics use replication factor 1.
 */
public final class TestKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private boolean closed;

    private TestKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static TestKafka start() {
        try {
            KafkaClusterTestKit c = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("log.cleaner.dedupe.buffer.size", "2097152")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .build();
            c.format();
            c.startup();
            c.waitForReadyBrokers();
            return new TestKafka(c);
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka did not start", e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
    }

    /** Creates every Berth topic. */
    public TestKafka withBerthTopics() {
        try (Admin admin = admin()) {
            TopicAdmin.ensureTopics(admin);
            return this;
        } catch (Exception e) {
            throw new IllegalStateException("could not create Berth topics", e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka did not stop cleanly", e);
        }
    }
}
