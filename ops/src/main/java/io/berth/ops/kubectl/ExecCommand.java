package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@code berth exec [-i] [-t] POD [-c CONTAINER] -- COMMAND [ARGS…]}: runs a command in a container through the
 * gateway's {@code pods/exec} (a WebSocket, Kubernetes' {@code v5.channel.k8s.io}), as kubectl does: stdout and
 * stderr as the command writes them, stdin with {@code -i} (its end closes the command's stdin), a terminal with
 * {@code -t} (raw mode and its size, when this is a terminal), and the command's exit code as this one's.
 */
@Command(name = "exec", mixinStandardHelpOptions = true, description = "Execute a command in a container.")
public final class ExecCommand extends KubectlCommand {
    @Parameters(index = "0", paramLabel = "POD", description = "pod name, or pod/NAME")
    String pod;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND", description = "the command and its arguments (after --)")
    List<String> command = new ArrayList<>();

    @Option(names = {"-i", "--stdin"}, description = "pass stdin to the container")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "stdin is a TTY")
    boolean tty;

    @Option(names = {"-c", "--container"}, description = "the container (default: the pod's first container)")
    String container;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
    String namespace;

    public ExecCommand() {}

    @Override
    public Integer call() {
        String name = PortForwardCommand.podName(pod);
        List<String> q = new ArrayList<>();
        for (String c : command) q.add("command=" + enc(c));
        if (container != null) q.add("container=" + enc(container));
        q.add("stdin=" + interactive);
        q.add("stdout=true");
        q.add("stderr=" + !tty);
        q.add("tty=" + tty);
        String path = Gateway.item("pods", namespace, name) + "/exec?" + String.join("&", q);
        Channels channels = new Channels(System.out, System.err);
        WebSocket ws;
        try {
            ws = gateway().webSocket(path, List.of("v5.channel.k8s.io", "v4.channel.k8s.io"), channels);
        } catch (Gateway.ApiException e) {
            return fail(e);
        }
        Terminal terminal = tty ? Terminal.raw() : Terminal.NONE;
        try {
            if (tty) terminal.size().ifPresent(size -> send(ws, 4, ("{\"Width\":" + size[1] + ",\"Height\":" + size[0] + "}").getBytes()));
            if (interactive) startStdin(ws, "v5.channel.k8s.io".equals(ws.getSubprotocol()));
            JsonNode status = channels.status.get(365, TimeUnit.DAYS);
            return exitCode(status);
        } catch (Exception e) {
            return fail(e.getMessage() == null ? e.toString() : e.getMessage());
        } finally {
            terminal.restore();
            System.out.flush();
            System.err.flush();
            ws.abort();
        }
    }

    /** 0 on Success, the command's own code on NonZeroExitCode, else the message printed and 1 (kubectl's rules). */
    int exitCode(JsonNode status) {
        if (status == null) return 0; // closed without a status: an older server's success
        if ("Success".equals(status.path("status").asText())) return 0;
        if ("NonZeroExitCode".equals(status.path("reason").asText())) {
            for (JsonNode cause : status.path("details").path("causes")) {
                if ("ExitCode".equals(cause.path("reason").asText())) {
                    try {
                        return Integer.parseInt(cause.path("message").asText());
                    } catch (NumberFormatException ignored) {
                        // fall through to the message
                    }
                }
            }
        }
        return fail(status.path("message").asText("the command failed"));
    }

    private void startStdin(WebSocket ws, boolean v5) {
        InputStream in = stdin == null ? System.in : stdin;
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    byte[] msg = new byte[n];
                    System.arraycopy(buf, 0, msg, 0, n);
                    send(ws, 0, msg);
                }
                if (v5) send(ws, 255, new byte[]{0}); // v5: stdin is closed; v4 has no way to say it
            } catch (IOException | RuntimeException e) {
                // the session ended
            }
        }, "berth-exec-stdin");
        t.setDaemon(true);
        t.start();
    }

    /** One channel message, waiting until it is sent (back-pressure). */
    static void send(WebSocket ws, int channel, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(data.length + 1).put((byte) channel).put(data).flip();
        ws.sendBinary(b, true).join();
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Receives channel messages: 1 → stdout, 2 → stderr, 3 → the final status; completes {@link #status} at the end. */
    static final class Channels implements WebSocket.Listener {
        final CompletableFuture<JsonNode> status = new CompletableFuture<>();
        private final OutputStream out, err;
        private final ByteArrayOutputStream message = new ByteArrayOutputStream();
        private JsonNode received;

        Channels(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] m = WebSocketMessages.append(message, data, last);
            if (m != null) dispatch(m);
            ws.request(1);
            return null;
        }

        private void dispatch(byte[] m) {
            if (m.length == 0) return;
            try {
                switch (m[0] & 0xff) {
                    case 1 -> {
                        out.write(m, 1, m.length - 1);
                        out.flush();
                    }
                    case 2 -> {
                        err.write(m, 1, m.length - 1);
                        err.flush();
                    }
                    case 3 -> received = Gateway.parse(new String(m, 1, m.length - 1, java.nio.charset.StandardCharsets.UTF_8));
                    default -> { }
                }
            } catch (IOException ignored) {
                // our own stdout closed
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            status.complete(received);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            if (received != null) status.complete(received);
            else status.completeExceptionally(new IllegalStateException("the exec stream failed: " + error.getMessage(), error));
        }
    }

    /** This process's terminal in raw mode while a {@code -t} session runs ({@code stty}), restored at the end. */
    interface Terminal {
        Terminal NONE = new Terminal() {};

        default void restore() {}

        default java.util.Optional<int[]> size() {
            return java.util.Optional.empty();
        }

        static Terminal raw() {
            if (System.console() == null) return NONE;
            String saved = stty("-g");
            if (saved == null) return NONE;
            stty("raw", "-echo");
            return new Terminal() {
                @Override
                public void restore() {
                    stty(saved.strip());
                }

                @Override
                public java.util.Optional<int[]> size() {
                    String s = stty("size");
                    if (s == null || !s.strip().matches("\\d+ \\d+")) return java.util.Optional.empty();
                    String[] p = s.strip().split(" ");
                    return java.util.Optional.of(new int[]{Integer.parseInt(p[0]), Integer.parseInt(p[1])});
                }
            };
        }

        private static String stty(String... args) {
            List<String> cmd = new ArrayList<>(List.of("stty"));
            cmd.addAll(List.of(args));
            try {
                Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/tty"))).start();
                String out = new String(p.getInputStream().readAllBytes());
                return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
