package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.state.core.*;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.*;
import java.util.function.Function;

/**
 * The workload controller: one instance per partition of the intents/task-status topics (both
 * keyed by workload key). Every input (an intent, a task status, a {@link Tick} from berth.ticks) only updates the
 * stored views and then calls {@link #converge}, which re-reads desired and actual state and
 * applies {@link Reconciler#reconcile}'s steps, as a Kubernetes sync handler does. The tick
 * catches what no record announces: a node of one of our tasks turning NotReady. Time is the
 * input's timestamp and node readiness the last tick's ({@link NodeReadiness}), so a decision is a
 * function of the log and {@code berth replay --verify} re-runs it exactly.
 */
final class WorkloadProcessor extends ContextualProcessor<String, SpecificRecord, String, Emit> {
    static final String ACTOR = "workload-controller";
    private static final String CRASH_LOOP = "CrashLoopBackOff";
    /** Intent annotation of a PROMOTE: "full" skips every remaining canary step. */
    static final String PROMOTE_ANNOTATION = "berth.io/promote";
    private static final StringSerializer KEYS = new StringSerializer();

    /** 0 live; the live partition count when a replay runs every partition in one driver (see {@link NodeReadiness}). */
    private final int partitions;
    private final Function<Intent, byte[]> encodeIntent;
    private KeyValueStore<String, WorkloadView> workloads;
    private KeyValueStore<String, TaskView> tasks;
    private NodeReadiness nodes;
    private Outputs out;
    /** Offset on berth.intents of the intent being processed (carried in a header through a repartition). */
    private long intentOffset = -1;

    WorkloadProcessor(int partitions, Function<Intent, byte[]> encodeIntent) {
        this.partitions = partitions;
        this.encodeIntent = encodeIntent;
    }

    @Override
    public void init(ProcessorContext<String, Emit> context) {
        super.init(context);
        workloads = context.getStateStore(StateStreamsTopology.WORKLOADS_STORE);
        tasks = context.getStateStore(StateStreamsTopology.TASKS_STORE);
        nodes = new NodeReadiness(context.getStateStore(StateStreamsTopology.TICKS_STORE), partitions, context.taskId().partition());
        out = new Outputs(context, StateStreamsTopology.APPLICATION_ID);
    }

    /** Time is the input's timestamp: a tick's for the periodic check, the record's own for the rest (deterministic replay). */
    @Override
    public void process(Record<String, SpecificRecord> record) {
        long now = record.timestamp();
        out.observe(record);
        if (record.key() == null) return;
        if (record.value() instanceof Tick t) {
            nodes.record(t);
            checkAll(t, now);
            return;
        }
        if (record.value() instanceof Intent i) {
            intentOffset = IntentOffsetHeader.read(record.headers()).orElse(out.offsetIfFrom(Topics.INTENTS));
            onIntent(record.key(), i, now);
        } else if (record.value() instanceof TaskStatus s) {
            onStatus(record.key(), s, now);
        }
    }

    // ---- intents ------------------------------------------------------------------------------

    private void onIntent(String key, Intent i, long now) {
        Optional<String> problem = IntentValidator.problem(i);
        if (problem.isPresent()) {
            reject(key, i, problem.get(), now);
            return;
        }
        WorkloadView before = workloads.get(key);
        WorkloadView after = switch (i.getKind()) {
            case DEPLOYMENT -> deploymentIntent(key, before, i, now);
            case POD -> podIntent(key, before, i, now);
            case SERVICE -> { serviceIntent(key, before, i, now); yield null; }
            default -> null;
        };
        if (after == null) return;
        converge(key, before, stamp(after, i), i.getIntentId(), actor(i), now);
        if (i.getKind() == ResourceKind.DEPLOYMENT) scalingEvent(key, before, after, now);
    }

    /**
     * Read-your-writes for the gateway: the view names the last intent folded into it, even one
     * that changed nothing (the stamp alone makes the view differ, so it is written again).
     */
    private WorkloadView stamp(WorkloadView v, Intent i) {
        return WorkloadView.newBuilder(v).setLastIntentId(i.getIntentId()).setLastIntentOffset(intentOffset).build();
    }

    /**
     * The deployment controller's "Scaled up replica set web-5d8f to 3" for a replica change of
     * the current template; a template change is reported step by step by {@link #rolloutEvents}.
     */
    private void scalingEvent(String key, WorkloadView before, WorkloadView after, long now) {
        if (after.getDeleted()) return;
        boolean fresh = before == null || before.getDeleted();
        int from = fresh ? 0 : before.getDeployment().getReplicas();
        int to = after.getDeployment().getReplicas();
        boolean sameTemplate = fresh || before.getTemplateHash().equals(after.getTemplateHash());
        if (sameTemplate && from != to) {
            out.event(Events.scaled(after.getNamespace(), after.getName(), key, after.getTemplateHash(), from, to), now);
        }
    }

    private WorkloadView deploymentIntent(String key, WorkloadView before, Intent i, long now) {
        boolean exists = before != null && !before.getDeleted();
        return switch (i.getAction()) {
            case APPLY -> WorkloadViews.applyDeployment(before, key, i, (DeploymentSpec) i.getPayload(), now);
            case SCALE -> {
                if (!exists) { reject(key, i, "deployment " + key + " not found", now); yield null; }
                yield WorkloadViews.scale(before, ((ScaleSpec) i.getPayload()).getReplicas());
            }
            case DELETE -> exists ? WorkloadViews.deleted(before) : null;
            case ROLLBACK, PROMOTE, ABORT -> {
                if (!exists) { reject(key, i, "deployment " + key + " not found", now); yield null; }
                yield rolloutIntent(key, before, i, now);
            }
            default -> null;
        };
    }

    /** ROLLBACK (kubectl rollout undo), PROMOTE and ABORT of a canary; an impossible one is rejected with kubectl's words. */
    private WorkloadView rolloutIntent(String key, WorkloadView w, Intent i, long now) {
        switch (i.getAction()) {
            case ROLLBACK -> {
                if (w.getDeployment().getPaused()) {
                    reject(key, i, "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/"
                            + w.getName() + "' and try again", now);
                    return null;
                }
                long to = i.getPayload() instanceof RollbackSpec r ? r.getToRevision() : 0;
                Revisions.Target t = Revisions.target(w, to);
                if (!t.found()) { reject(key, i, t.problem(), now); return null; }
                if (t.revision().getTemplateHash().equals(w.getTemplateHash())) {
                    out.event(Events.rollbackUnchanged(w), now);
                    return w;
                }
                out.event(Events.rolledBack(w, t.revision().getRevision()), now);
                return Rollouts.undo(w, t.revision(), now);
            }
            case PROMOTE -> {
                String mode = i.getAnnotations().getOrDefault(PROMOTE_ANNOTATION, "");
                Rollouts.Result r = Rollouts.promote(w, mode.equalsIgnoreCase("full") || mode.equalsIgnoreCase("true"), now);
                if (!r.ok()) { reject(key, i, r.problem(), now); return null; }
                out.event(Events.promoted(r.view(), r.view().getRollout().getMessage()), now);
                return r.view();
            }
            default -> {
                Rollouts.Result r = Rollouts.abort(w, now);
                if (!r.ok()) { reject(key, i, r.problem(), now); return null; }
                out.event(Events.aborted(r.view(), r.view().getRollout().getMessage()), now);
                return r.view();
            }
        }
    }

    /**
     * A pod intent is either about a bare pod (the record key is the pod's own key) or a delete of
     * a deployment's pod, re-keyed upstream to the owning workload (see README, "pod deletes").
     */
    private WorkloadView podIntent(String key, WorkloadView before, Intent i, long now) {
        boolean ownKey = key.equals(Topics.resourceKey(i.getNamespace(), ResourceKind.POD, i.getName()));
        if (i.getAction() == IntentAction.APPLY) {
            return WorkloadViews.applyPod(before, key, i, (PodSpec) i.getPayload(), now);
        }
        if (ownKey) {
            return before == null || before.getDeleted() ? null : WorkloadViews.deleted(before);
        }
        return before == null ? null : askDelete(key, before, i, now);
    }

    /** Marks the deployment's pod for deletion; the reconcile then stops and replaces it. */
    private WorkloadView askDelete(String key, WorkloadView w, Intent i, long now) {
        TaskView t = tasks.get(taskKey(key, i.getName()));
        if (t == null || t.getDesiredStop()) return null;  // not found means done
        TaskView marked = TaskView.newBuilder(t).setDesiredStop(true).setUpdatedAt(now).build();
        tasks.put(taskKey(key, t.getTaskId()), marked);
        out.audit(key, "pod", "PodDeleteRequested", actor(i), i.getIntentId(), "pod " + t.getPodName() + " deleted by " + actor(i), now);
        return w;
    }

    /** Services hold no tasks: their view is the spec (endpoints are derived elsewhere). */
    private void serviceIntent(String key, WorkloadView before, Intent i, long now) {
        if (i.getAction() == IntentAction.DELETE) {
            if (before == null) return;
            workloads.delete(key);
            out.tombstone(Topics.WORKLOADS, key, now);
            out.audit(key, "service", "ServiceDeleted", actor(i), i.getIntentId(), "service deleted", now);
            return;
        }
        WorkloadView v = (before == null ? WorkloadView.newBuilder().setKey(key).setKind(ResourceKind.SERVICE)
                .setNamespace(i.getNamespace()).setName(i.getName()).setUid(i.getIntentId()).setCreatedAt(now)
                : WorkloadView.newBuilder(before).setGeneration(before.getGeneration() + 1))
                .setService((ServiceSpec) i.getPayload()).setLabels(i.getLabels()).setUpdatedAt(now)
                .setLastIntentId(i.getIntentId()).setLastIntentOffset(intentOffset).build();
        v = WorkloadView.newBuilder(v).setObservedGeneration(v.getGeneration()).build();
        workloads.put(key, v);
        out.put(Topics.WORKLOADS, key, v, now);
        out.audit(key, "service", before == null ? "ServiceCreated" : "ServiceUpdated", actor(i), i.getIntentId(), "service applied", now);
    }

    private void reject(String key, Intent i, String reason, long now) {
        out.deadLetter(key, i, encodeIntent, reason, now);
        out.event(Events.rejected(key, i.getKind(), i.getNamespace(), i.getName(), i.getAction() == IntentAction.APPLY, reason, ACTOR), now);
        out.audit(key, i.getKind().name().toLowerCase(Locale.ROOT), "IntentRejected", actor(i), i.getIntentId(), reason, now);
    }

    // ---- task status --------------------------------------------------------------------------

    private void onStatus(String key, TaskStatus s, long now) {
        TaskView t = tasks.get(taskKey(key, s.getTaskId()));
        if (t == null || staleNode(t, s)) {
            revokeStale(key, s, now);
            return;
        }
        if (t.getDesiredStop() && s.getState() == TaskState.ASSIGNED) {
            revokeStale(key, s, now);  // placed after we asked it to stop: revoke the placement
        }
        Optional<TaskView> next = TaskStateMachine.apply(t, s, now);
        if (next.isEmpty()) {
            forget(key, t, "TaskRemoved", "container removed on " + t.getNodeId(), s.getState().name(), now);
        } else if (!next.get().equals(t)) {
            statusEvents(t, next.get(), s, now);
            tasks.put(taskKey(key, t.getTaskId()), next.get());
            out.put(Topics.TASKS, t.getTaskId(), next.get(), now);
            if (next.get().getPhase() != t.getPhase()) {
                out.audit(key, "pod", "TaskPhaseChanged", "node/" + s.getNodeId(), s.getState().name(),
                        t.getTaskId() + ": " + t.getPhase() + " -> " + next.get().getPhase() + reasonSuffix(next.get()), now);
            }
        }
        WorkloadView w = workloads.get(key);
        if (w != null && w.getKind() != ResourceKind.SERVICE) converge(key, w, w, s.getState().name() + " " + s.getTaskId(), ACTOR, now);
    }

    /** The scheduler's and the kubelet's events for one reported transition; none for a task on its way out. */
    private void statusEvents(TaskView t, TaskView next, TaskStatus s, long now) {
        if (t.getPhase() == TaskPhase.TERMINATING || t.getPhase() == TaskPhase.LOST) return;
        String container = s.getContainerName() == null || s.getContainerName().isEmpty() ? firstContainer(t) : s.getContainerName();
        switch (s.getState()) {
            case ASSIGNED -> {
                if (t.getPhase() == TaskPhase.PENDING) out.event(Events.scheduled(next, next.getNodeId()), now);
            }
            case UNSCHEDULABLE -> {
                if (!next.getMessage().equals(t.getMessage()) || !next.getReason().equals(t.getReason())) {
                    out.event(Events.failedScheduling(next, next.getMessage().isEmpty() ? next.getReason() : next.getMessage()), now);
                }
            }
            case RUNNING, READY -> {
                // READY right after RUNNING is no new start; READY without a RUNNING before it is.
                // After an exit the view keeps the exit's reason (Error, CrashLoopBackOff …) until the next start.
                boolean restarted = t.getPhase() == TaskPhase.RUNNING && !t.getReason().isEmpty()
                        && !t.getReason().equals("ContainersNotReady");
                if (t.getPhase() != TaskPhase.RUNNING || restarted) {
                    out.event(Events.created(next, container), now);
                    out.event(Events.started(next, container), now);
                }
            }
            // probe failures (the node reports them on transitions only), as the kubelet's events
            case UNREADY -> {
                if (s.getMessage().contains(" probe failed")) out.event(Events.unhealthy(next, s.getMessage()), now);
            }
            case EXITED -> {
                if (s.getMessage().contains(" probe, will be restarted")) out.event(Events.killingUnhealthy(next, s.getMessage()), now);
            }
            default -> { }
        }
        if (CRASH_LOOP.equals(s.getReason()) && !CRASH_LOOP.equals(t.getReason())) out.event(Events.backOff(next, container), now);
    }

    private static String firstContainer(TaskView t) {
        return t.getTemplate().getContainers().isEmpty() ? "" : t.getTemplate().getContainers().get(0).getName();
    }

    /** A status from a node the task is not (or no longer) on: that node holds a stale copy. */
    private static boolean staleNode(TaskView t, TaskStatus s) {
        return !t.getNodeId().isEmpty() && !s.getNodeId().isEmpty() && !t.getNodeId().equals(s.getNodeId());
    }

    /** Revoking is idempotent, so a stale placement or a node that comes back is simply tombstoned. */
    private void revokeStale(String key, TaskStatus s, long now) {
        boolean holdsAssignment = s.getState() != TaskState.REMOVED && s.getState() != TaskState.UNSCHEDULABLE
                && s.getState() != TaskState.UNKNOWN;
        if (!holdsAssignment || s.getNodeId().isEmpty()) return;
        out.tombstone(Topics.ASSIGNMENTS, Topics.assignmentKey(s.getNodeId(), s.getTaskId()), now);
        out.audit(key, "pod", "StaleAssignmentRevoked", ACTOR, s.getState().name(),
                "task " + s.getTaskId() + " on " + s.getNodeId() + " is not wanted there", now);
    }

    // ---- reconcile ----------------------------------------------------------------------------

    private void checkAll(Tick tick, long now) {
        List<KeyValue<String, WorkloadView>> all = new ArrayList<>();
        try (KeyValueIterator<String, WorkloadView> it = workloads.all()) {
            it.forEachRemaining(kv -> { if (nodes.owns(tick, kv.key)) all.add(kv); });
        }
        Set<String> ready = nodes.readyNodeIds(tick.getPartition());  // once per tick, not once per workload
        Set<String> draining = nodes.drainingNodeIds(tick.getPartition());
        for (KeyValue<String, WorkloadView> kv : all) {
            if (kv.value.getKind() != ResourceKind.SERVICE) converge(kv.key, kv.value, kv.value, "NodeCheck", ACTOR, ready, draining, now);
        }
    }

    /** Reconciles one workload and writes what changed; {@code before} is what the views show now. */
    private void converge(String key, WorkloadView before, WorkloadView desired, String cause, String actor, long now) {
        int partition = nodes.partitionOf(key);
        converge(key, before, desired, cause, actor, nodes.readyNodeIds(partition), nodes.drainingNodeIds(partition), now);
    }

    private void converge(String key, WorkloadView before, WorkloadView asked, String why, String actor,
                          Set<String> readyNodes, Set<String> drainingNodes, long now) {
        Map<String, TaskView> current = tasksOf(key);
        List<TaskActual> actual = current.values().stream().map(TaskViews::actual).toList();
        boolean intent = before != asked;
        // Time- and task-driven rollout decisions (canary steps, deadline, failure, automatic rollback) come first.
        WorkloadView desired = Rollouts.advance(asked, actual, now);
        String cause = !intent && desired != asked ? "RolloutProgress" : why;
        rolloutTransitionEvents(before, asked, desired, now);
        Steps steps = Reconciler.reconcile(WorkloadViews.desired(desired), actual, readyNodes, drainingNodes, now);
        rolloutEvents(key, desired, current, steps, now);
        steps.stop().forEach(s -> stop(key, desired, current.get(s.taskId()), s, cause, now));
        steps.forget().forEach(id -> forget(key, current.get(id), "TaskRemoved", "no longer reported", cause, now));
        steps.create().forEach(n -> create(key, desired, n, cause, actor, now));
        if (steps.workloadGone()) {
            workloads.delete(key);
            out.tombstone(Topics.WORKLOADS, key, now);
            out.audit(key, kindOf(desired), "WorkloadDeleted", actor, cause, "every task stopped; workload removed", now);
            return;
        }
        WorkloadView after = WorkloadViews.withStatus(desired, steps, now);
        if (before == null || !sameIgnoringStamp(before, after)) {
            WorkloadView stamped = WorkloadView.newBuilder(after).setUpdatedAt(now)
                    .setResourceVersion(Long.toString(before == null ? 1 : parseOr0(before.getResourceVersion()) + 1)).build();
            workloads.put(key, stamped);
            out.put(Topics.WORKLOADS, key, stamped, now);
            out.audit(key, kindOf(desired), intent ? "WorkloadChanged" : "WorkloadStatusChanged", actor, cause,
                    summary(stamped), now);
        }
    }

    /**
     * A rollout that failed (Warning ProgressDeadlineExceeded / RolloutFailed), was rolled back
     * automatically (Normal DeploymentRollback) or reached a canary pause.
     */
    private void rolloutTransitionEvents(WorkloadView before, WorkloadView asked, WorkloadView after, long now) {
        if (after.getKind() != ResourceKind.DEPLOYMENT || before == null) return;
        RolloutStatus was = before.getRollout(), is = after.getRollout();
        if (is.getFailedRevision() != 0 && (is.getFailedRevision() != was.getFailedRevision()
                || !is.getFailedMessage().equals(was.getFailedMessage()))) {
            out.event(Events.rolloutFailed(after, is.getFailedReason(), is.getFailedMessage()), now);
        }
        if (Rollouts.ROLLED_BACK.equals(is.getPhase()) && is.getRolledBackFrom() != was.getRolledBackFrom()) {
            Revisions.Target previous = Revisions.target(asked, 0);
            out.event(Events.rolledBack(after, previous.found() ? previous.revision().getRevision() : 0), now);
        }
        if (Rollouts.CANARY_PAUSE.equals(is.getReason()) && (!is.getReason().equals(was.getReason()) || is.getCanaryStep() != was.getCanaryStep())) {
            out.event(Events.canaryPaused(after, is.getMessage()), now);
        }
    }

    /**
     * During a rollout the deployment controller reports each step as replica set sizes: the new
     * template's set scaled up by this step's creations, each old one scaled down by its stops.
     */
    private void rolloutEvents(String key, WorkloadView w, Map<String, TaskView> current, Steps steps, long now) {
        if (w.getKind() != ResourceKind.DEPLOYMENT || w.getDeleted()) return;
        Map<String, Integer> sizes = new TreeMap<>();
        current.values().stream().filter(t -> t.getPhase() != TaskPhase.TERMINATING && t.getPhase() != TaskPhase.LOST && !t.getDesiredStop())
                .forEach(t -> sizes.merge(t.getTemplateHash(), 1, Integer::sum));
        boolean rolling = sizes.keySet().stream().anyMatch(h -> !h.equals(w.getTemplateHash()));
        if (!rolling) return;
        Map<String, Integer> superseded = new TreeMap<>();
        steps.stop().stream().filter(s -> s.reason().equals("Superseded"))
                .forEach(s -> superseded.merge(current.get(s.taskId()).getTemplateHash(), 1, Integer::sum));
        superseded.forEach((hash, n) -> {
            int from = sizes.getOrDefault(hash, 0);
            out.event(Events.scaled(w.getNamespace(), w.getName(), key, hash, from, from - n), now);
        });
        if (!steps.create().isEmpty()) {
            int from = sizes.getOrDefault(w.getTemplateHash(), 0);
            out.event(Events.scaled(w.getNamespace(), w.getName(), key, w.getTemplateHash(), from, from + steps.create().size()), now);
        }
    }

    private void stop(String key, WorkloadView w, TaskView t, Steps.Stop s, String cause, long now) {
        stopEvents(w, t, s, now);
        if (!s.nodeId().isEmpty()) out.tombstone(Topics.ASSIGNMENTS, Topics.assignmentKey(s.nodeId(), s.taskId()), now);
        TaskView stopped = TaskViews.stopped(t, s, now);
        out.audit(key, "pod", s.phase() == TaskPhase.LOST ? "TaskLost" : "TaskStopped", ACTOR, cause,
                t.getTaskId() + (s.nodeId().isEmpty() ? "" : " on " + s.nodeId()) + ": " + s.reason(), now);
        if (s.removeNow()) {
            out.put(Topics.TASKS, t.getTaskId(), stopped, now);  // show the final phase before the tombstone
            forget(key, stopped, "TaskRemoved", s.reason(), cause, now);
        } else {
            tasks.put(taskKey(key, t.getTaskId()), stopped);
            out.put(Topics.TASKS, t.getTaskId(), stopped, now);
        }
    }

    /** NodeLost for a task whose node died; Evicted for a drain; Killing for every container the node will stop. */
    private void stopEvents(WorkloadView w, TaskView t, Steps.Stop s, long now) {
        if (s.phase() == TaskPhase.LOST) {
            out.event(Events.nodeLost(t), now);
            return;
        }
        if (s.reason().equals(Reconciler.EVICTED)) out.event(Events.evicted(t, w.getKind() != ResourceKind.POD), now);
        boolean running = t.getPhase() == TaskPhase.SCHEDULED || t.getPhase() == TaskPhase.RUNNING;
        if (s.nodeId().isEmpty() || !running) return;
        t.getTemplate().getContainers().forEach(c -> out.event(Events.killing(t, c.getName()), now));
    }

    private void forget(String key, TaskView t, String change, String why, String cause, long now) {
        tasks.delete(taskKey(key, t.getTaskId()));
        out.tombstone(Topics.TASKS, t.getTaskId(), now);
        out.audit(key, "pod", change, ACTOR, cause, t.getTaskId() + ": " + why, now);
    }

    private void create(String key, WorkloadView w, Steps.NewTask n, String cause, String actor, long now) {
        TaskView t = TaskViews.created(w, n, now);
        tasks.put(taskKey(key, t.getTaskId()), t);
        out.put(Topics.TASKS, t.getTaskId(), t, now);
        out.put(Topics.PLACEMENT_REQUESTS, Topics.SCHEDULING_KEY, TaskViews.placement(t, now), now);
        out.audit(key, "pod", "TaskCreated", actor, cause, t.getTaskId() + " created, placement requested", now);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** The tasks store is keyed {@code workloadKey|taskId} so one workload's tasks are one prefix scan. */
    static String taskKey(String workloadKey, String taskId) {
        return workloadKey + "|" + taskId;
    }

    private Map<String, TaskView> tasksOf(String key) {
        Map<String, TaskView> out = new LinkedHashMap<>();
        try (KeyValueIterator<String, TaskView> it = tasks.prefixScan(key + "|", KEYS)) {
            it.forEachRemaining(kv -> out.put(kv.value.getTaskId(), kv.value));
        }
        return out;
    }

    private static boolean sameIgnoringStamp(WorkloadView a, WorkloadView b) {
        return WorkloadView.newBuilder(a).setUpdatedAt(0).setResourceVersion("").build()
                .equals(WorkloadView.newBuilder(b).setUpdatedAt(0).setResourceVersion("").build());
    }

    private static long parseOr0(String s) {
        try {
            return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String summary(WorkloadView v) {
        return "generation " + v.getGeneration() + ", replicas " + v.getDeployment().getReplicas() + " desired / "
                + v.getReplicas() + " current / " + v.getReadyReplicas() + " ready / " + v.getUpdatedReplicas() + " updated"
                + (v.getDeleted() ? ", deleting" : "");
    }

    private static String reasonSuffix(TaskView t) {
        return t.getReason().isEmpty() ? "" : " (" + t.getReason() + ")";
    }

    private static String kindOf(WorkloadView w) {
        return w.getKind().name().toLowerCase(Locale.ROOT);
    }

    private static String actor(Intent i) {
        return i.getActor().isBlank() ? "unknown" : i.getActor();
    }
}
