package io.berth.gateway.stream;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two WebSockets joined message by message (Kubernetes' channel protocols keep their channel byte in the first
 * byte of each message, so message boundaries are kept), with back-pressure both ways: a side whose peer's write
 * queue is full is paused until it drains. Either side closing closes the other; so does {@code idleMs} without a
 * message either way. Runs on the event loop of the side that created it; nothing blocks.
 */
final class Relay {
    private final Vertx vertx;
    private final WebSocketBase client, node;
    private final long idleMs;
    private final AtomicLong lastTraffic = new AtomicLong(System.nanoTime());
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable onClose;
    private long timer = -1;

    Relay(Vertx vertx, WebSocketBase client, WebSocketBase node, long idleMs, Runnable onClose) {
        this.vertx = vertx;
        this.client = client;
        this.node = node;
        this.idleMs = idleMs;
        this.onClose = onClose;
    }

    void start() {
        forward(client, node);
        forward(node, client);
        client.closeHandler(v -> close(node, closeCode(client), client.closeReason()));
        node.closeHandler(v -> close(client, closeCode(node), node.closeReason()));
        client.exceptionHandler(e -> close(node, (short) 1011, null));
        node.exceptionHandler(e -> close(client, (short) 1011, null));
        timer = vertx.setPeriodic(Math.max(100, Math.min(idleMs / 4, 30_000)), id -> {
            if (System.nanoTime() - lastTraffic.get() > idleMs * 1_000_000L) {
                close(client, (short) 1000, "idle for " + idleMs / 1000 + " s");
                close(node, (short) 1000, null);
            }
        });
    }

    private void forward(WebSocketBase from, WebSocketBase to) {
        from.binaryMessageHandler(b -> send(from, to, b, true));
        from.textMessageHandler(t -> send(from, to, Buffer.buffer(t), false));
    }

    private void send(WebSocketBase from, WebSocketBase to, Buffer b, boolean binary) {
        lastTraffic.set(System.nanoTime());
        if (to.isClosed()) return;
        if (binary) to.writeBinaryMessage(b);
        else to.writeTextMessage(b.toString());
        if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
        }
    }

    private static short closeCode(WebSocketBase ws) {
        Short s = ws.closeStatusCode();
        return s == null || s == 1005 || s == 1006 || s < 1000 ? 1000 : s;
    }

    private void close(WebSocketBase other, short code, String reason) {
        if (!other.isClosed()) other.close(code, reason);
        if (closed.compareAndSet(false, true)) {
            if (timer >= 0) vertx.cancelTimer(timer);
            onClose.run();
        }
    }
}
