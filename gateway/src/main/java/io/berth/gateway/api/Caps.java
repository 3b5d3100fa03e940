package io.berth.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.schemas.limits.Limits;
import io.berth.schemas.service.BerthConfig;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one gateway process grants, so that no client can exhaust it (issue 13): connections, watches
 * (in all and per principal), log readers, request bodies, idle time, and the bytes a watcher or a log
 * reader may have waiting to be written. Every cap is a setting with a default (gateway/README.md,
 * "Caps"); a request over one is answered as kube-apiserver answers its max-in-flight limit: 429
 * {@code TooManyRequests} with a {@code Retry-After} header and a {@code Status} naming the cap.
 * Thread-safe: every event loop shares one.
 */
public final class Caps {
    public static final String MAX_CONNECTIONS = "gateway-max-connections";
    public static final String IDLE_TIMEOUT = "gateway-idle-timeout-seconds";
    public static final String MAX_WATCHES = "gateway-max-watches";
    public static final String MAX_WATCHES_PER_USER = "gateway-max-watches-per-user";
    public static final String WATCH_QUEUE_BYTES = "gateway-watch-queue-bytes";
    public static final String MAX_LOG_READERS = "gateway-max-log-readers";
    public static final String LOG_LIMIT_BYTES = "gateway-log-limit-bytes";
    public static final String MAX_BODY_BYTES = "gateway-max-body-bytes";
    public static final String MAX_OBJECT_BODY_BYTES = "gateway-max-object-body-bytes";

    /** kube-apiserver's {@code --max-requests-inflight} answer says to retry after a second. */
    static final int RETRY_AFTER_SECONDS = 1;

    public final int maxConnections;
    public final int idleTimeoutSeconds;
    public final int maxWatches;
    public final int maxWatchesPerUser;
    public final int watchQueueBytes;
    public final int maxLogReaders;
    public final long logLimitBytes;
    /** An apply (many documents): kube-apiserver's {@code --max-request-body-bytes} default, 3 MiB. */
    public final long maxBodyBytes;
    /** One object's write (create, replace, patch, scale, RBAC, config): 32 × the 32 KiB an encoded intent may take. */
    public final long maxObjectBodyBytes;

    private final AtomicInteger connections = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong opened = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicInteger watches = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> watchesByUser = new ConcurrentHashMap<>();
    private final AtomicInteger logReaders = new AtomicInteger();
    private final AtomicLong refusedConnections = new AtomicLong();
    private final AtomicLong droppedWatchers = new AtomicLong();

    /** Every cap at its default. */
    public static final Caps DEFAULT = new Caps((key, dflt) -> dflt);

    public Caps(BerthConfig config) {
        this(config::getLong);
    }

    /** @param config a setting's value by key, or the default given */
    public Caps(java.util.function.BiFunction<String, Long, Long> config) {
        maxConnections = positive(config, MAX_CONNECTIONS, 1000);
        idleTimeoutSeconds = positive(config, IDLE_TIMEOUT, 300);
        maxWatches = positive(config, MAX_WATCHES, 5000);
        maxWatchesPerUser = positive(config, MAX_WATCHES_PER_USER, 500);
        watchQueueBytes = positive(config, WATCH_QUEUE_BYTES, 4 << 20);
        maxLogReaders = positive(config, MAX_LOG_READERS, 64);
        logLimitBytes = positive(config, LOG_LIMIT_BYTES, 10 << 20);
        maxBodyBytes = positive(config, MAX_BODY_BYTES, 3 << 20);
        maxObjectBodyBytes = positive(config, MAX_OBJECT_BODY_BYTES, 32L * Limits.MAX_INTENT_BYTES);
    }

    private static int positive(java.util.function.BiFunction<String, Long, Long> config, String key, long dflt) {
        long v = config.apply(key, dflt);
        if (v < 1 || v > Integer.MAX_VALUE) throw new IllegalArgumentException(key + ": Invalid value: " + v + ": must be between 1 and " + Integer.MAX_VALUE);
        return (int) v;
    }

    // ---- bodies ----

    /** A body handler that never writes an upload to disk and keeps a body to {@code limit} bytes (413 beyond). */
    public static BodyHandler body(long limit) {
        return BodyHandler.create(false).setBodyLimit(limit).setDeleteUploadedFilesOnEnd(true);
    }

    public BodyHandler applyBody() {
        return body(maxBodyBytes);
    }

    public BodyHandler objectBody() {
        return body(maxObjectBodyBytes);
    }

    // ---- connections ----

    /** Counts a new connection; false when it is over {@link #maxConnections} (its requests are refused, then it is closed). */
    public boolean connectionOpened(HttpConnection conn) {
        opened.incrementAndGet();
        int n = connections.incrementAndGet();
        // not closeHandler: routes set their own (a watch, a rollout status, an audit follow) and would replace it
        if (conn instanceof io.vertx.core.net.impl.ConnectionBase c) c.closeFuture().onComplete(v -> connections.decrementAndGet());
        else conn.closeHandler(v -> connections.decrementAndGet());
        if (n <= maxConnections) return true;
        refusedConnections.incrementAndGet();
        return false;
    }

    /** The 429 a request on a connection over the cap gets; the connection is closed after it. */
    public ObjectNode connectionRefusal() {
        return tooMany("the gateway has " + maxConnections + " connections open (" + MAX_CONNECTIONS + "): too many requests, please try again later");
    }

    public int connections() {
        return connections.get();
    }

    /** Every connection ever opened (monotonic, unlike {@link #connections()}, which closes also move). */
    public long openedConnections() {
        return opened.get();
    }

    public long refusedConnections() {
        return refusedConnections.get();
    }

    // ---- watches ----

    /** Takes a watch slot for {@code user}, or throws 429 naming the cap; the runnable gives it back (once). */
    public Runnable acquireWatch(String user) {
        AtomicInteger mine = watchesByUser.computeIfAbsent(user, u -> new AtomicInteger());
        if (mine.incrementAndGet() > maxWatchesPerUser) {
            mine.decrementAndGet();
            throw new ApiException(tooMany("user \"" + user + "\" has " + maxWatchesPerUser + " watches open (" + MAX_WATCHES_PER_USER
                    + "): too many requests, please try again later"));
        }
        if (watches.incrementAndGet() > maxWatches) {
            watches.decrementAndGet();
            mine.decrementAndGet();
            throw new ApiException(tooMany("the gateway has " + maxWatches + " watches open (" + MAX_WATCHES
                    + "): too many requests, please try again later"));
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (!released.compareAndSet(false, true)) return;
            watches.decrementAndGet();
            mine.decrementAndGet();
        };
    }

    public int watches() {
        return watches.get();
    }

    /** Watchers dropped because their write queue was full (they did not read fast enough). */
    public long droppedWatchers() {
        return droppedWatchers.get();
    }

    public void watcherDropped() {
        droppedWatchers.incrementAndGet();
    }

    /**
     * The ERROR event a dropped watcher gets last, as the API server ends a watch it cannot serve: 410
     * {@code Expired}, so a client lists again (nothing it missed is lost, the list has it).
     */
    static byte[] droppedEvent(String resource) {
        ObjectNode status = Status.failure(410, "Expired", "watch of " + resource + " closed: the client did not read its events fast enough (write queue over "
                + WATCH_QUEUE_BYTES + "); list again and watch from the list's resourceVersion", null, null);
        return ViewCache.eventLine("ERROR", status.toString()).getBytes(StandardCharsets.UTF_8);
    }

    // ---- log readers ----

    /** Takes a log reader slot, or throws 429 naming the cap; the runnable gives it back (once). */
    public Runnable acquireLogReader() {
        if (logReaders.incrementAndGet() > maxLogReaders) {
            logReaders.decrementAndGet();
            throw new ApiException(tooMany("the gateway has " + maxLogReaders + " log readers open (" + MAX_LOG_READERS
                    + "): too many requests, please try again later"));
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) logReaders.decrementAndGet();
        };
    }

    public int logReaders() {
        return logReaders.get();
    }

    /** kube-apiserver's 429: reason {@code TooManyRequests}, {@code details.retryAfterSeconds}. */
    static ObjectNode tooMany(String message) {
        ObjectNode s = Status.failure(429, "TooManyRequests", message, null, null);
        s.putObject("details").put("retryAfterSeconds", RETRY_AFTER_SECONDS);
        // keep Kubernetes' field order: code last
        s.remove("code");
        return s.put("code", 429);
    }
}
