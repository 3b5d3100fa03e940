package io.berth.state.core;

import io.berth.schemas.avro.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Folds intents into a workload's desired state and its replica counts into its status, as
 * copies: a view read from the store is never modified. A bare pod keeps its template in the
 * {@code deployment} field (replicas 1), so one code path creates tasks for both kinds.
 */
public final class WorkloadViews {
    public static final String AVAILABLE = "Available";
    public static final String PROGRESSING = "Progressing";

    private WorkloadViews() {}

    public static WorkloadView applyDeployment(WorkloadView prev, String key, Intent i, DeploymentSpec spec, long now) {
        return apply(prev, key, i, spec, now);
    }

    /**
     * A Job: its template travels as the DeploymentSpec's, its own fields as {@link JobSpec}. The template and
     * completions of a live job never change (Kubernetes: immutable; the gateway refuses such an apply with 422, a
     * record produced straight onto the bus keeps the running ones); parallelism, suspend, the deadline and the
     * time to live may.
     */
    public static WorkloadView applyJob(WorkloadView prev, String key, Intent i, DeploymentSpec spec, JobSpec job, long now) {
        boolean fresh = prev == null || prev.getDeleted();
        if (!fresh) {
            JobSpec running = Jobs.specOf(prev);
            spec = DeploymentSpec.newBuilder(prev.getDeployment()).setReplicas(job.getParallelism()).build();
            job = JobSpec.newBuilder(job).setCompletions(running.getCompletions()).build();
        } else {
            spec = DeploymentSpec.newBuilder(spec).setReplicas(job.getParallelism()).build();
        }
        WorkloadView applied = apply(prev, key, i, spec, now);
        boolean changed = fresh || !job.equals(prev.getJob());
        return WorkloadView.newBuilder(applied).setJob(job)
                .setJobStatus(fresh ? JobStatus.newBuilder().build() : Jobs.statusOf(prev))
                .setGeneration(applied.getGeneration() + (!fresh && changed && applied.getGeneration() == prev.getGeneration() ? 1 : 0))
                .build();
    }

    /**
     * A CronJob: its jobs' template travels as the DeploymentSpec's, its own fields as {@link CronJobSpec}; all
     * may change (the next jobs get them). A new schedule, time zone or a resume is looked at on the next
     * converge (the next schedule time is recomputed).
     */
    public static WorkloadView applyCronJob(WorkloadView prev, String key, Intent i, DeploymentSpec spec, CronJobSpec cron, long now) {
        boolean fresh = prev == null || prev.getDeleted();
        WorkloadView applied = apply(prev, key, i, DeploymentSpec.newBuilder(spec).setReplicas(cron.getJob().getParallelism()).build(), now);
        boolean changed = fresh || !cron.equals(prev.getCronJob());
        CronJobStatus status = fresh ? CronJobStatus.newBuilder().build() : CronJobs.statusOf(prev);
        if (changed) status = CronJobStatus.newBuilder(status).setNextScheduleTime(0).build();
        return WorkloadView.newBuilder(applied).setCronJob(cron).setCronJobStatus(status)
                .setGeneration(applied.getGeneration() + (!fresh && changed && applied.getGeneration() == prev.getGeneration() ? 1 : 0))
                .build();
    }

    /**
     * A StatefulSet: replicas, template and update strategy travel as the DeploymentSpec, its own fields as
     * {@link StatefulSetSpec}; its status (pods by ordinal, claims' nodes) carries over to the next apply, and a new
     * set adopts the claims a deleted one of its name retained.
     */
    public static WorkloadView applyStatefulSet(WorkloadView prev, String key, Intent i, DeploymentSpec spec, StatefulSetSpec sts, long now) {
        boolean fresh = prev == null || prev.getDeleted();
        WorkloadView applied = apply(prev, key, i, spec, now);
        boolean changed = fresh || !sts.equals(prev.getStatefulSet());
        return WorkloadView.newBuilder(applied).setStatefulSet(sts)
                .setStatefulSetStatus(fresh ? StatefulSets.adopted(prev) : StatefulSets.statusOf(prev))
                .setGeneration(applied.getGeneration() + (!fresh && changed && applied.getGeneration() == prev.getGeneration() ? 1 : 0))
                .build();
    }

    /** A bare pod: created once; a second apply of a live pod changes its metadata only ({@link #relabelPod}). */
    public static WorkloadView applyPod(WorkloadView prev, String key, Intent i, PodSpec pod, long now) {
        if (prev != null && !prev.getDeleted()) return relabelPod(prev, i, pod);
        DeploymentSpec spec = DeploymentSpec.newBuilder().setReplicas(1).setTemplate(pod.getTemplate()).build();
        return apply(null, key, i, spec, now);
    }

    /**
     * A running pod's metadata changes (kubectl label / annotate) in its view and template, keeping the template
     * hash: the pod runs on, no new revision. Anything else asked of it is no change here (the gateway refuses
     * a spec change with 422, {@link io.berth.schemas.PodUpdates}; a record produced straight onto the bus that
     * asks one changes only the metadata).
     */
    static WorkloadView relabelPod(WorkloadView prev, Intent i, PodSpec pod) {
        PodTemplate running = prev.getDeployment().getTemplate();
        PodTemplate asked = pod.getTemplate();
        PodTemplate t = PodTemplate.newBuilder(running).setLabels(asked.getLabels()).setAnnotations(asked.getAnnotations()).build();
        if (t.equals(running) && i.getLabels().equals(prev.getLabels()) && i.getAnnotations().equals(prev.getAnnotations())) return prev;
        return WorkloadView.newBuilder(prev).setLabels(i.getLabels()).setAnnotations(i.getAnnotations())
                .setDeployment(DeploymentSpec.newBuilder(prev.getDeployment()).setTemplate(t).build()).build();
    }

    private static WorkloadView apply(WorkloadView prev, String key, Intent i, DeploymentSpec spec, long now) {
        boolean fresh = prev == null || prev.getDeleted();
        String hash = TemplateHash.of(spec.getTemplate());
        WorkloadView.Builder b = fresh ? fresh(prev, key, i, now) : WorkloadView.newBuilder(prev);
        boolean specChanged = fresh || !spec.equals(prev.getDeployment());
        boolean templateChanged = fresh || !hash.equals(prev.getTemplateHash());
        String cause = i.getAnnotations().getOrDefault(Revisions.CHANGE_CAUSE, "");
        List<Revision> before = fresh ? List.of() : Revisions.of(prev);
        List<Revision> history = templateChanged
                ? Revisions.next(before, spec.getTemplate(), hash, cause, now, spec.getRevisionHistoryLimit())
                : Revisions.trim(before, spec.getRevisionHistoryLimit());
        b.setLabels(i.getLabels()).setAnnotations(i.getAnnotations())
                .setDeployment(spec).setTemplateHash(hash).setHistory(history)
                .setGeneration(fresh ? 1 : prev.getGeneration() + (specChanged ? 1 : 0))
                .setRevision(Revisions.max(history));
        if (templateChanged && i.getKind() == ResourceKind.DEPLOYMENT) {
            RolloutStatus prevStatus = fresh ? null : prev.getRollout();
            b.setUpdatedReplicas(0).setRollout(RolloutLifecycle.started(prevStatus, spec, i.getName(), hash, fresh, now));
        }
        return b.build();
    }

    /** A new incarnation; the task sequence continues if a deletion is still draining, so ids stay unique. */
    private static WorkloadView.Builder fresh(WorkloadView prev, String key, Intent i, long now) {
        String uid = i.getIntentId().isBlank() ? key + "@" + now : i.getIntentId();
        return WorkloadView.newBuilder()
                .setKey(key).setKind(i.getKind()).setNamespace(i.getNamespace()).setName(i.getName())
                .setUid(uid).setCreatedAt(now).setUpdatedAt(now)
                .setNextTaskSeq(prev == null ? 0 : prev.getNextTaskSeq());
    }

    public static WorkloadView scale(WorkloadView prev, int replicas) {
        if (prev.getDeployment().getReplicas() == replicas) return prev;
        DeploymentSpec spec = DeploymentSpec.newBuilder(prev.getDeployment()).setReplicas(replicas).build();
        return WorkloadView.newBuilder(prev).setDeployment(spec).setGeneration(prev.getGeneration() + 1).build();
    }

    public static WorkloadView deleted(WorkloadView prev) {
        return prev.getDeleted() ? prev : WorkloadView.newBuilder(prev).setDeleted(true).setGeneration(prev.getGeneration() + 1).build();
    }

    /**
     * Whether time alone can change nothing about {@code v}: every replica is of the current template,
     * ready and available, none surplus, no rollout under way (its canary pauses, update delays and
     * progress deadline are what the periodic check waits for) and the spec observed. Such a
     * workload needs reconciling only on news: a status of one of its tasks, an intent, or a node
     * list that changed. The periodic check skips it otherwise, so a tick costs the workloads that
     * are moving, not every task in the cluster (at 100,000 tasks the walk of every workload on each
     * 250 ms tick was more than the controller's thread could do).
     */
    public static boolean settled(WorkloadView v) {
        if (v.getKind() == ResourceKind.JOB) return v.getObservedGeneration() == v.getGeneration() && !Jobs.timeCanMove(v);
        if (v.getKind() == ResourceKind.STATEFULSET) {
            if (StatefulSets.claimsOnly(v)) return true;  // nothing runs; only its claims wait for a set of its name
            StatefulSetStatus s = StatefulSets.statusOf(v);
            int want = v.getDeployment().getReplicas();
            return !v.getDeleted() && v.getObservedGeneration() == v.getGeneration() && s.getReplicas() == want
                    && s.getReadyReplicas() == want && s.getUpdatedReplicas() == want && s.getPods().size() == want;
        }
        if (v.getKind() == ResourceKind.DAEMONSET) {
            DaemonSetStatus d = DaemonSets.statusOf(v);
            int want = d.getDesiredNumberScheduled();
            return !v.getDeleted() && v.getObservedGeneration() == v.getGeneration() && d.getCurrentNumberScheduled() == want
                    && d.getUpdatedNumberScheduled() == want && d.getNumberAvailable() == want && d.getNumberMisscheduled() == 0;
        }
        if (v.getDeleted() || v.getObservedGeneration() != v.getGeneration() || v.getDeployment() == null) return false;
        RolloutPhase phase;
        try {
            phase = RolloutPhase.of(v.getRollout());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (phase == RolloutPhase.PROGRESSING || phase == RolloutPhase.PAUSED) return false;
        int d = v.getDeployment().getReplicas();
        return v.getReplicas() == d && v.getReadyReplicas() == d && v.getAvailableReplicas() == d
                && v.getUpdatedReplicas() == d && v.getUnavailableReplicas() == 0;
    }

    public static WorkloadDesired desired(WorkloadView v) {
        DeploymentSpec spec = v.getDeployment();
        RolloutPolicy rollout = "Recreate".equalsIgnoreCase(spec.getStrategyType()) ? RolloutPolicy.recreateAll()
                : RolloutPolicy.rollingUpdate(spec.getRollingUpdate().getMaxSurge(), spec.getRollingUpdate().getMaxUnavailable(), spec.getReplicas());
        boolean deployment = v.getKind() == ResourceKind.DEPLOYMENT;
        rollout = rollout.withMinReadyMs(spec.getMinReadySeconds() * 1000L).withPaused(deployment && spec.getPaused())
                .withUpdateDelayMs(spec.getUpdateDelaySeconds() * 1000L)
                .withNewTarget(deployment ? RolloutLifecycle.newTarget(v) : RolloutPolicy.ALL);
        return new WorkloadDesired(v.getName(), v.getUid(), v.getKind() == ResourceKind.POD,
                spec.getReplicas(), v.getTemplateHash(), v.getDeleted(), v.getNextTaskSeq(), rollout);
    }

    /**
     * The view after a reconcile: its sequence, counts, rollout status and conditions;
     * observedGeneration catches up. {@code oldLeft}: tasks of an older template are still live.
     */
    public static WorkloadView withStatus(WorkloadView v, Steps steps, boolean oldLeft, long now) {
        Steps.ReplicaStatus s = steps.status();
        RolloutStatus rollout = RolloutLifecycle.afterStep(v, s, oldLeft, now);
        return WorkloadView.newBuilder(v)
                .setNextTaskSeq(steps.nextTaskSeq())
                .setObservedGeneration(v.getGeneration())
                .setReplicas(s.replicas()).setReadyReplicas(s.ready()).setAvailableReplicas(s.available())
                .setUpdatedReplicas(s.updated()).setUnavailableReplicas(s.unavailable())
                .setRollout(rollout)
                .setConditions(conditions(v, s, rollout, now))
                .build();
    }

    public static WorkloadView withStatus(WorkloadView v, Steps steps, long now) {
        return withStatus(v, steps, false, now);
    }

    private static List<Condition> conditions(WorkloadView v, Steps.ReplicaStatus s, RolloutStatus rollout, long now) {
        int maxUnavailable = RolloutPolicy.resolve(v.getDeployment().getRollingUpdate().getMaxUnavailable(), s.desired(), false);
        boolean available = s.available() >= s.desired() - maxUnavailable;
        boolean complete = s.updated() == s.desired() && s.replicas() == s.desired() && s.available() == s.desired();
        List<Condition> out = new ArrayList<>();
        out.add(condition(v, AVAILABLE, available ? "True" : "False", available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", now));
        if (v.getKind() == ResourceKind.DEPLOYMENT && !rollout.getPhase().isEmpty()) {
            String[] p = RolloutLifecycle.progressing(rollout);
            out.add(condition(v, PROGRESSING, p[0], p[1], p[2], now));
        } else {
            out.add(condition(v, PROGRESSING, "True", complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                    "\"" + v.getName() + "\": " + s.available() + " of " + s.desired() + " replicas available, " + s.updated() + " updated.", now));
        }
        return out;
    }

    private static Condition condition(WorkloadView v, String type, String status, String reason, String message, long now) {
        Optional<Condition> old = v.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
        long since = old.filter(c -> Objects.equals(c.getStatus(), status)).map(Condition::getLastTransitionTime).orElse(now);
        return new Condition(type, status, reason, message, since);
    }
}
