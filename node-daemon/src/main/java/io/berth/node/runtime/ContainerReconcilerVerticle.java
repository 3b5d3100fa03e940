package io.berth.node.runtime;

import io.berth.schemas.TaskReason;
import io.berth.node.NodeSettings;
import io.berth.node.bus.Addresses;
import io.berth.node.bus.AssignmentChange;
import io.berth.node.bus.ContainerEvent;
import io.berth.node.bus.TaskRunning;
import io.berth.node.docker.ContainerRequest;
import io.berth.node.docker.PodUnit;
import io.berth.node.mesh.MeshAddresses;
import io.berth.node.probe.ProbeMachine;
import io.berth.node.probe.Probes;
import io.berth.node.reconcile.Creation;
import io.berth.node.reconcile.Desired;
import io.berth.node.reconcile.Fence;
import io.berth.node.reconcile.InitGate;
import io.berth.node.reconcile.Observed;
import io.berth.node.reconcile.Planner;
import io.berth.node.reconcile.PodNetwork;
import io.berth.node.reconcile.PodStatus;
import io.berth.node.reconcile.Relist;
import io.berth.node.reconcile.Reported;
import io.berth.node.reconcile.RestartGate;
import io.berth.node.reconcile.RestartState;
import io.berth.node.reconcile.RestartPolicy;
import io.berth.node.reconcile.Step;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.TaskState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Drives this node's Docker containers toward its live assignments, level-triggered: on every
 * assignment change, every container event and a periodic tick it lists the node's containers,
 * asks the pure {@link Planner} what to do and executes the steps. It is the adapter around the pure
 * decisions of {@code reconcile} and {@code probe}: {@link InitGate} (which units of a pod may run),
 * {@link RestartGate} (restart or not, when, restartCount), {@link PodStatus} (what a container and a
 * pod report), {@link Creation} (what a create needs), {@link Probes} (what a probe result means); it
 * feeds them observations and keeps the values they return. Its collaborators do the I/O and timers:
 * {@link ContainerOps} (every Docker call, on a worker pool; {@link ContainerCreator} for creates),
 * {@link Relister} (paced listings), {@link ProbeScheduler}, {@link Fencer}, {@link StatusReporter}.
 * It owns all per-unit state ({@link Units} of {@link TaskRecord}s, {@link Observations}) on its event
 * loop and is the only component that reports task status, so each transition is published once.
 */
public final class ContainerReconcilerVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(ContainerReconcilerVerticle.class);

    private final NodeSettings node;
    private final ContainerRuntime docker;
    private final Addresses addr;
    private final LongSupplier clock;

    private final Map<String, Assignment> live = new HashMap<>();
    private final Units tasks;
    private final StatusReporter reporter;
    private final Observations observed = new Observations();
    private boolean synced;
    private ContainerOps ops;
    private Relister relister;
    private ProbeScheduler probes;
    private Fencer fencer;

    /**
     * Docker calls in flight at once. The engine serialises little of create/start: 4 left it idle
     * between calls while a burst of 20+ pods queued (ops/bench real-docker: 8 threads of raw docker-java
     * create+start is the engine's limit on a 2-core machine; more gains nothing).
     */
    static final int DOCKER_CALLS = 8;
    /** where a pod's Secrets and ConfigMaps come from ({@link #withConfigs}) */
    private java.util.function.Function<String, io.berth.node.config.PodConfigs.Lookup> configs;

    public ContainerReconcilerVerticle(NodeSettings node, ContainerRuntime docker, StatusSink statuses, LongSupplier clock) {
        this.node = node;
        this.docker = docker;
        this.addr = new Addresses(node.nodeId());
        this.clock = clock;
        this.tasks = new Units(docker.infra().image());
        this.reporter = new StatusReporter(node.nodeId(), statuses, clock);
    }

    @Override
    public Future<?> start() {
        WorkerExecutor workers = vertx.createSharedWorkerExecutor(docker.workerPool(node.nodeId()), DOCKER_CALLS);
        ops = new ContainerOps(node.nodeId(), docker, workers, new ContainerCreator(docker, configs), () -> {
            relister.changed();
            reconcile();
        });
        probes = new ProbeScheduler(vertx, docker, ops, node.nodeId(), clock, new ProbeScheduler.Hooks(
                r -> Probes.probed(live.get(r.taskId), r.unit), this::probeAddress, r -> grace(r.unit), this::readinessChanged));
        fencer = new Fencer(node.nodeId(), ops, observed, o -> record(o.taskId(), o), clock);
        relister = new Relister(vertx, node.nodeId(), () -> ops.blocking(docker::list), listing -> {
            observed.replace(listing);
            apply(clock.getAsLong());
        });
        vertx.eventBus().<AssignmentChange>localConsumer(addr.assignments(), m -> onAssignment(m.body()));
        vertx.eventBus().localConsumer(addr.assignmentsSynced(), m -> onSynced());
        vertx.eventBus().<ContainerEvent>localConsumer(addr.containerEvents(), m -> onContainerEvent(m.body()));
        vertx.eventBus().localConsumer(addr.runningTasks(), m -> m.reply(observed.runningTaskIds()));
        vertx.eventBus().<Long>localConsumer(addr.fence(), m -> onFence(m.body()));
        vertx.eventBus().localConsumer(addr.leaseRegained(), m -> onLeaseRegained());
        vertx.setPeriodic(node.reconcileMs(), id -> reconcile());
        reconcile();
        // class loading the first probe (and the first decisions) would otherwise do on this event loop
        return ops.blocking(() -> {
            probes.warmUp();
            warmUpDecisions();
            return null;
        });
    }

    /** Loads the pure decision functions and links their lambdas on a worker, not in the first pass on the event loop. */
    private static void warmUpDecisions() {
        RestartGate.failed(RestartGate.exited(RestartGate.launched(RestartState.NEW, RestartGate.Launch.RESTART), 0, 1), 1);
        RestartGate.decide(RestartPolicy.ALWAYS, 0, 0, 0);
        InitGate.admit(List.of(), RestartPolicy.ALWAYS, Map.of());
        PodStatus.aggregate(RestartPolicy.ALWAYS, List.of(), false);
        PodStatus.readiness(false, PodStatus.exited(0, false, null), true, false, "");
        PodStatus.backingOff(0, 0, 0);
        Planner.plan(Map.of(), Map.of(), Map.of(), false, 0);
        Probes.verdict(ProbeMachine.Kind.READINESS, ProbeMachine.Outcome.NONE, Probes.machine(null, 0), false, Reported.NONE, "");
        Relist.START.ask(0);
    }

    @Override
    public Future<?> stop() {
        // containers keep running on purpose: a restarted daemon adopts them
        if (relister != null) relister.close();
        if (probes != null) {
            tasks.all().forEach(probes::stop);
            probes.close();
        }
        return ops == null ? Future.succeededFuture() : ops.close();
    }

    // ---- inputs -------------------------------------------------------------------------

    private void onAssignment(AssignmentChange c) {
        if (c.revoked()) {
            Assignment was = live.remove(c.taskId());
            List<TaskRecord> units = tasks.of(c.taskId());
            for (TaskRecord r : units) probes.stop(r); // a revoked task reports no readiness any more
            if (was != null && units.isEmpty() && !observed.anyOf(c.taskId())) {
                // revoked before anything was created for it (e.g. scaled down while it waited for its turn): no
                // container will be removed to report it, so say now that it is gone, or its pod stays Terminating
                reporter.revokedUnstarted(was);
            }
        } else {
            live.put(c.taskId(), c.assignment());
            for (TaskRecord r : tasks.of(c.taskId())) r.describe(c.assignment(), docker.infra().image());
        }
        reconcile();
    }

    /**
     * The lease ran out: every task assigned now is barred for good and reported FAILED (the report goes
     * out when the link is back), every container of the node is killed and removed ({@link Fencer}), and
     * nothing starts until the lease is regained.
     */
    private void onFence(long silentMs) {
        fencer.bar(live.keySet());
        for (TaskRecord r : List.copyOf(tasks.all())) {
            probes.stop(r);
            if (live.containsKey(r.taskId) && !r.reported.down()) report(r, Fence.killed(silentMs, node.leaseMs()));
        }
        fencer.killEverything(Fence.why(silentMs, node.leaseMs()));
        reconcile(); // a fresh listing catches whatever was created meanwhile
    }

    /** A heartbeat sent within the lease was acknowledged: plan again (barred tasks stay down until revoked). */
    private void onLeaseRegained() {
        if (fencer.regain()) reconcile();
    }

    private void onSynced() {
        synced = true;
        reconcile();
    }

    private void onContainerEvent(ContainerEvent e) {
        relister.changed();
        TaskRecord r = tasks.get(e.taskId()); // the unit key
        if (r == null && !live.containsKey(PodUnit.taskOf(e.taskId()))) {
            reconcile(); // not ours to report (yet): the listing decides
            return;
        }
        r = record(e.taskId(), null);
        long now = clock.getAsLong();
        switch (e.action()) {
            case START -> onStarted(r, e.containerId(), e.network(), now);
            case OOM -> r.oomKilled();
            case DIE -> {
                observed.saw(new Observed(r.unit, r.workloadKey, e.containerId(), Observed.State.EXITED, e.exitCode(), grace(r.unit)));
                onExited(r, e.exitCode(), now);
            }
            case DESTROY -> onDestroyed(r, e.containerId());
        }
        reconcile();
    }

    // ---- transitions (each reports at most once) ---------------------------------------

    private void onStarted(TaskRecord r, String containerId, PodNetwork network, long now) {
        r.hasContainer(containerId, network);
        observed.saw(new Observed(r.unit, r.workloadKey, containerId, Observed.State.RUNNING, null, grace(r.unit), r.network));
        if (!r.reportedRunning() && live.containsKey(r.taskId)) {
            r.runs(now);
            // without readiness (and startup) probes a running container is ready at once: one READY status then, not
            // RUNNING and READY back to back (the kubelet's status manager sends one update too); a quarter of the
            // statuses (and control-plane steps) of a pod's start
            boolean ready = probes.start(r, now).ready();
            report(r, ready ? TaskState.READY : TaskState.RUNNING, null, "Started", "");
            announceRunning(r, containerId, now);
        }
    }

    private void announceRunning(TaskRecord r, String containerId, long now) {
        Assignment a = live.get(r.taskId);
        if (r.infra()) { // no output to ship; the mesh writes the pod's hosts file (shared by the joined containers)
            vertx.eventBus().send(new MeshAddresses(node.nodeId()).containerStarted(), containerId);
            return;
        }
        String pod = a.getPodName().isEmpty() ? a.getTaskId() : a.getPodName();
        String container = a.getTemplate().getContainers().isEmpty() ? "" : r.desc.name();
        // one second early: "since" has second granularity and the start event arrives after the first output
        int since = (int) (now / 1000) - 1;
        vertx.eventBus().publish(addr.taskRunning(), new TaskRunning(r.taskId, containerId, a.getNamespace(), pod, container, since));
    }

    private void onExited(TaskRecord r, Integer exitCode, long now) {
        probes.stop(r);
        Reported exit = r.exited(exitCode, now);
        if (exit == null) return; // this run's end was reported already
        if (live.containsKey(r.taskId)) report(r, exit);
        else r.reports(exit); // not (yet) assigned, e.g. found by an adopting daemon before its assignment was read: the snapshot keeps it
    }

    private void onDestroyed(TaskRecord r, String containerId) {
        if (containerId.equals(r.containerId)) {
            probes.stop(r);
            r.containerGone(containerId);
        }
        observed.forget(r.unit, containerId);
        if (!live.containsKey(r.taskId) && !r.busy) removed(r);
        // a live task's container removed behind our back is recreated by the reconcile that follows
    }

    private void removed(TaskRecord r) {
        if (!tasks.remove(r)) return;
        if (!multi(r)) {
            report(r, TaskState.REMOVED, null, "Revoked", "");
            return;
        }
        r.reports(new Reported(TaskState.REMOVED, r.reported.exitCode(), "Revoked", ""));
        List<TaskRecord> all = tasks.retire(r);
        if (all != null) { // the pod's last container is gone
            reporter.podRemoved(r.taskId, all);
            ops.deletePodDirLater(r.taskId);
        }
    }

    // ---- the loop -----------------------------------------------------------------------

    /** Asks for a pass: a listing of the node's containers ({@link Relister}: paced, stale ones discarded), then {@link #apply}. */
    private void reconcile() {
        relister.ask();
    }

    private void apply(long now) {
        counted.accept(countByState(observed.all()));
        if (fencer.fenced()) { // plan nothing: whatever the listing shows dies
            fencer.killAll();
            return;
        }
        noticeMissedTransitions(now);
        Map<String, Desired> desired = new HashMap<>();
        Map<String, Long> gates = new HashMap<>();
        fencer.prune(live.keySet());
        live.forEach((id, a) -> {
            if (!fencer.barred(id)) desire(a, desired);
        });
        for (TaskRecord r : tasks.all()) gates.put(r.unit, r.restart.notBefore());
        for (Step s : Planner.plan(desired, observed.view(), gates, synced, now)) {
            TaskRecord r = record(s.taskId(), observed.get(s.taskId()));
            if (r.busy) continue;
            try {
                execute(s, r);
            } catch (RuntimeException e) {
                // one unusable assignment (e.g. no container in its template) must not stall the others
                failed(r, TaskReason.CREATE_CONTAINER_ERROR.text(), e);
            }
        }
        if (synced) dropRevokedWithoutContainer();
    }

    /**
     * The units of a live pod the planner may act on ({@link InitGate}: infra first, init containers one
     * at a time, app containers after them). When the pod's sandbox died, its containers are removed
     * first (a recycle) and nothing else of the pod is planned.
     */
    private void desire(Assignment a, Map<String, Desired> desired) {
        boolean shared = PodUnit.sharedNetwork(a) && !a.getTemplate().getContainers().isEmpty();
        if (shared) for (PodUnit u : PodUnit.of(a)) record(u.key(), null); // every container is listed in the snapshot from the start
        InitGate.Admission admit = InitGate.forPod(a, observed.view());
        for (Observed o : admit.recycle()) {
            TaskRecord r = record(o.taskId(), o);
            if (!r.busy) recycle(r, o.containerId());
        }
        for (Desired d : admit.desired()) desired.put(d.taskId(), d);
    }

    /** Stops and removes one container of a live pod (its sandbox died); the pod's next passes recreate it. */
    private void recycle(TaskRecord r, String containerId) {
        probes.stop(r);
        log.info("node {} task {}: container {} removed to recreate the pod (its infra container is gone)", node.nodeId(), r.taskId, r.desc.name());
        ops.remove(r, containerId, r.infra() ? 0 : grace(r.unit), false).onSuccess(v -> {
            observed.forget(r.unit, containerId);
            r.containerGone(containerId);
        });
    }

    /** The listing is the truth when an event was missed (e.g. while the event stream reconnected, or at adoption). */
    private void noticeMissedTransitions(long now) {
        for (Observed o : observed.all()) {
            TaskRecord r = record(o.taskId(), o);
            if (r.busy) continue;
            r.containerIs(o.containerId());
            if (o.state() == Observed.State.RUNNING && !r.reportedRunning()) onStarted(r, o.containerId(), o.network(), now);
            if (o.state() == Observed.State.EXITED && !r.reported.down()) onExited(r, o.exitCode(), now);
        }
    }

    private void dropRevokedWithoutContainer() {
        for (TaskRecord r : List.copyOf(tasks.all())) {
            if (!live.containsKey(r.taskId) && !observed.has(r.unit) && !r.busy) removed(r);
        }
    }

    private void execute(Step step, TaskRecord r) {
        if (step instanceof Step.Create c) create(r, live.get(r.taskId));
        else if (step instanceof Step.Start s) start(r, s.containerId(), false);
        else if (step instanceof Step.Restart s) start(r, s.containerId(), true);
        else if (step instanceof Step.Wait w) waitFor(r, w.untilMillis());
        else if (step instanceof Step.Remove rm) remove(r, rm.containerId(), rm.graceSeconds());
        // Step.Done: the policy says it stays down; EXITED was reported when it died
    }

    private void create(TaskRecord r, Assignment a) {
        Creation.Plan plan = Creation.of(a, r.unit, docker.infra().image(), observed.view());
        if (plan instanceof Creation.Unusable) ContainerRequest.mainContainer(a); // throws: no container in the template
        if (!(plan instanceof Creation.Launch launch)) return; // its pod's infra container is not running (yet)
        r.launching(RestartGate.Launch.CREATE); // a restart if it replaces one removed behind our back
        ops.create(r, a, launch).onSuccess(id -> {
            r.hasContainer(id, null);
            observed.saw(new Observed(r.unit, r.workloadKey, id, Observed.State.CREATED, null, ContainerRequest.graceSeconds(a)));
            report(r, TaskState.CREATED, null, "Created", "");
            start(r, id, false);
        }).onFailure(err -> failed(r, ContainerCreator.reason(err), err));
    }

    /** Told this node's containers by state after every listing ({@code berth_node_containers}). */
    public ContainerReconcilerVerticle withCounts(java.util.function.Consumer<Map<Observed.State, Integer>> counted) {
        this.counted = counted;
        return this;
    }

    private java.util.function.Consumer<Map<Observed.State, Integer>> counted = m -> {};

    static Map<Observed.State, Integer> countByState(java.util.Collection<Observed> containers) {
        Map<Observed.State, Integer> n = new java.util.EnumMap<>(Observed.State.class);
        for (Observed.State s : Observed.State.values()) n.put(s, 0);
        for (Observed o : containers) n.merge(o.state(), 1, Integer::sum);
        return n;
    }

    /** Where a pod's (task id →) Secrets and ConfigMaps come from (none: a pod using one waits with CreateContainerConfigError). */
    public ContainerReconcilerVerticle withConfigs(java.util.function.Function<String, io.berth.node.config.PodConfigs.Lookup> configs) {
        this.configs = configs;
        return this;
    }

    private void start(TaskRecord r, String containerId, boolean restart) {
        if (fencer.fenced()) return; // e.g. a create that finished after the fence: the next pass kills it
        r.launching(restart ? RestartGate.Launch.RESTART : RestartGate.Launch.START);
        // RUNNING is reported by the start event (or the next listing), not here: one source, one report
        ops.start(r, containerId).onFailure(err -> failed(r, TaskReason.START_ERROR.text(), err));
    }

    private void waitFor(TaskRecord r, long until) {
        if (!observed.has(r.unit)) return; // a failed create waiting to retry: FAILED was reported
        if (!TaskReason.CRASH_LOOP_BACK_OFF.is(r.reported.reason())) {
            report(r, PodStatus.backingOff(observed.get(r.unit).exitCode(), until, clock.getAsLong()));
            vertx.setTimer(Math.max(1, until - clock.getAsLong()), t -> reconcile());
        }
    }

    private void remove(TaskRecord r, String containerId, int grace) {
        probes.stop(r);
        boolean single = !multi(r); // a pod of several containers deletes its directory once the last one is gone
        ops.remove(r, containerId, grace, single).onSuccess(v -> {
            observed.forget(r.unit, containerId);
            removed(r);
        });
    }

    private void failed(TaskRecord r, String reason, Throwable err) {
        r.launchFailed(clock.getAsLong());
        String message = ContainerCreator.message(err);
        if (!(r.reported.is(TaskState.FAILED) && reason.equals(r.reported.reason()))) {
            report(r, TaskState.FAILED, null, reason, message);
        }
        log.warn("node {} task {}: {}: {}", node.nodeId(), r.unit, reason, message);
    }

    // ---- probes (run by ProbeScheduler; what a result means: Probes) ------------------

    private void readinessChanged(TaskRecord r, Reported next) {
        if (live.containsKey(r.taskId)) report(r, next);
    }

    /** The pod's IP: a container joined to an infra container has none of its own. */
    private String probeAddress(TaskRecord r) {
        boolean ownNetwork = r.unit.equals(r.taskId) && !multi(r);
        TaskRecord infra = ownNetwork || !r.network.ip().isEmpty() ? null : tasks.get(PodUnit.infraKey(r.taskId));
        return Probes.address(r.network.ip(), ownNetwork, infra == null ? null : infra.network.ip());
    }

    // ---- helpers ------------------------------------------------------------------------

    private TaskRecord record(String unit, Observed o) {
        return tasks.record(unit, live.get(PodUnit.taskOf(unit)), o);
    }

    private int grace(String unit) {
        Assignment a = live.get(PodUnit.taskOf(unit));
        if (a != null) return ContainerRequest.graceSeconds(a);
        Observed o = observed.get(unit);
        return o != null ? o.graceSeconds() : 2;
    }

    /** Whether the record belongs to a pod of several units (containers, init containers or an infra container). */
    private boolean multi(TaskRecord r) {
        return tasks.multi(r, live.get(r.taskId));
    }

    private void report(TaskRecord r, TaskState state, Integer exitCode, String reason, String message) {
        report(r, new Reported(state, exitCode, reason, message));
    }

    /** Remembers the container's transition and publishes it: as the task's status, or folded into its pod's. */
    private void report(TaskRecord r, Reported next) {
        r.reports(next);
        if (!multi(r)) {
            reporter.container(r, next);
            return;
        }
        Assignment a = live.get(r.taskId);
        reporter.pod(r.taskId, tasks.of(r.taskId), a == null ? RestartPolicy.ALWAYS : RestartPolicy.parse(a.getTemplate().getRestartPolicy()));
    }
}
