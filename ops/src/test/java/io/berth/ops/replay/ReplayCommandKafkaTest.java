package io.berth.ops.replay;

import io.berth.registry.client.CachedSchemaRegistryClient;
import io.berth.registry.server.RegistryServer;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.TaskView;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.testing.TestKafka;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code berth replay --verify} against real topics: a recorded history (the acceptance test's) is
 * written to an embedded Kafka, under Berth's HTTP registry, at the positions it was recorded at;
 * the command reads it back, replays it and reports 0 differences; one forged placement appended to
 * berth.state.tasks makes it exit 1 with that difference.
 */
class ReplayCommandKafkaTest {

    @Test
    void verifiesTheLogOnRealTopicsAndReportsAForgedDecision() throws Exception {
        try (TestKafka kafka = TestKafka.start().withBerthTopics(); LiveRecording rec = ReplayVerifyTest.history()) {
            RegistryServer registry = new RegistryServer(BerthConfig.of(kafka.bootstrapServers(), null, Path.of("target")), "localhost", 0);
            registry.start();
            try {
                BerthSerdes http = new BerthSerdes(new CachedSchemaRegistryClient(registry.url()));
                TaskView forged = null;
                try (KafkaProducer<String, byte[]> p = producer(kafka)) {
                    for (Recorded r : rec.inputs) send(p, rec, http, r, r.partition());
                    for (Recorded r : rec.outputs) send(p, rec, http, r, null);
                    p.flush();
                    String[] conn = {"--verify", "--bootstrap-servers=" + kafka.bootstrapServers(), "--registry-url=" + registry.url()};
                    Run ok = run(conn);
                    assertEquals(0, ok.exit, ok.out + ok.err);
                    // the acceptance history: 305 decisions today (more once other records are audited too)
                    assertTrue(ok.out.matches("(?s)\\d{3,} decisions replayed, 0 differ\n.*"), ok.out);

                    // a placement nobody decided: the last view of a task says it runs on n9
                    Recorded last = rec.outputs.stream().filter(r -> r.topic().equals(Topics.TASKS.name()) && r.value() != null)
                            .reduce((a, b) -> b).orElseThrow();
                    forged = TaskView.newBuilder(rec.serdes.value(Topics.TASKS).deserialize(last.topic(), last.value())).setNodeId("n9").build();
                    ProducerRecord<String, byte[]> pr = new ProducerRecord<>(Topics.TASKS.name(), null, last.timestamp(), last.key(),
                            http.value(Topics.TASKS).serialize(Topics.TASKS.name(), forged), headers(last.headers()));
                    p.send(pr).get();
                }
                Run bad = run("--verify", "--bootstrap-servers=" + kafka.bootstrapServers(), "--registry-url=" + registry.url());
                assertEquals(1, bad.exit, bad.out + bad.err);
                assertTrue(bad.out.contains("1 differ"), bad.out);
                assertTrue(bad.out.contains("first difference on berth.state.tasks key " + forged.getTaskId()), bad.out);
                assertTrue(bad.out.contains("on n9"), bad.out);
            } finally {
                registry.close();
            }
        }
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        ReplayCommand cmd = new ReplayCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        cmd.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        cmd.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(cmd).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Re-encoded under the HTTP registry's ids; inputs at their recorded partition (fresh topics: same offsets). */
    private static void send(KafkaProducer<String, byte[]> p, LiveRecording rec, BerthSerdes http, Recorded r, Integer partition) throws Exception {
        byte[] value = r.value();
        if (value != null) {
            Topic<?> t = Topics.ALL.stream().filter(x -> x.name().equals(r.topic())).findFirst().orElseThrow();
            try {
                value = encode(http, t, rec.serdes.value(t).deserialize(r.topic(), value));
            } catch (RuntimeException undecodable) {
                // a poison record stays as it was recorded
            }
        }
        p.send(new ProducerRecord<>(r.topic(), partition, r.timestamp(), r.key(), value, headers(r.headers())));  // idempotent: in order
    }

    @SuppressWarnings("unchecked")
    private static <V extends SpecificRecord> byte[] encode(BerthSerdes serdes, Topic<V> t, Object v) {
        return serdes.value(t).serialize(t.name(), (V) v);
    }

    private static RecordHeaders headers(Map<String, String> h) {
        RecordHeaders out = new RecordHeaders();
        h.forEach((k, v) -> out.add(k, v.getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    private static KafkaProducer<String, byte[]> producer(TestKafka kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
    }
}
