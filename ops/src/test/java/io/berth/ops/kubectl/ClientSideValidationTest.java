package io.berth.ops.kubectl;

import io.berth.ops.Examples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What the CLI refuses before it sends anything (issue 13, item 1: limits checked on the client too):
 * invalid manifests, unknown fields, replicas and revision history beyond the caps, negative scales. The
 * "server" is a plain socket that counts connections: a command that refused its input never connected.
 */
class ClientSideValidationTest {
    static final String NGINX = Examples.NGINX;

    record Run(int exit, String out, String err) {}

    /** A listening socket that accepts and counts connections, then closes them (any request would fail). */
    static final class CountingServer implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger connections = new AtomicInteger();
        final Thread acceptor;

        CountingServer() throws Exception {
            socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        connections.incrementAndGet();
                    } catch (Exception closed) {
                        return;
                    }
                }
            }, "counting-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(5_000);
        }
    }

    static Run run(CountingServer server, KubectlCommand command, String stdin, String... args) {
        command.withStdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server=" + server.url());
        all.add("--token=t");
        int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldSendNothingWhenAnyManifestIsInvalid(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a-good.yaml"), NGINX);
        Files.writeString(dir.resolve("b-bad.yaml"), NGINX.replace("replicas: 3", "replicas: -1").replace("image: nginx:1.14.2", "image: \"\""));
        try (CountingServer server = new CountingServer()) {
            Run r = run(server, new ApplyCommand(), "", "-f", dir.toString());
            assertEquals(1, r.exit);
            assertEquals("", r.out);
            assertTrue(r.err.contains("b-bad.yaml: The Deployment \"nginx-deployment\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"), r.err);
            assertTrue(r.err.contains("spec.template.spec.containers[0].image: Required value"), r.err);
            assertEquals(0, server.connections.get(), "nothing sent, not even the valid file");
        }
    }

    @Test
    void shouldRefuseUnknownFieldsByDefaultAndOnlyWarnWithValidateWarn() throws Exception {
        String misspelt = NGINX.replace("replicas: 3", "replica: 3");
        try (CountingServer server = new CountingServer()) {
            for (String[] args : new String[][]{{"-f", "-"}, {"-f", "-", "--strict"}}) {
                Run strict = run(server, new ApplyCommand(), misspelt, args);
                assertEquals(1, strict.exit);
                assertTrue(strict.err.contains("unknown field \"spec.replica\""), strict.err);
            }
            Run lenient = run(server, new ApplyCommand(), misspelt, "-f", "-", "--validate=warn", "--dry-run");
            assertEquals(0, lenient.exit, lenient.err);
            assertEquals("Warning: -: unknown field \"spec.replica\"\n", lenient.err);
            assertEquals("deployment.apps/nginx-deployment created (dry run)\n", lenient.out);
            assertEquals(0, server.connections.get());
        }
    }

    @Test
    void shouldRefuseReplicasAndHistoryBeyondTheLimitsBeforeSendingAnything() throws Exception {
        try (CountingServer server = new CountingServer()) {
            Run apply = run(server, new ApplyCommand(), NGINX.replace("replicas: 3", "replicas: 2147483647"), "-f", "-");
            assertEquals(1, apply.exit, apply.out);
            assertEquals("error: -: The Deployment \"nginx-deployment\" is invalid: spec.replicas: Invalid value: 2147483647: "
                    + "must be less than or equal to 10000\n", apply.err);
            Run history = run(server, new ApplyCommand(), NGINX.replace("replicas: 3", "replicas: 3\n  revisionHistoryLimit: 100000"), "-f", "-");
            assertEquals(1, history.exit, history.out);
            assertTrue(history.err.contains("spec.revisionHistoryLimit: Invalid value: 100000: must be less than or equal to 25"), history.err);
            Run scale = run(server, new ScaleCommand(), "", "deployment/web", "--replicas", "2147483647");
            assertEquals(1, scale.exit, scale.out);
            assertEquals("error: --replicas: Invalid value: 2147483647: must be less than or equal to 10000\n", scale.err);
            Run negative = run(server, new ScaleCommand(), "", "deployment/web", "--replicas", "-1");
            assertEquals(1, negative.exit);
            assertEquals("error: --replicas: Invalid value: -1: must be greater than or equal to 0\n", negative.err);
            assertEquals(0, server.connections.get(), "nothing reached the server");
        }
    }

    /** The counting server itself: a command that does send is seen (so the zeros above mean something). */
    @Test
    void shouldSeeACommandThatDoesSend() throws Exception {
        try (CountingServer server = new CountingServer()) {
            Run r = run(server, new ScaleCommand(), "", "deployment/web", "--replicas", "2");
            assertEquals(1, r.exit, r.out);
            assertTrue(server.connections.get() >= 1, r.err);
        }
    }
}
