package io.berth.gateway.manifest;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.CronJobSpec;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.JobSpec;
import io.berth.schemas.avro.ResourceKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** batch/v1 CronJob manifests: the intent they become, Kubernetes' defaults, and each validation rule in its wording. */
class CronJobManifestTest {
    private static final ManifestOptions OPTIONS = ManifestOptions.defaults().withActor("cli:test")
            .withClock(Clock.fixed(Instant.parse("2026-12-06T05:00:00Z"), ZoneOffset.UTC), () -> "id-1");

    /** A CronJob named {@code name} with {@code spec} (its spec's fields, indented two spaces) before its jobTemplate, and {@code jobSpec} in the job's spec. */
    static String cronJob(String name, String spec, String jobSpec) {
        return """
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: %s, namespace: batch, labels: {team: ops}}
                spec:
                """.formatted(name) + spec.indent(2) + """
                  jobTemplate:
                    metadata: {labels: {kind: report}, annotations: {owner: ops}}
                    spec:
                """ + jobSpec.indent(6) + """
                      template:
                        metadata: {labels: {app: report}}
                        spec:
                          restartPolicy: OnFailure
                          containers: [{name: report, image: berth/busybox:latest, command: [sh, -c, "date"]}]
                """;
    }

    static String cronJob(String spec) {
        return cronJob("report", spec, "");
    }

    private static ManifestResult parse(String text) {
        return new ManifestParser(OPTIONS).parse("", text);
    }

    private static Intent one(String text) {
        ManifestResult r = parse(text);
        assertEquals(List.of(), r.errors().stream().map(ManifestProblem::message).toList());
        assertEquals(List.of(), r.warnings().stream().map(ManifestProblem::message).toList());
        assertEquals(1, r.intents().size());
        return r.intents().get(0);
    }

    private static List<String> errors(String text) {
        return parse(text).errors().stream().map(ManifestProblem::message).toList();
    }

    @Test
    void shouldMakeACronJobIntentWithTheJobTemplateAsPayloadAndTheCronJobFields() {
        Intent i = one(cronJob("report", """
                schedule: "*/5 * * * *"
                timeZone: Europe/Paris
                concurrencyPolicy: Forbid
                startingDeadlineSeconds: 120
                successfulJobsHistoryLimit: 5
                failedJobsHistoryLimit: 2
                suspend: true
                """, """
                completions: 4
                parallelism: 2
                backoffLimit: 1
                activeDeadlineSeconds: 300
                """));
        assertEquals(IntentAction.APPLY, i.getAction());
        assertEquals(ResourceKind.CRONJOB, i.getKind());
        assertEquals("batch", i.getNamespace());
        assertEquals("report", i.getName());
        assertEquals(Map.of("team", "ops"), i.getLabels());
        assertEquals("batch/cronjob/report", Intents.key(i));
        DeploymentSpec d = (DeploymentSpec) i.getPayload();
        // no job-name labels: each Job the CronJob creates gets its own
        assertEquals(Map.of("app", "report"), d.getTemplate().getLabels());
        assertEquals(2, d.getReplicas());
        assertEquals("OnFailure", d.getTemplate().getRestartPolicy());
        CronJobSpec c = i.getCronJob();
        assertEquals("*/5 * * * *", c.getSchedule());
        assertEquals("Europe/Paris", c.getTimeZone());
        assertEquals("Forbid", c.getConcurrencyPolicy());
        assertEquals(120L, c.getStartingDeadlineSeconds());
        assertEquals(5, c.getSuccessfulJobsHistoryLimit());
        assertEquals(2, c.getFailedJobsHistoryLimit());
        assertTrue(c.getSuspend());
        assertEquals(new JobSpec(4, 2, 1, 300L, null, false), c.getJob());
        assertEquals(Map.of("kind", "report"), c.getJobLabels());
        assertEquals(Map.of("owner", "ops"), c.getJobAnnotations());
        assertNull(i.getJob());
    }

    @Test
    void shouldDefaultAsKubernetesDoes() {
        CronJobSpec c = one(cronJob("schedule: \"@hourly\"")).getCronJob();
        assertEquals("@hourly", c.getSchedule());
        assertNull(c.getTimeZone());
        assertEquals("Allow", c.getConcurrencyPolicy());
        assertNull(c.getStartingDeadlineSeconds());
        assertEquals(3, c.getSuccessfulJobsHistoryLimit());
        assertEquals(1, c.getFailedJobsHistoryLimit());
        assertFalse(c.getSuspend());
        // the job template's defaults are a Job's: neither completions nor parallelism → 1 and 1, backoffLimit 6
        assertEquals(new JobSpec(1, 1, 6, null, null, false), c.getJob());
        // a schedule with no zone is read in UTC; a zone-less template still parses with startingDeadlineSeconds 0
        assertEquals(0L, one(cronJob("schedule: \"0 3 * * 1-5\"\nstartingDeadlineSeconds: 0")).getCronJob().getStartingDeadlineSeconds());
    }

    record Bad(String name, String spec, String jobSpec, String expected) {}

    static Stream<Bad> badCronJobs() {
        return Stream.of(
                new Bad("no schedule", "suspend: false", "", "spec.schedule: Required value"),
                new Bad("empty schedule", "schedule: \"\"", "", "spec.schedule: Required value"),
                new Bad("minute 61", "schedule: \"61 * * * *\"", "", "spec.schedule: Invalid value: \"61 * * * *\": "),
                new Bad("four fields", "schedule: \"* * * *\"", "", "spec.schedule: Invalid value: \"* * * *\": expected exactly 5 fields, found 4: * * * *"),
                new Bad("TZ in the schedule", "schedule: \"TZ=UTC 0 * * * *\"", "",
                        "spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
                new Bad("unknown time zone", "schedule: \"@daily\"\ntimeZone: Mars/Olympus", "",
                        "spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus"),
                new Bad("empty time zone", "schedule: \"@daily\"\ntimeZone: \"\"", "",
                        "spec.timeZone: Invalid value: \"\": timeZone must be nil or non-empty string"),
                new Bad("Local time zone", "schedule: \"@daily\"\ntimeZone: Local", "",
                        "spec.timeZone: Invalid value: \"Local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"),
                new Bad("concurrency policy", "schedule: \"@daily\"\nconcurrencyPolicy: Sometimes", "",
                        "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\""),
                new Bad("negative deadline", "schedule: \"@daily\"\nstartingDeadlineSeconds: -1", "",
                        "spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0"),
                new Bad("negative successful history", "schedule: \"@daily\"\nsuccessfulJobsHistoryLimit: -1", "",
                        "spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0"),
                new Bad("negative failed history", "schedule: \"@daily\"\nfailedJobsHistoryLimit: -2", "",
                        "spec.failedJobsHistoryLimit: Invalid value: -2: must be greater than or equal to 0"),
                new Bad("history beyond the limit", "schedule: \"@daily\"\nsuccessfulJobsHistoryLimit: 101", "",
                        "spec.successfulJobsHistoryLimit: "),
                new Bad("suspend not a boolean", "schedule: \"@daily\"\nsuspend: sometimes", "", "spec.suspend: Invalid value: \"sometimes\": "),
                new Bad("job template's restart policy", "schedule: \"@daily\"", "", null),
                new Bad("job template's selector", "schedule: \"@daily\"", "selector: {matchLabels: {app: report}}",
                        "spec.jobTemplate.spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"report\"}}: `selector` will be auto-generated"),
                new Bad("manual selector", "schedule: \"@daily\"", "manualSelector: true",
                        "spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: \"nil\", \"false\""),
                new Bad("negative completions", "schedule: \"@daily\"", "completions: -1",
                        "spec.jobTemplate.spec.completions: Invalid value: -1: must be greater than or equal to 0"),
                new Bad("negative backoff", "schedule: \"@daily\"", "backoffLimit: -1",
                        "spec.jobTemplate.spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"),
                new Bad("zero deadline", "schedule: \"@daily\"", "activeDeadlineSeconds: 0",
                        "spec.jobTemplate.spec.activeDeadlineSeconds: Invalid value: 0: must be greater than 0"),
                new Bad("pod failure policy", "schedule: \"@daily\"", "podFailurePolicy: {rules: []}",
                        "spec.jobTemplate.spec.podFailurePolicy: Forbidden: not supported by Berth"),
                new Bad("indexed", "schedule: \"@daily\"", "completionMode: Indexed",
                        "spec.jobTemplate.spec.completionMode: Unsupported value: \"Indexed\": supported values: \"NonIndexed\""),
                new Bad("53-character name", "schedule: \"@daily\"", "",
                        "metadata.name: Invalid value: \"" + "r".repeat(53) + "\": must be no more than 52 characters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCronJobs")
    void shouldRefuseWhatKubernetesRefusesInItsWords(Bad bad) {
        String name = bad.name().equals("53-character name") ? "r".repeat(53) : "report";
        String text = cronJob(name, bad.spec(), bad.jobSpec());
        if (bad.expected() == null) {
            // the job template's pods must be restarted OnFailure or Never, as a Job's
            text = text.replace("restartPolicy: OnFailure", "restartPolicy: Always");
            assertEquals(List.of("spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: \"Always\": "
                    + "supported values: \"OnFailure\", \"Never\""), errors(text));
            return;
        }
        List<String> errors = errors(text);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith(bad.expected()), errors.toString());
    }

    @Test
    void shouldAcceptA52CharacterName() {
        assertEquals("r".repeat(52), one(cronJob("r".repeat(52), "schedule: \"@daily\"", "")).getName());
    }

    @Test
    void shouldReportABadScheduleAndABadZoneEachOnItsField() {
        assertEquals(2, errors(cronJob("schedule: \"61 * * * *\"\ntimeZone: Mars/Olympus")).size());
    }

    @Test
    void shouldRequireTheJobTemplateAndItsSpec() {
        String noTemplate = """
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: report}
                spec: {schedule: "@daily"}
                """;
        assertEquals(List.of("spec.jobTemplate: Required value"), errors(noTemplate));
        assertEquals(List.of("spec.jobTemplate.spec: Required value"), errors(noTemplate.replace("spec: {schedule: \"@daily\"}",
                "spec: {schedule: \"@daily\", jobTemplate: {metadata: {labels: {a: b}}}}")));
        assertEquals(List.of("spec: Required value"), errors("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: report}\n"));
    }

    @Test
    void shouldRefuseJobNameLabelsInTheTemplate() {
        String text = cronJob("schedule: \"@daily\"").replace("labels: {app: report}", "labels: {app: report, job-name: report}");
        assertEquals(List.of("spec.jobTemplate.spec.template.metadata.labels: Invalid value: {\"job-name\":\"report\"}: "
                + "must be omitted: each Job the CronJob creates is labelled with its own name"), errors(text));
    }

    @Test
    void shouldRefuseTheWrongApiVersion() {
        assertEquals(List.of("apiVersion: Unsupported value: \"batch/v1beta1\": supported values: \"batch/v1\""),
                errors(cronJob("schedule: \"@daily\"").replace("batch/v1", "batch/v1beta1")));
    }

    @Test
    void shouldDeleteByName() {
        ManifestResult r = new ManifestParser(OPTIONS).parseForDelete("", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: report}\n");
        assertEquals(1, r.intents().size());
        assertEquals(IntentAction.DELETE, r.intents().get(0).getAction());
        assertEquals(ResourceKind.CRONJOB, r.intents().get(0).getKind());
        assertEquals("default/cronjob/report", Intents.key(r.intents().get(0)));
    }

    /** What {@code kubectl create job NAME --from=cronjob/CJ} posts: the CronJob's jobTemplate, owned by it. */
    @Test
    void shouldMapAJobsCronJobOwnerReferenceToTheOwnerAnnotation() {
        String job = """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: report-manual
                  annotations: {cronjob.kubernetes.io/instantiate: manual}
                  labels: {kind: report}
                  ownerReferences:
                  - {apiVersion: batch/v1, kind: CronJob, name: report, uid: u-1, controller: true}
                  - {apiVersion: v1, kind: ConfigMap, name: other, uid: u-2}
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: report, image: busybox}]
                """;
        Intent i = one(job);
        assertEquals(ResourceKind.JOB, i.getKind());
        assertEquals(Map.of("cronjob.kubernetes.io/instantiate", "manual", Topics.OWNER_ANNOTATION, "CronJob/report"), i.getAnnotations());
        // no CronJob among them: nothing to map, and no error either
        Intent plain = one(job.replace("kind: CronJob", "kind: Deployment"));
        assertEquals(Map.of("cronjob.kubernetes.io/instantiate", "manual"), plain.getAnnotations());
        assertEquals(List.of("metadata.ownerReferences[0].name: Invalid value: \"\": name must not be empty"),
                errors(job.replace("name: report, uid", "name: \"\", uid")));
    }
}
