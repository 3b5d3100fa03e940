package io.berth.gateway.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.buffer.Buffer;

import java.util.function.Consumer;

/**
 * Netty's SPDY/3.1 frame codec (with its zlib header compression) over a byte stream Berth does not hand
 * to Netty itself — a raw upgraded connection or a WebSocket — run in an {@link EmbeddedChannel}. One per
 * connection; used on its event loop only.
 */
final class SpdyCodec {
    private final EmbeddedChannel channel = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));

    /** Decodes {@code bytes} from the client and hands each complete frame to {@code onFrame}. */
    void decode(Buffer bytes, Consumer<Object> onFrame) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes.getBytes()));
        for (Object f; (f = channel.readInbound()) != null; ) onFrame.accept(f);
    }

    /** Encodes {@code frame} and writes its bytes to {@code out}; when {@code open} is false the frame is released unsent. */
    void encode(SpdyFrame frame, boolean open, Consumer<Buffer> out) {
        if (!open) {
            ReferenceCountUtil.release(frame);
            return;
        }
        channel.writeOutbound(frame);
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            try {
                out.accept(Buffer.buffer(ByteBufUtil.getBytes(b)));
            } finally {
                b.release();
            }
        }
    }

    void close() {
        channel.finishAndReleaseAll();
    }
}
