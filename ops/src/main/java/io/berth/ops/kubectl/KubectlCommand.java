package io.berth.ops.kubectl;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * What the kubectl-style subcommands share: the connection mixin (the gateway: one way in, the API),
 * the output streams picocli gives (so tests capture them), and test hooks for stdin and the clock.
 */
abstract class KubectlCommand implements Callable<Integer> {
    static {
        io.berth.schemas.AvroTrust.ensure(); // before any Avro builder runs
    }

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Spec
    CommandSpec spec;

    InputStream stdin = System.in;
    Clock clock = Clock.systemUTC();
    Duration timeout = Duration.ofSeconds(30);

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

    static String actor() {
        return "cli:" + System.getProperty("user.name", "unknown");
    }
}
