package io.berth.node.docker;

import com.github.dockerjava.transport.DockerHttpClient;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The short-call Docker client's admission gate. httpclient5 makes a call wait up to 3 minutes for
 * a pooled connection (its connection-request timeout, which docker-java's builder does not
 * expose): with the pool taken by stuck or long calls, the whole daemon stalled silently. Here a
 * call first takes one of {@code permits} (= the pool's size, so it never waits inside the pool)
 * for at most {@code waitMs}, else fails at once with {@link DockerBusyException}; every wait,
 * timeout and call duration goes to {@link DockerCallStats}, which the runtime health detector reads.
 * A permit is held until the response is closed (docker-java closes it after reading the body).
 */
final class GatedHttpClient implements DockerHttpClient {
    private final DockerHttpClient delegate;
    private final Semaphore permits;
    private final int size;
    private final long waitMs;
    private final DockerCallStats stats;

    GatedHttpClient(DockerHttpClient delegate, int permits, long waitMs, DockerCallStats stats) {
        this.delegate = delegate;
        this.permits = new Semaphore(permits, true);
        this.size = permits;
        this.waitMs = waitMs;
        this.stats = stats;
    }

    @Override
    public Response execute(Request request) {
        try {
            if (!permits.tryAcquire(waitMs, TimeUnit.MILLISECONDS)) {
                stats.timedOut(System.currentTimeMillis());
                throw new DockerBusyException("Docker API busy: no connection of " + size + " free within "
                        + waitMs + " ms for " + request.method() + " " + request.path());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DockerBusyException("interrupted while waiting for a Docker API connection");
        }
        long token = stats.begin(System.currentTimeMillis());
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                stats.end(token, System.currentTimeMillis());
                permits.release();
            }
        };
        try {
            Response r = delegate.execute(request);
            return new Response() {
                @Override public int getStatusCode() { return r.getStatusCode(); }
                @Override public Map<String, List<String>> getHeaders() { return r.getHeaders(); }
                @Override public InputStream getBody() { return r.getBody(); }
                @Override public void close() {
                    try {
                        r.close();
                    } finally {
                        release.run();
                    }
                }
            };
        } catch (RuntimeException | Error e) {
            release.run();
            throw e;
        }
    }

    /** Calls in flight now (permits taken). */
    int inFlight() {
        return size - permits.availablePermits();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    /** No Docker API connection became free in time: the daemon's bounded pool is exhausted. */
    public static final class DockerBusyException extends RuntimeException {
        DockerBusyException(String message) {
            super(message);
        }
    }
}
