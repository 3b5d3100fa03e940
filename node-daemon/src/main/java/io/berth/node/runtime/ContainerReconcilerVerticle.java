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
import io.berth.node.probe.ProbeSettings;
import io.berth.node.probe.Prober;
import io.berth.node.reconcile.Desired;
import io.berth.node.reconcile.Fence;
import io.berth.node.reconcile.InitGate;
import io.berth.node.reconcile.Observed;
import io.berth.node.reconcile.Planner;
import io.berth.node.reconcile.PodNetwork;
import io.berth.node.reconcile.PodStatus;
import io.berth.node.reconcile.Reported;
import io.berth.node.reconcile.RestartGate;
import io.berth.node.reconcile.RestartState;
import io.berth.node.reconcile.RestartPolicy;
import io.berth.node.reconcile.Step;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.Probe;
import io.berth.schemas.avro.TaskState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * Drives this node's Docker containers toward its live assignments, level-triggered: on every
 * assignment change, every container event and a periodic tick it lists the node's containers,
 * asks the pure {@link Planner} what to do and executes the steps on a worker pool. It is the adapter
 * around the pure decisions of {@code reconcile}: {@link InitGate} (which units of a pod may run),
 * {@link RestartGate} (restart or not, when, restartCount), {@link PodStatus} (what a container and a
 * pod report); it feeds them observations, keeps the values they return, owns timers and I/O. It owns
 * all per-task state (on its event loop) and is the only component that reports task status, so each
 * transition is published once.
 */
public final class ContainerReconcilerVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(ContainerReconcilerVerticle.class);

    private final NodeSettings node;
    private final ContainerRuntime docker;
    private final StatusSink statuses;
    private final Addresses addr;
    private final LongSupplier clock;

    private final Map<String, Assignment> live = new HashMap<>();
    /** per unit (container) key; a single-container pod has one, keyed by its task id */
    private final Map<String, TaskRecord> tasks = new HashMap<>();
    /** multi-container pods: the last status published (timestamp 0), to publish changes only */
    private final Map<String, io.berth.schemas.avro.TaskStatus> podLast = new HashMap<>();
    /** multi-container pods: units already removed, for the pod's REMOVED snapshot */
    private final Map<String, List<TaskRecord>> gone = new HashMap<>();
    private Map<String, Observed> observed = new HashMap<>();
    private boolean synced;
    private boolean listing;
    private boolean again;
    /** when the last listing ended (clock of {@link System#nanoTime}); a timer is pending while {@link #deferred} */
    private long listedAt = Long.MIN_VALUE / 2;
    private boolean deferred;
    /** bumped by every event and own mutation: a listing taken before it is stale and discarded */
    private long changes;
    private WorkerExecutor workers;
    private Prober prober;
    private boolean stopping;
    /** The node's lease ran out ({@link Fence}): every container is killed, nothing is created or started. */
    private boolean fenced;
    /** Task ids a fence killed while assigned: never run again here; dropped once revoked. */
    private Set<String> barred = new HashSet<>();

    /**
     * Docker calls in flight at once. The engine serialises little of create/start: 4 left it idle
     * between calls while a burst of 20+ pods queued (ops/bench real-docker: 8 threads of raw docker-java
     * create+start is the engine's limit on a 2-core machine; more gains nothing).
     */
    static final int DOCKER_CALLS = 8;
    /**
     * At most one listing per this many ms. Every Docker call's completion and every event asks for a
     * pass; listing the node's containers after each one kept a listing always running during a burst
     * (one of the workers, and the engine walking every container under its lock: O(pods²) per burst).
     * Events and completions update the observed state directly, so only the safety net waits.
     */
    static final long MIN_LIST_GAP_MS = 250;

    public ContainerReconcilerVerticle(NodeSettings node, ContainerRuntime docker, StatusSink statuses, LongSupplier clock) {
        this.node = node;
        this.docker = docker;
        this.statuses = statuses;
        this.addr = new Addresses(node.nodeId());
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        workers = vertx.createSharedWorkerExecutor(docker.workerPool(node.nodeId()), DOCKER_CALLS);
        prober = new Prober(vertx, docker, node.nodeId());
        vertx.eventBus().<AssignmentChange>localConsumer(addr.assignments(), m -> onAssignment(m.body()));
        vertx.eventBus().localConsumer(addr.assignmentsSynced(), m -> onSynced());
        vertx.eventBus().<ContainerEvent>localConsumer(addr.containerEvents(), m -> onContainerEvent(m.body()));
        vertx.eventBus().localConsumer(addr.runningTasks(), m -> m.reply(runningTaskIds()));
        vertx.eventBus().<Long>localConsumer(addr.fence(), m -> onFence(m.body()));
        vertx.eventBus().localConsumer(addr.leaseRegained(), m -> onLeaseRegained());
        vertx.setPeriodic(node.reconcileMs(), id -> reconcile());
        reconcile();
        // class loading the first probe (and the first decisions) would otherwise do on this event loop
        return blocking(() -> {
            Prober.warmUp();
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
    }

    @Override
    public Future<?> stop() {
        // containers keep running on purpose: a restarted daemon adopts them
        stopping = true;
        tasks.values().forEach(this::stopProbes);
        if (prober != null) prober.close();
        return workers == null ? Future.succeededFuture() : workers.close();
    }

    // ---- inputs -------------------------------------------------------------------------

    private void onAssignment(AssignmentChange c) {
        if (c.revoked()) {
            Assignment was = live.remove(c.taskId());
            List<TaskRecord> units = unitsOf(c.taskId());
            for (TaskRecord r : units) stopProbes(r); // a revoked task reports no readiness any more
            if (was != null && units.isEmpty() && !observedAny(c.taskId())) {
                // revoked before anything was created for it (e.g. scaled down while it waited for its turn): no
                // container will be removed to report it, so say now that it is gone, or its pod stays Terminating
                statuses.report(Statuses.revokedUnstarted(node.nodeId(), was, clock.getAsLong()));
            }
        } else {
            live.put(c.taskId(), c.assignment());
            for (TaskRecord r : unitsOf(c.taskId())) r.describe(c.assignment(), docker.infra().image());
        }
        reconcile();
    }

    /**
     * The lease ran out: every task assigned now is barred for good and reported FAILED (the report goes
     * out when the link is back), every container of the node is killed and removed, and nothing starts
     * until the lease is regained.
     */
    private void onFence(long silentMs) {
        fenced = true;
        String why = Fence.why(silentMs, node.leaseMs());
        long now = clock.getAsLong();
        barred.addAll(live.keySet());
        for (TaskRecord r : List.copyOf(tasks.values())) {
            stopProbes(r);
            if (live.containsKey(r.taskId) && !r.reported.down()) report(r, Fence.killed(silentMs, node.leaseMs()));
        }
        log.warn("node {}: fenced ({}): killing {} containers, {} tasks barred", node.nodeId(), why, observed.size(), barred.size());
        killAll();
        reconcile(); // a fresh listing catches whatever was created meanwhile
    }

    /** A heartbeat sent within the lease was acknowledged: plan again (barred tasks stay down until revoked). */
    private void onLeaseRegained() {
        if (!fenced) return;
        fenced = false;
        log.info("node {}: lease regained; {} fenced tasks stay down until their assignments are revoked", node.nodeId(), barred.size());
        reconcile();
    }

    /** Kills and removes every container of the node not already in a Docker call (those come back through the next pass). */
    private void killAll() {
        long started = clock.getAsLong();
        for (Observed o : List.copyOf(observed.values())) {
            TaskRecord r = record(o.taskId(), o);
            if (r.busy) continue;
            String id = o.containerId();
            busy(r, () -> {
                docker.killAndRemove(id);
                return null;
            }).onSuccess(v -> {
                Observed now = observed.get(r.unit);
                if (now != null && now.containerId().equals(id)) observed.remove(r.unit);
                if (id.equals(r.containerId)) r.containerId = null;
                r.network = PodNetwork.NONE;
                log.info("node {}: fenced: container of task {} killed and removed in {} ms", node.nodeId(), o.taskId(), clock.getAsLong() - started);
            }).onFailure(err -> log.warn("node {}: fenced container {} not killed yet: {}", node.nodeId(), id, err.toString()));
        }
    }

    private void onSynced() {
        synced = true;
        reconcile();
    }

    private void onContainerEvent(ContainerEvent e) {
        changes++;
        TaskRecord r = tasks.get(e.taskId()); // the unit key
        if (r == null && !live.containsKey(PodUnit.taskOf(e.taskId()))) {
            reconcile(); // not ours to report (yet): the listing decides
            return;
        }
        r = record(e.taskId(), null);
        long now = clock.getAsLong();
        switch (e.action()) {
            case START -> onStarted(r, e.containerId(), e.network(), now);
            case OOM -> r.oomKilled = true;
            case DIE -> {
                observed.put(r.unit, new Observed(r.unit, r.workloadKey, e.containerId(), Observed.State.EXITED, e.exitCode(), grace(r.unit)));
                onExited(r, e.exitCode(), now);
            }
            case DESTROY -> onDestroyed(r, e.containerId());
        }
        reconcile();
    }

    // ---- transitions (each reports at most once) ---------------------------------------

    private void onStarted(TaskRecord r, String containerId, PodNetwork network, long now) {
        r.containerId = containerId;
        r.restart = RestartGate.hasContainer(r.restart);
        if (network != null) r.network = network;
        observed.put(r.unit, new Observed(r.unit, r.workloadKey, containerId, Observed.State.RUNNING, null, grace(r.unit), r.network));
        if (!r.reportedRunning() && live.containsKey(r.taskId)) {
            r.run = r.run.started(now);
            ProbeMachine probes = startProbes(r, now);
            // without readiness (and startup) probes a running container is ready at once: one READY status then, not
            // RUNNING and READY back to back (the kubelet's status manager sends one update too); a quarter of the
            // statuses (and control-plane steps) of a pod's start
            if (probes.ready()) {
                r.ready = true;
                report(r, TaskState.READY, null, "Started", "");
            } else {
                report(r, TaskState.RUNNING, null, "Started", "");
            }
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
        stopProbes(r);
        r.network = PodNetwork.NONE;
        if (r.reported.down()) return;
        r.run = r.run.exited(now, exitCode);
        r.restart = RestartGate.exited(r.restart, r.run.startedAt(), now);
        Reported exit = PodStatus.exited(exitCode, r.oomKilled, r.killMessage);
        r.oomKilled = false;
        r.killMessage = null;
        if (live.containsKey(r.taskId)) report(r, exit);
        else r.reported = exit; // not (yet) assigned, e.g. found by an adopting daemon before its assignment was read: the snapshot keeps it
    }

    private void onDestroyed(TaskRecord r, String containerId) {
        if (containerId.equals(r.containerId)) {
            stopProbes(r);
            r.network = PodNetwork.NONE;
        }
        Observed o = observed.get(r.unit);
        if (o != null && o.containerId().equals(containerId)) observed.remove(r.unit);
        if (containerId.equals(r.containerId)) r.containerId = null;
        if (!live.containsKey(r.taskId) && !r.busy) removed(r);
        // a live task's container removed behind our back is recreated by the reconcile that follows
    }

    private void removed(TaskRecord r) {
        if (tasks.remove(r.unit) == null) return;
        if (!multi(r)) {
            report(r, TaskState.REMOVED, null, "Revoked", "");
            return;
        }
        r.reported = new Reported(TaskState.REMOVED, r.reported.exitCode(), "Revoked", "");
        gone.computeIfAbsent(r.taskId, k -> new ArrayList<>()).add(r);
        if (unitsOf(r.taskId).isEmpty()) { // the pod's last container is gone
            List<TaskRecord> all = gone.remove(r.taskId);
            all.sort(UNIT_ORDER);
            podLast.remove(r.taskId);
            publishPod(r.taskId, all, TaskState.REMOVED, null, "Revoked", "", true);
            blocking(() -> {
                deletePodDir(r.taskId);
                return null;
            });
        }
    }

    // ---- the loop -----------------------------------------------------------------------

    /** Lists the node's containers and plans; coalesces calls that arrive while a listing runs. */
    private void reconcile() {
        if (stopping) return;
        if (listing) {
            again = true;
            return;
        }
        if (deferred) return;
        long wait = MIN_LIST_GAP_MS - (System.nanoTime() - listedAt) / 1_000_000;
        if (wait > 0) { // listed a moment ago: one more pass when the gap has passed, for everything asked meanwhile
            deferred = true;
            vertx.setTimer(wait, t -> {
                deferred = false;
                reconcile();
            });
            return;
        }
        listing = true;
        long before = changes;
        blocking(docker::list).onComplete(ar -> {
            listing = false;
            listedAt = System.nanoTime();
            if (stopping) return;
            if (ar.failed()) {
                log.warn("node {}: cannot list containers: {}", node.nodeId(), ar.cause().toString());
            } else if (before != changes) {
                again = true; // something happened while listing: this snapshot may predate it
            } else {
                observed = new HashMap<>(ar.result());
                apply(clock.getAsLong());
            }
            if (again) {
                again = false;
                reconcile();
            }
        });
    }

    private void apply(long now) {
        if (fenced) { // plan nothing: whatever the listing shows dies
            killAll();
            return;
        }
        noticeMissedTransitions(now);
        Map<String, Desired> desired = new HashMap<>();
        Map<String, Long> gates = new HashMap<>();
        barred = Fence.stillBarred(barred, live.keySet());
        live.forEach((id, a) -> {
            if (!barred.contains(id)) desire(a, desired);
        });
        tasks.forEach((id, r) -> gates.put(id, r.restart.notBefore()));
        for (Step s : Planner.plan(desired, observed, gates, synced, now)) {
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
        RestartPolicy pod = RestartPolicy.parse(a.getTemplate().getRestartPolicy());
        if (a.getTemplate().getContainers().isEmpty()) { // unusable: create fails and reports it, as it always did
            desired.put(a.getTaskId(), new Desired(a.getTaskId(), pod));
            return;
        }
        List<PodUnit> units = PodUnit.of(a);
        if (PodUnit.sharedNetwork(a)) for (PodUnit u : units) record(u.key(), null); // every container is listed in the snapshot from the start
        InitGate.Admission admit = InitGate.admit(units, pod, observed);
        for (Observed o : admit.recycle()) {
            TaskRecord r = record(o.taskId(), o);
            if (!r.busy) recycle(r, o.containerId());
        }
        for (Desired d : admit.desired()) desired.put(d.taskId(), d);
    }

    /** Stops and removes one container of a live pod (its sandbox died); the pod's next passes recreate it. */
    private void recycle(TaskRecord r, String containerId) {
        stopProbes(r);
        log.info("node {} task {}: container {} removed to recreate the pod (its infra container is gone)", node.nodeId(), r.taskId, r.desc.name());
        busy(r, () -> {
            docker.stopAndRemove(containerId, r.infra() ? 0 : grace(r.unit));
            return null;
        }).onSuccess(v -> {
            Observed o = observed.get(r.unit);
            if (o != null && o.containerId().equals(containerId)) observed.remove(r.unit);
            if (containerId.equals(r.containerId)) r.containerId = null;
            r.network = PodNetwork.NONE;
        });
    }

    /** The listing is the truth when an event was missed (e.g. while the event stream reconnected, or at adoption). */
    private void noticeMissedTransitions(long now) {
        for (Observed o : observed.values()) {
            TaskRecord r = record(o.taskId(), o);
            if (r.busy) continue;
            r.containerId = o.containerId();
            if (o.state() == Observed.State.RUNNING && !r.reportedRunning()) onStarted(r, o.containerId(), o.network(), now);
            if (o.state() == Observed.State.EXITED && !r.reported.down()) onExited(r, o.exitCode(), now);
        }
    }

    private void dropRevokedWithoutContainer() {
        for (TaskRecord r : List.copyOf(tasks.values())) {
            if (!live.containsKey(r.taskId) && !observed.containsKey(r.unit) && !r.busy) removed(r);
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
        PodUnit unit = r.unit.equals(r.taskId) && a.getTemplate().getContainers().isEmpty() ? null
                : PodUnit.of(a).stream().filter(u -> u.key().equals(r.unit)).findFirst().orElse(null);
        if (unit == null) {
            ContainerRequest.mainContainer(a); // throws: no container in the template
            return;
        }
        String image = unit.kind() == PodUnit.Kind.INFRA ? docker.infra().image() : unit.spec().getImage();
        Observed infra = unit.kind() == PodUnit.Kind.INFRA || !PodUnit.sharedNetwork(a) ? null : observed.get(PodUnit.infraKey(r.taskId));
        if (unit.kind() != PodUnit.Kind.INFRA && PodUnit.sharedNetwork(a) && (infra == null || infra.state() != Observed.State.RUNNING)) return;
        String infraId = infra == null ? null : infra.containerId();
        r.restart = RestartGate.launched(r.restart, RestartGate.Launch.CREATE); // a restart if it replaces one removed behind our back
        busy(r, () -> {
            if (!docker.imageExists(image)) throw new ImageMissing(image);
            if (unit.kind() == PodUnit.Kind.INFRA || !io.berth.node.config.PodConfigs.uses(a)) return docker.create(a, unit, infraId);
            // the values live only here and in the container: never in a status, a log or a record
            io.berth.node.config.PodConfigs.Resolved ok = resolveConfigs(a);
            docker.writeConfigFiles(a.getTaskId(), ok.files());
            PodUnit resolved = PodUnit.of(ok.assignment()).stream().filter(u -> u.key().equals(r.unit)).findFirst().orElseThrow();
            return docker.create(ok.assignment(), resolved, infraId);
        }).onSuccess(id -> {
            r.containerId = id;
            r.restart = RestartGate.hasContainer(r.restart);
            observed.put(r.unit, new Observed(r.unit, r.workloadKey, id, Observed.State.CREATED, null, ContainerRequest.graceSeconds(a)));
            report(r, TaskState.CREATED, null, "Created", "");
            start(r, id, false);
        }).onFailure(err -> failed(r, (err instanceof ImageMissing ? TaskReason.ERR_IMAGE_PULL
                : err instanceof ConfigMissing || err instanceof io.berth.node.docker.SecurityContexts.ConfigError ? TaskReason.CREATE_CONTAINER_CONFIG_ERROR
                : TaskReason.CREATE_CONTAINER_ERROR).text(), err));
    }

    /** On a worker: the pod's Secrets and ConfigMaps, or {@link ConfigMissing} with the kubelet's message. */
    private io.berth.node.config.PodConfigs.Resolved resolveConfigs(Assignment a) {
        if (configs == null) throw new ConfigMissing("this node reads no Secrets or ConfigMaps");
        io.berth.node.config.PodConfigs.Result res;
        try {
            res = io.berth.node.config.PodConfigs.resolve(a, configs.apply(a.getTaskId()));
        } catch (RuntimeException e) { // the gateway unreachable or refusing, no credential: the message says which
            throw new ConfigMissing(e.getMessage());
        }
        if (res instanceof io.berth.node.config.PodConfigs.Missing m) throw new ConfigMissing(m.message());
        return (io.berth.node.config.PodConfigs.Resolved) res;
    }

    /** A Secret or ConfigMap the pod needs is missing: CreateContainerConfigError, retried with back-off like a failed create. */
    static final class ConfigMissing extends RuntimeException {
        ConfigMissing(String message) {
            super(message, null, false, false);
        }
    }

    private java.util.function.Function<String, io.berth.node.config.PodConfigs.Lookup> configs;

    /** Where a pod's (task id →) Secrets and ConfigMaps come from (none: a pod using one waits with CreateContainerConfigError). */
    public ContainerReconcilerVerticle withConfigs(java.util.function.Function<String, io.berth.node.config.PodConfigs.Lookup> configs) {
        this.configs = configs;
        return this;
    }

    private void start(TaskRecord r, String containerId, boolean restart) {
        if (fenced) return; // e.g. a create that finished after the fence: the next pass kills it
        r.restart = RestartGate.launched(r.restart, restart ? RestartGate.Launch.RESTART : RestartGate.Launch.START);
        // RUNNING is reported by the start event (or the next listing), not here: one source, one report
        busy(r, () -> {
            docker.start(containerId);
            return null;
        }).onFailure(err -> failed(r, TaskReason.START_ERROR.text(), err));
    }

    private void waitFor(TaskRecord r, long until) {
        if (!observed.containsKey(r.unit)) return; // a failed create waiting to retry: FAILED was reported
        if (!TaskReason.CRASH_LOOP_BACK_OFF.is(r.reported.reason())) {
            report(r, PodStatus.backingOff(observed.get(r.unit).exitCode(), until, clock.getAsLong()));
            vertx.setTimer(Math.max(1, until - clock.getAsLong()), t -> reconcile());
        }
    }

    private void remove(TaskRecord r, String containerId, int grace) {
        stopProbes(r);
        boolean single = !multi(r); // a pod of several containers deletes its directory once the last one is gone
        busy(r, () -> {
            docker.stopAndRemove(containerId, grace);
            if (single) deletePodDir(r.taskId);
            return null;
        }).onSuccess(v -> {
            Observed o = observed.get(r.unit);
            if (o != null && o.containerId().equals(containerId)) observed.remove(r.unit);
            removed(r);
        });
    }

    /** On a worker: the pod is gone, so are its emptyDir volumes. */
    private void deletePodDir(String taskId) {
        try {
            docker.deletePodDir(taskId);
        } catch (Exception e) {
            log.warn("node {} task {}: pod directory not deleted: {}", node.nodeId(), taskId, e.toString());
        }
    }

    private void failed(TaskRecord r, String reason, Throwable err) {
        long now = clock.getAsLong();
        r.restart = RestartGate.failed(r.restart, now);
        String message = err instanceof ImageMissing || err instanceof ConfigMissing ? err.getMessage() : String.valueOf(err.getMessage());
        if (!(r.reported.is(TaskState.FAILED) && reason.equals(r.reported.reason()))) {
            report(r, TaskState.FAILED, null, reason, message);
        }
        log.warn("node {} task {}: {}: {}", node.nodeId(), r.unit, reason, message);
    }

    // ---- probes (kubelet's prober: timers on this event loop, checks on Vert.x clients / docker exec) ----

    private ProbeMachine startProbes(TaskRecord r, long now) {
        stopProbes(r);
        r.killMessage = null; // a new run: a kill meant for the previous one is moot
        ContainerSpec c = spec(r);
        ProbeMachine m = c == null ? new ProbeMachine(null, null, null, now)
                : new ProbeMachine(ProbeSettings.of(c.getStartupProbe()), ProbeSettings.of(c.getLivenessProbe()),
                ProbeSettings.of(c.getReadinessProbe()), now);
        r.probes = m;
        r.started = m.started();
        r.ready = false;
        scheduleProbes(r, m);
        return m;
    }

    private void stopProbes(TaskRecord r) {
        if (r.probeTimer >= 0) vertx.cancelTimer(r.probeTimer);
        r.probeTimer = -1;
        r.probes = null;
        r.ready = false;
        r.started = false;
    }

    private void scheduleProbes(TaskRecord r, ProbeMachine m) {
        if (r.probes != m || stopping) return;
        if (r.probeTimer >= 0) vertx.cancelTimer(r.probeTimer);
        r.probeTimer = -1;
        long wake = m.nextWake();
        if (wake == Long.MAX_VALUE) return; // everything due is in flight: its result reschedules
        r.probeTimer = vertx.setTimer(Math.max(1, wake - clock.getAsLong()), t -> {
            if (r.probes != m) return;
            r.probeTimer = -1;
            runProbes(r, m);
        });
    }

    private void runProbes(TaskRecord r, ProbeMachine m) {
        ContainerSpec c = spec(r);
        if (c == null || r.containerId == null) {
            stopProbes(r);
            return;
        }
        String containerId = r.containerId;
        for (ProbeMachine.Kind k : m.due(clock.getAsLong())) {
            Probe p = switch (k) {
                case STARTUP -> c.getStartupProbe();
                case LIVENESS -> c.getLivenessProbe();
                case READINESS -> c.getReadinessProbe();
            };
            int defaultPort = c.getPorts().isEmpty() ? 80 : c.getPorts().get(0).getContainerPort();
            prober.run(p, containerId, probeIp(r), defaultPort, m.timeoutMs(k)).onComplete(ar -> {
                if (r.probes != m) return; // stopped or restarted meanwhile: a stale result
                Prober.Result res = ar.succeeded() ? ar.result() : new Prober.Result(false, String.valueOf(ar.cause()));
                onProbeResult(r, m, k, res);
            });
        }
        scheduleProbes(r, m);
    }

    private void onProbeResult(TaskRecord r, ProbeMachine m, ProbeMachine.Kind k, Prober.Result res) {
        ProbeMachine.Outcome o = m.onResult(k, res.success(), res.message(), clock.getAsLong());
        if (!res.success()) log.debug("node {} task {}: {} probe failed: {}", node.nodeId(), r.taskId, k.title, res.message());
        r.started = m.started();
        if (o == ProbeMachine.Outcome.KILL) {
            killForProbe(r, m, k);
            return;
        }
        Reported next = PodStatus.readiness(r.ready, r.reported, m.ready(), o == ProbeMachine.Outcome.UNREADY, m.readinessMessage());
        if (next != null) {
            r.ready = next.is(TaskState.READY);
            if (live.containsKey(r.taskId)) report(r, next);
        }
        scheduleProbes(r, m);
    }

    /** A failed liveness or startup probe: stop the container; its die event and the restart policy do the rest. */
    private void killForProbe(TaskRecord r, ProbeMachine m, ProbeMachine.Kind k) {
        String what = k == ProbeMachine.Kind.STARTUP ? "startup" : "liveness";
        r.killMessage = io.berth.schemas.ProbeMessages.killed(r.desc.name(), what);
        log.info("node {} task {}: {} ({})", node.nodeId(), r.taskId, r.killMessage, m.fatalMessage());
        stopProbes(r);
        stopForProbe(r, r.containerId);
    }

    private void stopForProbe(TaskRecord r, String containerId) {
        if (stopping || containerId == null || !containerId.equals(r.containerId) || r.killMessage == null) return;
        if (r.busy) { // another Docker call for this task is in flight: stop right after it
            vertx.setTimer(100, t -> stopForProbe(r, containerId));
            return;
        }
        int grace = grace(r.unit);
        busy(r, () -> {
            docker.stop(containerId, grace);
            return null;
        });
    }

    /** The unit's container spec while its task is live; null for the infra and init containers (never probed). */
    private ContainerSpec spec(TaskRecord r) {
        Assignment a = live.get(r.taskId);
        if (a == null || a.getTemplate().getContainers().isEmpty()) return null;
        for (PodUnit u : PodUnit.of(a)) if (u.key().equals(r.unit)) return u.kind() == PodUnit.Kind.APP ? u.spec() : null;
        return null;
    }

    /** The pod's IP: a container joined to an infra container has none of its own. */
    private String probeIp(TaskRecord r) {
        if (!r.network.ip().isEmpty() || r.unit.equals(r.taskId) && !multi(r)) return r.network.ip();
        TaskRecord infra = tasks.get(PodUnit.infraKey(r.taskId));
        return infra == null ? "" : infra.network.ip();
    }

    // ---- helpers ------------------------------------------------------------------------

    /** Runs a Docker call on the worker pool with the task marked busy; any outcome triggers another pass. */
    private <T> Future<T> busy(TaskRecord r, Callable<T> call) {
        r.busy = true;
        return blocking(call).andThen(ar -> {
            r.busy = false;
            changes++;
            reconcile();
        });
    }

    private <T> Future<T> blocking(Callable<T> call) {
        return workers.executeBlocking(call, false);
    }

    private TaskRecord record(String unit, Observed o) {
        return tasks.computeIfAbsent(unit, id -> {
            String taskId = PodUnit.taskOf(id);
            Assignment a = live.get(taskId);
            TaskRecord r = new TaskRecord(id, taskId, a != null ? a.getWorkloadKey() : o != null ? o.workloadKey() : "");
            if (a != null) r.describe(a, docker.infra().image());
            return r;
        });
    }

    private int grace(String unit) {
        Assignment a = live.get(PodUnit.taskOf(unit));
        if (a != null) return ContainerRequest.graceSeconds(a);
        Observed o = observed.get(unit);
        return o != null ? o.graceSeconds() : 2;
    }

    private JsonArray runningTaskIds() {
        JsonArray ids = new JsonArray();
        observed.values().stream().filter(o -> o.state() == Observed.State.RUNNING)
                .map(o -> PodUnit.taskOf(o.taskId())).distinct().sorted().forEach(ids::add);
        return ids;
    }

    private static final Comparator<TaskRecord> UNIT_ORDER = Comparator.<TaskRecord>comparingInt(r -> r.desc.kind().ordinal()).thenComparingInt(r -> r.desc.index())
            .thenComparing(r -> r.unit);

    /** Whether the latest listing holds a container of the task (a unit not yet recorded, e.g. one to adopt). */
    private boolean observedAny(String taskId) {
        for (String unit : observed.keySet()) if (PodUnit.taskOf(unit).equals(taskId)) return true;
        return false;
    }

    /** The records of a task's containers, infra first, then init and app containers in pod order. */
    private List<TaskRecord> unitsOf(String taskId) {
        List<TaskRecord> out = new ArrayList<>();
        for (TaskRecord r : tasks.values()) if (r.taskId.equals(taskId)) out.add(r);
        out.sort(UNIT_ORDER);
        return out;
    }

    /** Whether the record belongs to a pod of several units (containers, init containers or an infra container). */
    private boolean multi(TaskRecord r) {
        if (!r.unit.equals(r.taskId)) return true;
        Assignment a = live.get(r.taskId);
        if (a != null) return PodUnit.sharedNetwork(a);
        if (gone.containsKey(r.taskId)) return true;
        for (TaskRecord o : tasks.values()) if (o != r && o.taskId.equals(r.taskId)) return true;
        return false;
    }

    private void report(TaskRecord r, TaskState state, Integer exitCode, String reason, String message) {
        report(r, new Reported(state, exitCode, reason, message));
    }

    /** Remembers the container's transition and publishes it: as the task's status, or folded into its pod's. */
    private void report(TaskRecord r, Reported next) {
        r.reported = next;
        if (!multi(r)) {
            statuses.report(Statuses.of(node.nodeId(), r, next.state(), next.exitCode(), next.reason(), next.message(), clock.getAsLong()));
            return;
        }
        podChanged(r.taskId);
    }

    /** A multi-container pod's status ({@link PodStatus#aggregate}), published when it or the snapshot changed. */
    private void podChanged(String taskId) {
        List<TaskRecord> units = unitsOf(taskId);
        if (units.isEmpty()) return;
        Assignment a = live.get(taskId);
        RestartPolicy policy = a == null ? RestartPolicy.ALWAYS : RestartPolicy.parse(a.getTemplate().getRestartPolicy());
        io.berth.schemas.avro.TaskStatus last = podLast.get(taskId);
        boolean wasReady = last != null && (last.getState() == TaskState.READY || last.getState() == TaskState.UNREADY);
        List<PodStatus.Member> members = units.stream().map(u -> new PodStatus.Member(u.desc.kind(), u.desc.name(), u.reported, u.run.exitCode(), u.ready)).toList();
        Reported pod = PodStatus.aggregate(policy, members, wasReady);
        publishPod(taskId, units, pod.state(), pod.exitCode(), pod.reason(), pod.message(), false);
    }

    private void publishPod(String taskId, List<TaskRecord> units, TaskState state, Integer exit, String reason, String message, boolean removed) {
        TaskRecord main = units.stream().filter(u -> u.unit.equals(taskId)).findFirst().orElse(units.get(0));
        TaskRecord infra = units.stream().filter(TaskRecord::infra).findFirst().orElse(null);
        io.berth.schemas.avro.TaskStatus s = Statuses.pod(node.nodeId(), main, infra, units, state, exit, reason, message, removed, 0);
        if (!removed && s.equals(podLast.get(taskId))) return;
        if (!removed) podLast.put(taskId, s);
        statuses.report(io.berth.schemas.avro.TaskStatus.newBuilder(s).setTimestamp(clock.getAsLong()).build());
    }

    /** The image is not on this engine; the daemon never pulls. */
    static final class ImageMissing extends RuntimeException {
        ImageMissing(String image) {
            super("image not found locally: " + image);
        }
    }
}
