package io.berth.gateway.stream;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/**
 * The client's side of a SPDY session, whichever way it came: tunneled in WebSocket binary messages (kubectl ≥ 1.30's
 * port-forward) or the raw connection after a plain {@code Upgrade: SPDY/3.1} (kubectl before 1.30, {@link RawUpgrade}). SPDY is a byte
 * stream either way; only the framing around it differs.
 */
interface Tunnel {
    void handler(Handler<Buffer> handler);

    void write(Buffer bytes);

    boolean writeQueueFull();

    void drainHandler(Handler<Void> handler);

    void pause();

    void resume();

    void closeHandler(Handler<Void> handler);

    void exceptionHandler(Handler<Throwable> handler);

    boolean isClosed();

    /** Closes the connection; {@code reason} goes into a WebSocket close frame where there is one. */
    void close(String reason);

    static Tunnel of(ServerWebSocket ws) {
        return new Tunnel() {
            public void handler(Handler<Buffer> h) { ws.handler(h); }
            public void write(Buffer b) { ws.writeBinaryMessage(b); }
            public boolean writeQueueFull() { return ws.writeQueueFull(); }
            public void drainHandler(Handler<Void> h) { ws.drainHandler(h); }
            public void pause() { ws.pause(); }
            public void resume() { ws.resume(); }
            public void closeHandler(Handler<Void> h) { ws.closeHandler(h); }
            public void exceptionHandler(Handler<Throwable> h) { ws.exceptionHandler(h); }
            public boolean isClosed() { return ws.isClosed(); }
            public void close(String reason) {
                if (reason == null) ws.close();
                else ws.close((short) 1000, reason);
            }
        };
    }
}
