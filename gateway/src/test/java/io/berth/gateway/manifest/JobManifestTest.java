package io.berth.gateway.manifest;

import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.JobSpec;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.limits.Limits;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** batch/v1 Job manifests: the intent they become, Kubernetes' defaults, and each validation rule in its wording. */
class JobManifestTest {
    private static final ManifestOptions OPTIONS = ManifestOptions.defaults().withActor("cli:test")
            .withClock(Clock.fixed(Instant.parse("2026-12-06T05:00:00Z"), ZoneOffset.UTC), () -> "id-1");

    /** A Job with {@code SPEC} (indented spec fields, two spaces) spliced in before its template. */
    static String job(String spec) {
        return """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: pi, namespace: batch, labels: {team: math}}
                spec:
                """ + spec.indent(2) + """
                  template:
                    metadata: {labels: {app: pi}}
                    spec:
                      restartPolicy: Never
                      containers: [{name: pi, image: berth/busybox:latest, command: [sh, -c, "echo 3.14"]}]
                """;
    }

    private static ManifestResult parse(String text) {
        return new ManifestParser(OPTIONS).parse("", text);
    }

    private static Intent one(String text) {
        ManifestResult r = parse(text);
        assertEquals(List.of(), r.errors().stream().map(ManifestProblem::message).toList());
        assertEquals(1, r.intents().size());
        return r.intents().get(0);
    }

    @Test
    void shouldMakeAJobIntentWithTheTemplateAsPayloadAndTheJobFields() {
        Intent i = one(job("""
                completions: 5
                parallelism: 2
                backoffLimit: 3
                activeDeadlineSeconds: 600
                ttlSecondsAfterFinished: 100
                suspend: true
                """));
        assertEquals(IntentAction.APPLY, i.getAction());
        assertEquals(ResourceKind.JOB, i.getKind());
        assertEquals("batch", i.getNamespace());
        assertEquals("pi", i.getName());
        assertEquals(Map.of("team", "math"), i.getLabels());
        DeploymentSpec d = (DeploymentSpec) i.getPayload();
        Map<String, String> podLabels = Map.of("app", "pi", "batch.kubernetes.io/job-name", "pi", "job-name", "pi");
        assertEquals(podLabels, d.getTemplate().getLabels());
        assertEquals(podLabels, d.getSelector());
        assertEquals(2, d.getReplicas());
        assertEquals("Never", d.getTemplate().getRestartPolicy());
        assertEquals(new JobSpec(5, 2, 3, 600L, 100, true), i.getJob());
        assertEquals("batch/job/pi", Intents.key(i));
    }

    record Defaults(String spec, Integer completions, int parallelism) {}

    static Stream<Defaults> defaults() {
        return Stream.of(
                new Defaults("", 1, 1),                      // neither: one pod, once
                new Defaults("parallelism: 3", null, 3),       // work-queue mode: completions stay unset
                new Defaults("completions: 4", 4, 1),          // fixed count, one at a time
                new Defaults("parallelism: 0", null, 0));      // Kubernetes' way to pause a job
    }

    @ParameterizedTest
    @MethodSource("defaults")
    void shouldDefaultCompletionsAndParallelismAsKubernetes(Defaults c) {
        Intent i = one(job(c.spec()));
        assertEquals(c.completions(), i.getJob().getCompletions());
        assertEquals(c.parallelism(), i.getJob().getParallelism());
        assertEquals(c.parallelism(), ((DeploymentSpec) i.getPayload()).getReplicas());
        assertEquals(6, i.getJob().getBackoffLimit());
        assertNull(i.getJob().getActiveDeadlineSeconds());
        assertNull(i.getJob().getTtlSecondsAfterFinished());
        assertFalse(i.getJob().getSuspend());
    }

    record Bad(String manifest, String message) {}

    static Stream<Bad> invalid() {
        int max = Limits.DEFAULT.maxReplicas();
        return Stream.of(
                new Bad(job("completions: -1"), "spec.completions: Invalid value: -1: must be greater than or equal to 0"),
                new Bad(job("parallelism: -2"), "spec.parallelism: Invalid value: -2: must be greater than or equal to 0"),
                new Bad(job("backoffLimit: -1"), "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"),
                new Bad(job("activeDeadlineSeconds: 0"), "spec.activeDeadlineSeconds: Invalid value: 0: must be greater than 0"),
                new Bad(job("activeDeadlineSeconds: x"), "spec.activeDeadlineSeconds: Invalid value: \"x\": must be an integer"),
                new Bad(job("ttlSecondsAfterFinished: -5"), "spec.ttlSecondsAfterFinished: Invalid value: -5: must be greater than or equal to 0"),
                new Bad(job("completions: " + (max + 1)), "spec.completions: Invalid value: " + (max + 1) + ": must be less than or equal to " + max),
                new Bad(job("parallelism: " + (max + 1)), "spec.parallelism: Invalid value: " + (max + 1) + ": must be less than or equal to " + max),
                new Bad(job("suspend: maybe"), "spec.suspend: Invalid value: \"maybe\": must be a boolean"),
                new Bad(job("completionMode: Indexed"), "spec.completionMode: Unsupported value: \"Indexed\": supported values: \"NonIndexed\""),
                new Bad(job("podFailurePolicy: {rules: []}"), "spec.podFailurePolicy: Forbidden: not supported by Berth"),
                new Bad(job("successPolicy: {rules: []}"), "spec.successPolicy: Forbidden: not supported by Berth"),
                new Bad(job("backoffLimitPerIndex: 1"), "spec.backoffLimitPerIndex: Forbidden: not supported by Berth"),
                new Bad(job("maxFailedIndexes: 1"), "spec.maxFailedIndexes: Forbidden: not supported by Berth"),
                new Bad(job("managedBy: example.com/other"), "spec.managedBy: Forbidden: not supported by Berth: its own job controller manages every Job"),
                new Bad(job("selector: {matchLabels: {app: other}}"),
                        "spec.selector: Invalid value: {\"app\":\"other\"}: `selector` does not match template `labels`"),
                new Bad(job("selector: {matchExpressions: [{key: app, operator: Exists}]}"),
                        "spec.selector.matchExpressions: Forbidden: not supported by Berth; use matchLabels or omit the selector"),
                new Bad("""
                        apiVersion: batch/v1
                        kind: Job
                        metadata: {name: pi}
                        spec: {completions: 1}
                        """, "spec.template: Required value"),
                new Bad("""
                        apiVersion: batch/v1
                        kind: Job
                        metadata: {name: pi}
                        """, "spec: Required value"),
                new Bad(job("").replace("      restartPolicy: Never\n", ""),
                        "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""),
                new Bad(job("").replace("restartPolicy: Never", "restartPolicy: Always"),
                        "spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""),
                new Bad(job("").replace("labels: {app: pi}", "labels: {app: pi, job-name: other}"),
                        "spec.template.metadata.labels: Invalid value: {\"job-name\":\"other\"}: must be the Job's name \"pi\" (or omitted)"),
                new Bad(job("").replace("apiVersion: batch/v1", "apiVersion: batch/v1beta1"),
                        "apiVersion: Unsupported value: \"batch/v1beta1\": supported values: \"batch/v1\""),
                new Bad(job("").replace("metadata: {name: pi,", "metadata: {name: " + "p".repeat(64) + ","),
                        "metadata.name: Too long: must have at most 63 bytes"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void shouldRefuseAnInvalidJobNamingTheField(Bad c) {
        ManifestResult r = parse(c.manifest());
        assertTrue(r.intents().isEmpty(), "no intent for an invalid job");
        assertEquals(c.message(), r.errors().get(0).message(), () -> r.errors().toString());
        if (!c.message().startsWith("apiVersion")) { // named once the kind and name are read
            assertEquals("Job \"" + (c.manifest().contains("ppppp") ? "p".repeat(64) : "pi") + "\"", r.errors().get(0).resource());
        }
    }

    @Test
    void shouldAcceptWhatKubectlEchoesBackFromGetOutput() {
        // the server-set and defaulted fields of `kubectl get job pi -o yaml`, applied again
        Intent i = one(job("""
                completionMode: NonIndexed
                manualSelector: false
                managedBy: kubernetes.io/job-controller
                selector: {matchLabels: {batch.kubernetes.io/job-name: pi, job-name: pi, app: pi}}
                """).replace("labels: {app: pi}", "labels: {app: pi, job-name: pi, batch.kubernetes.io/job-name: pi}")
                .replace("restartPolicy: Never", "restartPolicy: OnFailure"));
        assertEquals("OnFailure", ((DeploymentSpec) i.getPayload()).getTemplate().getRestartPolicy());
        assertEquals(1, i.getJob().getCompletions());
    }

    @Test
    void shouldWarnOfUnknownFieldsAndRefuseThemWhenStrict() {
        String text = job("parallelizm: 2");
        ManifestResult lenient = parse(text);
        assertTrue(lenient.ok());
        assertEquals("unknown field \"spec.parallelizm\"", lenient.warnings().get(0).message());
        ManifestResult strict = new ManifestParser(OPTIONS.withStrict(true)).parse("", text);
        assertEquals("unknown field \"spec.parallelizm\"", strict.errors().get(0).message());
    }

    @Test
    void shouldDeleteAJobByReference() {
        ManifestResult r = new ManifestParser(OPTIONS).parseForDelete("", job(""));
        assertEquals(List.of(), r.errors());
        Intent i = r.intents().get(0);
        assertEquals(IntentAction.DELETE, i.getAction());
        assertEquals(ResourceKind.JOB, i.getKind());
        assertEquals("batch/job/pi", Intents.key(i));
        assertNull(i.getJob());
    }

    @Test
    void shouldCapCompletionsByTheConfiguredMaxReplicas() {
        ManifestResult r = new ManifestParser(OPTIONS.withLimits(new Limits(5))).parse("", job("completions: 6"));
        assertEquals("spec.completions: Invalid value: 6: must be less than or equal to 5", r.errors().get(0).message());
    }
}
