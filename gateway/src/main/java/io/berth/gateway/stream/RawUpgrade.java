package io.berth.gateway.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An HTTP/1.1 connection switched to raw bytes after {@code 101 Switching Protocols}, for kubectl's plain SPDY
 * upgrade. Vert.x's {@code HttpServerRequest.toNetSocket()} would do this, but only for a GET (or CONNECT), and
 * kubectl upgrades with a POST; so this writes the 101 and takes the connection's Netty pipeline over: every
 * handler but TLS is removed and the bytes go to the {@link Tunnel} returned. Runs on the connection's event loop.
 */
final class RawUpgrade {
    private RawUpgrade() {}

    /** Writes {@code 101} with {@code headers} and returns the connection as a tunnel; null when it is not HTTP/1.x over Netty. */
    static Tunnel switchProtocols(RoutingContext ctx, Map<String, String> headers) {
        if (!(ctx.request().connection() instanceof io.vertx.core.net.impl.ConnectionBase c)) return null;
        Channel ch = c.channel();
        ChannelTunnel tunnel = new ChannelTunnel(ch);
        var pipeline = ch.pipeline();
        List<String> names = new ArrayList<>(pipeline.names());
        for (String name : names) {
            ChannelHandler h = pipeline.get(name);
            if (h != null && !(h instanceof SslHandler)) pipeline.remove(name);
        }
        pipeline.addLast("berth-raw-upgrade", tunnel);
        StringBuilder head = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        ch.writeAndFlush(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));
        return tunnel;
    }

    private static final class ChannelTunnel extends ChannelInboundHandlerAdapter implements Tunnel {
        private final Channel ch;
        private Handler<Buffer> handler;
        private Handler<Void> drain, onClose;
        private Handler<Throwable> onError;
        private final List<Buffer> early = new ArrayList<>();
        private boolean closed;

        ChannelTunnel(Channel ch) {
            this.ch = ch;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!(msg instanceof ByteBuf b) || b.readableBytes() == 0) return; // the request's own leftovers
                Buffer bytes = Buffer.buffer(ByteBufUtil.getBytes(b));
                if (handler == null) early.add(bytes);
                else handler.handle(bytes);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ch.isWritable() && drain != null) {
                Handler<Void> d = drain;
                drain = null;
                d.handle(null);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed = true;
            if (onClose != null) onClose.handle(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (onError != null) onError.handle(cause);
            ch.close();
        }

        public void handler(Handler<Buffer> h) {
            handler = h;
            for (Buffer b : early) h.handle(b);
            early.clear();
        }

        public void write(Buffer b) {
            if (!closed) ch.writeAndFlush(Unpooled.wrappedBuffer(b.getBytes()));
        }

        public boolean writeQueueFull() { return !ch.isWritable(); }
        public void drainHandler(Handler<Void> h) { drain = h; }
        public void pause() { ch.config().setAutoRead(false); }
        public void resume() { ch.config().setAutoRead(true); }
        public void closeHandler(Handler<Void> h) { onClose = h; }
        public void exceptionHandler(Handler<Throwable> h) { onError = h; }
        public boolean isClosed() { return closed || !ch.isActive(); }

        /** After what was written has gone out (a FIN'd stream's last frames must reach kubectl). */
        public void close(String reason) {
            if (ch.isActive()) ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
