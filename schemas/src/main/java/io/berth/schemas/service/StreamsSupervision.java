package io.berth.schemas.service;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Crash-only Streams (issue 13): a stream thread that dies of something no handler caught (an
 * {@link Error}, a fenced producer the client could not recover, a bug) is replaced, as Kafka
 * Streams' {@code REPLACE_THREAD} does; if threads keep dying ({@link #MAX_DEATHS} within
 * {@link #WINDOW_MS}, the same input killing each new thread), the client shuts down and the
 * process is told through {@link Fatal}, which the launcher turns into an exit with a non-zero
 * status, so a supervisor (systemd, Kubernetes, {@code berth up}'s user) restarts it — never a process
 * that answers and does nothing. A client that reaches {@code ERROR} by another path (its global
 * thread died) is reported the same way.
 */
public final class StreamsSupervision {
    private static final Logger log = LoggerFactory.getLogger(StreamsSupervision.class);
    /** Thread deaths tolerated (each replaced) within {@link #WINDOW_MS}; one more shuts the client down. */
    public static final int MAX_DEATHS = 3;
    public static final long WINDOW_MS = 10 * 60_000L;

    private StreamsSupervision() {}

    /**
     * Records a death at {@code now} in {@code deaths} (times, oldest first; older than the window
     * are dropped) and answers replace or shut down. Pure but for {@code deaths}.
     */
    public static StreamThreadExceptionResponse decide(Deque<Long> deaths, long now, int maxDeaths, long windowMs) {
        while (!deaths.isEmpty() && deaths.peekFirst() <= now - windowMs) deaths.pollFirst();
        deaths.addLast(now);
        return deaths.size() > maxDeaths ? StreamThreadExceptionResponse.SHUTDOWN_CLIENT : StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /**
     * Installs the handler on {@code streams} (before {@code start}); {@code fatal} is called once,
     * with the reason, when the client is shut down for good or reaches {@code ERROR}. Compose the
     * service's own state listener through {@code onState}.
     */
    public static void install(KafkaStreams streams, String name, KafkaStreams.StateListener onState, Consumer<String> fatal) {
        install(streams, name, onState, fatal, MAX_DEATHS);
    }

    /** As {@link #install(KafkaStreams, String, KafkaStreams.StateListener, Consumer)} with {@code maxDeaths} replacements per window. */
    public static void install(KafkaStreams streams, String name, KafkaStreams.StateListener onState, Consumer<String> fatal, int maxDeaths) {
        Deque<Long> deaths = new ArrayDeque<>();
        AtomicBoolean reported = new AtomicBoolean();
        streams.setUncaughtExceptionHandler(e -> {
            StreamThreadExceptionResponse r;
            synchronized (deaths) {
                r = decide(deaths, System.currentTimeMillis(), maxDeaths, WINDOW_MS);
            }
            if (r == StreamThreadExceptionResponse.REPLACE_THREAD) {
                log.error("{}: a stream thread died; replacing it ({} of {} within {} min)", name, deaths.size(), maxDeaths, WINDOW_MS / 60_000, e);
            } else {
                log.error("{}: stream threads died {} times within {} min; shutting the client down", name, deaths.size(), WINDOW_MS / 60_000, e);
            }
            return r;
        });
        streams.setStateListener((now, old) -> {
            onState.onChange(now, old);
            if (now == KafkaStreams.State.ERROR && reported.compareAndSet(false, true)) {
                String why = name + ": Kafka Streams stopped for good (state ERROR"
                        + (deaths.size() > maxDeaths ? ", " + deaths.size() + " stream thread deaths within " + WINDOW_MS / 60_000 + " min" : "") + ")";
                // not on the stream thread that is shutting the client down
                Thread t = new Thread(() -> fatal.accept(why), name + "-fatal");
                t.setDaemon(true);
                t.start();
            }
        });
    }
}
