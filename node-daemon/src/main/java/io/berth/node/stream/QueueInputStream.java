package io.berth.node.stream;

import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stdin of an exec: chunks offered by the event loop (never blocking it), read by Docker's writer thread.
 * {@link #queued()} lets the offering side pause its source while too much waits.
 */
final class QueueInputStream extends InputStream {
    private static final byte[] EOF = new byte[0];
    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private byte[] current;
    private int pos;
    private volatile boolean closed;

    /** Adds a chunk (non-blocking). */
    void offer(byte[] chunk) {
        if (closed || chunk.length == 0) return;
        queued.addAndGet(chunk.length);
        chunks.offer(chunk);
    }

    /** No more input: the reader sees end of stream once it has read what is queued. */
    void end() {
        if (closed) return;
        closed = true;
        chunks.offer(EOF);
    }

    long queued() {
        return queued.get();
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) return 0;
        try {
            while (current == null || pos >= current.length) {
                if (current == EOF) return -1;
                byte[] next = chunks.poll(200, TimeUnit.MILLISECONDS);
                if (next == null) continue;
                current = next;
                pos = 0;
                if (current == EOF) return -1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        queued.addAndGet(-n);
        return n;
    }

    @Override
    public int available() {
        return current == null || current == EOF ? 0 : current.length - pos;
    }

    @Override
    public void close() {
        end();
    }
}
