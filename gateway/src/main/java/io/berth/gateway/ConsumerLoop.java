package io.berth.gateway;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;

import java.time.Duration;

/**
 * The lifecycle the gateway's background readers share (the view cache, the audit snapshot writer):
 * one plain consumer polled on its own daemon thread until {@link #close()}. A {@code KafkaConsumer}
 * is not thread-safe and {@code wakeup()} is the one call another thread may make, so closing clears
 * the running flag, wakes the poll and waits up to 5 s for the thread, which closes the consumer itself
 * on its way out. A wakeup while still running, or any other failure, ends the loop with a log line.
 */
public final class ConsumerLoop implements AutoCloseable {
    /** What the thread runs: it polls while {@link ConsumerLoop#running()}. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private final KafkaConsumer<?, ?> consumer;
    private final String what;
    private final Logger log;
    private volatile boolean running = true;
    private Thread thread;

    /** @param what names the reader in log lines ("view cache"); {@code log} is the owner's logger */
    public ConsumerLoop(KafkaConsumer<?, ?> consumer, String what, Logger log) {
        this.consumer = consumer;
        this.what = what;
        this.log = log;
    }

    /** Starts {@code body} on a daemon thread named {@code threadName}. */
    public void start(String threadName, Body body) {
        thread = new Thread(() -> run(body), threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the thread still runs its body (false once it ended, by close or by an error). */
    public boolean alive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** False once {@link #close()} was called: the body's poll loop condition. */
    public boolean running() {
        return running;
    }

    private void run(Body body) {
        try {
            body.run();
        } catch (WakeupException e) {
            if (running) log.warn("{} woken up unexpectedly", what);
        } catch (Exception e) {
            log.error("{} stopped: {}", what, e.toString(), e);
        } finally {
            consumer.close(io.berth.schemas.service.Shutdown.CLIENT_CLOSE);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (thread != null) {
            try {
                thread.join(io.berth.schemas.service.Shutdown.THREAD_JOIN.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
