package io.berth.gateway.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code exec} (and {@code attach}) for kubectl before 1.30: after a plain {@code Upgrade: SPDY/3.1} with
 * {@code X-Stream-Protocol-Version: v4.channel.k8s.io}, the client opens one SPDY stream per channel, named by its
 * {@code streamtype} header ({@code error}, {@code stdin}, {@code stdout}, {@code stderr}, {@code resize}), each
 * answered with a SYN_REPLY as the kubelet does. Once every stream the query asked for is open, the node daemon is
 * dialled with {@code v5.channel.k8s.io} and the streams are mapped onto its channels: stdin (0) and resize (4) from
 * the client, a FIN on stdin as v5's close of channel 0; stdout (1), stderr (2) and the v4 {@code Status} of the
 * error channel (3) from the node. When the node closes, every stream gets its FIN (kubectl waits for stdout's and
 * stderr's, then reads the exit code from the error stream) and the connection closes. Runs on the connection's
 * event loop.
 */
final class SpdyExec {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SpdyExec.class);
    static final String PROTOCOL = "v4.channel.k8s.io";
    private static final int PENDING_LIMIT = 1 << 20;
    private static final Map<String, Integer> CHANNELS = Map.of("stdin", 0, "stdout", 1, "stderr", 2, "error", 3, "resize", 4);

    private final Vertx vertx;
    private final Tunnel client;
    private final Set<String> expected;
    private final Supplier<Future<WebSocket>> dial;
    private final String pod;
    private final long idleMs;
    private final Runnable onClose;
    private final SpdyCodec codec = new SpdyCodec();
    private final Map<String, Integer> streams = new HashMap<>();
    private final Map<Integer, String> types = new HashMap<>();
    private final List<Buffer> pending = new ArrayList<>();
    private int pendingBytes;
    private WebSocket node;
    private boolean dialling, closed;
    private long lastTraffic = System.nanoTime();
    private long timer = -1;

    /** {@code expected}: the stream types the query asked for ({@code error} always; {@code resize} with a tty). */
    SpdyExec(Vertx vertx, Tunnel client, Set<String> expected, String pod, Supplier<Future<WebSocket>> dial, long idleMs, Runnable onClose) {
        this.vertx = vertx;
        this.client = client;
        this.expected = expected;
        this.pod = pod;
        this.dial = dial;
        this.idleMs = idleMs;
        this.onClose = onClose;
    }

    /** The stream types a query asks for, as the kubelet counts them. */
    static Set<String> expectedStreams(boolean stdin, boolean stdout, boolean stderr, boolean tty) {
        Set<String> s = new java.util.HashSet<>(Set.of("error"));
        if (stdin) s.add("stdin");
        if (stdout) s.add("stdout");
        if (stderr && !tty) s.add("stderr");
        if (tty) s.add("resize");
        return Set.copyOf(s);
    }

    void start() {
        client.handler(b -> {
            lastTraffic = System.nanoTime();
            codec.decode(b, this::onFrame);
        });
        client.closeHandler(v -> shutdown());
        client.exceptionHandler(e -> {
            LOG.warn("exec in {}: the client connection failed: {}", pod, e.toString());
            shutdown();
        });
        timer = vertx.setPeriodic(Math.max(100, Math.min(idleMs / 4, 30_000)), id -> {
            if (System.nanoTime() - lastTraffic > idleMs * 1_000_000L) {
                send(new DefaultSpdyGoAwayFrame(0));
                client.close(null);
                shutdown();
            }
        });
    }

    private void onFrame(Object frame) {
        try {
            if (frame instanceof SpdySynStreamFrame s) onStream(s);
            else if (frame instanceof SpdyDataFrame d) onData(d);
            else if (frame instanceof SpdyRstStreamFrame r) LOG.debug("exec in {}: the client reset stream {} ({})", pod, r.streamId(), r.status());
            else if (frame instanceof SpdyPingFrame p) send(new DefaultSpdyPingFrame(p.id()));
            else if (frame instanceof SpdyGoAwayFrame) {
                client.close(null);
                shutdown();
            }
        } finally {
            io.netty.util.ReferenceCountUtil.release(frame);
        }
    }

    private void onStream(SpdySynStreamFrame s) {
        String type = s.headers().getAsString("streamtype");
        DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(s.streamId());
        reply.headers().set("streamtype", type == null ? "" : type); // Go cannot read an empty header block
        send(reply);
        if (type == null || !CHANNELS.containsKey(type) || streams.containsKey(type)) {
            send(new DefaultSpdyRstStreamFrame(s.streamId(), SpdyStreamStatus.PROTOCOL_ERROR));
            return;
        }
        streams.put(type, s.streamId());
        types.put(s.streamId(), type);
        if (!dialling && streams.keySet().containsAll(expected)) connect();
    }

    private void connect() {
        dialling = true;
        dial.get().onComplete(ar -> {
            if (closed) {
                if (ar.succeeded()) ar.result().close();
                return;
            }
            if (ar.failed()) {
                LOG.warn("exec in {}: {}", pod, ar.cause().getMessage());
                io.vertx.core.json.JsonObject status = new io.vertx.core.json.JsonObject().put("metadata", new io.vertx.core.json.JsonObject())
                        .put("status", "Failure").put("message", ar.cause().getMessage()).put("reason", "InternalError").put("code", 500);
                endAll(Buffer.buffer(status.encode()));
                return;
            }
            node = ar.result();
            node.binaryMessageHandler(this::fromNode);
            node.closeHandler(v -> endAll(null));
            node.exceptionHandler(e -> node.close());
            for (Buffer b : pending) node.writeBinaryMessage(b);
            pending.clear();
        });
    }

    /** A channel message of the node: its first byte names the channel. */
    private void fromNode(Buffer message) {
        lastTraffic = System.nanoTime();
        if (message.length() < 1) return;
        int channel = message.getByte(0) & 0xff;
        if (channel == 255) return; // v5: the node closed one of its channels; the FINs follow when it closes
        String type = switch (channel) {
            case 1 -> "stdout";
            case 2 -> "stderr";
            case 3 -> "error";
            default -> null;
        };
        Integer stream = type == null ? null : streams.get(type);
        if (stream == null || message.length() == 1) return;
        send(new DefaultSpdyDataFrame(stream, Unpooled.wrappedBuffer(message.getBytes(1, message.length()))));
        if (client.writeQueueFull()) {
            node.pause();
            client.drainHandler(v -> { if (node != null) node.resume(); });
        }
    }

    private void onData(SpdyDataFrame d) {
        String type = types.get(d.streamId());
        if (type == null || !(type.equals("stdin") || type.equals("resize"))) return;
        int channel = CHANNELS.get(type);
        ByteBuf content = d.content();
        if (content.readableBytes() > 0) toNode(Buffer.buffer().appendByte((byte) channel).appendBytes(ByteBufUtil.getBytes(content)));
        if (d.isLast() && type.equals("stdin")) toNode(Buffer.buffer(new byte[]{(byte) 255, 0})); // v5: end of stdin
    }

    private void toNode(Buffer message) {
        if (node == null) {
            pendingBytes += message.length();
            if (pendingBytes > PENDING_LIMIT) {
                LOG.warn("exec in {}: more than {} bytes of stdin before the node answered", pod, PENDING_LIMIT);
                client.close(null);
                shutdown();
            } else {
                pending.add(message);
            }
            return;
        }
        node.writeBinaryMessage(message);
        if (node.writeQueueFull()) {
            client.pause();
            node.drainHandler(v -> client.resume());
        }
    }

    /** The error stream's last word (if any), a FIN on every stream, GOAWAY, and the connection closed. */
    private void endAll(Buffer error) {
        if (closed) return;
        Integer errorStream = streams.get("error");
        if (error != null && errorStream != null) send(new DefaultSpdyDataFrame(errorStream, Unpooled.wrappedBuffer(error.getBytes())));
        for (int id : streams.values()) send(new DefaultSpdyDataFrame(id).setLast(true));
        send(new DefaultSpdyGoAwayFrame(0));
        client.close(null);
        shutdown();
    }

    private void send(SpdyFrame frame) {
        codec.encode(frame, !closed && !client.isClosed(), client::write);
    }

    private void shutdown() {
        if (closed) return;
        closed = true;
        if (timer >= 0) vertx.cancelTimer(timer);
        if (node != null && !node.isClosed()) node.close();
        codec.close();
        onClose.run();
    }
}
