package io.berth.node.runtime;

import io.berth.node.reconcile.Observed;
import io.berth.node.reconcile.Relist;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs the reconciler's listings of the node's containers as {@link Relist} paces them, on the worker
 * pool; hands each fresh listing on, and discards one started before a change ({@link #changed()}: an
 * event or an own Docker call) as stale, asking for another. Event loop only.
 */
final class Relister {
    private static final Logger log = LoggerFactory.getLogger(Relister.class);

    private final Vertx vertx;
    private final String nodeId;
    private final Supplier<Future<Map<String, Observed>>> list;
    private final Consumer<Map<String, Observed>> fresh;
    private Relist state = Relist.START;
    /** bumped by every event and own mutation: a listing taken before it is stale and discarded */
    private long changes;
    private boolean closed;

    /**
     * @param list  lists the node's containers (on a worker)
     * @param fresh gets each listing nothing happened during
     */
    Relister(Vertx vertx, String nodeId, Supplier<Future<Map<String, Observed>>> list, Consumer<Map<String, Observed>> fresh) {
        this.vertx = vertx;
        this.nodeId = nodeId;
        this.list = list;
        this.fresh = fresh;
    }

    /** Something changed the node's containers (or what the reconciler knows of them): a listing running now is stale. */
    void changed() {
        changes++;
    }

    /** The daemon stops: nothing is listed any more. */
    void close() {
        closed = true;
    }

    /** Asks for a pass: lists now, after the running listing, or when the gap since the last one has passed. */
    void ask() {
        if (closed) return;
        Relist.Next next = state.ask(System.nanoTime());
        state = next.state();
        if (next.action() == Relist.Action.DEFER) {
            vertx.setTimer(next.waitMs(), t -> {
                state = state.woke();
                ask();
            });
        } else if (next.action() == Relist.Action.LIST) {
            long before = changes;
            list.get().onComplete(ar -> {
                state = state.listed(System.nanoTime(), ar.succeeded() && before != changes);
                if (closed) return;
                if (ar.failed()) log.warn("node {}: cannot list containers: {}", nodeId, ar.cause().toString());
                else if (before == changes) fresh.accept(ar.result());
                if (state.again()) {
                    state = state.asked();
                    ask();
                }
            });
        }
    }
}
