package io.berth.state.core;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.CronJobSpec;
import io.berth.schemas.avro.CronJobStatus;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.JobStatus;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.WorkloadView;
import io.berth.schemas.cron.CronSchedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CronJob controller as a pure function (Kubernetes' cronjob_controllerv2): given a CronJob's view and
 * the time (a tick's: the log's, so a replay decides the same), which Jobs to start and delete, as intents
 * on {@code berth.intents} — the controller deploys by event like any other producer — and the status.
 *
 * <p>When a schedule time has passed since the last run (only the latest missed one is owed, as in
 * Kubernetes): past {@code startingDeadlineSeconds} it is skipped (MissSchedule); with
 * {@code concurrencyPolicy: Forbid} and a job still active it is skipped (JobAlreadyActive); with
 * {@code Replace} the active jobs are deleted first; then a Job {@code <name>-<minutes since epoch>} is
 * applied with the job template, the job-name labels, and the owner annotation through which its
 * progress comes back ({@link #child}). Finished jobs beyond the history limits are deleted, oldest
 * first. A suspended CronJob starts nothing; on resume the latest missed run is owed (if within the
 * starting deadline). A deleted CronJob deletes its jobs (Kubernetes' background propagation).
 * Intent ids are derived from the CronJob and the schedule time, so a replayed decision is
 * deduplicated, never run twice.
 */
public final class CronJobs {
    public static final String ACTIVE = "Active";
    public static final String COMPLETE = "Complete";
    public static final String FAILED = "Failed";
    /** Annotation Kubernetes (≥ 1.28) puts on a CronJob's Job: when it was scheduled. */
    public static final String SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";
    public static final String JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
    public static final String LEGACY_JOB_NAME_LABEL = "job-name";
    public static final String ACTOR = "cronjob-controller";

    private CronJobs() {}

    /** One event of the CronJob controller. */
    public record Event(boolean warning, String reason, String message) {}

    /**
     * @param intents the Jobs to apply and delete, keyed as on berth.intents
     * @param status  the CronJob's status after them
     * @param events  what happened, in Kubernetes' words
     * @param gone    the CronJob was deleted: its view goes (its jobs by their delete intents)
     */
    public record Step(List<Keyed> intents, CronJobStatus status, List<Event> events, boolean gone) {}

    /** An intent and its record key. */
    public record Keyed(String key, Intent intent) {}

    public static CronJobStatus statusOf(WorkloadView v) {
        return v.getCronJobStatus() == null ? CronJobStatus.newBuilder().build() : v.getCronJobStatus();
    }

    /** The owner annotation value a CronJob puts on its jobs. */
    public static String ownerValue(String cronJobName) {
        return "CronJob/" + cronJobName;
    }

    /** The CronJob key a job view reports to, or null when no CronJob owns it. */
    public static String ownerKey(WorkloadView job) {
        if (job == null || job.getKind() != ResourceKind.JOB) return null;
        String owner = job.getAnnotations().get(Topics.OWNER_ANNOTATION);
        if (owner == null || !owner.startsWith("CronJob/") || owner.length() == "CronJob/".length()) return null;
        return Topics.resourceKey(job.getNamespace(), ResourceKind.CRONJOB, owner.substring("CronJob/".length()));
    }

    /** Whether a tick must look at this CronJob now: deleted, or not suspended and its next schedule time has come. */
    public static boolean timeCanMove(WorkloadView v, long now) {
        if (v.getDeleted()) return true;
        if (v.getCronJob() == null || v.getCronJob().getSuspend()) return false;
        long next = statusOf(v).getNextScheduleTime();
        return next == 0 ? v.getObservedGeneration() != v.getGeneration() : now >= next;
    }

    /** Folds the news of one of its jobs (a view; deleted = gone) into the status. */
    public static CronJobStatus child(CronJobStatus s, WorkloadView job) {
        Map<String, String> jobs = new TreeMap<>(s.getJobs());
        Map<String, Long> finishedAt = new TreeMap<>(s.getFinishedAt());
        long lastSuccess = s.getLastSuccessfulTime();
        if (job.getDeleted()) {
            jobs.remove(job.getName());
            finishedAt.remove(job.getName());
        } else {
            JobStatus js = Jobs.statusOf(job);
            String state = js.getCompletionTime() > 0 ? COMPLETE : js.getFinishedTime() > 0 ? FAILED : ACTIVE;
            jobs.put(job.getName(), state);
            if (js.getFinishedTime() > 0) finishedAt.put(job.getName(), js.getFinishedTime());
            lastSuccess = Math.max(lastSuccess, js.getCompletionTime());
        }
        return CronJobStatus.newBuilder(s).setJobs(jobs).setFinishedAt(finishedAt).setActive(active(jobs)).setLastSuccessfulTime(lastSuccess).build();
    }

    public static Step reconcile(WorkloadView v, long now) {
        CronJobSpec spec = v.getCronJob();
        CronJobStatus s = statusOf(v);
        Map<String, String> jobs = new TreeMap<>(s.getJobs());
        Map<String, Long> finishedAt = new TreeMap<>(s.getFinishedAt());
        List<Keyed> intents = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        if (v.getDeleted()) {
            jobs.keySet().forEach(name -> intents.add(delete(v, name, now)));
            return new Step(intents, CronJobStatus.newBuilder(s).setJobs(Map.of()).setFinishedAt(Map.of()).setActive(List.of()).build(), events, true);
        }
        long lastScheduled = s.getLastScheduleTime();
        long next = s.getNextScheduleTime();
        CronSchedule schedule;
        try {
            schedule = CronSchedule.parse(spec.getSchedule(), spec.getTimeZone());
        } catch (IllegalArgumentException e) {
            // refused at the gateway and by the intent validator; an older record must not stop the controller
            events.add(new Event(true, "UnparseableSchedule", "unparseable schedule: \"" + spec.getSchedule() + "\": " + e.getMessage()));
            return new Step(intents, CronJobStatus.newBuilder(s).setNextScheduleTime(0).build(), events, false);
        }
        if (!spec.getSuspend() && (next == 0 || now >= next)) {
            long due = schedule.latestDue(Math.max(lastScheduled, v.getCreatedAt()), now);
            if (due > 0) {
                String name = jobName(v.getName(), due);
                Long deadline = spec.getStartingDeadlineSeconds();
                if (deadline != null && now - due > deadline * 1000L) {
                    events.add(new Event(true, "MissSchedule", "Missed scheduled time to start a job: " + Instant.ofEpochMilli(due)));
                } else if ("Forbid".equals(spec.getConcurrencyPolicy()) && !active(jobs).isEmpty()) {
                    events.add(new Event(false, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid"));
                } else if (!jobs.containsKey(name)) {
                    if ("Replace".equals(spec.getConcurrencyPolicy())) {
                        for (String old : active(jobs)) {
                            intents.add(delete(v, old, now));
                            jobs.remove(old);
                            events.add(new Event(false, "SuccessfulDelete", "Deleted job " + old));
                        }
                    }
                    intents.add(apply(v, name, due, now));
                    jobs.put(name, ACTIVE);
                    lastScheduled = due;
                    events.add(new Event(false, "SuccessfulCreate", "Created job " + name));
                }
            }
            next = schedule.next(now);
        } else if (next == 0) {
            next = schedule.next(now);
        }
        trim(v, jobs, finishedAt, COMPLETE, spec.getSuccessfulJobsHistoryLimit(), intents, events, now);
        trim(v, jobs, finishedAt, FAILED, spec.getFailedJobsHistoryLimit(), intents, events, now);
        for (String old : active(jobs)) finishedAt.remove(old);
        CronJobStatus status = CronJobStatus.newBuilder(s).setJobs(jobs).setFinishedAt(finishedAt).setActive(active(jobs))
                .setLastScheduleTime(lastScheduled).setNextScheduleTime(next).build();
        return new Step(intents, status, events, false);
    }

    /** Kubernetes' name of the job scheduled at {@code scheduledMillis}: {@code <cronjob>-<minutes since epoch>}. */
    public static String jobName(String cronJob, long scheduledMillis) {
        return cronJob + "-" + (scheduledMillis / 60_000);
    }

    /**
     * Deletes the earliest finished jobs of one outcome past its history limit (by when they finished, then by
     * schedule time: a job started by hand, {@code create job --from=cronjob/…}, counts as Kubernetes counts it).
     */
    private static void trim(WorkloadView v, Map<String, String> jobs, Map<String, Long> finishedAt, String outcome, int limit,
                             List<Keyed> intents, List<Event> events, long now) {
        List<String> finished = jobs.entrySet().stream().filter(e -> e.getValue().equals(outcome)).map(Map.Entry::getKey)
                .sorted(Comparator.<String>comparingLong(n -> finishedAt.getOrDefault(n, 0L)).thenComparing(CronJobs::byScheduleTime)).toList();
        for (int i = 0; i < finished.size() - Math.max(0, limit); i++) {
            String old = finished.get(i);
            intents.add(delete(v, old, now));
            jobs.remove(old);
            finishedAt.remove(old);
            events.add(new Event(false, "SuccessfulDelete", "Deleted job " + old));
        }
    }

    /** By the minutes suffix when both have one (so job-99 comes before job-100), else by name. */
    private static int byScheduleTime(String a, String b) {
        long ma = minutes(a), mb = minutes(b);
        return ma >= 0 && mb >= 0 && ma != mb ? Long.compare(ma, mb) : a.compareTo(b);
    }

    private static long minutes(String name) {
        int dash = name.lastIndexOf('-');
        try {
            return dash < 0 ? -1 : Long.parseLong(name.substring(dash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static List<String> active(Map<String, String> jobs) {
        return jobs.entrySet().stream().filter(e -> e.getValue().equals(ACTIVE)).map(Map.Entry::getKey)
                .sorted(CronJobs::byScheduleTime).toList();
    }

    private static Keyed apply(WorkloadView v, String name, long due, long now) {
        CronJobSpec spec = v.getCronJob();
        PodTemplate cronTemplate = v.getDeployment().getTemplate();
        Map<String, String> labels = new HashMap<>(cronTemplate.getLabels());
        labels.put(JOB_NAME_LABEL, name);
        labels.put(LEGACY_JOB_NAME_LABEL, name);
        PodTemplate template = PodTemplate.newBuilder(cronTemplate).setLabels(labels).build();
        DeploymentSpec payload = DeploymentSpec.newBuilder().setReplicas(spec.getJob().getParallelism())
                .setTemplate(template).setSelector(labels).build();
        Map<String, String> annotations = new HashMap<>(spec.getJobAnnotations());
        annotations.put(Topics.OWNER_ANNOTATION, ownerValue(v.getName()));
        annotations.put(SCHEDULED_TIMESTAMP, Instant.ofEpochMilli(due).toString());
        Intent i = Intent.newBuilder().setIntentId(intentId(v, "create", name)).setAction(IntentAction.APPLY).setKind(ResourceKind.JOB)
                .setNamespace(v.getNamespace()).setName(name).setLabels(new HashMap<>(spec.getJobLabels())).setAnnotations(annotations)
                .setActor(ACTOR).setTimestamp(now).setPayload(payload).setJob(spec.getJob()).build();
        return new Keyed(Topics.resourceKey(v.getNamespace(), ResourceKind.JOB, name), i);
    }

    private static Keyed delete(WorkloadView v, String name, long now) {
        Intent i = Intent.newBuilder().setIntentId(intentId(v, "delete", name)).setAction(IntentAction.DELETE).setKind(ResourceKind.JOB)
                .setNamespace(v.getNamespace()).setName(name).setActor(ACTOR).setTimestamp(now).build();
        return new Keyed(Topics.resourceKey(v.getNamespace(), ResourceKind.JOB, name), i);
    }

    /** Derived from the CronJob incarnation and the job: a replayed decision repeats the id, and the deduplicator drops it. */
    private static String intentId(WorkloadView v, String verb, String job) {
        return ACTOR + ":" + v.getUid() + ":" + verb + ":" + job;
    }
}
