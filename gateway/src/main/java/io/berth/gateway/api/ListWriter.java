package io.berth.gateway.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.util.Iterator;

/**
 * Writes a list answer ({@code head}, the items' JSON comma-joined, {@code ]}}) from the bytes each
 * object was serialized to once. A small list is one response with a content length; a large one
 * (100,000 pods are ~200 MB) is streamed in chunks of {@link #CHUNK} bytes with back-pressure: the next
 * chunk is made only when the connection has taken the previous ones, so a full list costs the gateway
 * a chunk of memory per client instead of the whole answer, and the event loop serves other requests
 * between chunks.
 */
final class ListWriter {
    static final int CHUNK = 256 * 1024;

    private ListWriter() {}

    static void write(HttpServerResponse response, String head, Iterator<byte[]> items) {
        Buffer first = Buffer.buffer(CHUNK + 4096).appendString(head);
        boolean more = fill(first, items, true);
        if (!more) {
            response.end(first.appendString("]}"));
            return;
        }
        response.setChunked(true);
        response.write(first);
        pump(response, items);
    }

    private static void pump(HttpServerResponse response, Iterator<byte[]> items) {
        while (!response.closed()) {
            Buffer chunk = Buffer.buffer(CHUNK + 4096);
            if (!fill(chunk, items, false)) {
                response.end(chunk.appendString("]}"));
                return;
            }
            response.write(chunk);
            if (response.writeQueueFull()) {
                response.drainHandler(v -> pump(response, items));
                return;
            }
        }
    }

    /** Appends items until the buffer holds a chunk; true when items remain. {@code first}: nothing written before. */
    private static boolean fill(Buffer out, Iterator<byte[]> items, boolean first) {
        boolean comma = !first;
        while (items.hasNext()) {
            if (out.length() >= CHUNK) return true;
            if (comma) out.appendByte((byte) ',');
            out.appendBytes(items.next());
            comma = true;
        }
        return false;
    }
}
