package io.berth.ops.kubectl;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Whole binary messages from the JDK WebSocket's fragments (the channel protocols of exec and port-forward). */
final class WebSocketMessages {
    private WebSocketMessages() {}

    /** Adds a fragment to {@code message}; the whole message (and {@code message} emptied) on the last one, else null. */
    static byte[] append(ByteArrayOutputStream message, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        message.write(bytes, 0, bytes.length);
        if (!last) return null;
        byte[] whole = message.toByteArray();
        message.reset();
        return whole;
    }
}
