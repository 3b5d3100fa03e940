package io.berth.schemas.service;

import java.time.Duration;

/**
 * How long a Berth process may take to stop (issue 13: SIGTERM stops any Berth process within 5 s, broker
 * or not). Every close is bounded by one of these; the launcher's shutdown hook starts {@link #watchdog}
 * first, which halts the JVM if the closes still have not finished, so a broker that is gone (a producer
 * flushing, a consumer leaving its group, Streams committing) can never hold a process up.
 */
public final class Shutdown {
    /**
     * After this, the watchdog halts the process. 4 s, not 4.5: on the shared 2-core box at load 30 the JVM took
     * up to 0.7 s from SIGTERM to running its hooks, and the limit is 5 s from the signal.
     */
    public static final Duration BUDGET = Duration.ofMillis(4000);
    /** What a service's own close takes at most when it closes its parts together ({@link #closeAll}). */
    public static final Duration SERVICE_CLOSE = Duration.ofMillis(3000);
    /** A Kafka producer, consumer or admin client. */
    public static final Duration CLIENT_CLOSE = Duration.ofMillis(1000);
    /** A Kafka Streams client (leaving its group, committing). */
    public static final Duration STREAMS_CLOSE = Duration.ofMillis(2000);
    /** A Vert.x instance or HTTP server. */
    public static final Duration VERTX_CLOSE = Duration.ofMillis(1000);
    /** A thread asked to stop (a consumer loop after {@code wakeup}). */
    public static final Duration THREAD_JOIN = Duration.ofMillis(1500);

    private static volatile int exitStatus = 143; // 128 + SIGTERM, what a JVM killed by SIGTERM exits with

    private Shutdown() {}

    /** The status the watchdog halts with: set by a fatal report before it calls {@code System.exit}. */
    public static void exitStatus(int status) {
        exitStatus = status;
    }

    /**
     * Closes {@code parts} at the same time, each on a daemon thread of its own, and returns once all are
     * closed or {@code budget} has passed (what is still closing then is left to the process exit). Independent
     * parts (a service's consumers and producers) each wait for the broker on their own; one after the other,
     * their timeouts would add up.
     */
    public static void closeAll(String name, Duration budget, java.util.List<? extends AutoCloseable> parts) {
        long deadline = System.nanoTime() + budget.toNanos();
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (AutoCloseable part : parts) {
            if (part == null) continue;
            Thread t = new Thread(() -> {
                try {
                    part.close();
                } catch (Exception e) {
                    org.slf4j.LoggerFactory.getLogger(Shutdown.class).warn("{}: closing {} failed: {}", name, part, e.toString());
                }
            }, name + "-close");
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) break;
            try {
                t.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Starts a daemon thread that halts the JVM once {@link #BUDGET} has passed; call first thing in a shutdown hook. */
    public static Thread watchdog(String name) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(BUDGET.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            System.err.println(name + ": not stopped within " + BUDGET.toMillis() + " ms; halting (status " + exitStatus + ")");
            System.err.flush();
            Runtime.getRuntime().halt(exitStatus);
        }, name + "-shutdown-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
