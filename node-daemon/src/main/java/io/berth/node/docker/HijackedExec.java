package io.berth.node.docker;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /exec/<id>/start} with the connection hijacked ({@code Upgrade: tcp}), spoken directly on the engine's
 * socket: docker-java sends an exec's stdin as a request body and never half-closes the connection, so a command
 * reading its stdin to the end ({@code cat}, {@code sh -s}) would never see end of file. Here {@link #closeStdin()}
 * shuts the socket's output down, which the engine passes on as end of file, as {@code docker exec -i} does.
 * Output is the engine's raw stream (a TTY) or its multiplexed frames (8-byte header: stream, 0, 0, 0, size as a
 * 32-bit big-endian integer), read by {@link #next}. Blocking: run on a thread of its own.
 */
public final class HijackedExec implements Closeable {
    /** One piece of output: stream 1 stdout, 2 stderr. */
    public record Chunk(int stream, byte[] data) {}

    private final SocketChannel channel;
    private final InputStream in;
    private final boolean tty;

    private HijackedExec(SocketChannel channel, InputStream in, boolean tty) {
        this.channel = channel;
        this.in = in;
        this.tty = tty;
    }

    /** Starts exec {@code execId} on the engine at {@code dockerHost} ({@code unix://…} or {@code tcp://host:port}, no TLS). */
    public static HijackedExec start(String dockerHost, String execId, boolean tty) throws IOException {
        SocketChannel ch = connect(dockerHost);
        try {
            String body = "{\"Detach\":false,\"Tty\":" + tty + "}";
            String request = "POST /exec/" + execId + "/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
                    + "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
            writeFully(ch, request.getBytes(StandardCharsets.UTF_8));
            // the channel's own read and write, not Channels.newInputStream/newOutputStream: those two lock the
            // same blockingLock, so a read waiting for output would block every write of stdin (a deadlock)
            InputStream i = new java.io.BufferedInputStream(new ChannelReader(ch), 65536);
            String head = readHead(i);
            String status = head.lines().findFirst().orElse("");
            if (!status.matches("HTTP/1\\.[01] (101|200) .*")) {
                throw new IOException("the engine refused to start exec " + execId + ": " + status);
            }
            return new HijackedExec(ch, i, tty);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    static SocketChannel connect(String dockerHost) throws IOException {
        URI uri = URI.create(dockerHost);
        SocketAddress address;
        SocketChannel ch;
        if ("unix".equals(uri.getScheme())) {
            address = UnixDomainSocketAddress.of(uri.getPath());
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } else if ("tcp".equals(uri.getScheme())) {
            address = new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 2375 : uri.getPort());
            ch = SocketChannel.open();
        } else {
            throw new IOException("exec with stdin needs a unix:// or tcp:// docker-host, not " + dockerHost);
        }
        try {
            ch.connect(address);
            return ch;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** The response's status line and headers, up to the blank line. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("the engine closed the connection before answering");
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
            if (head.size() > 16384) throw new IOException("the engine's answer has no end of headers");
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** The next piece of output, or null at its end. */
    public Chunk next() throws IOException {
        if (tty) {
            byte[] buf = new byte[16384];
            int n = in.read(buf);
            return n < 0 ? null : new Chunk(1, java.util.Arrays.copyOf(buf, n));
        }
        byte[] header = in.readNBytes(8);
        if (header.length < 8) return null;
        int size = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
        byte[] data = in.readNBytes(size);
        if (data.length < size) return null;
        return new Chunk(header[0] == 2 ? 2 : 1, data);
    }

    public void write(byte[] data) throws IOException {
        writeFully(channel, data);
    }

    private static void writeFully(SocketChannel ch, byte[] data) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data);
        while (b.hasRemaining()) ch.write(b);
    }

    /** Reads straight from the channel (its read lock only, so writes go on meanwhile). */
    private static final class ChannelReader extends InputStream {
        private final SocketChannel ch;

        ChannelReader(SocketChannel ch) {
            this.ch = ch;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            int n = ch.read(java.nio.ByteBuffer.wrap(b, off, len));
            return n < 0 ? -1 : n;
        }
    }

    /** End of file on the command's stdin. */
    public void closeStdin() throws IOException {
        if (channel.isOpen()) channel.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
