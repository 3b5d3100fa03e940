package io.berth.node.bus;

import io.berth.schemas.service.BerthConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.Properties;

/**
 * A verticle that reads a topic with a KafkaConsumer of its own, without a consumer group (nothing
 * committed, from the beginning, read_committed: the writers are transactional). KafkaConsumer blocks,
 * so each session polls on its own thread, never on an event loop; a session that fails is closed and a
 * fresh one starts after a back-off (on a Vert.x timer: 500 ms, doubling up to 30 s, reset by
 * {@link #polled()}). {@link #stop()} wakes the consumer and completes once its thread closed it.
 */
public abstract class ConsumerThreadVerticle extends VerticleBase {
    private final Logger log;
    private final BerthConfig config;
    protected final String nodeId;
    private final String name;
    private final String what;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Promise<Void> exited;
    private volatile long retryMs = 500;
    private volatile io.berth.node.join.ClusterGuard guard = io.berth.node.join.ClusterGuard.none();

    /**
     * @param log  the subclass's logger
     * @param name suffix of the client id and the thread's name, {@code berth-node-<nodeId>-<name>}
     * @param what what the consumer reads, for the log
     */
    protected ConsumerThreadVerticle(Logger log, BerthConfig config, String nodeId, String name, String what) {
        this.log = log;
        this.config = config;
        this.nodeId = nodeId;
        this.name = name;
        this.what = what;
    }

    /**
     * Assigns, seeks and polls until {@link #running()} turns false, on the consumer's thread; calls
     * {@link #polled()} after each poll it handled. {@code ctx} is this verticle's context.
     */
    protected abstract void read(KafkaConsumer<String, byte[]> c, Context ctx);

    /** False once stopped, or once the consumer found itself on another cluster (then nothing more is handled). */
    protected final boolean running() {
        return running && !guard.tripped();
    }

    /** Watches this consumer's metadata for another cluster ({@link io.berth.node.join.ClusterGuard}); call before deploying. */
    public ConsumerThreadVerticle withGuard(io.berth.node.join.ClusterGuard guard) {
        this.guard = guard;
        return this;
    }

    /** True once the consumer saw another cluster: a record just polled must not be handled. */
    protected final boolean foreignCluster() {
        return guard.tripped();
    }

    /** A poll went through: the next failure waits the shortest back-off again. */
    protected final void polled() {
        retryMs = 500;
    }

    @Override
    public Future<?> start() {
        session();
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c == null) return Future.succeededFuture();
        c.wakeup();
        return exited.future();
    }

    /** One consumer on its own thread; if it fails, a fresh one starts after a back-off (on a Vert.x timer). */
    private void session() {
        if (!running) return;
        Properties p = config.clientProps("berth-node-" + nodeId + "-" + name);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, guard.keyDeserializer(), new ByteArrayDeserializer());
        consumer = c;
        Promise<Void> done = Promise.promise();
        exited = done;
        Context ctx = context;
        Thread t = new Thread(() -> {
            boolean failed = loop(c, ctx);
            done.tryComplete();
            if (failed && running()) {
                long delay = retryMs;
                retryMs = Math.min(30_000, retryMs * 2);
                vertx.setTimer(delay, id -> session());
            }
        }, "berth-node-" + nodeId + "-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** Reads until stopped; returns true if it ended by failure. */
    private boolean loop(KafkaConsumer<String, byte[]> c, Context ctx) {
        try {
            read(c, ctx);
            return false;
        } catch (WakeupException e) {
            return running;
        } catch (RuntimeException e) {
            log.error("node {}: {} consumer failed; restarting it in {} ms", nodeId, what, retryMs, e);
            return true;
        } finally {
            c.close(io.berth.schemas.service.Shutdown.CLIENT_CLOSE);
        }
    }
}
