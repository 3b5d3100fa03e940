package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.AvroJson;
import io.berth.state.core.*;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;

import java.util.*;
import java.util.function.Function;

/**
 * The workload controller: one instance per partition of the intents/task-status topics (both
 * keyed by workload key). Every input (an intent, a task status, a {@link Tick} from berth.ticks) only updates the
 * stored views; an intent then calls {@link #converge} at once, a task status marks its workload
 * dirty ({@link DirtyWorkloads}) and the next tick converges each dirty workload once (a
 * Kubernetes controller's work queue, which collapses many events of one key into one sync).
 * {@link #converge} re-reads desired and actual state and applies {@link Reconciler#reconcile}'s
 * steps. The tick also catches what no record announces: a node of one of our tasks turning NotReady. Time is the
 * input's timestamp and node readiness the last tick's ({@link NodeReadiness}), so a decision is a
 * function of the log and {@code berth replay --verify} re-runs it exactly.
 *
 * <p>One concern per class: {@link IntentHandler} (intents, rollout commands; services in
 * {@link ServiceIntents}) and {@link StatusFolder} (task statuses) only fold their input into the
 * views; this class converges; {@link WorkloadEvents} chooses the Kubernetes events;
 * {@link WorkloadState} is the one writer of the stores, the view topics and their audit records.
 */
final class WorkloadProcessor extends ContextualProcessor<String, SpecificRecord, String, Emit> {
    /** Source of the events this controller writes (Kubernetes' component name). */
    static final String ACTOR = "workload-controller";

    /** 0 live; the live partition count when a replay runs every partition in one driver (see {@link NodeReadiness}). */
    private final int partitions;
    private final Function<Intent, byte[]> encodeIntent;
    private WorkloadState state;
    private IntentHandler intents;
    private StatusFolder statuses;
    private NodeReadiness nodes;
    private DirtyWorkloads dirty;
    private Outputs out;
    /** Offset on berth.intents of the intent being processed (carried in a header through a repartition). */
    private long intentOffset = -1;

    private final java.util.List<String> hostPaths;
    private final NodeSignatures signatures;
    private final Function<TaskStatus, byte[]> encodeStatus;
    private final long hpaSyncMs;
    private Autoscalers autoscalers;
    private org.apache.kafka.streams.state.KeyValueStore<String, String> podUsage;

    WorkloadProcessor(int partitions, Function<Intent, byte[]> encodeIntent, java.util.List<String> hostPaths,
                      NodeSignatures signatures, Function<TaskStatus, byte[]> encodeStatus, long hpaSyncMs) {
        this.hpaSyncMs = hpaSyncMs;
        this.partitions = partitions;
        this.encodeIntent = encodeIntent;
        this.hostPaths = hostPaths;
        this.signatures = signatures;
        this.encodeStatus = encodeStatus;
    }

    @Override
    public void init(ProcessorContext<String, Emit> context) {
        super.init(context);
        nodes = new NodeReadiness(context.getStateStore(StateStreamsTopology.TICKS_STORE), partitions, context.taskId().partition());
        out = new Outputs(context, StateStreamsTopology.APPLICATION_ID);
        state = new WorkloadState(context.getStateStore(StateStreamsTopology.WORKLOADS_STORE),
                context.getStateStore(StateStreamsTopology.TASKS_STORE), out);
        org.apache.kafka.streams.state.KeyValueStore<String, String> levels = context.getStateStore(NamespaceLevels.STORE);
        podUsage = context.getStateStore(StateStreamsTopology.POD_USAGE_STORE);
        state.onTaskRemoved(podUsage::delete);  // a removed task's sample goes with it: the store holds live tasks only
        autoscalers = new Autoscalers(context.getStateStore(StateStreamsTopology.AUTOSCALERS_STORE), podUsage, state, out, hpaSyncMs,
                this::writeIfChanged);
        intents = new IntentHandler(state, out, encodeIntent, ns -> NamespaceLevels.level(levels, ns), hostPaths, autoscalers);
        statuses = new StatusFolder(state, out, signatures, encodeStatus);
        dirty = new DirtyWorkloads(context.getStateStore(StateStreamsTopology.DIRTY_STORE));
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
            autoscalers.syncDue(t, nodes, now);
            return;
        }
        if (record.value() instanceof NodeStats s) {  // one pod's usage sample (PodUsage), for the HPA
            // only a task this controller knows (a late sample of a removed task would stay forever)
            if (s.getPods().size() == 1 && state.task(record.key(), s.getPods().get(0).getTaskId()) != null) PodUsage.keep(podUsage, s, now);
            return;
        }
        if (record.value() instanceof Intent i) {
            intentOffset = IntentOffsetHeader.read(record.headers()).orElse(out.offsetIfFrom(Topics.INTENTS));
            onIntent(record.key(), i, record, now);
        } else if (record.value() instanceof TaskStatus s && fromNodeGaps()) {
            statuses.gap(record.key(), s, now); // the node controller's, from heartbeats: not a node's own record
            WorkloadView w = state.workload(record.key());
            if (w != null && runsTasks(w)) dirty.mark(record.key(), s.getState().name() + " " + s.getTaskId());
        } else if (record.value() instanceof TaskStatus s) {
            onStatus(record.key(), s, record.headers(), now);
        } else if (record.value() instanceof WorkloadView job) {
            onCronJobJob(record.key(), job, now);  // from berth.cronjob-jobs
        }
    }

    /** Read from the repartition topic of the node controller's ContainerMissing statuses (internal: nodes cannot write it). */
    private boolean fromNodeGaps() {
        return out.inputTopic("").endsWith(StateStreamsTopology.NODE_GAPS + "-repartition");
    }

    private void onIntent(String key, Intent i, Record<String, SpecificRecord> record, long now) {
        intents.handle(key, i, record.headers(), intentOffset, now).ifPresent(a -> {
            converge(key, a.before(), a.desired(), i.getIntentId(), a.origin(), now);
            dirty.clear(key);  // that converge read the statuses folded since the last one
            if (i.getKind() == ResourceKind.DEPLOYMENT) WorkloadEvents.scaling(key, a.before(), a.desired()).forEach(e -> out.event(e, now));
        });
    }

    /**
     * A status only updates its task's view and marks the workload dirty; the partition's next tick
     * converges it once for every status since ({@link DirtyWorkloads}). A tick comes every
     * {@code controller-tick-ms}, so a decision a status calls for (a replacement for a FAILED
     * task, the next rolling step) waits at most one tick and is taken at the tick's time.
     */
    private void onStatus(String key, TaskStatus s, org.apache.kafka.common.header.Headers headers, long now) {
        statuses.fold(key, s, headers, now);
        WorkloadView w = state.workload(key);
        if (w != null && runsTasks(w)) dirty.mark(key, s.getState().name() + " " + s.getTaskId());
    }

    /** Deployments, jobs and bare pods; services and namespaces are views without tasks. */
    private static boolean runsTasks(WorkloadView w) {
        return w.getKind() == ResourceKind.DEPLOYMENT || w.getKind() == ResourceKind.POD || w.getKind() == ResourceKind.JOB
                || w.getKind() == ResourceKind.DAEMONSET || w.getKind() == ResourceKind.STATEFULSET;
    }

    // ---- reconcile ----------------------------------------------------------------------------

    private void checkAll(Tick tick, long now) {
        List<KeyValue<String, WorkloadView>> all = new ArrayList<>();
        try (KeyValueIterator<String, WorkloadView> it = state.allWorkloads()) {
            it.forEachRemaining(kv -> { if (nodes.owns(tick, kv.key)) all.add(kv); });
        }
        Set<String> ready = nodes.readyNodeIds(tick.getPartition());  // once per tick, not once per workload
        Set<String> draining = nodes.drainingNodeIds(tick.getPartition());
        // a tick with a node list (the nodes changed, or the once-a-minute full list) checks every
        // workload; the others only those time can move (a settled one waits for news of its own:
        // the statuses that marked it dirty since the last tick)
        boolean nodesListed = tick.getNodes() != null;
        for (KeyValue<String, WorkloadView> kv : all) {
            if (kv.value.getKind() == ResourceKind.CRONJOB) {
                if (CronJobs.timeCanMove(kv.value, now)) convergeCron(kv.key, kv.value, kv.value, false, Origin.CONTROLLER, now);
                continue;
            }
            String cause = dirty.cause(kv.key);
            if (!runsTasks(kv.value) || (cause == null && !nodesListed && WorkloadViews.settled(kv.value))) continue;
            converge(kv.key, kv.value, kv.value, cause == null ? "NodeCheck" : cause, Origin.CONTROLLER, ready, draining, now);
        }
        for (String key : dirty.all().keySet()) {  // converged above, or their workload is gone
            if (nodes.owns(tick, key)) dirty.clear(key);
        }
    }

    /** Reconciles one workload and writes what changed; {@code before} is what the views show now. */
    private void converge(String key, WorkloadView before, WorkloadView desired, String cause, Origin origin, long now) {
        int partition = nodes.partitionOf(key);
        converge(key, before, desired, cause, origin, nodes.readyNodeIds(partition), nodes.drainingNodeIds(partition), now);
    }

    /** Reconciles one workload, timed and counted ({@code berth_reconcile_total}, {@code berth_reconcile_duration_seconds}). */
    private void converge(String key, WorkloadView before, WorkloadView asked, String why, Origin origin,
                          Set<String> readyNodes, Set<String> drainingNodes, long now) {
        long t0 = System.nanoTime();
        boolean failed = true;
        try {
            convergeTimed(key, before, asked, why, origin, readyNodes, drainingNodes, now);
            failed = false;
        } finally {
            ReconcileMetrics.record(asked.getKind(), failed, System.nanoTime() - t0);
        }
    }

    private void convergeTimed(String key, WorkloadView before, WorkloadView asked, String why, Origin origin,
                               Set<String> readyNodes, Set<String> drainingNodes, long now) {
        if (asked.getKind() == ResourceKind.CRONJOB) {
            convergeCron(key, before, asked, before != asked, origin, now);
            return;
        }
        Map<String, TaskView> current = state.tasksOf(key);
        List<TaskActual> actual = state.actualsOf(key); // same order as current's values
        boolean intent = before != asked;
        if (asked.getKind() == ResourceKind.JOB) {
            convergeJob(key, before, asked, intent, why, origin, current, actual, readyNodes, now);
            return;
        }
        if (asked.getKind() == ResourceKind.DAEMONSET) {
            convergeDaemonSet(key, before, asked, intent, why, origin, current, actual, now);
            return;
        }
        if (asked.getKind() == ResourceKind.STATEFULSET) {
            convergeStatefulSet(key, before, asked, intent, why, origin, current, actual, readyNodes, now);
            return;
        }
        // Time- and task-driven rollout decisions (canary steps, deadline, failure, automatic rollback) come first.
        WorkloadView desired = RolloutLifecycle.advance(asked, actual, now);
        String cause = !intent && desired != asked ? "RolloutProgress" : why;
        WorkloadEvents.rolloutTransition(before, asked, desired).forEach(e -> out.event(e, now));
        Steps steps = Reconciler.reconcile(WorkloadViews.desired(desired), actual, readyNodes, drainingNodes, now);
        WorkloadEvents.rolloutStep(key, desired, current, steps).forEach(e -> out.event(e, now));
        steps.stop().forEach(s -> stop(key, desired, current.get(s.taskId()), s, cause, origin, now));
        steps.forget().forEach(id -> state.removeTask(key, current.get(id), "no longer reported", origin, now));
        steps.create().forEach(n -> create(key, desired, n, cause, origin, now));
        if (steps.workloadGone()) {
            state.deleteWorkload(key, "WorkloadDeleted", origin, before, "every task stopped; workload removed", now);
            return;
        }
        WorkloadView after = WorkloadViews.withStatus(desired, steps, now);
        WorkloadView written = writeIfChanged(key, before, after, intent, origin, WorkloadProcessor::summary, now);
        if (written != null) revisionCreated(key, before, written, origin, now);
    }

    /**
     * A Job ({@link Jobs}): the same task steps as any workload, its own status and conditions, the job
     * controller's events, and its deletion once its time to live after finishing ran out.
     */
    private void convergeJob(String key, WorkloadView before, WorkloadView asked, boolean intent, String why, Origin origin,
                             Map<String, TaskView> current, List<TaskActual> actual, Set<String> readyNodes, long now) {
        Jobs.Step js = Jobs.reconcile(asked, actual, readyNodes, now);
        WorkloadView desired = js.ttlExpired() ? WorkloadViews.deleted(asked) : asked;
        String cause = js.ttlExpired() ? "TTLAfterFinished" : why;
        Steps steps = js.steps();
        steps.stop().forEach(s -> stop(key, desired, current.get(s.taskId()), s, cause, origin, now));
        steps.forget().forEach(id -> state.removeTask(key, current.get(id), "no longer reported", origin, now));
        steps.create().forEach(n -> {
            create(key, desired, n, cause, origin, now);
            out.event(Events.job(Events.NORMAL, desired, "SuccessfulCreate", "Created pod: " + n.taskId()), now);
        });
        js.transition().ifPresent(t -> out.event(Events.job(t.warning() ? Events.WARNING : Events.NORMAL, desired, t.reason(), t.message()), now));
        if (steps.workloadGone()) {
            reportToCronJob(key, WorkloadView.newBuilder(desired).setDeleted(true).build(), now);
            state.deleteWorkload(key, js.ttlExpired() ? "TTLAfterFinished" : "WorkloadDeleted", origin, before,
                    js.ttlExpired() ? "finished job's ttlSecondsAfterFinished ran out; job and pods removed" : "every task stopped; workload removed", now);
            return;
        }
        Steps.ReplicaStatus s = steps.status();
        WorkloadView after = WorkloadView.newBuilder(desired)
                .setNextTaskSeq(steps.nextTaskSeq()).setObservedGeneration(desired.getGeneration())
                .setReplicas(s.replicas()).setReadyReplicas(s.ready()).setAvailableReplicas(s.available())
                .setUpdatedReplicas(s.updated()).setUnavailableReplicas(s.unavailable())
                .setJobStatus(js.status()).setConditions(js.conditions())
                .build();
        WorkloadView written = writeIfChanged(key, before, after, intent, origin, WorkloadProcessor::jobSummary, now);
        if (written != null) reportToCronJob(key, written, now);
    }

    /** A Job a CronJob started tells it how it is doing (berth.cronjob-jobs, keyed by the CronJob: its partition). */
    private void reportToCronJob(String key, WorkloadView job, long now) {
        String cronJob = CronJobs.ownerKey(job);
        if (cronJob != null) out.put(Topics.CRONJOB_JOBS, cronJob, job, now);
    }

    /** News of one of a CronJob's jobs: its status changes, and the history limits may delete the oldest. */
    private void onCronJobJob(String key, WorkloadView job, long now) {
        WorkloadView cron = state.workload(key);
        if (cron == null || cron.getKind() != ResourceKind.CRONJOB || cron.getDeleted()) return;
        CronJobStatus was = CronJobs.statusOf(cron);
        CronJobStatus is = CronJobs.child(was, job);
        if (is.equals(was)) return;
        convergeCron(key, cron, WorkloadView.newBuilder(cron).setCronJobStatus(is).build(), false, Origin.CONTROLLER, now);
    }

    /**
     * A CronJob ({@link CronJobs}): the Jobs it starts and deletes go out as intents on berth.intents (the
     * controller deploys by event, and each job is audited and validated like any other); its status and events.
     */
    private void convergeCron(String key, WorkloadView before, WorkloadView asked, boolean intent, Origin origin, long now) {
        CronJobs.Step cs = CronJobs.reconcile(asked, now);
        cs.intents().forEach(k -> out.put(Topics.INTENTS, k.key(), k.intent(), now));
        cs.events().forEach(e -> out.event(Events.cronJob(e.warning() ? Events.WARNING : Events.NORMAL, asked, e.reason(), e.message()), now));
        if (cs.gone()) {
            state.deleteWorkload(key, "WorkloadDeleted", origin, before, "cron job deleted; its jobs deleted by intents", now);
            return;
        }
        WorkloadView after = WorkloadView.newBuilder(asked).setObservedGeneration(asked.getGeneration())
                .setCronJobStatus(cs.status()).setReplicas(cs.status().getActive().size()).build();
        CronJobStatus s = cs.status();
        writeIfChanged(key, before, after, intent, origin, v -> "generation " + v.getGeneration() + ", cron job "
                + s.getActive().size() + " active, last scheduled " + s.getLastScheduleTime() + ", next " + s.getNextScheduleTime(), now);
    }

    /**
     * A DaemonSet ({@link DaemonSets}): one pod per eligible node of the last tick's node list, each created
     * pinned to its node (nodeSelector kubernetes.io/hostname), rolled node by node on a template change.
     */
    private void convergeDaemonSet(String key, WorkloadView before, WorkloadView asked, boolean intent, String why, Origin origin,
                                   Map<String, TaskView> current, List<TaskActual> actual, long now) {
        List<DaemonSets.NodeInfo> nodeList = new ArrayList<>();
        for (TickNode n : nodes.nodes(nodes.partitionOf(key))) {
            nodeList.add(new DaemonSets.NodeInfo(n.getId(), n.getLabels(), n.getReady(), !n.getCordoned() && !n.getDraining()));
        }
        DaemonSets.Step ds = DaemonSets.reconcile(asked, actual, nodeList, now);
        Steps steps = ds.steps();
        steps.stop().forEach(s -> stop(key, asked, current.get(s.taskId()), s, why, origin, now));
        steps.forget().forEach(id -> state.removeTask(key, current.get(id), "no longer reported", origin, now));
        steps.create().forEach(n -> {
            PodTemplate t = asked.getDeployment().getTemplate();
            Map<String, String> pin = new HashMap<>(t.getNodeSelector());
            pin.put(io.berth.schemas.NodeLabels.HOSTNAME, ds.pins().get(n.taskId()));
            WorkloadView pinned = WorkloadView.newBuilder(asked).setDeployment(DeploymentSpec.newBuilder(asked.getDeployment())
                    .setTemplate(PodTemplate.newBuilder(t).setNodeSelector(pin).build()).build()).build();
            create(key, pinned, n, why, origin, now);
            out.event(Events.daemonSet(Events.NORMAL, asked, "SuccessfulCreate", "Created pod: " + n.taskId()), now);
        });
        if (steps.workloadGone()) {
            state.deleteWorkload(key, "WorkloadDeleted", origin, before, "every task stopped; workload removed", now);
            return;
        }
        Steps.ReplicaStatus s = steps.status();
        WorkloadView after = WorkloadView.newBuilder(asked)
                .setNextTaskSeq(steps.nextTaskSeq()).setObservedGeneration(asked.getGeneration())
                .setReplicas(s.replicas()).setReadyReplicas(s.ready()).setAvailableReplicas(s.available())
                .setUpdatedReplicas(s.updated()).setUnavailableReplicas(s.unavailable())
                .setDaemonSetStatus(ds.status())
                .build();
        DaemonSetStatus d = ds.status();
        WorkloadView written = writeIfChanged(key, before, after, intent, origin, v -> "generation " + v.getGeneration() + ", daemon set "
                + d.getDesiredNumberScheduled() + " desired / " + d.getCurrentNumberScheduled() + " current / " + d.getNumberReady()
                + " ready / " + d.getUpdatedNumberScheduled() + " updated" + (v.getDeleted() ? ", deleting" : ""), now);
        if (written != null) revisionCreated(key, before, written, origin, now);
    }

    /**
     * A StatefulSet ({@link StatefulSets}): pods NAME-ORDINAL in order, each named so (pod name and hostname) and
     * given its claims as volumes, pinned to the node its claims are bound to.
     */
    private void convergeStatefulSet(String key, WorkloadView before, WorkloadView asked, boolean intent, String why, Origin origin,
                                     Map<String, TaskView> current, List<TaskActual> actual, Set<String> readyNodes, long now) {
        if (StatefulSets.claimsOnly(asked)) return;  // a deleted set's retained claims: nothing to run
        StatefulSets.Step ss = StatefulSets.reconcile(asked, actual, readyNodes, now);
        Steps steps = ss.steps();
        steps.stop().forEach(s -> stop(key, asked, current.get(s.taskId()), s, why, origin, now));
        steps.forget().forEach(id -> state.removeTask(key, current.get(id), "no longer reported", origin, now));
        steps.create().forEach(n -> {
            StatefulSets.NewPod p = ss.pods().get(n.taskId());
            WorkloadView pod = WorkloadView.newBuilder(asked).setDeployment(DeploymentSpec.newBuilder(asked.getDeployment())
                    .setTemplate(StatefulSets.podTemplate(asked, p.ordinal(), p.node())).build()).build();
            create(key, pod, n, StatefulSets.podName(asked.getName(), p.ordinal()), why, origin, now);
        });
        ss.created().forEach(name -> out.event(Events.statefulSet(Events.NORMAL, asked, "SuccessfulCreate",
                "create Pod " + name + " in StatefulSet " + asked.getName() + " successful"), now));
        ss.deleted().forEach(name -> out.event(Events.statefulSet(Events.NORMAL, asked, "SuccessfulDelete",
                "delete Pod " + name + " in StatefulSet " + asked.getName() + " successful"), now));
        if (steps.workloadGone()) {
            StatefulSetStatus kept = StatefulSets.retained(asked, ss.status());
            if (kept == null) {
                state.deleteWorkload(key, "WorkloadDeleted", origin, before, "every task stopped; workload removed", now);
                return;
            }
            // Retain: the set is gone (the gateway drops a deleted view), its claims and their nodes stay for a set of its name
            WorkloadView claims = WorkloadView.newBuilder(asked).setNextTaskSeq(steps.nextTaskSeq()).setObservedGeneration(asked.getGeneration())
                    .setReplicas(0).setReadyReplicas(0).setAvailableReplicas(0).setUpdatedReplicas(0).setUnavailableReplicas(0)
                    .setStatefulSetStatus(kept).build();
            state.writeWorkload(key, "WorkloadDeleted", origin, before, claims, "every pod stopped; stateful set removed, claims retained "
                    + kept.getClaims().keySet(), now);
            return;
        }
        Steps.ReplicaStatus s = steps.status();
        StatefulSetStatus st = ss.status();
        WorkloadView after = WorkloadView.newBuilder(asked)
                .setNextTaskSeq(steps.nextTaskSeq()).setObservedGeneration(asked.getGeneration())
                .setReplicas(s.replicas()).setReadyReplicas(s.ready()).setAvailableReplicas(s.available())
                .setUpdatedReplicas(s.updated()).setUnavailableReplicas(s.unavailable())
                .setStatefulSetStatus(st)
                .build();
        WorkloadView written = writeIfChanged(key, before, after, intent, origin, v -> "generation " + v.getGeneration() + ", stateful set "
                + v.getDeployment().getReplicas() + " desired / " + st.getReplicas() + " current / " + st.getReadyReplicas() + " ready / "
                + st.getUpdatedReplicas() + " updated, pods " + st.getPods() + (v.getDeleted() ? ", deleting" : ""), now);
        if (written != null) revisionCreated(key, before, written, origin, now);
    }

    private static String jobSummary(WorkloadView v) {
        JobStatus s = Jobs.statusOf(v);
        return "generation " + v.getGeneration() + ", job " + s.getActive() + " active / " + s.getSucceeded() + " succeeded / "
                + s.getFailed() + " failed" + (s.getCompletionTime() > 0 ? ", complete" : "")
                + (s.getFailedReason().isEmpty() ? "" : ", failed: " + s.getFailedReason()) + (v.getDeleted() ? ", deleting" : "");
    }

    /** A template change (an apply, a rollback, an automatic rollback) made a new revision: its own record, with the revision as JSON. */
    private void revisionCreated(String key, WorkloadView before, WorkloadView after, Origin origin, long now) {
        long was = before == null ? 0 : before.getRevision();
        if ((after.getKind() != ResourceKind.DEPLOYMENT && after.getKind() != ResourceKind.DAEMONSET && after.getKind() != ResourceKind.STATEFULSET)
                || after.getRevision() <= was) return;
        Revision current = Revisions.of(after).stream().filter(r -> r.getRevision() == after.getRevision()).findFirst().orElse(null);
        out.audit(key, "RevisionCreated", origin.actor(), origin.intentId(), null, AvroJson.encode(current),
                "revision " + after.getRevision() + " (template " + after.getTemplateHash() + ")"
                        + (current == null || current.getChangeCause().isEmpty() ? "" : ": " + current.getChangeCause()), now);
    }

    private void stop(String key, WorkloadView w, TaskView t, Steps.Stop s, String cause, Origin origin, long now) {
        WorkloadEvents.forStop(w, t, s).forEach(e -> out.event(e, now));
        if (!s.nodeId().isEmpty()) out.tombstone(Topics.ASSIGNMENTS, Topics.assignmentKey(s.nodeId(), s.taskId()), now);
        TaskView stopped = TaskViews.stopped(t, s, now);
        // show the final phase before the tombstone of a task removed at once
        state.writeTask(key, t, stopped, s.phase() == TaskPhase.LOST ? "TaskLost" : "TaskStopped", origin,
                t.getTaskId() + (s.nodeId().isEmpty() ? "" : " on " + s.nodeId()) + ": " + s.reason() + " (" + cause + ")", now);
        if (s.removeNow()) state.removeTask(key, stopped, s.reason(), origin, now);
    }

    private void create(String key, WorkloadView w, Steps.NewTask n, String cause, Origin origin, long now) {
        create(key, w, n, null, cause, origin, now);
    }

    /** {@code podName}: the pod's own name (a StatefulSet's NAME-ORDINAL), or null for the task id. */
    private void create(String key, WorkloadView w, Steps.NewTask n, String podName, String cause, Origin origin, long now) {
        TaskView created = TaskViews.created(w, n, now);
        TaskView t = podName == null ? created : TaskView.newBuilder(created).setPodName(podName).build();
        state.writeTask(key, null, t, "TaskCreated", origin, t.getTaskId() + " created, placement requested (" + cause + ")", now);
        out.put(Topics.PLACEMENT_REQUESTS, Topics.SCHEDULING_KEY, TaskViews.placement(t, now), now);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /**
     * Writes a converged view when it differs from what the views show, stamped with the next resourceVersion and
     * audited as created, changed (an intent) or status-changed; returns what was written, or null when unchanged.
     */
    private WorkloadView writeIfChanged(String key, WorkloadView before, WorkloadView after, boolean intent, Origin origin,
                                        Function<WorkloadView, String> summary, long now) {
        if (before != null && sameIgnoringStamp(before, after)) return null;
        WorkloadView stamped = WorkloadView.newBuilder(after).setUpdatedAt(now)
                .setResourceVersion(Long.toString(before == null ? 1 : parseOr0(before.getResourceVersion()) + 1)).build();
        String change = before == null || (before.getDeleted() && !stamped.getDeleted()) ? "WorkloadCreated"
                : intent ? "WorkloadChanged" : "WorkloadStatusChanged";
        state.writeWorkload(key, change, origin, before, stamped, summary.apply(stamped), now);
        return stamped;
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
