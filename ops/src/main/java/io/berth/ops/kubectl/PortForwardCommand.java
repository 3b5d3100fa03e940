package io.berth.ops.kubectl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;

/**
 * {@code berth port-forward POD [LOCAL:]REMOTE…}: listens on {@code --address} (127.0.0.1) and forwards each
 * connection to the pod's port through the gateway's {@code pods/portforward}, one WebSocket per connection in
 * the kubelet's {@code v4.channel.k8s.io} port-forward protocol (channel 0 data, channel 1 error, each opened
 * with the port). Prints kubectl's lines ({@code Forwarding from 127.0.0.1:8080 -> 80}, {@code Handling
 * connection for 8080}) and runs until stopped. {@code LOCAL} 0 or empty ({@code :80}) picks a free port.
 */
@Command(name = "port-forward", mixinStandardHelpOptions = true, description = "Forward one or more local ports to a pod.")
public final class PortForwardCommand extends KubectlCommand {
    @Parameters(index = "0", paramLabel = "POD", description = "pod name, or pod/NAME")
    String pod;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "[LOCAL:]REMOTE", description = "ports: 8080:80, 80 (the same locally), :80 (any free local port)")
    List<String> ports = new ArrayList<>();

    @Option(names = "--address", defaultValue = "127.0.0.1", description = "the local address to listen on (default: ${DEFAULT-VALUE})")
    String address;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
    String namespace;

    public PortForwardCommand() {}

    /** A local:remote pair. */
    record Mapping(int local, int remote) {
        /** {@code 8080:80}, {@code 80}, {@code :80}; refuses anything else naming it. */
        static Mapping parse(String text) {
            String[] p = text.split(":", -1);
            if (p.length > 2) throw new IllegalArgumentException("invalid port format '" + text + "': [LOCAL:]REMOTE");
            int remote = port(p[p.length - 1], text, false);
            int local = p.length == 1 ? remote : p[0].isEmpty() ? 0 : port(p[0], text, true);
            return new Mapping(local, remote);
        }

        private static int port(String s, String text, boolean zeroOk) {
            if (!s.matches("[0-9]{1,5}")) throw new IllegalArgumentException("invalid port '" + s + "' in '" + text + "'");
            int n = Integer.parseInt(s);
            if (n > 65535 || (n == 0 && !zeroOk)) throw new IllegalArgumentException("port " + n + " in '" + text + "' must be between 1 and 65535");
            return n;
        }
    }

    static String podName(String pod) {
        return pod.startsWith("pod/") ? pod.substring(4) : pod.startsWith("pods/") ? pod.substring(5) : pod;
    }

    @Override
    public Integer call() throws Exception {
        String name = podName(pod);
        List<Mapping> mappings = new ArrayList<>();
        try {
            for (String p : ports) mappings.add(Mapping.parse(p));
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        }
        Gateway gateway = gateway();
        try {
            gateway.get(Gateway.item("pods", namespace, name)); // a missing pod is said now, not at the first connection
        } catch (Gateway.ApiException e) {
            return fail(e);
        }
        InetAddress bind = InetAddress.getByName(address);
        List<ServerSocket> listeners = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            for (Mapping m : mappings) {
                ServerSocket s = new ServerSocket(m.local(), 50, bind);
                listeners.add(s);
                out().println("Forwarding from " + address + ":" + s.getLocalPort() + " -> " + m.remote());
            }
            out().flush();
            for (int i = 0; i < mappings.size(); i++) {
                ServerSocket s = listeners.get(i);
                int remote = mappings.get(i).remote();
                Thread t = new Thread(() -> accept(gateway, name, s, remote, stopped), "berth-port-forward-" + s.getLocalPort());
                t.setDaemon(true);
                t.start();
            }
            stopped.await();
            return 1;
        } catch (IOException e) {
            return fail("unable to listen on " + address + ": " + e.getMessage());
        } finally {
            for (ServerSocket s : listeners) s.close();
        }
    }

    private void accept(Gateway gateway, String name, ServerSocket listener, int remote, CountDownLatch stopped) {
        while (!listener.isClosed()) {
            Socket conn;
            try {
                conn = listener.accept();
            } catch (IOException e) {
                stopped.countDown();
                return;
            }
            out().println("Handling connection for " + listener.getLocalPort());
            out().flush();
            Thread t = new Thread(() -> forward(gateway, name, conn, remote), "berth-port-forward-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    /** One local connection: its own WebSocket; bytes both ways until either side ends. */
    private void forward(Gateway gateway, String name, Socket conn, int remote) {
        String path = Gateway.item("pods", namespace, name) + "/portforward?ports=" + remote;
        try (conn) {
            Receiver receiver = new Receiver(conn.getOutputStream());
            WebSocket ws;
            try {
                ws = gateway.webSocket(path, List.of("v4.channel.k8s.io"), receiver);
            } catch (Gateway.ApiException e) {
                err().println("E " + e.getMessage());
                err().flush();
                return;
            }
            InputStream in = conn.getInputStream();
            byte[] buf = new byte[16384];
            try {
                for (int n; (n = in.read(buf)) >= 0 && !receiver.done.isDone(); ) {
                    byte[] msg = new byte[n];
                    System.arraycopy(buf, 0, msg, 0, n);
                    ExecCommand.send(ws, 0, msg);
                }
            } catch (IOException | RuntimeException e) {
                // the local side or the stream ended
            }
            receiver.done.join();
            if (receiver.error.length() > 0) {
                err().println("error: an error occurred forwarding " + conn.getLocalPort() + " -> " + remote + ": " + receiver.error);
                err().flush();
            }
            ws.abort();
        } catch (IOException | RuntimeException e) {
            // closed
        }
    }

    /** Channel 0 → the local connection; channel 1 → the error; the first message of each channel is its port. */
    private static final class Receiver implements WebSocket.Listener {
        final java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        final StringBuilder error = new StringBuilder();
        private final OutputStream local;
        private final boolean[] portSeen = new boolean[2];
        private final java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();

        Receiver(OutputStream local) {
            this.local = local;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] m = WebSocketMessages.append(message, data, last);
            if (m != null) dispatch(ws, m);
            ws.request(1);
            return null;
        }

        private void dispatch(WebSocket ws, byte[] m) {
            if (m.length == 0 || (m[0] & 0xff) > 1) return;
            int ch = m[0];
            if (!portSeen[ch]) {
                portSeen[ch] = true; // the port, 2 bytes little-endian
                return;
            }
            if (ch == 1) {
                error.append(new String(m, 1, m.length - 1, java.nio.charset.StandardCharsets.UTF_8));
                return;
            }
            try {
                local.write(m, 1, m.length - 1);
                local.flush();
            } catch (IOException e) {
                ws.abort();
                done.complete(null);
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            try {
                local.close();
            } catch (IOException ignored) {
                // already closed
            }
            done.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable e) {
            if (error.length() == 0) error.append(e.getMessage());
            onClose(ws, 1006, "");
        }
    }
}
