package io.berth.node.runtime;

import io.berth.node.NodeSettings;
import io.berth.node.bus.Addresses;
import io.berth.node.bus.AssignmentChange;
import io.berth.node.bus.ContainerEvent;
import io.berth.node.bus.TaskRunning;
import io.berth.node.docker.ContainerRequest;
import io.berth.node.docker.DockerRuntime;
import io.berth.node.probe.ProbeMachine;
import io.berth.node.probe.ProbeSettings;
import io.berth.node.probe.Prober;
import io.berth.node.reconcile.Backoff;
import io.berth.node.reconcile.Desired;
import io.berth.node.reconcile.Observed;
import io.berth.node.reconcile.Planner;
import io.berth.node.reconcile.PodNetwork;
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

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * Drives this node's Docker containers toward its live assignments, level-triggered: on every
 * assignment change, every container event and a periodic tick it lists the node's containers,
 * asks the pure {@link Planner} what to do and executes the steps on a worker pool. It owns all
 * per-task state (on its event loop) and is the only component that reports task status, so each
 * transition is published once.
 */
public final class ContainerReconcilerVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(ContainerReconcilerVerticle.class);

    private final NodeSettings node;
    private final DockerRuntime docker;
    private final StatusSink statuses;
    private final Addresses addr;
    private final LongSupplier clock;

    private final Map<String, Assignment> live = new HashMap<>();
    private final Map<String, TaskRecord> tasks = new HashMap<>();
    private Map<String, Observed> observed = new HashMap<>();
    private boolean synced;
    private boolean listing;
    private boolean again;
    /** bumped by every event and own mutation: a listing taken before it is stale and discarded */
    private long changes;
    private WorkerExecutor workers;
    private Prober prober;
    private boolean stopping;

    public ContainerReconcilerVerticle(NodeSettings node, DockerRuntime docker, StatusSink statuses, LongSupplier clock) {
        this.node = node;
        this.docker = docker;
        this.statuses = statuses;
        this.addr = new Addresses(node.nodeId());
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        workers = vertx.createSharedWorkerExecutor("berth-docker-" + node.nodeId(), 4);
        prober = new Prober(vertx, docker, node.nodeId());
        vertx.eventBus().<AssignmentChange>localConsumer(addr.assignments(), m -> onAssignment(m.body()));
        vertx.eventBus().localConsumer(addr.assignmentsSynced(), m -> onSynced());
        vertx.eventBus().<ContainerEvent>localConsumer(addr.containerEvents(), m -> onContainerEvent(m.body()));
        vertx.eventBus().localConsumer(addr.runningTasks(), m -> m.reply(runningTaskIds()));
        vertx.setPeriodic(node.reconcileMs(), id -> reconcile());
        reconcile();
        // class loading the first probe would otherwise do on this event loop
        return blocking(() -> {
            Prober.warmUp();
            return null;
        });
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
            live.remove(c.taskId());
            TaskRecord r = tasks.get(c.taskId());
            if (r != null) stopProbes(r); // a revoked task reports no readiness any more
        } else {
            live.put(c.taskId(), c.assignment());
            TaskRecord r = tasks.get(c.taskId());
            if (r != null) r.describe(c.assignment());
        }
        reconcile();
    }

    private void onSynced() {
        synced = true;
        reconcile();
    }

    private void onContainerEvent(ContainerEvent e) {
        changes++;
        TaskRecord r = tasks.get(e.taskId());
        if (r == null && !live.containsKey(e.taskId())) {
            reconcile(); // not ours to report (yet): the listing decides
            return;
        }
        r = record(e.taskId(), null);
        long now = clock.getAsLong();
        switch (e.action()) {
            case START -> onStarted(r, e.containerId(), e.network(), now);
            case OOM -> r.oomKilled = true;
            case DIE -> {
                observed.put(r.taskId, new Observed(r.taskId, r.workloadKey, e.containerId(), Observed.State.EXITED, e.exitCode(), grace(r.taskId)));
                onExited(r, e.exitCode(), now);
            }
            case DESTROY -> onDestroyed(r, e.containerId());
        }
        reconcile();
    }

    // ---- transitions (each reports at most once) ---------------------------------------

    private void onStarted(TaskRecord r, String containerId, PodNetwork network, long now) {
        r.containerId = containerId;
        r.hadContainer = true;
        if (network != null) r.network = network;
        observed.put(r.taskId, new Observed(r.taskId, r.workloadKey, containerId, Observed.State.RUNNING, null, grace(r.taskId), r.network));
        if (!r.reportedRunning() && live.containsKey(r.taskId)) {
            r.startedAt = now;
            ProbeMachine probes = startProbes(r, now);
            report(r, TaskState.RUNNING, null, "Started", "");
            announceRunning(r, containerId, now);
            // without readiness (and startup) probes a running container is ready at once
            if (probes.ready()) {
                r.ready = true;
                report(r, TaskState.READY, null, "", "");
            }
        }
    }

    private void announceRunning(TaskRecord r, String containerId, long now) {
        Assignment a = live.get(r.taskId);
        String pod = a.getPodName().isEmpty() ? a.getTaskId() : a.getPodName();
        String container = a.getTemplate().getContainers().isEmpty() ? "" : ContainerRequest.mainContainer(a).getName();
        // one second early: "since" has second granularity and the start event arrives after the first output
        int since = (int) (now / 1000) - 1;
        vertx.eventBus().publish(addr.taskRunning(), new TaskRunning(r.taskId, containerId, a.getNamespace(), pod, container, since));
    }

    private void onExited(TaskRecord r, Integer exitCode, long now) {
        stopProbes(r);
        r.network = PodNetwork.NONE;
        if (r.reported == TaskState.EXITED || r.reported == TaskState.FAILED) return;
        r.finishedAt = now;
        r.lastExitCode = exitCode;
        if (Backoff.ranLongEnough(r.startedAt, now)) r.backoffStep = 0;
        r.notBefore = now + Backoff.delayMs(r.backoffStep);
        String reason = Statuses.exitReason(exitCode, r.oomKilled);
        r.oomKilled = false;
        String message = r.killMessage == null ? "" : r.killMessage;
        r.killMessage = null;
        if (live.containsKey(r.taskId)) report(r, TaskState.EXITED, exitCode, reason, message);
        else r.reported = TaskState.EXITED;
    }

    private void onDestroyed(TaskRecord r, String containerId) {
        if (containerId.equals(r.containerId)) {
            stopProbes(r);
            r.network = PodNetwork.NONE;
        }
        Observed o = observed.get(r.taskId);
        if (o != null && o.containerId().equals(containerId)) observed.remove(r.taskId);
        if (containerId.equals(r.containerId)) r.containerId = null;
        if (!live.containsKey(r.taskId) && !r.busy) removed(r);
        // a live task's container removed behind our back is recreated by the reconcile that follows
    }

    private void removed(TaskRecord r) {
        if (tasks.remove(r.taskId) != null) report(r, TaskState.REMOVED, null, "Revoked", "");
    }

    // ---- the loop -----------------------------------------------------------------------

    /** Lists the node's containers and plans; coalesces calls that arrive while a listing runs. */
    private void reconcile() {
        if (stopping) return;
        if (listing) {
            again = true;
            return;
        }
        listing = true;
        long before = changes;
        blocking(docker::list).onComplete(ar -> {
            listing = false;
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
        noticeMissedTransitions(now);
        Map<String, Desired> desired = new HashMap<>();
        Map<String, Long> gates = new HashMap<>();
        live.forEach((id, a) -> desired.put(id, new Desired(id, RestartPolicy.parse(a.getTemplate().getRestartPolicy()))));
        tasks.forEach((id, r) -> gates.put(id, r.notBefore));
        for (Step s : Planner.plan(desired, observed, gates, synced, now)) {
            TaskRecord r = record(s.taskId(), observed.get(s.taskId()));
            if (r.busy) continue;
            try {
                execute(s, r);
            } catch (RuntimeException e) {
                // one unusable assignment (e.g. no container in its template) must not stall the others
                failed(r, "CreateContainerError", e);
            }
        }
        if (synced) dropRevokedWithoutContainer();
    }

    /** The listing is the truth when an event was missed (e.g. while the event stream reconnected, or at adoption). */
    private void noticeMissedTransitions(long now) {
        for (Observed o : observed.values()) {
            TaskRecord r = record(o.taskId(), o);
            if (r.busy) continue;
            r.containerId = o.containerId();
            if (o.state() == Observed.State.RUNNING && !r.reportedRunning()) onStarted(r, o.containerId(), o.network(), now);
            if (o.state() == Observed.State.EXITED && r.reported != TaskState.EXITED) onExited(r, o.exitCode(), now);
        }
    }

    private void dropRevokedWithoutContainer() {
        for (TaskRecord r : List.copyOf(tasks.values())) {
            if (!live.containsKey(r.taskId) && !observed.containsKey(r.taskId) && !r.busy) removed(r);
        }
    }

    private void execute(Step step, TaskRecord r) {
        if (step instanceof Step.Create c) create(r, live.get(c.taskId()));
        else if (step instanceof Step.Start s) start(r, s.containerId(), false);
        else if (step instanceof Step.Restart s) start(r, s.containerId(), true);
        else if (step instanceof Step.Wait w) waitFor(r, w.untilMillis());
        else if (step instanceof Step.Remove rm) remove(r, rm.containerId(), rm.graceSeconds());
        // Step.Done: the policy says it stays down; EXITED was reported when it died
    }

    private void create(TaskRecord r, Assignment a) {
        String image = ContainerRequest.mainContainer(a).getImage();
        if (r.hadContainer) r.restartCount++; // a replacement for a container removed behind our back
        busy(r, () -> {
            if (!docker.imageExists(image)) throw new ImageMissing(image);
            return docker.create(a);
        }).onSuccess(id -> {
            r.containerId = id;
            r.hadContainer = true;
            observed.put(r.taskId, new Observed(r.taskId, r.workloadKey, id, Observed.State.CREATED, null, ContainerRequest.graceSeconds(a)));
            report(r, TaskState.CREATED, null, "Created", "");
            start(r, id, false);
        }).onFailure(err -> failed(r, err instanceof ImageMissing ? "ErrImagePull" : "CreateContainerError", err));
    }

    private void start(TaskRecord r, String containerId, boolean restart) {
        if (restart) {
            r.restartCount++;
            r.backoffStep++;
        }
        // RUNNING is reported by the start event (or the next listing), not here: one source, one report
        busy(r, () -> {
            docker.start(containerId);
            return null;
        }).onFailure(err -> failed(r, "StartError", err));
    }

    private void waitFor(TaskRecord r, long until) {
        if (!observed.containsKey(r.taskId)) return; // a failed create waiting to retry: FAILED was reported
        if (!"CrashLoopBackOff".equals(r.reportedReason)) {
            long secs = Math.max(1, (until - clock.getAsLong() + 999) / 1000);
            report(r, TaskState.EXITED, observed.get(r.taskId).exitCode(), "CrashLoopBackOff",
                    "back-off " + secs + "s restarting failed container");
            vertx.setTimer(Math.max(1, until - clock.getAsLong()), t -> reconcile());
        }
    }

    private void remove(TaskRecord r, String containerId, int grace) {
        stopProbes(r);
        busy(r, () -> {
            docker.stopAndRemove(containerId, grace);
            deletePodDir(r.taskId);
            return null;
        }).onSuccess(v -> {
            Observed o = observed.get(r.taskId);
            if (o != null && o.containerId().equals(containerId)) observed.remove(r.taskId);
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
        r.notBefore = now + Backoff.delayMs(Math.max(1, r.backoffStep));
        r.backoffStep++;
        String message = err instanceof ImageMissing ? err.getMessage() : String.valueOf(err.getMessage());
        if (!(r.reported == TaskState.FAILED && reason.equals(r.reportedReason))) {
            report(r, TaskState.FAILED, null, reason, message);
        }
        log.warn("node {} task {}: {}: {}", node.nodeId(), r.taskId, reason, message);
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
            prober.run(p, containerId, r.network.ip(), defaultPort, m.timeoutMs(k)).onComplete(ar -> {
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
        boolean ready = m.ready();
        boolean assigned = live.containsKey(r.taskId);
        if (ready && !r.ready) {
            r.ready = true;
            if (assigned) report(r, TaskState.READY, null, "", "");
        } else if (!ready && (r.ready || (o == ProbeMachine.Outcome.UNREADY && r.reported != TaskState.UNREADY))) {
            r.ready = false;
            if (assigned) report(r, TaskState.UNREADY, null, "ContainersNotReady", m.readinessMessage());
        }
        scheduleProbes(r, m);
    }

    /** A failed liveness or startup probe: stop the container; its die event and the restart policy do the rest. */
    private void killForProbe(TaskRecord r, ProbeMachine m, ProbeMachine.Kind k) {
        String what = k == ProbeMachine.Kind.STARTUP ? "startup" : "liveness";
        r.killMessage = "Container " + r.containerName + " failed " + what + " probe, will be restarted";
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
        int grace = grace(r.taskId);
        busy(r, () -> {
            docker.stop(containerId, grace);
            return null;
        });
    }

    private ContainerSpec spec(TaskRecord r) {
        Assignment a = live.get(r.taskId);
        return a == null || a.getTemplate().getContainers().isEmpty() ? null : ContainerRequest.mainContainer(a);
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

    private TaskRecord record(String taskId, Observed o) {
        return tasks.computeIfAbsent(taskId, id -> {
            Assignment a = live.get(id);
            TaskRecord r = new TaskRecord(id, a != null ? a.getWorkloadKey() : o != null ? o.workloadKey() : "");
            if (a != null) r.describe(a);
            return r;
        });
    }

    private int grace(String taskId) {
        Assignment a = live.get(taskId);
        if (a != null) return ContainerRequest.graceSeconds(a);
        Observed o = observed.get(taskId);
        return o != null ? o.graceSeconds() : 2;
    }

    private JsonArray runningTaskIds() {
        JsonArray ids = new JsonArray();
        observed.values().stream().filter(o -> o.state() == Observed.State.RUNNING)
                .map(Observed::taskId).sorted().forEach(ids::add);
        return ids;
    }

    private void report(TaskRecord r, TaskState state, Integer exitCode, String reason, String message) {
        r.reported = state;
        r.reportedReason = reason;
        statuses.report(Statuses.of(node.nodeId(), r, state, exitCode, reason, message, clock.getAsLong()));
    }

    /** The image is not on this engine; the daemon never pulls. */
    static final class ImageMissing extends RuntimeException {
        ImageMissing(String image) {
            super("image not found locally: " + image);
        }
    }
}
