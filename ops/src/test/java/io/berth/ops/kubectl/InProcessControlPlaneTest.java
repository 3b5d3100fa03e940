package io.berth.ops.kubectl;

import io.berth.gateway.GatewayService;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topic;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.service.BerthConfig;
import io.berth.state.StateStreamsService;
import io.berth.testing.TestKafka;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Test fixture for the CLI tests that talk to a real control plane: a real broker, state-streams and
 * the gateway in-process (no node), started once per test class; {@link #run} runs a command with
 * {@code --server} pointed at the gateway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
abstract class InProcessControlPlaneTest {
    TestKafka kafka;
    InMemorySchemaRegistryClient registry;
    StateStreamsService streams;
    GatewayService gateway;
    String server;
    /** The gateway's data dir (its token file is {@code tokens.csv} there). */
    java.nio.file.Path dataDir;

    /** The CLI's bearer token in these tests (user {@value #USER}); {@link #execute} passes it as {@code --token}. */
    static final String TOKEN = "cli-test-token-0123456789";
    static final String USER = "tester";

    /** A data dir whose token file holds {@link #TOKEN}, for a gateway the tests' CLI can use. */
    static java.nio.file.Path dataDirWithToken(String name) throws java.io.IOException {
        java.nio.file.Path dir = Files.createTempDirectory(name);
        io.berth.schemas.auth.TokenFile.write(dir.resolve(io.berth.schemas.auth.TokenFile.FILE_NAME),
                List.of(new io.berth.schemas.auth.TokenFile.Entry(TOKEN, USER, "1000", List.of("system:masters"))));
        return dir;
    }

    /** Whether the control plane has a cluster secret (state-streams then verifies node records, the gateway lets nodes join). */
    boolean withClusterSecret() {
        return false;
    }

    /** Whether the gateway has a Secrets encryption key ({@code <data-dir>/secrets.key}): without one it refuses Secrets. */
    boolean withSecretsKey() {
        return false;
    }

    @BeforeAll
    void startControlPlane() throws Exception {
        kafka = TestKafka.start().withBerthTopics();
        registry = new InMemorySchemaRegistryClient();
        dataDir = dataDirWithToken(getClass().getSimpleName());
        if (withClusterSecret()) io.berth.schemas.auth.ClusterSecret.readOrCreate(dataDir.resolve(io.berth.schemas.auth.ClusterSecret.FILE_NAME));
        if (withSecretsKey()) io.berth.schemas.secrets.SecretBox.readOrCreate(dataDir.resolve(io.berth.schemas.secrets.SecretBox.FILE_NAME));
        BerthConfig config = BerthConfig.of(kafka.bootstrapServers(), "in-memory", dataDir)
                .with("replication-factor", "1").with("gateway-port", "0").with("gateway-write-wait-ms", "20000");
        streams = new StateStreamsService(config, registry);
        streams.start();
        gateway = new GatewayService(config, registry);
        gateway.start();
        server = "http://127.0.0.1:" + gateway.port();
    }

    @AfterAll
    void stopControlPlane() {
        if (gateway != null) gateway.close();
        if (streams != null) streams.close();
        if (kafka != null) kafka.close();
    }

    /** A command's exit code and what it printed (fields, read by the tests of this package). */
    static final class Run {
        final int exit;
        final String out;
        final String err;

        Run(int exit, String out, String err) {
            this.exit = exit;
            this.out = out;
            this.err = err;
        }
    }

    /** Runs the whole {@code berth} CLI with exactly {@code args} (nothing added). */
    static Run berth(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = io.berth.ops.Berth.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Runs {@code args} ({@code args[0]} is the subcommand's first argument) with {@code stdin}, adding {@code --server}. */
    Run run(KubectlCommand command, String stdin, String... args) {
        command.withClock(Clock.systemUTC()).withStdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        return execute(command, server, args);
    }

    /** Runs {@code args} against the gateway at {@code server} (added as {@code --server}), the command as it is. */
    static Run execute(KubectlCommand command, String server, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server=" + server);
        all.add("--token=" + TOKEN);
        int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    static void eventually(String what, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.get()) {
            if (System.currentTimeMillis() > deadline) fail("not within 30 s: " + what);
            Thread.sleep(100);
        }
    }

    /** Produces {@code value} to {@code topic} as the control loop's components would. */
    <V extends SpecificRecord> void produce(Topic<V> topic, String key, V value) throws Exception {
        AvroSerde<V> serde = new AvroSerde<>(registry, topic.valueClass());
        try (var p = new KafkaProducer<String, byte[]>(Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic.name(), key, serde.serialize(topic.name(), value))).get();
        }
    }
}
