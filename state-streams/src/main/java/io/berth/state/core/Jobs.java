package io.berth.state.core;

import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.JobSpec;
import io.berth.schemas.avro.JobStatus;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.WorkloadView;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The Job controller as a pure function (Kubernetes' pkg/controller/job): given a Job's view, its
 * tasks and the ready nodes, what to create and stop, and the job's status and conditions. Like
 * {@link Reconciler} it is level-triggered: called again on the state its steps produce, it asks
 * for nothing more.
 *
 * <p>Counting. A job's ended pods stay listed (as Kubernetes keeps them for {@code kubectl logs})
 * until the job is deleted, so {@code succeeded} and {@code failed} are counted from them; a pod
 * that stops being listed while the job lives (a user deleted it; it was lost with its node) is
 * added to {@code removedSucceeded} / {@code removedFailed} in the same step that removes it, so
 * the counts survive without it (the status and the removal are written in one transaction).
 *
 * <p>Decisions, in Kubernetes' order: a finished job creates nothing and stops what still runs;
 * more failures than {@code backoffLimit} fail it (BackoffLimitExceeded); running longer than
 * {@code activeDeadlineSeconds} since it started fails it (DeadlineExceeded); enough successes
 * complete it ({@code completions}, or with completions unset any success once nothing is active);
 * a suspended job runs nothing; otherwise it keeps {@code min(parallelism, completions − succeeded)}
 * pods active, waiting after each failure 10 s × 2^(failures−1), at most 6 min, before a new pod.
 * A finished job with {@code ttlSecondsAfterFinished} deletes itself (and its pods) that long after.
 */
public final class Jobs {
    public static final String COMPLETE = "Complete";
    public static final String FAILED = "Failed";
    public static final String SUSPENDED = "Suspended";
    public static final String BACKOFF_LIMIT_EXCEEDED = "BackoffLimitExceeded";
    public static final String DEADLINE_EXCEEDED = "DeadlineExceeded";
    static final long BACKOFF_BASE_MS = 10_000;
    static final long BACKOFF_MAX_MS = 360_000;

    private Jobs() {}

    /**
     * One reconcile's outcome.
     *
     * @param steps      tasks to create, stop and forget (as for any workload)
     * @param status     the job's status after the steps
     * @param conditions the view's conditions after the steps (Complete, Failed, Suspended)
     * @param ttlExpired the finished job's time to live ran out: it is deleted (the steps already stop its pods)
     * @param transition what happened to the job as a whole in this step, for its event; empty if nothing
     */
    public record Step(Steps steps, JobStatus status, List<Condition> conditions, boolean ttlExpired, Optional<Transition> transition) {}

    /** A change of the job as a whole: its event's reason and message, and whether it is a warning. */
    public record Transition(String reason, String message, boolean warning) {}

    /** The back-off before a new pod after {@code failures} failed ones (Kubernetes' 10 s doubling, capped at 6 min). */
    public static long backoffMs(int failures) {
        if (failures <= 0) return 0;
        return failures > 6 ? BACKOFF_MAX_MS : Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS << (failures - 1));
    }

    public static JobStatus statusOf(WorkloadView v) {
        return v.getJobStatus() == null ? JobStatus.newBuilder().build() : v.getJobStatus();
    }

    public static JobSpec specOf(WorkloadView v) {
        return v.getJob() == null ? JobSpec.newBuilder().setCompletions(1).build() : v.getJob();
    }

    /** The job completed or failed. */
    public static boolean finished(WorkloadView v) {
        return statusOf(v).getFinishedTime() > 0;
    }

    /**
     * Whether time alone can move this job, so the periodic check must look at it although no
     * status arrived: a deadline to watch, a back-off to wait out, a time to live to run out.
     */
    public static boolean timeCanMove(WorkloadView v) {
        if (v.getDeleted()) return true;
        JobSpec spec = specOf(v);
        JobStatus s = statusOf(v);
        if (s.getFinishedTime() > 0) return spec.getTtlSecondsAfterFinished() != null;
        if (spec.getSuspend()) return false;
        if (spec.getActiveDeadlineSeconds() != null) return true;
        int failed = s.getFailed();
        return failed > 0 && s.getActive() < wanted(spec, s.getSucceeded());
    }

    /** Pods the job wants active with {@code succeeded} successes so far. */
    static int wanted(JobSpec spec, int succeeded) {
        if (spec.getCompletions() == null) return succeeded > 0 ? 0 : spec.getParallelism();
        return Math.max(0, Math.min(spec.getParallelism(), spec.getCompletions() - succeeded));
    }

    public static Step reconcile(WorkloadView v, List<TaskActual> tasks, Set<String> readyNodes, long now) {
        JobSpec spec = specOf(v);
        JobStatus prev = statusOf(v);
        boolean finishedBefore = prev.getFinishedTime() > 0;
        boolean ttlExpired = !v.getDeleted() && finishedBefore && spec.getTtlSecondsAfterFinished() != null
                && now - prev.getFinishedTime() >= spec.getTtlSecondsAfterFinished() * 1000L;
        boolean deleted = v.getDeleted() || ttlExpired;
        int removedSucceeded = prev.getRemovedSucceeded(), removedFailed = prev.getRemovedFailed();
        long lastFailure = prev.getLastFailureTime();

        List<Steps.Stop> stops = new ArrayList<>();
        List<String> forget = new ArrayList<>();
        List<TaskActual> active = new ArrayList<>();
        int succeeded = 0, failed = 0;
        for (TaskActual t : tasks.stream().sorted(Comparator.comparingLong(TaskActual::seq)).toList()) {
            boolean nodeDown = t.placed() && !readyNodes.contains(t.nodeId());
            if (t.leaving()) {
                boolean waitForRemoved = t.phase() == TaskPhase.TERMINATING && t.placed() && !nodeDown;
                if (!waitForRemoved) forget.add(t.taskId());
                if (t.phase() == TaskPhase.LOST && !deleted && !finishedBefore) {
                    // marked lost by the node controller before this step saw its node down: forgotten now, counted once
                    removedFailed++;
                    lastFailure = Math.max(lastFailure, t.changedAt());
                }
            } else if (t.terminal()) {
                boolean success = t.phase() == TaskPhase.SUCCEEDED;
                if (deleted || t.deleteAsked()) {
                    stops.add(stop(t, TaskPhase.TERMINATING, deleted ? "WorkloadDeleted" : "Deleted", true));
                    if (!deleted && success) removedSucceeded++;
                    if (!deleted && !success) removedFailed++;
                } else if (success) {
                    succeeded++;
                } else {
                    failed++;
                    lastFailure = Math.max(lastFailure, t.changedAt());
                }
            } else if (nodeDown) {
                // Kubernetes counts a pod lost with its node as failed; nothing will report its end
                stops.add(stop(t, TaskPhase.LOST, "NodeLost", true));
                if (!deleted && !finishedBefore) {
                    removedFailed++;
                    lastFailure = Math.max(lastFailure, now);
                }
            } else if (deleted) {
                stops.add(stop(t, TaskPhase.TERMINATING, "WorkloadDeleted", !t.placed()));
            } else if (t.deleteAsked()) {
                stops.add(stop(t, TaskPhase.TERMINATING, "Deleted", !t.placed()));
            } else {
                active.add(t);
            }
        }
        succeeded += removedSucceeded;
        failed += removedFailed;

        long startTime = prev.getStartTime();
        long completionTime = prev.getCompletionTime();
        long finishedTime = prev.getFinishedTime();
        String failedReason = prev.getFailedReason();
        Transition transition = null;
        List<Steps.NewTask> create = new ArrayList<>();
        if (deleted) {
            active.clear();
        } else if (finishedBefore) {
            stopAll(active, stops, failedReason.isEmpty() ? "JobComplete" : failedReason);
        } else if (spec.getSuspend()) {
            stopAll(active, stops, "JobSuspended");
            if (startTime > 0) transition = new Transition("Suspended", "Job suspended", false);
            startTime = 0;  // Kubernetes restarts the clock (and activeDeadlineSeconds) on resume
        } else {
            if (startTime == 0) {
                if (prev.getStartTime() == 0 && conditionTrue(v, SUSPENDED)) transition = new Transition("Resumed", "Job resumed", false);
                startTime = now;
            }
            Long deadline = spec.getActiveDeadlineSeconds();
            if (failed > spec.getBackoffLimit() || pastBackoffLimitOnFailure(v, spec, active)) {
                failedReason = BACKOFF_LIMIT_EXCEEDED;
                transition = new Transition(BACKOFF_LIMIT_EXCEEDED, "Job has reached the specified backoff limit", true);
            } else if (deadline != null && now - startTime >= deadline * 1000L) {
                failedReason = DEADLINE_EXCEEDED;
                transition = new Transition(DEADLINE_EXCEEDED, "Job was active longer than specified deadline", true);
            } else if (spec.getCompletions() != null ? succeeded >= spec.getCompletions() : succeeded > 0 && active.isEmpty()) {
                completionTime = now;
                transition = new Transition("Completed", "Job completed", false);
            }
            if (completionTime > 0 || !failedReason.isEmpty()) {
                finishedTime = now;
                if (!failedReason.isEmpty()) {
                    // the pods stopped because the job failed count as failed, as Kubernetes counts them
                    removedFailed += active.size();
                    failed += active.size();
                }
                stopAll(active, stops, completionTime > 0 ? "JobComplete" : failedReason);
            } else {
                // a work queue that had a success lets its other pods finish (Kubernetes keeps them active)
                int missing = spec.getCompletions() == null && succeeded > 0 ? 0 : wanted(spec, succeeded) - active.size();
                boolean backingOff = failed > 0 && now < lastFailure + backoffMs(failed);
                for (int i = 0; i < missing && !backingOff; i++) {
                    create.add(new Steps.NewTask(TaskNames.taskId(v.getName(), v.getTemplateHash(), v.getUid(), v.getNextTaskSeq() + i),
                            v.getNextTaskSeq() + i));
                }
                // parallelism lowered: the newest active pods go (Kubernetes deletes the surplus)
                for (int i = 0; i < -missing; i++) {
                    TaskActual victim = active.remove(active.size() - 1);
                    stops.add(stop(victim, TaskPhase.TERMINATING, "ParallelismReduced", !victim.placed()));
                }
            }
        }

        int ready = (int) active.stream().filter(TaskActual::ready).count();
        JobStatus status = JobStatus.newBuilder(prev)
                .setActive(active.size() + create.size()).setReady(ready)
                .setSucceeded(succeeded).setFailed(failed)
                .setStartTime(startTime).setCompletionTime(completionTime).setFinishedTime(finishedTime)
                .setFailedReason(failedReason)
                .setRemovedSucceeded(removedSucceeded).setRemovedFailed(removedFailed).setLastFailureTime(lastFailure)
                .build();
        int desired = deleted || finishedTime > 0 || spec.getSuspend() ? 0 : wanted(spec, succeeded);
        Steps.ReplicaStatus replicas = new Steps.ReplicaStatus(desired, status.getActive(), ready, ready, status.getActive());
        long leavingNow = stops.stream().filter(Steps.Stop::removeNow).count() + forget.size();
        boolean gone = deleted && leavingNow == tasks.size();
        Steps steps = new Steps(create, stops, forget, v.getNextTaskSeq() + create.size(), replicas, gone);
        return new Step(steps, status, conditions(v, spec, status, now), ttlExpired, Optional.ofNullable(transition));
    }

    /**
     * Kubernetes' pastBackoffLimitOnFailure: under restartPolicy OnFailure a pod's crashes are restarts in place,
     * not failed pods, so the active pods' restarts count against the limit (any restart when it is 0).
     */
    static boolean pastBackoffLimitOnFailure(WorkloadView v, JobSpec spec, List<TaskActual> active) {
        if (v.getDeployment() == null || !"OnFailure".equals(v.getDeployment().getTemplate().getRestartPolicy())) return false;
        long restarts = active.stream().mapToLong(TaskActual::restartCount).sum();
        return spec.getBackoffLimit() == 0 ? restarts > 0 : restarts >= spec.getBackoffLimit();
    }

    /** Kubernetes' job conditions: Complete or Failed once finished, Suspended while suspended (False after a resume). */
    static List<Condition> conditions(WorkloadView v, JobSpec spec, JobStatus s, long now) {
        List<Condition> out = new ArrayList<>();
        if (spec.getSuspend() && s.getFinishedTime() == 0) {
            out.add(condition(v, SUSPENDED, "True", "JobSuspended", "Job suspended", now));
        } else if (v.getConditions().stream().anyMatch(c -> SUSPENDED.equals(c.getType()))) {
            out.add(condition(v, SUSPENDED, "False", "JobResumed", "Job resumed", now));
        }
        if (s.getCompletionTime() > 0) {
            out.add(condition(v, COMPLETE, "True", "CompletionsReached", "Reached expected number of succeeded pods", now));
        } else if (BACKOFF_LIMIT_EXCEEDED.equals(s.getFailedReason())) {
            out.add(condition(v, FAILED, "True", BACKOFF_LIMIT_EXCEEDED, "Job has reached the specified backoff limit", now));
        } else if (DEADLINE_EXCEEDED.equals(s.getFailedReason())) {
            out.add(condition(v, FAILED, "True", DEADLINE_EXCEEDED, "Job was active longer than specified deadline", now));
        }
        return out;
    }

    private static boolean conditionTrue(WorkloadView v, String type) {
        return v.getConditions().stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static Condition condition(WorkloadView v, String type, String status, String reason, String message, long now) {
        long since = v.getConditions().stream().filter(c -> type.equals(c.getType()) && Objects.equals(c.getStatus(), status))
                .map(Condition::getLastTransitionTime).findFirst().orElse(now);
        return new Condition(type, status, reason, message, since);
    }

    private static void stopAll(List<TaskActual> active, List<Steps.Stop> stops, String reason) {
        active.forEach(t -> stops.add(stop(t, TaskPhase.TERMINATING, reason, !t.placed())));
        active.clear();
    }

    private static Steps.Stop stop(TaskActual t, TaskPhase phase, String reason, boolean removeNow) {
        return new Steps.Stop(t.taskId(), t.nodeId(), phase, reason, removeNow);
    }
}
