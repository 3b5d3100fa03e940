package io.berth.node.runtime;

import io.berth.node.probe.ProbeMachine;
import io.berth.node.probe.Prober;
import io.berth.node.probe.Probes;
import io.berth.node.reconcile.Reported;
import io.berth.schemas.avro.ContainerSpec;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/**
 * Runs the probes of running containers, as the kubelet's prober does: a {@link ProbeMachine} per run
 * of a container (a restart starts a new one), a timer on the reconciler's event loop for the next due
 * probe, the checks on {@link Prober} (Vert.x clients, docker exec on a worker). A result of a run that
 * was stopped or replaced meanwhile is dropped. What a result means is {@link Probes#verdict}'s: a
 * readiness change goes to the reconciler to report; a failed liveness or startup probe stops the
 * container (its die event and restart policy do the rest). The only writer of {@link TaskRecord#probes}
 * and {@link TaskRecord#probeTimer}; used on the reconciler's event loop only.
 */
final class ProbeScheduler {
    private static final Logger log = LoggerFactory.getLogger(ProbeScheduler.class);

    /**
     * What the scheduler asks of the reconciler about a unit.
     *
     * @param spec      its container spec while its task is live; null: not probed (infra and init containers)
     * @param address   where its container is reached
     * @param grace     its termination grace in seconds
     * @param readiness its readiness changed: report this
     */
    record Hooks(Function<TaskRecord, ContainerSpec> spec, Function<TaskRecord, String> address, ToIntFunction<TaskRecord> grace,
                 BiConsumer<TaskRecord, Reported> readiness) {}

    private final Vertx vertx;
    private final Prober prober;
    private final ContainerOps ops;
    private final String nodeId;
    private final LongSupplier clock;
    private final Hooks hooks;
    private boolean closed;

    ProbeScheduler(Vertx vertx, ContainerRuntime docker, ContainerOps ops, String nodeId, LongSupplier clock, Hooks hooks) {
        this.vertx = vertx;
        this.prober = new Prober(vertx, docker, nodeId);
        this.ops = ops;
        this.nodeId = nodeId;
        this.clock = clock;
        this.hooks = hooks;
    }

    /** A new run of the unit's container began at {@code now}: probe it from scratch. */
    ProbeMachine start(TaskRecord r, long now) {
        stop(r);
        ProbeMachine m = Probes.machine(hooks.spec().apply(r), now);
        r.probes = m;
        schedule(r, m);
        return m;
    }

    /** No more probes of the current run (it ended, or its task was revoked); a result still in flight is dropped. */
    void stop(TaskRecord r) {
        if (r.probeTimer >= 0) vertx.cancelTimer(r.probeTimer);
        r.probeTimer = -1;
        r.probes = null;
    }

    /** On a worker thread at start: what the first probe would otherwise load and link on the event loop ({@link Prober#warmUpConnections}). */
    void warmUp() {
        Prober.warmUp();
        prober.warmUpConnections();
    }

    /** The daemon stops: no timer is set, no container stopped any more. */
    void close() {
        closed = true;
        prober.close();
    }

    private void schedule(TaskRecord r, ProbeMachine m) {
        if (r.probes != m || closed) return;
        if (r.probeTimer >= 0) vertx.cancelTimer(r.probeTimer);
        r.probeTimer = -1;
        long wake = m.nextWake();
        if (wake == Long.MAX_VALUE) return; // everything due is in flight: its result reschedules
        r.probeTimer = vertx.setTimer(Math.max(1, wake - clock.getAsLong()), t -> {
            if (r.probes != m) return;
            r.probeTimer = -1;
            run(r, m);
        });
    }

    private void run(TaskRecord r, ProbeMachine m) {
        ContainerSpec c = hooks.spec().apply(r);
        if (c == null || r.containerId == null) {
            stop(r);
            return;
        }
        String containerId = r.containerId;
        for (ProbeMachine.Kind k : m.due(clock.getAsLong())) {
            prober.run(Probes.probe(c, k), containerId, hooks.address().apply(r), Probes.defaultPort(c), m.timeoutMs(k)).onComplete(ar -> {
                if (r.probes != m) return; // stopped or restarted meanwhile: a stale result
                Prober.Result res = ar.succeeded() ? ar.result() : new Prober.Result(false, String.valueOf(ar.cause()));
                onResult(r, m, k, res);
            });
        }
        schedule(r, m);
    }

    private void onResult(TaskRecord r, ProbeMachine m, ProbeMachine.Kind k, Prober.Result res) {
        boolean wasReady = r.ready();
        ProbeMachine.Outcome o = m.onResult(k, res.success(), res.message(), clock.getAsLong());
        if (!res.success()) log.debug("node {} task {}: {} probe failed: {}", nodeId, r.taskId, k.title, res.message());
        Probes.Verdict v = Probes.verdict(k, o, m, wasReady, r.reported, r.desc.name());
        if (v instanceof Probes.Kill kill) {
            kill(r, m, kill.message());
            return;
        }
        if (v instanceof Probes.Report report) hooks.readiness().accept(r, report.next());
        schedule(r, m);
    }

    /** A failed liveness or startup probe: stop the container; its die event and the restart policy do the rest. */
    private void kill(TaskRecord r, ProbeMachine m, String message) {
        r.killedFor(message);
        log.info("node {} task {}: {} ({})", nodeId, r.taskId, message, m.fatalMessage());
        stop(r);
        stopContainer(r, r.containerId);
    }

    private void stopContainer(TaskRecord r, String containerId) {
        if (closed || containerId == null || !containerId.equals(r.containerId) || r.killMessage == null) return;
        if (r.busy) { // another Docker call for this task is in flight: stop right after it
            vertx.setTimer(100, t -> stopContainer(r, containerId));
            return;
        }
        ops.stop(r, containerId, hooks.grace().applyAsInt(r));
    }
}
