package io.berth.node.runtime;

import io.berth.node.reconcile.Fence;
import io.berth.node.reconcile.Observed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The node's half of fencing on the engine ({@link Fence} decides): once the lease ran out, every
 * container of the node is killed and removed (again at every pass while fenced: nothing is created or
 * started), and the tasks assigned then are barred: never run here again, until their assignment is
 * revoked. Event loop only.
 */
final class Fencer {
    private static final Logger log = LoggerFactory.getLogger(Fencer.class);

    private final String nodeId;
    private final ContainerOps ops;
    private final Observations observed;
    private final Function<Observed, TaskRecord> record;
    private final LongSupplier clock;
    private boolean fenced;
    /** Task ids a fence killed while assigned: never run again here; dropped once revoked. */
    private Set<String> barred = new HashSet<>();

    /** @param record the record of a listed container's unit */
    Fencer(String nodeId, ContainerOps ops, Observations observed, Function<Observed, TaskRecord> record, LongSupplier clock) {
        this.nodeId = nodeId;
        this.ops = ops;
        this.observed = observed;
        this.record = record;
        this.clock = clock;
    }

    /** The lease ran out: fenced, and every task assigned now ({@code live}) is barred for good. */
    void bar(Set<String> live) {
        fenced = true;
        barred.addAll(live);
    }

    /** Fenced because {@code why}: kill everything. */
    void killEverything(String why) {
        log.warn("node {}: fenced ({}): killing {} containers, {} tasks barred", nodeId, why, observed.size(), barred.size());
        killAll();
    }

    boolean fenced() {
        return fenced;
    }

    /** A heartbeat sent within the lease was acknowledged: false when the node was not fenced. */
    boolean regain() {
        if (!fenced) return false;
        fenced = false;
        log.info("node {}: lease regained; {} fenced tasks stay down until their assignments are revoked", nodeId, barred.size());
        return true;
    }

    /** Before a pass over the {@code live} tasks: a revoked task is no longer barred ({@link Fence#stillBarred}). */
    void prune(Set<String> live) {
        barred = Fence.stillBarred(barred, live);
    }

    boolean barred(String taskId) {
        return barred.contains(taskId);
    }

    /** Kills and removes every container of the node not already in a Docker call (those come back through the next pass). */
    void killAll() {
        long started = clock.getAsLong();
        for (Observed o : List.copyOf(observed.all())) {
            TaskRecord r = record.apply(o);
            if (r.busy) continue;
            String id = o.containerId();
            ops.kill(r, id).onSuccess(v -> {
                observed.forget(r.unit, id);
                r.containerGone(id);
                log.info("node {}: fenced: container of task {} killed and removed in {} ms", nodeId, o.taskId(), clock.getAsLong() - started);
            }).onFailure(err -> log.warn("node {}: fenced container {} not killed yet: {}", nodeId, id, err.toString()));
        }
    }
}
