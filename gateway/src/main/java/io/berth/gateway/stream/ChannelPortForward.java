package io.berth.gateway.stream;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;

import java.nio.charset.StandardCharsets;

/**
 * The kubelet's WebSocket port-forward ({@code v4.channel.k8s.io} on {@code /portforward?ports=P}), which
 * {@code berth port-forward} speaks: one WebSocket per forwarded connection and port; channel 0 carries the data,
 * channel 1 the error; the first message on each channel is the port (2 bytes, little-endian).
 */
final class ChannelPortForward {
    static final String PROTOCOL = "v4.channel.k8s.io";
    private static final int DATA = 0, ERROR = 1;

    private ChannelPortForward() {}

    static void start(ServerWebSocket ws, int port, String pod, Future<WebSocket> dialled, Runnable onClose) {
        ws.pause();
        dialled.onComplete(ar -> {
            ws.write(Buffer.buffer(new byte[]{DATA, (byte) (port & 0xff), (byte) (port >> 8)}));
            ws.write(Buffer.buffer(new byte[]{ERROR, (byte) (port & 0xff), (byte) (port >> 8)}));
            if (ar.failed()) {
                ws.writeBinaryMessage(Buffer.buffer().appendByte((byte) ERROR)
                        .appendBytes(("error forwarding port " + port + " to pod " + pod + ": " + ar.cause().getMessage()).getBytes(StandardCharsets.UTF_8)));
                ws.close();
                onClose.run();
                return;
            }
            WebSocket node = ar.result();
            ws.binaryMessageHandler(b -> {
                if (b.length() < 2 || b.getUnsignedByte(0) != DATA) return;
                node.write(b.getBuffer(1, b.length()));
                if (node.writeQueueFull()) {
                    ws.pause();
                    node.drainHandler(v -> ws.resume());
                }
            });
            node.handler(b -> {
                ws.writeBinaryMessage(Buffer.buffer(b.length() + 1).appendByte((byte) DATA).appendBuffer(b));
                if (ws.writeQueueFull()) {
                    node.pause();
                    ws.drainHandler(v -> node.resume());
                }
            });
            boolean[] closed = new boolean[1];
            Runnable end = () -> {
                if (closed[0]) return;
                closed[0] = true;
                if (!ws.isClosed()) ws.close();
                if (!node.isClosed()) node.close();
                onClose.run();
            };
            ws.closeHandler(v -> end.run());
            node.closeHandler(v -> end.run());
            ws.resume();
        });
    }
}
