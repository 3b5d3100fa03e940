package io.berth.gateway.bench;

import io.berth.gateway.GatewayService;
import io.berth.gateway.view.ViewFixtures;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskView;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.testing.TestKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.util.Map;

/** A broker and a gateway in this JVM, and a producer that writes pod views directly. */
final class BenchCluster implements AutoCloseable {
    final TestKafka kafka = TestKafka.start().withBerthTopics();
    final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    final BerthSerdes serdes = new BerthSerdes(registry);
    final GatewayService gateway;
    final KafkaProducer<String, byte[]> producer;

    /** The bench client's bearer token (written to the gateway's token file). */
    static final String TOKEN = "bench-token-0123456789";

    BenchCluster() throws Exception {
        java.nio.file.Path dir = Files.createTempDirectory("gw-bench");
        io.berth.schemas.auth.TokenFile.write(dir.resolve(io.berth.schemas.auth.TokenFile.FILE_NAME),
                java.util.List.of(new io.berth.schemas.auth.TokenFile.Entry(TOKEN, "bench", "1", java.util.List.of("system:masters"))));
        BerthConfig config = BerthConfig.of(kafka.bootstrapServers(), "in-memory", dir)
                .with("replication-factor", "1").with("gateway-port", "0");
        gateway = new GatewayService(config, registry);
        gateway.start();
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "linger.ms", "0"),
                new StringSerializer(), new ByteArraySerializer());
    }

    String base() {
        return "http://127.0.0.1:" + gateway.port();
    }

    void pod(String ns, String name, TaskPhase phase) {
        TaskView t = TaskView.newBuilder(ViewFixtures.task(name, phase, phase == TaskPhase.RUNNING, phase == TaskPhase.PENDING ? "" : "n1"))
                .setNamespace(ns).build();
        producer.send(new ProducerRecord<>(Topics.TASKS.name(), name, serdes.value(Topics.TASKS).serialize(Topics.TASKS.name(), t)));
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version") + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", load average at start "
                + String.format("%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static long percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    @Override
    public void close() {
        producer.close();
        gateway.close();
        kafka.close();
    }
}
