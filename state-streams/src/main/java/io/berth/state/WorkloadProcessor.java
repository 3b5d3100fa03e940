package io.berth.state;

import io.berth.schemas.TaskReason;
import io.berth.schemas.ProbeMessages;
import io.berth.schemas.Topics;
import io.berth.schemas.audit.Actors;
import io.berth.schemas.audit.ResourceKey;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.AvroJson;
import io.berth.state.core.*;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.util.*;
import java.util.function.Function;

/**
 * The workload controller: one instance per partition of the intents/task-status topics (both
 * keyed by workload key). Every input (an intent, a task status, a timer tick) only updates the
 * stored views and then calls {@link #converge}, which re-reads desired and actual state and
 * applies {@link Reconciler#reconcile}'s steps, as a Kubernetes sync handler does. The tick
 * catches what no record announces: a node of one of our tasks turning NotReady.
 */
final class WorkloadProcessor extends ContextualProcessor<String, SpecificRecord, String, Emit> {
    static final String ACTOR = "workload-controller";
    /** Intent annotation of a PROMOTE: "full" skips every remaining canary step. */
    static final String PROMOTE_ANNOTATION = "berth.io/promote";
    private static final StringSerializer KEYS = new StringSerializer();

    private final Duration tick;
    private final Function<Intent, byte[]> encodeIntent;
    private KeyValueStore<String, WorkloadView> workloads;
    private KeyValueStore<String, TaskView> tasks;
    private NodeReadiness nodes;
    private Outputs out;
    /** Offset on berth.intents of the intent being processed (carried in a header through a repartition). */
    private long intentOffset = -1;

    /**
     * Who and what an audit record credits: an intent's actor and id for what it asked (its
     * controller's consequences included), a node (or the scheduler) for what it reported, the
     * workload controller for what it decided on its own (status folding, ticks).
     */
    record Origin(String actor, String intentId) {
        static final Origin CONTROLLER = new Origin(Actors.WORKLOAD_CONTROLLER, "");
    }

    WorkloadProcessor(Duration tick, Function<Intent, byte[]> encodeIntent) {
        this.tick = tick;
        this.encodeIntent = encodeIntent;
    }

    @Override
    public void init(ProcessorContext<String, Emit> context) {
        super.init(context);
        workloads = context.getStateStore(StateStreamsTopology.WORKLOADS_STORE);
        tasks = context.getStateStore(StateStreamsTopology.TASKS_STORE);
        nodes = new NodeReadiness(context.getStateStore(StateStreamsTopology.GLOBAL_NODES_STORE));
        out = new Outputs(context, StateStreamsTopology.APPLICATION_ID);
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::checkAll);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        long now = context().currentSystemTimeMs();
        if (record.key() == null) return;
        out.received(record);
        if (record.value() instanceof Intent i) {
            intentOffset = IntentOffsetHeader.read(record.headers()).orElse(out.offsetIfFrom(Topics.INTENTS));
            onIntent(record.key(), i, record.headers(), now);
        } else if (record.value() instanceof TaskStatus s) {
            onStatus(record.key(), s, now);
        }
    }

    // ---- intents ------------------------------------------------------------------------------

    private void onIntent(String key, Intent i, Headers headers, long now) {
        Origin origin = new Origin(Actors.of(i, headers), i.getIntentId());
        WorkloadView before = workloads.get(key);
        Optional<String> problem = IntentValidator.problem(i).or(() -> refusal(key, before, i));
        if (problem.isPresent()) {
            reject(key, i, origin, problem.get(), now);
            return;
        }
        out.audit(intentKey(i), "IntentAccepted", origin.actor(), i.getIntentId(), null, AvroJson.encode(i),
                i.getAction() + " " + intentKey(i), now);
        WorkloadView after = switch (i.getKind()) {
            case DEPLOYMENT -> deploymentIntent(key, before, i, now);
            case POD -> podIntent(key, before, i, origin, now);
            case SERVICE -> { serviceIntent(key, before, i, origin, now); yield null; }
            default -> null;
        };
        if (after == null) return;
        converge(key, before, stamp(after, i), i.getIntentId(), origin, now);
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

    /**
     * Why a valid intent cannot be applied to the current view, decided before anything is written
     * so that an intent is either accepted (and audited so, before its effects) or rejected.
     */
    private static Optional<String> refusal(String key, WorkloadView w, Intent i) {
        if (i.getKind() != ResourceKind.DEPLOYMENT) return Optional.empty();
        boolean exists = w != null && !w.getDeleted();
        return switch (i.getAction()) {
            case SCALE, ROLLBACK, PROMOTE, ABORT -> {
                if (!exists) yield Optional.of("deployment " + key + " not found");
                yield switch (i.getAction()) {
                    case ROLLBACK -> w.getDeployment().getPaused()
                            ? Optional.of("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/"
                            + w.getName() + "' and try again")
                            : Optional.ofNullable(Revisions.target(w, toRevision(i)).problem());
                    case PROMOTE -> Optional.ofNullable(RolloutLifecycle.promote(w, fullPromote(i), 0).problem());
                    case ABORT -> Optional.ofNullable(RolloutLifecycle.abort(w, 0).problem());
                    default -> Optional.empty();
                };
            }
            default -> Optional.empty();
        };
    }

    private static long toRevision(Intent i) {
        return i.getPayload() instanceof RollbackSpec r ? r.getToRevision() : 0;
    }

    private static boolean fullPromote(Intent i) {
        String mode = i.getAnnotations().getOrDefault(PROMOTE_ANNOTATION, "");
        return mode.equalsIgnoreCase("full") || mode.equalsIgnoreCase("true");
    }

    private WorkloadView deploymentIntent(String key, WorkloadView before, Intent i, long now) {
        boolean exists = before != null && !before.getDeleted();
        return switch (i.getAction()) {
            case APPLY -> WorkloadViews.applyDeployment(before, key, i, (DeploymentSpec) i.getPayload(), now);
            case SCALE -> WorkloadViews.scale(before, ((ScaleSpec) i.getPayload()).getReplicas());
            case DELETE -> exists ? WorkloadViews.deleted(before) : null;
            case ROLLBACK, PROMOTE, ABORT -> rolloutIntent(before, i, now);
            default -> null;
        };
    }

    /** ROLLBACK (kubectl rollout undo), PROMOTE and ABORT of a canary; {@link #refusal} has ruled out the impossible ones. */
    private WorkloadView rolloutIntent(WorkloadView w, Intent i, long now) {
        switch (i.getAction()) {
            case ROLLBACK -> {
                Revisions.Target t = Revisions.target(w, toRevision(i));
                if (t.revision().getTemplateHash().equals(w.getTemplateHash())) {
                    out.event(Events.rollbackUnchanged(w), now);
                    return w;
                }
                out.event(Events.rolledBack(w, t.revision().getRevision()), now);
                return RolloutLifecycle.undo(w, t.revision(), now);
            }
            case PROMOTE -> {
                RolloutLifecycle.Result r = RolloutLifecycle.promote(w, fullPromote(i), now);
                out.event(Events.promoted(r.view(), r.view().getRollout().getMessage()), now);
                return r.view();
            }
            default -> {
                RolloutLifecycle.Result r = RolloutLifecycle.abort(w, now);
                out.event(Events.aborted(r.view(), r.view().getRollout().getMessage()), now);
                return r.view();
            }
        }
    }

    /**
     * A pod intent is either about a bare pod (the record key is the pod's own key) or a delete of
     * a deployment's pod, re-keyed upstream to the owning workload (see README, "pod deletes").
     */
    private WorkloadView podIntent(String key, WorkloadView before, Intent i, Origin origin, long now) {
        boolean ownKey = key.equals(Topics.resourceKey(i.getNamespace(), ResourceKind.POD, i.getName()));
        if (i.getAction() == IntentAction.APPLY) {
            return WorkloadViews.applyPod(before, key, i, (PodSpec) i.getPayload(), now);
        }
        if (ownKey) {
            return before == null || before.getDeleted() ? null : WorkloadViews.deleted(before);
        }
        return before == null ? null : askDelete(key, before, i, now);
    }

    /**
     * Marks the deployment's pod for deletion (in the store only: the view on the topic changes
     * when the reconcile then stops it, audited as TaskStopped with this intent as its cause).
     */
    private WorkloadView askDelete(String key, WorkloadView w, Intent i, long now) {
        TaskView t = tasks.get(taskKey(key, i.getName()));
        if (t == null || t.getDesiredStop()) return null;  // not found means done
        TaskView marked = TaskView.newBuilder(t).setDesiredStop(true).setUpdatedAt(now).build();
        tasks.put(taskKey(key, t.getTaskId()), marked);
        return w;
    }

    /** Services hold no tasks: their view is the spec (endpoints are derived elsewhere). */
    private void serviceIntent(String key, WorkloadView before, Intent i, Origin origin, long now) {
        if (i.getAction() == IntentAction.DELETE) {
            if (before == null) return;
            workloads.delete(key);
            out.tombstone(Topics.WORKLOADS, key, now);
            out.auditView(key, "ServiceDeleted", origin.actor(), origin.intentId(), before, null, "service deleted", now);
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
        out.auditView(key, before == null ? "ServiceCreated" : "ServiceUpdated", origin.actor(), origin.intentId(), before, v,
                "service " + i.getName() + " " + (before == null ? "created" : "updated to generation " + v.getGeneration()), now);
    }

    /** A refused intent: its dead letter, a Warning event, and its audit record (the one record of that dead letter). */
    private void reject(String key, Intent i, Origin origin, String reason, long now) {
        out.deadLetter(key, i, encodeIntent, reason, now);
        out.event(Events.rejected(key, i.getKind(), i.getNamespace(), i.getName(), i.getAction() == IntentAction.APPLY, reason, ACTOR), now);
        out.audit(intentKey(i), "IntentRejected", origin.actor(), i.getIntentId(), null, AvroJson.encode(i), reason, now);
    }

    /** The audit key of an intent: the resource it names (a pod delete keeps its pod's key although it was re-keyed to the owner). */
    static String intentKey(Intent i) {
        return i.getKind() == ResourceKind.NODE ? Events.nodeKey(i.getName()) : Topics.resourceKey(i.getNamespace(), i.getKind(), i.getName());
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
        Origin reporter = new Origin(reporter(s), "");
        if (next.isEmpty()) {
            forget(key, t, "container removed on " + t.getNodeId(), reporter, now);
        } else if (!next.get().equals(t)) {
            statusEvents(t, next.get(), s, now);
            writeTask(key, t, next.get(), TaskChanges.of(t, next.get(), s.getState()), reporter,
                    TaskChanges.describe(t, next.get(), s.getState()), now);
        }
        WorkloadView w = workloads.get(key);
        if (w != null && w.getKind() != ResourceKind.SERVICE) converge(key, w, w, s.getState().name() + " " + s.getTaskId(), Origin.CONTROLLER, now);
    }

    /** The scheduler reports placements (ASSIGNED, UNSCHEDULABLE); everything else comes from the task's node. */
    private static String reporter(TaskStatus s) {
        return s.getState() == TaskState.ASSIGNED || s.getState() == TaskState.UNSCHEDULABLE ? Actors.SCHEDULER : Actors.node(s.getNodeId());
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
                        && !TaskReason.CONTAINERS_NOT_READY.is(t.getReason());
                if (t.getPhase() != TaskPhase.RUNNING || restarted) {
                    out.event(Events.created(next, container), now);
                    out.event(Events.started(next, container), now);
                }
            }
            // probe failures (the node reports them on transitions only), as the kubelet's events
            case UNREADY -> {
                if (ProbeMessages.isFailure(s.getMessage())) out.event(Events.unhealthy(next, s.getMessage()), now);
            }
            case EXITED -> {
                if (ProbeMessages.isKill(s.getMessage())) out.event(Events.killingUnhealthy(next, s.getMessage()), now);
            }
            default -> { }
        }
        if (TaskReason.CRASH_LOOP_BACK_OFF.is(s.getReason()) && !TaskReason.CRASH_LOOP_BACK_OFF.is(t.getReason())) out.event(Events.backOff(next, container), now);
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
        TaskView t = tasks.get(taskKey(key, s.getTaskId()));
        String podKey = t != null ? Events.podKey(t) : Topics.resourceKey(ResourceKey.parse(key).namespace(), ResourceKind.POD, s.getTaskId());
        out.audit(podKey, "StaleAssignmentRevoked", Actors.WORKLOAD_CONTROLLER, "", null, null,
                "task " + s.getTaskId() + " on " + s.getNodeId() + " is not wanted there", now);
    }

    // ---- reconcile ----------------------------------------------------------------------------

    private void checkAll(long now) {
        List<KeyValue<String, WorkloadView>> all = new ArrayList<>();
        try (KeyValueIterator<String, WorkloadView> it = workloads.all()) {
            it.forEachRemaining(all::add);
        }
        Set<String> ready = nodes.readyNodeIds();  // once per tick, not once per workload
        Set<String> draining = nodes.drainingNodeIds();
        for (KeyValue<String, WorkloadView> kv : all) {
            if (kv.value.getKind() != ResourceKind.SERVICE) converge(kv.key, kv.value, kv.value, "NodeCheck", Origin.CONTROLLER, ready, draining, now);
        }
    }

    /** Reconciles one workload and writes what changed; {@code before} is what the views show now. */
    private void converge(String key, WorkloadView before, WorkloadView desired, String cause, Origin origin, long now) {
        converge(key, before, desired, cause, origin, nodes.readyNodeIds(), nodes.drainingNodeIds(), now);
    }

    private void converge(String key, WorkloadView before, WorkloadView asked, String why, Origin origin,
                          Set<String> readyNodes, Set<String> drainingNodes, long now) {
        Map<String, TaskView> current = tasksOf(key);
        List<TaskActual> actual = current.values().stream().map(TaskViews::actual).toList();
        boolean intent = before != asked;
        // Time- and task-driven rollout decisions (canary steps, deadline, failure, automatic rollback) come first.
        WorkloadView desired = RolloutLifecycle.advance(asked, actual, now);
        String cause = !intent && desired != asked ? "RolloutProgress" : why;
        rolloutTransitionEvents(before, asked, desired, now);
        Steps steps = Reconciler.reconcile(WorkloadViews.desired(desired), actual, readyNodes, drainingNodes, now);
        rolloutEvents(key, desired, current, steps, now);
        steps.stop().forEach(s -> stop(key, desired, current.get(s.taskId()), s, cause, origin, now));
        steps.forget().forEach(id -> forget(key, current.get(id), "no longer reported", origin, now));
        steps.create().forEach(n -> create(key, desired, n, cause, origin, now));
        if (steps.workloadGone()) {
            workloads.delete(key);
            out.tombstone(Topics.WORKLOADS, key, now);
            out.auditView(key, "WorkloadDeleted", origin.actor(), origin.intentId(), before, null, "every task stopped; workload removed", now);
            return;
        }
        WorkloadView after = WorkloadViews.withStatus(desired, steps, now);
        if (before == null || !sameIgnoringStamp(before, after)) {
            WorkloadView stamped = WorkloadView.newBuilder(after).setUpdatedAt(now)
                    .setResourceVersion(Long.toString(before == null ? 1 : parseOr0(before.getResourceVersion()) + 1)).build();
            workloads.put(key, stamped);
            out.put(Topics.WORKLOADS, key, stamped, now);
            String change = before == null || (before.getDeleted() && !stamped.getDeleted()) ? "WorkloadCreated"
                    : intent ? "WorkloadChanged" : "WorkloadStatusChanged";
            out.auditView(key, change, origin.actor(), origin.intentId(), before, stamped, summary(stamped), now);
            revisionCreated(key, before, stamped, origin, now);
        }
    }

    /** A template change (an apply, a rollback, an automatic rollback) made a new revision: its own record, with the revision as JSON. */
    private void revisionCreated(String key, WorkloadView before, WorkloadView after, Origin origin, long now) {
        long was = before == null ? 0 : before.getRevision();
        if (after.getKind() != ResourceKind.DEPLOYMENT || after.getRevision() <= was) return;
        Revision current = Revisions.of(after).stream().filter(r -> r.getRevision() == after.getRevision()).findFirst().orElse(null);
        out.audit(key, "RevisionCreated", origin.actor(), origin.intentId(), null, AvroJson.encode(current),
                "revision " + after.getRevision() + " (template " + after.getTemplateHash() + ")"
                        + (current == null || current.getChangeCause().isEmpty() ? "" : ": " + current.getChangeCause()), now);
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
        if (RolloutPhase.ROLLED_BACK.is(is) && is.getRolledBackFrom() != was.getRolledBackFrom()) {
            Revisions.Target previous = Revisions.target(asked, 0);
            out.event(Events.rolledBack(after, previous.found() ? previous.revision().getRevision() : 0), now);
        }
        if (RolloutLifecycle.CANARY_PAUSE.equals(is.getReason()) && (!is.getReason().equals(was.getReason()) || is.getCanaryStep() != was.getCanaryStep())) {
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

    private void stop(String key, WorkloadView w, TaskView t, Steps.Stop s, String cause, Origin origin, long now) {
        stopEvents(w, t, s, now);
        if (!s.nodeId().isEmpty()) out.tombstone(Topics.ASSIGNMENTS, Topics.assignmentKey(s.nodeId(), s.taskId()), now);
        TaskView stopped = TaskViews.stopped(t, s, now);
        // show the final phase before the tombstone of a task removed at once
        writeTask(key, t, stopped, s.phase() == TaskPhase.LOST ? "TaskLost" : "TaskStopped", origin,
                t.getTaskId() + (s.nodeId().isEmpty() ? "" : " on " + s.nodeId()) + ": " + s.reason() + " (" + cause + ")", now);
        if (s.removeNow()) forget(key, stopped, s.reason(), origin, now);
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

    /** Tombstones a task's view: TaskRemoved, after = null. */
    private void forget(String key, TaskView t, String why, Origin origin, long now) {
        tasks.delete(taskKey(key, t.getTaskId()));
        out.tombstone(Topics.TASKS, t.getTaskId(), now);
        out.auditView(Events.podKey(t), "TaskRemoved", origin.actor(), origin.intentId(), t, null, t.getTaskId() + ": " + why, now);
    }

    private void create(String key, WorkloadView w, Steps.NewTask n, String cause, Origin origin, long now) {
        TaskView t = TaskViews.created(w, n, now);
        writeTask(key, null, t, "TaskCreated", origin, t.getTaskId() + " created, placement requested (" + cause + ")", now);
        out.put(Topics.PLACEMENT_REQUESTS, Topics.SCHEDULING_KEY, TaskViews.placement(t, now), now);
    }

    /** Every write of a task view goes here: store, berth.state.tasks, and its audit record keyed by the pod. */
    private void writeTask(String key, TaskView before, TaskView after, String change, Origin origin, String message, long now) {
        tasks.put(taskKey(key, after.getTaskId()), after);
        out.put(Topics.TASKS, after.getTaskId(), after, now);
        out.auditView(Events.podKey(after), change, origin.actor(), origin.intentId(), before, after, message, now);
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

}
