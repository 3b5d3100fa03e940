package io.berth.ops.kubectl;

import io.berth.registry.client.SchemaRegistryClient;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * What the kubectl-style subcommands share: the connection mixin, the output streams picocli gives
 * (so tests capture them), and test hooks for the registry client, stdin and the clock.
 */
abstract class KubectlCommand implements Callable<Integer> {
    static {
        io.berth.schemas.AvroTrust.ensure(); // before any Avro builder runs
    }

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Spec
    CommandSpec spec;

    private SchemaRegistryClient registry;
    InputStream stdin = System.in;
    Clock clock = Clock.systemUTC();
    Duration timeout = Duration.ofSeconds(30);

    /** Uses this registry client instead of the HTTP one for {@code --registry-url} (tests, embedded use). */
    @SuppressWarnings("unchecked")
    public <T extends KubectlCommand> T withRegistry(SchemaRegistryClient client) {
        this.registry = client;
        return (T) this;
    }

    @SuppressWarnings("unchecked")
    public <T extends KubectlCommand> T withStdin(InputStream in) {
        this.stdin = in;
        return (T) this;
    }

    @SuppressWarnings("unchecked")
    public <T extends KubectlCommand> T withClock(Clock c) {
        this.clock = c;
        return (T) this;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Prints {@code error: message} to stderr and returns exit code 1. */
    int fail(String message) {
        err().println("error: " + message);
        err().flush();
        return 1;
    }

    /** The gateway client for {@code --server} (or the running launcher's gateway). */
    Gateway gateway() {
        return new Gateway(connection.servers(), timeout, connection.token(), connection.sslContext());
    }

    /** Prints a failed API call as kubectl does ({@code Error from server (NotFound): …}) and returns 1. */
    int fail(Gateway.ApiException e) {
        err().println(e.getMessage());
        err().flush();
        return 1;
    }

    Bus bus() {
        quietKafkaClientLogs();
        SchemaRegistryClient client = registry != null ? registry : RegistryClients.http(connection.registryUrl(), connection.token(), connection.sslContext());
        return new Bus(connection.kafka(), client, timeout);
    }

    /**
     * A CLI prints results, not the Kafka clients' INFO chatter (config dumps, app-info). Set before the
     * first client is created, and only when nobody configured the level; services are unaffected
     * because this runs only inside a kubectl-style command.
     */
    static void quietKafkaClientLogs() {
        String key = "org.slf4j.simpleLogger.log.org.apache.kafka";
        if (System.getProperty(key) == null) System.setProperty(key, "warn");
    }

    static String actor() {
        return "cli:" + System.getProperty("user.name", "unknown");
    }
}
