package io.berth.gateway.stream;

import io.berth.gateway.api.ApiException;
import io.berth.gateway.api.Status;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's bound on exec and port-forward sessions: at most {@code gateway-max-streams} open at once (429
 * {@code TooManyRequests} beyond, as the other caps), each closed after {@code gateway-stream-idle-seconds}
 * without a byte either way (default 4 h, the kubelet's {@code streaming-connection-idle-timeout}).
 */
public final class StreamCaps {
    private final int max;
    private final long idleMs;
    private final AtomicInteger open = new AtomicInteger();

    public StreamCaps(int max, long idleSeconds) {
        if (max < 1) throw new IllegalArgumentException(PodStreamsApi.MAX_STREAMS + ": Invalid value: " + max + ": must be at least 1");
        if (idleSeconds < 1) throw new IllegalArgumentException(PodStreamsApi.STREAM_IDLE + ": Invalid value: " + idleSeconds + ": must be at least 1");
        this.max = max;
        this.idleMs = idleSeconds * 1000;
    }

    long idleMs() {
        return idleMs;
    }

    /** Streams open now. */
    public int open() {
        return open.get();
    }

    /** A slot, released exactly once by the returned action; 429 when all are taken. */
    Runnable acquire() {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            com.fasterxml.jackson.databind.node.ObjectNode s = Status.failure(429, "TooManyRequests",
                    "the gateway has " + max + " exec and port-forward streams open (" + PodStreamsApi.MAX_STREAMS + "): too many requests, please try again later", null, null);
            throw new ApiException(s);
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) open.decrementAndGet();
        };
    }
}
