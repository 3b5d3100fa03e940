package io.berth.state.core;

import io.berth.schemas.avro.*;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Where a deployment's rollout stands ({@link RolloutStatus}) and the decisions that depend on
 * time and on the tasks rather than on one intent: canary steps, pause, the progress deadline,
 * early failure and the automatic rollback. Pure: views and tasks in, a view out; the adapter runs
 * {@link #advance} before each reconcile (every event and every wall-clock tick) and
 * {@link #afterStep} after it.
 *
 * <pre>
 * (template change) → Progressing ──complete──► Complete
 *   Progressing ──spec.paused──► Paused (DeploymentPaused) ──resume──► Progressing (DeploymentResumed)
 *   Progressing ──canary pause step──► Paused (CanaryPauseStep) ──promote / pauseSeconds──► Progressing
 *   Progressing ──no progress for progressDeadlineSeconds──► Failed (ProgressDeadlineExceeded)
 *   Progressing ──new pod restarted ≥ 3 times or failed──► Failed (RolloutFailed)
 *   Failed ──rollbackOnFailure, not itself a rollback──► RolledBack (previous template, revision max+1)
 *   any unfinished ──ABORT──► Aborted (previous template, revision max+1)
 *   Failed ──becomes complete after all──► Complete (the failure stays in failedRevision/Reason/Message)
 * </pre>
 * RolledBack and Aborted stay as the phase once their rollout completed (reason NewReplicaSetAvailable),
 * so a reader sees what happened until the next template change.
 */
public final class RolloutLifecycle {
    /** The reason of an automatic rollback (the phase is {@link RolloutPhase#ROLLED_BACK}). */
    public static final String ROLLED_BACK_REASON = "RolledBack";

    public static final String NEW_RS_CREATED = "NewReplicaSetCreated";
    public static final String RS_UPDATED = "ReplicaSetUpdated";
    public static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
    public static final String DEPLOYMENT_PAUSED = "DeploymentPaused";
    public static final String DEPLOYMENT_RESUMED = "DeploymentResumed";
    public static final String DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
    public static final String ROLLOUT_FAILED = "RolloutFailed";
    public static final String CANARY_PAUSE = "CanaryPauseStep";
    public static final String ROLLOUT_ABORTED = "RolloutAborted";
    /** A new-revision pod restarted this often during its rollout: the rollout failed. */
    public static final int CRASH_RESTARTS = 3;

    private RolloutLifecycle() {}

    // ---- starting a revision ------------------------------------------------------------------

    /**
     * The status of a rollout that starts now. A deployment's first revision has nothing to
     * compare a canary with, so it starts past its canary steps (as Argo RolloutLifecycle does).
     * The last failure is kept.
     */
    public static RolloutStatus started(RolloutStatus prev, DeploymentSpec spec, String name, String hash, boolean first, long now) {
        return RolloutStatus.newBuilder(prev == null ? RolloutStatus.newBuilder().build() : prev)
                .setPhase(RolloutPhase.PROGRESSING.text()).setReason(NEW_RS_CREATED).setMessage("Created new replica set \"" + name + "-" + hash + "\"")
                .setStartedAt(now).setLastProgressAt(now).setStepStartedAt(now)
                .setCanaryStep(first ? spec.getCanarySteps().size() : 0).setRolledBackFrom(0).build();
    }

    /**
     * Makes {@code target}'s template current again under a new revision number (Kubernetes'
     * rollback), with {@code status} as the rollout's status.
     */
    public static WorkloadView rollback(WorkloadView v, Revision target, RolloutStatus status, long now) {
        DeploymentSpec spec = DeploymentSpec.newBuilder(v.getDeployment()).setTemplate(target.getTemplate()).build();
        List<Revision> history = Revisions.next(Revisions.of(v), target.getTemplate(), target.getTemplateHash(),
                target.getChangeCause(), now, spec.getRevisionHistoryLimit());
        return WorkloadView.newBuilder(v).setDeployment(spec).setTemplateHash(target.getTemplateHash())
                .setHistory(history).setRevision(Revisions.max(history)).setGeneration(v.getGeneration() + 1)
                .setUpdatedReplicas(0).setRollout(status).build();
    }

    /** A user's ROLLBACK: a fresh rollout of the old template (it may be rolled back automatically again). */
    public static WorkloadView undo(WorkloadView v, Revision target, long now) {
        RolloutStatus s = started(v.getRollout(), v.getDeployment(), v.getName(), target.getTemplateHash(), false, now);
        // A rollback is not a canary: it goes straight to the known template.
        s = RolloutStatus.newBuilder(s).setCanaryStep(v.getDeployment().getCanarySteps().size()).build();
        return rollback(v, target, s, now);
    }

    /** ABORT: back to the stable (previous) revision; empty with the reason when there is nothing to abort. */
    public static Result abort(WorkloadView v, long now) {
        if (done(v.getRollout())) return Result.problem("deployment \"" + v.getName() + "\" has no rollout in progress to abort");
        Revisions.Target t = Revisions.target(v, 0);
        if (!t.found()) return Result.problem(t.problem());
        long from = v.getRevision();
        RolloutStatus s = RolloutStatus.newBuilder(started(v.getRollout(), v.getDeployment(), v.getName(), t.revision().getTemplateHash(), false, now))
                .setPhase(RolloutPhase.ABORTED.text()).setReason(ROLLOUT_ABORTED)
                .setMessage("Rollout of revision " + from + " aborted; rolled back to revision " + t.revision().getRevision())
                .setCanaryStep(v.getDeployment().getCanarySteps().size()).setRolledBackFrom(from).build();
        return Result.ok(rollback(v, t.revision(), s, now), t.revision().getRevision());
    }

    /**
     * PROMOTE: a canary goes past its current step (a pause, or a weight not reached yet), or
     * with {@code full} past every step (straight to 100%).
     */
    public static Result promote(WorkloadView v, boolean full, long now) {
        List<CanaryStep> steps = v.getDeployment().getCanarySteps();
        RolloutStatus rs = v.getRollout();
        if (!canary(v.getDeployment()) || done(rs) || rs.getCanaryStep() >= steps.size() || RolloutPhase.FAILED.is(rs)) {
            return Result.problem("deployment \"" + v.getName() + "\" has no canary step to promote");
        }
        int next = full ? steps.size() : rs.getCanaryStep() + 1;
        RolloutStatus s = RolloutStatus.newBuilder(rs).setCanaryStep(next).setStepStartedAt(now).setLastProgressAt(now)
                .setPhase(RolloutPhase.PROGRESSING.text()).setReason(RS_UPDATED).setMessage(canaryMessage(v, next)).build();
        return Result.ok(WorkloadView.newBuilder(v).setRollout(s).build(), 0);
    }

    /** A changed view, or why the intent cannot be done. */
    public record Result(WorkloadView view, long revision, String problem) {
        static Result ok(WorkloadView v, long revision) {
            return new Result(v, revision, null);
        }

        static Result problem(String why) {
            return new Result(null, 0, why);
        }

        public boolean ok() {
            return view != null;
        }
    }

    // ---- before each reconcile ----------------------------------------------------------------

    /** Pause/resume, canary steps, failure detection and the automatic rollback, as of {@code now}. */
    public static WorkloadView advance(WorkloadView v, List<TaskActual> tasks, long now) {
        if (v.getKind() != ResourceKind.DEPLOYMENT || v.getDeleted() || v.getDeployment() == null) return v;
        DeploymentSpec spec = v.getDeployment();
        RolloutStatus rs = v.getRollout();
        if (RolloutPhase.NONE.is(rs)) {
            // A view from before rollouts were tracked: take it as a rollout that starts now.
            rs = started(rs, spec, v.getName(), v.getTemplateHash(), true, now);
        }
        RolloutStatus.Builder b = RolloutStatus.newBuilder(rs);
        if (spec.getPaused()) {
            if (!(RolloutPhase.PAUSED.is(rs) && DEPLOYMENT_PAUSED.equals(rs.getReason()))) {
                b.setPhase(RolloutPhase.PAUSED.text()).setReason(DEPLOYMENT_PAUSED).setMessage("Deployment is paused");
            }
            return with(v, b.build());
        }
        if (RolloutPhase.PAUSED.is(rs) && DEPLOYMENT_PAUSED.equals(rs.getReason())) {
            // Resuming restarts the progress clock (Kubernetes does the same).
            b.setPhase(RolloutPhase.PROGRESSING.text()).setReason(DEPLOYMENT_RESUMED).setMessage("Deployment is resumed").setLastProgressAt(now).setStepStartedAt(now);
            rs = b.build();
        }
        if (done(rs) || RolloutPhase.FAILED.is(rs)) return with(v, rs);
        long minReadyMs = spec.getMinReadySeconds() * 1000L;
        List<TaskActual> fresh = tasks.stream().filter(t -> t.templateHash().equals(v.getTemplateHash()))
                .filter(t -> !t.leaving() && !t.deleteAsked()).toList();
        if (canary(spec)) rs = canarySteps(v, rs, fresh, minReadyMs, now);
        Optional<Failure> failure = failure(v, rs, fresh, now);
        if (failure.isEmpty()) return with(v, rs);
        String reason = failure.get().reason();
        String message = failure.get().message();
        RolloutStatus failed = RolloutStatus.newBuilder(rs).setPhase(RolloutPhase.FAILED.text()).setReason(reason).setMessage(message)
                .setFailedRevision(v.getRevision()).setFailedReason(reason).setFailedMessage(message).build();
        Revisions.Target previous = Revisions.target(v, 0);
        // Never loops: a revision that is itself the result of a rollback or abort is not rolled back again.
        if (!spec.getRollbackOnFailure() || rs.getRolledBackFrom() != 0 || !previous.found()) return with(v, failed);
        long to = previous.revision().getRevision();
        RolloutStatus rolledBack = RolloutStatus.newBuilder(started(failed, spec, v.getName(), previous.revision().getTemplateHash(), false, now))
                .setPhase(RolloutPhase.ROLLED_BACK.text()).setReason(ROLLED_BACK_REASON).setCanaryStep(spec.getCanarySteps().size())
                .setMessage("Rollout of revision " + v.getRevision() + " failed (" + reason + "); rolled back from revision "
                        + v.getRevision() + " to revision " + to + ": " + message)
                .setRolledBackFrom(v.getRevision()).build();
        return rollback(v, previous.revision(), rolledBack, now);
    }

    /**
     * Moves through the canary steps the state allows now: a weight step completes when its share
     * of new tasks is available; a pause waits pauseSeconds, or (0) for a PROMOTE.
     */
    private static RolloutStatus canarySteps(WorkloadView v, RolloutStatus rs, List<TaskActual> fresh, long minReadyMs, long now) {
        List<CanaryStep> steps = v.getDeployment().getCanarySteps();
        int replicas = v.getDeployment().getReplicas();
        int available = (int) fresh.stream().filter(t -> t.available(minReadyMs, now)).count();
        RolloutStatus.Builder b = RolloutStatus.newBuilder(rs);
        int i = rs.getCanaryStep();
        long since = rs.getStepStartedAt();
        while (i < steps.size()) {
            CanaryStep s = steps.get(i);
            boolean passed = s.getPause()
                    ? s.getPauseSeconds() > 0 && now - since >= s.getPauseSeconds() * 1000L
                    : available >= RolloutPolicy.canaryTarget(s.getSetWeight(), replicas);
            if (!passed) break;
            i++;
            since = now;
        }
        if (i != rs.getCanaryStep()) {
            b.setCanaryStep(i).setStepStartedAt(since).setLastProgressAt(now).setPhase(RolloutPhase.PROGRESSING.text()).setReason(RS_UPDATED)
                    .setMessage(canaryMessage(v, i));
        }
        if (i < steps.size() && steps.get(i).getPause()) b.setPhase(RolloutPhase.PAUSED.text()).setReason(CANARY_PAUSE).setMessage(canaryMessage(v, i));
        return b.build();
    }

    static String canaryMessage(WorkloadView v, int step) {
        List<CanaryStep> steps = v.getDeployment().getCanarySteps();
        if (step >= steps.size()) return "Canary steps done: rolling revision " + v.getRevision() + " out to every replica";
        CanaryStep s = steps.get(step);
        int weight = weightAt(steps, step);
        String where = "Canary step " + (step + 1) + "/" + steps.size() + " (weight " + weight + "%)";
        if (!s.getPause()) return where + ": scaling revision " + v.getRevision() + " to "
                + RolloutPolicy.canaryTarget(weight, v.getDeployment().getReplicas()) + " of " + v.getDeployment().getReplicas() + " replicas";
        return where + ": paused " + (s.getPauseSeconds() > 0 ? "for " + s.getPauseSeconds() + "s" : "until promoted");
    }

    /** The weight in force at step {@code i}: the last setWeight at or before it (0 before any). */
    static int weightAt(List<CanaryStep> steps, int i) {
        int w = 0;
        for (int k = 0; k <= i && k < steps.size(); k++) {
            if (!steps.get(k).getPause()) w = steps.get(k).getSetWeight();
        }
        return i >= steps.size() ? 100 : w;
    }

    private record Failure(String reason, String message) {}

    /** Why the rollout of the current revision failed, if it did (paused rollouts never time out). */
    private static Optional<Failure> failure(WorkloadView v, RolloutStatus rs, List<TaskActual> fresh, long now) {
        // Only tasks created during this rollout count: an old task of a rolled-back-to template may have crashed long ago.
        Optional<TaskActual> bad = fresh.stream().filter(t -> t.createdAt() == 0 || t.createdAt() >= rs.getStartedAt())
                .filter(t -> t.phase() == TaskPhase.FAILED || t.restartCount() >= CRASH_RESTARTS)
                .min(Comparator.comparingLong(TaskActual::seq));
        if (bad.isPresent()) {
            TaskActual t = bad.get();
            String why = t.reason() == null || t.reason().isBlank() ? "" : " (" + t.reason() + ")";
            return Optional.of(new Failure(ROLLOUT_FAILED, t.phase() == TaskPhase.FAILED
                    ? "Pod " + t.taskId() + " of revision " + v.getRevision() + " failed" + why
                    : "Pod " + t.taskId() + " of revision " + v.getRevision() + " is crash-looping: restarted " + t.restartCount() + " times" + why));
        }
        int deadline = v.getDeployment().getProgressDeadlineSeconds();
        if (RolloutPhase.PAUSED.is(rs) || deadline <= 0 || now - rs.getLastProgressAt() <= deadline * 1000L) return Optional.empty();
        return Optional.of(new Failure(DEADLINE_EXCEEDED,
                "ReplicaSet \"" + v.getName() + "-" + v.getTemplateHash() + "\" has timed out progressing."));
    }

    // ---- after each reconcile -----------------------------------------------------------------

    /**
     * Counts improved (more updated or more available tasks) → the progress clock moves; every
     * replica updated and available → Complete.
     */
    public static RolloutStatus afterStep(WorkloadView v, Steps.ReplicaStatus s, boolean oldLeft, long now) {
        RolloutStatus rs = v.getRollout();
        if (v.getKind() != ResourceKind.DEPLOYMENT || v.getDeleted() || RolloutPhase.NONE.is(rs) || RolloutPhase.PAUSED.is(rs)) return rs;
        RolloutStatus.Builder b = RolloutStatus.newBuilder(rs);
        boolean progress = s.updated() > v.getUpdatedReplicas() || s.available() > v.getAvailableReplicas();
        if (progress && !done(rs)) {
            b.setLastProgressAt(now);
            // The step that created the new replica set keeps NewReplicaSetCreated; later progress is ReplicaSetUpdated.
            boolean creation = NEW_RS_CREATED.equals(rs.getReason()) && v.getUpdatedReplicas() == 0;
            if (RolloutPhase.PROGRESSING.is(rs) && !creation) {
                b.setReason(RS_UPDATED).setMessage("ReplicaSet \"" + v.getName() + "-" + v.getTemplateHash() + "\" is progressing.");
            }
        }
        if (s.complete() && !oldLeft && !done(rs)) {
            b.setCanaryStep(v.getDeployment().getCanarySteps().size()).setReason(NEW_RS_AVAILABLE);
            if (RolloutPhase.ROLLED_BACK.is(rs) || RolloutPhase.ABORTED.is(rs)) {
                b.setMessage(rs.getMessage());
            } else {
                b.setPhase(RolloutPhase.COMPLETE.text()).setMessage("ReplicaSet \"" + v.getName() + "-" + v.getTemplateHash() + "\" has successfully progressed.");
            }
        }
        return b.build();
    }

    /** The Progressing condition's (status, reason, message) for the rollout's phase. */
    public static String[] progressing(RolloutStatus rs) {
        return switch (RolloutPhase.of(rs)) {
            case PAUSED -> new String[]{"Unknown", DEPLOYMENT_PAUSED, rs.getMessage()};
            case FAILED -> new String[]{"False", rs.getReason(), rs.getMessage()};
            case ROLLED_BACK -> new String[]{"True", ROLLED_BACK_REASON, rs.getMessage()};
            case ABORTED -> new String[]{"True", ROLLOUT_ABORTED, rs.getMessage()};
            default -> new String[]{"True", rs.getReason(), rs.getMessage()};
        };
    }

    // ---- the policy the reconciler applies ----------------------------------------------------

    /** How many new-template tasks this moment of the rollout aims at: a canary weight, a failed revision's hold, or all. */
    public static int newTarget(WorkloadView v) {
        RolloutStatus rs = v.getRollout();
        DeploymentSpec spec = v.getDeployment();
        if (RolloutPhase.FAILED.is(rs)) return RolloutPolicy.HOLD;
        if (canary(spec) && !done(rs) && rs.getCanaryStep() < spec.getCanarySteps().size()) {
            return RolloutPolicy.canaryTarget(weightAt(spec.getCanarySteps(), rs.getCanaryStep()), spec.getReplicas());
        }
        return RolloutPolicy.ALL;
    }

    public static boolean canary(DeploymentSpec spec) {
        return "Canary".equalsIgnoreCase(spec.getStrategyType()) && !spec.getCanarySteps().isEmpty();
    }

    /** The rollout of the current revision has finished (and stays finished until the next one). */
    public static boolean done(RolloutStatus rs) {
        return RolloutPhase.COMPLETE.is(rs) || NEW_RS_AVAILABLE.equals(rs.getReason());
    }

    private static WorkloadView with(WorkloadView v, RolloutStatus rs) {
        return rs.equals(v.getRollout()) ? v : WorkloadView.newBuilder(v).setRollout(rs).build();
    }
}
