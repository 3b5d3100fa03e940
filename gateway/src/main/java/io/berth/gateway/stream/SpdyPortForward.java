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

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * kubectl's port-forward: SPDY/3.1 tunneled in WebSocket binary messages (subprotocol
 * {@code SPDY/3.1+portforward.k8s.io}, kubectl 1.30+) or on the raw connection after a plain SPDY upgrade
 * ({@code X-Stream-Protocol-Version: portforward.k8s.io}, older kubectl): a {@link Tunnel} either way. Served as the kubelet serves {@code portforward.k8s.io}: each forwarded
 * connection is a pair of SPDY streams with the same {@code requestid} header, {@code streamtype: error} then
 * {@code streamtype: data}, and a {@code port}. Every stream is answered with a SYN_REPLY; once a pair is complete
 * the node is dialled for that port (one WebSocket per connection, {@link NodeDialer}) and the data stream relayed
 * both ways; a failure is written on the error stream, as the kubelet does. PINGs are echoed. The SPDY framing
 * (and its zlib header compression) is Netty's codec ({@link SpdyCodec}) over the tunnel's bytes.
 * Everything runs on the connection's event loop.
 */
final class SpdyPortForward {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SpdyPortForward.class);
    static final String PROTOCOL = "SPDY/3.1+portforward.k8s.io";
    /** Bytes a connection may have buffered from the client before the node answered the dial. */
    private static final int PENDING_LIMIT = 1 << 20;

    private final Vertx vertx;
    private final Tunnel ws;
    private final IntFunction<Future<WebSocket>> dial;
    private final String pod;
    private final long idleMs;
    private final Runnable onClose;
    private final SpdyCodec codec = new SpdyCodec();
    private final Map<String, Pair> pairs = new HashMap<>();
    private final Map<Integer, Pair> byStream = new HashMap<>();
    private long lastTraffic = System.nanoTime();
    private long timer = -1;
    private boolean closed;

    /** One forwarded connection: its two streams, the node's socket once dialled, what came before. */
    private static final class Pair {
        int errorStream = -1, dataStream = -1, port;
        WebSocket node;
        boolean dialling, done;
        final List<Buffer> pending = new ArrayList<>();
        int pendingBytes;
    }

    SpdyPortForward(Vertx vertx, Tunnel ws, String pod, IntFunction<Future<WebSocket>> dial, long idleMs, Runnable onClose) {
        this.vertx = vertx;
        this.ws = ws;
        this.pod = pod;
        this.dial = dial;
        this.idleMs = idleMs;
        this.onClose = onClose;
    }

    void start() {
        ws.handler(b -> {
            lastTraffic = System.nanoTime();
            codec.decode(b, this::onFrame);
        });
        ws.closeHandler(v -> shutdown());
        ws.exceptionHandler(e -> {
            LOG.warn("port-forward to {}: the tunnel failed: {}", pod, e.toString());
            shutdown();
        });
        timer = vertx.setPeriodic(Math.max(100, Math.min(idleMs / 4, 30_000)), id -> {
            if (System.nanoTime() - lastTraffic > idleMs * 1_000_000L) {
                send(new DefaultSpdyGoAwayFrame(0));
                ws.close("idle for " + idleMs / 1000 + " s");
                shutdown();
            }
        });
    }

    private void onFrame(Object frame) {
        try {
            if (frame instanceof SpdySynStreamFrame s) onStream(s);
            else if (frame instanceof SpdyDataFrame d) onData(d);
            else if (frame instanceof SpdyRstStreamFrame r) {
                LOG.debug("port-forward to {}: the client reset stream {} ({})", pod, r.streamId(), r.status());
                onReset(r.streamId());
            }
            else if (frame instanceof SpdyPingFrame p) send(new DefaultSpdyPingFrame(p.id()));
            else if (frame instanceof SpdyGoAwayFrame) {
                ws.close(null);
                shutdown();
            }
            else if (frame instanceof io.netty.handler.codec.spdy.SpdyHeadersFrame h && h.isInvalid()) {
                LOG.warn("port-forward to {}: an invalid SPDY header block on stream {}", pod, h.streamId());
            }
            // SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do (the Go client does no flow control either)
        } finally {
            io.netty.util.ReferenceCountUtil.release(frame);
        }
    }

    private void onStream(SpdySynStreamFrame s) {
        int id = s.streamId();
        String type = header(s, "streamtype"), portText = header(s, "port"), requestId = header(s, "requestid");
        // a reply with no header at all is encoded by Netty as an empty block, which Go's SPDY framer cannot
        // decompress (it answers GOAWAY): echo the stream's type, as any header will do
        DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(id);
        reply.headers().set("streamtype", type == null ? "" : type);
        send(reply);
        if (requestId == null) requestId = Integer.toString("data".equals(type) ? id - 2 : id); // an old client without request ids
        Pair p = pairs.computeIfAbsent(requestId, k -> new Pair());
        byStream.put(id, p);
        if ("error".equals(type)) p.errorStream = id;
        else if ("data".equals(type)) p.dataStream = id;
        else {
            send(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.PROTOCOL_ERROR));
            return;
        }
        int port = parsePort(portText);
        if (port < 0) {
            fail(p, "invalid port " + (portText == null ? "(none: the \"port\" header is required)" : "\"" + portText + "\"") + ": must be between 1 and 65535");
            return;
        }
        p.port = port;
        if (p.errorStream >= 0 && p.dataStream >= 0 && !p.dialling) connect(requestId, p);
    }

    private void connect(String requestId, Pair p) {
        p.dialling = true;
        dial.apply(p.port).onComplete(ar -> {
            if (p.done || closed) {
                if (ar.succeeded()) ar.result().close();
                return;
            }
            if (ar.failed()) {
                LOG.warn("port-forward to {}: port {}: {}", pod, p.port, ar.cause().getMessage());
                fail(p, "error forwarding port " + p.port + " to pod " + pod + ": " + ar.cause().getMessage());
                pairs.remove(requestId);
                return;
            }
            WebSocket node = ar.result();
            p.node = node;
            for (Buffer b : p.pending) node.write(b);
            p.pending.clear();
            node.handler(b -> {
                lastTraffic = System.nanoTime();
                send(new DefaultSpdyDataFrame(p.dataStream, Unpooled.wrappedBuffer(b.getBytes())));
                if (ws.writeQueueFull()) {
                    node.pause();
                    ws.drainHandler(v -> resumeAll());
                }
            });
            node.closeHandler(v -> {
                finish(p);
                pairs.remove(requestId);
            });
            node.exceptionHandler(e -> node.close());
        });
    }

    private void onData(SpdyDataFrame d) {
        Pair p = byStream.get(d.streamId());
        if (p == null || p.done || d.streamId() != p.dataStream) return; // the error stream carries nothing from the client
        ByteBuf content = d.content();
        if (content.readableBytes() == 0) return; // a FIN alone: the client sends no more (the pod's side stays open)
        Buffer b = Buffer.buffer(ByteBufUtil.getBytes(content));
        if (p.node == null) {
            p.pendingBytes += b.length();
            if (p.pendingBytes > PENDING_LIMIT) fail(p, "error forwarding port " + p.port + " to pod " + pod + ": too much data before the pod answered");
            else p.pending.add(b);
            return;
        }
        p.node.write(b);
        if (p.node.writeQueueFull()) {
            ws.pause();
            p.node.drainHandler(v -> ws.resume());
        }
    }

    private void onReset(int streamId) {
        Pair p = byStream.get(streamId);
        if (p == null) return;
        p.done = true;
        if (p.node != null) p.node.close();
    }

    /** The error on the error stream, then both streams closed. */
    private void fail(Pair p, String message) {
        if (p.done) return;
        if (p.errorStream >= 0) send(new DefaultSpdyDataFrame(p.errorStream, Unpooled.copiedBuffer(message, StandardCharsets.UTF_8)));
        finish(p);
        if (p.node != null) p.node.close();
    }

    /** Ends both streams (FIN), as the kubelet's Close of each once the forward returned. */
    private void finish(Pair p) {
        if (p.done) return;
        p.done = true;
        if (p.dataStream >= 0) send(new DefaultSpdyDataFrame(p.dataStream).setLast(true));
        if (p.errorStream >= 0) send(new DefaultSpdyDataFrame(p.errorStream).setLast(true));
        byStream.remove(p.dataStream);
        byStream.remove(p.errorStream);
    }

    private void resumeAll() {
        for (Pair p : pairs.values()) if (p.node != null) p.node.resume();
    }

    private void send(SpdyFrame frame) {
        codec.encode(frame, !closed && !ws.isClosed(), ws::write);
    }

    private void shutdown() {
        if (closed) return;
        closed = true;
        if (timer >= 0) vertx.cancelTimer(timer);
        for (Pair p : pairs.values()) if (p.node != null) p.node.close();
        pairs.clear();
        byStream.clear();
        codec.close();
        onClose.run();
    }

    private static String header(SpdySynStreamFrame s, String name) {
        return s.headers().getAsString(name);
    }

    static int parsePort(String text) {
        if (text == null || !text.matches("[0-9]{1,5}")) return -1;
        int p = Integer.parseInt(text);
        return p >= 1 && p <= 65535 ? p : -1;
    }
}
