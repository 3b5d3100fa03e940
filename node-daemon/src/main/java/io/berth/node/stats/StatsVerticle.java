package io.berth.node.stats;

import io.berth.node.bus.EventPublisher;
import io.berth.schemas.Topics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the node's usage every {@code stats-period-ms} on a worker ({@link StatsSource} reads files) and
 * publishes the window since the previous sample ({@link StatsWindow}) to {@code berth.node-stats}, signed
 * like every record of the node. A failed sample or publish is logged (once per stretch) and skipped.
 */
public final class StatsVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(StatsVerticle.class);

    private final String nodeId, nodeName;
    private final StatsSource source;
    private final EventPublisher publisher;
    private final long periodMs;
    private WorkerExecutor worker;
    private StatsSource.Sample previous;
    private volatile boolean failing;
    private boolean sampling;

    public StatsVerticle(String nodeId, String nodeName, StatsSource source, EventPublisher publisher, long periodMs) {
        if (periodMs < 1000) throw new IllegalArgumentException("stats-period-ms must be at least 1000, got " + periodMs);
        this.nodeId = nodeId;
        this.nodeName = nodeName;
        this.source = source;
        this.publisher = publisher;
        this.periodMs = periodMs;
    }

    @Override
    public Future<?> start() {
        worker = vertx.createSharedWorkerExecutor("berth-stats", 1);
        tick();
        vertx.setPeriodic(periodMs, id -> tick());
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        return worker == null ? Future.succeededFuture() : worker.close();
    }

    private void tick() {
        if (sampling) return; // the last sample is still being read (a slow disk): skip, never queue up
        sampling = true;
        worker.executeBlocking(source::sample, false).onComplete(ar -> {
            sampling = false;
            if (ar.failed()) {
                failed("not sampled", ar.cause());
                return;
            }
            StatsSource.Sample before = previous;
            previous = ar.result();
            if (before == null) return; // a rate needs two samples
            StatsWindow.between(nodeId, nodeName, before, ar.result()).ifPresent(stats ->
                    publisher.publish(Topics.NODE_STATS, nodeId, stats).whenComplete((md, err) -> {
                        if (err != null) failed("not published", err);
                        else ok();
                    }));
        });
    }

    private void failed(String what, Throwable e) {
        if (!failing) log.warn("node {}: usage {}: {}", nodeId, what, e.toString());
        failing = true;
    }

    private void ok() {
        if (failing) log.info("node {}: usage published again", nodeId);
        failing = false;
    }
}
