package io.berth.node.sim;

import io.berth.node.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Forwards a {@link SimRuntime}'s container events to the node's reconciler, as {@code DockerEventsVerticle} does Docker's. */
final class SimEventsVerticle extends VerticleBase {
    private final SimRuntime runtime;
    private final Addresses addr;

    SimEventsVerticle(SimRuntime runtime, String nodeId) {
        this.runtime = runtime;
        this.addr = new Addresses(nodeId);
    }

    @Override
    public Future<?> start() {
        runtime.listen(e -> vertx.eventBus().send(addr.containerEvents(), e));
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        runtime.listen(null);
        return Future.succeededFuture();
    }
}
