package io.berth.gateway.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.schemas.avro.CronJobSpec;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.cron.CronSchedule;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.berth.gateway.manifest.Fields.child;
import static io.berth.gateway.manifest.Fields.get;

/**
 * A {@code batch/v1 CronJob}'s spec → its jobs' pod template (as a {@link DeploymentSpec}: template,
 * replicas = the job's parallelism) and its {@link CronJobSpec}. Validation follows Kubernetes' cron job
 * validation and wording: the schedule and timeZone as {@link CronSchedule} reads them, concurrencyPolicy
 * one of Allow, Forbid, Replace, startingDeadlineSeconds and the history limits not negative, and
 * {@code spec.jobTemplate.spec} checked as a Job's spec is ({@link JobManifest#template}), on its own paths.
 *
 * <p>Defaults, as Kubernetes': concurrencyPolicy Allow, successfulJobsHistoryLimit 3,
 * failedJobsHistoryLimit 1, suspend false; the job template's as a Job's.
 */
final class CronJobManifest {
    private CronJobManifest() {}

    /**
     * The longest CronJob name: a DNS-1035 label (63) less the 11 characters of the {@code -NNNNNNNNNN}
     * suffix each of its Jobs' names gets, as Kubernetes' ValidateCronJobCreate counts.
     */
    static final int MAX_NAME = 52;
    static final List<String> CONCURRENCY_POLICIES = List.of("Allow", "Forbid", "Replace");

    private static final Set<String> SPEC_FIELDS = Set.of("schedule", "timeZone", "concurrencyPolicy", "startingDeadlineSeconds",
            "successfulJobsHistoryLimit", "failedJobsHistoryLimit", "suspend", "jobTemplate");
    /** A schedule that is always valid: the time zone is checked with it, so each field gets its own error. */
    private static final String ANY_SCHEDULE = "0 * * * *";

    /** The parsed spec: the template-carrying payload and the CronJob's own fields; null when the spec has errors. */
    record Parsed(DeploymentSpec payload, CronJobSpec cronJob) {}

    static Parsed parse(Fields f, JsonNode doc, String path, String name, int maxReplicas) {
        if (name != null && name.length() > MAX_NAME) {
            f.invalid(child(path, "metadata.name"), "\"" + name + "\"", "must be no more than " + MAX_NAME + " characters");
        }
        String sp = child(path, "spec");
        JsonNode spec = f.object(doc, "spec", sp);
        if (spec == null) {
            if (get(doc, "spec") == null) f.required(sp);
            return null;
        }
        f.onlyKnown(spec, sp, SPEC_FIELDS);
        String schedule = schedule(f, spec, child(sp, "schedule"));
        String timeZone = timeZone(f, spec, child(sp, "timeZone"));
        String policy = f.string(spec, "concurrencyPolicy", child(sp, "concurrencyPolicy"));
        if (policy == null || policy.isEmpty()) policy = "Allow";
        else if (!CONCURRENCY_POLICIES.contains(policy)) {
            f.unsupported(child(sp, "concurrencyPolicy"), get(spec, "concurrencyPolicy"), CONCURRENCY_POLICIES);
        }
        Long deadline = nonNegativeLong(f, spec, "startingDeadlineSeconds", child(sp, "startingDeadlineSeconds"));
        int successful = f.integerAtLeast(spec, "successfulJobsHistoryLimit", child(sp, "successfulJobsHistoryLimit"), 0, 3);
        int failed = f.integerAtLeast(spec, "failedJobsHistoryLimit", child(sp, "failedJobsHistoryLimit"), 0, 1);
        Boolean suspend = f.bool(spec, "suspend", child(sp, "suspend"));

        String jp = child(sp, "jobTemplate");
        JsonNode jobTemplate = f.object(spec, "jobTemplate", jp);
        if (jobTemplate == null) {
            if (get(spec, "jobTemplate") == null) f.required(jp);
            return null;
        }
        f.onlyKnown(jobTemplate, jp, Set.of("metadata", "spec"));
        JsonNode jmeta = f.object(jobTemplate, "metadata", child(jp, "metadata"));
        f.onlyKnown(jmeta, child(jp, "metadata"), Set.of("labels", "annotations"), Set.of("name", "creationTimestamp"));
        Map<String, String> jobLabels = f.stringMap(jmeta, "labels", child(jp, "metadata.labels"));
        Names.labels(f, jobLabels, child(jp, "metadata.labels"));
        Map<String, String> jobAnnotations = f.stringMap(jmeta, "annotations", child(jp, "metadata.annotations"));
        Names.annotationKeys(f, jobAnnotations, child(jp, "metadata.annotations"));
        String jsp = child(jp, "spec");
        JsonNode jobSpec = f.object(jobTemplate, "spec", jsp);
        if (jobSpec == null) {
            if (get(jobTemplate, "spec") == null) f.required(jsp);
            return null;
        }
        JobManifest.Parsed job = JobManifest.template(f, jobSpec, jsp, maxReplicas);
        if (job == null || !f.errors.isEmpty()) return null;
        CronJobSpec c = CronJobSpec.newBuilder().setSchedule(schedule).setTimeZone(timeZone).setConcurrencyPolicy(policy)
                .setStartingDeadlineSeconds(deadline).setSuccessfulJobsHistoryLimit(successful).setFailedJobsHistoryLimit(failed)
                .setSuspend(suspend != null && suspend).setJob(job.job()).setJobLabels(jobLabels).setJobAnnotations(jobAnnotations)
                .build();
        return new Parsed(job.payload(), c);
    }

    /** {@code spec.schedule}: required, a schedule Kubernetes' cron parser reads (checked in UTC: the zone is checked on its own). */
    private static String schedule(Fields f, JsonNode spec, String path) {
        String schedule = f.string(spec, "schedule", path);
        if (schedule == null || schedule.isEmpty()) {
            if (get(spec, "schedule") == null || schedule != null) f.required(path);
            return null;
        }
        CronSchedule.problem(schedule, null).ifPresent(p -> f.error(path, p));
        return schedule;
    }

    /** {@code spec.timeZone}: unset (UTC), or a zone of the IANA database by name, as Kubernetes' validateTimeZone accepts. */
    private static String timeZone(Fields f, JsonNode spec, String path) {
        String zone = f.string(spec, "timeZone", path);
        if (zone == null) return null;
        if (zone.isEmpty()) {
            f.invalid(path, get(spec, "timeZone"), "timeZone must be nil or non-empty string");
            return null;
        }
        if (zone.equalsIgnoreCase("Local")) {
            f.invalid(path, get(spec, "timeZone"), "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones");
            return zone;
        }
        Optional<String> problem = CronSchedule.problem(ANY_SCHEDULE, zone);
        problem.ifPresent(p -> f.error(path, p));
        return zone;
    }

    private static Long nonNegativeLong(Fields f, JsonNode spec, String field, String path) {
        JsonNode n = get(spec, field);
        if (n == null) return null;
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            f.invalid(path, n, "must be an integer");
            return null;
        }
        if (n.longValue() < 0) {
            f.invalid(path, n, "must be greater than or equal to 0");
            return null;
        }
        return n.longValue();
    }
}
