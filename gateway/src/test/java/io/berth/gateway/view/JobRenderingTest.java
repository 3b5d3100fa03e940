package io.berth.gateway.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.berth.gateway.view.ViewFixtures.NOW;
import static io.berth.gateway.view.ViewFixtures.T0;
import static org.junit.jupiter.api.Assertions.*;

/** A Job's WorkloadView rendered as batch/v1 Job, its table row (kubectl's printJob) and its pods' owner. */
class JobRenderingTest {
    /** A job as the parser makes it from {@code spec} and state-streams would write it, with {@code status} and conditions. */
    static WorkloadView job(String spec, JobStatus status, Condition... conditions) {
        Intent i = new ManifestParser().parse("", """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: pi, labels: {team: math}}
                spec:
                """ + spec.indent(2) + """
                  template:
                    metadata: {labels: {app: pi}}
                    spec:
                      restartPolicy: OnFailure
                      containers: [{name: pi, image: perl:5.34, command: [perl, -e, "print 3"]}]
                """).intents().get(0);
        DeploymentSpec d = (DeploymentSpec) i.getPayload();
        return WorkloadView.newBuilder().setKey("default/job/pi").setKind(ResourceKind.JOB).setNamespace("default").setName("pi")
                .setUid("uid-pi").setLabels(i.getLabels()).setGeneration(1).setCreatedAt(T0).setUpdatedAt(T0).setResourceVersion("9")
                .setDeployment(d).setJob(i.getJob()).setJobStatus(status).setConditions(List.of(conditions)).build();
    }

    static JobStatus status(int active, int succeeded, int failed, long start, long completion) {
        return JobStatus.newBuilder().setActive(active).setReady(active).setSucceeded(succeeded).setFailed(failed)
                .setStartTime(start).setCompletionTime(completion).setFinishedTime(completion).build();
    }

    static final Condition COMPLETE = new Condition("Complete", "True", "Completed", "Reached expected number of succeeded pods", T0 + 90_000);
    static final Condition FAILED = new Condition("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", T0 + 60_000);
    static final Condition SUSPENDED = new Condition("Suspended", "True", "JobSuspended", "Job suspended", T0);

    @Test
    void shouldRenderARunningJobAsKubernetesDoes() {
        ObjectNode o = KubeObjects.job(job("completions: 3\nparallelism: 2", status(2, 1, 0, T0 + 1000, 0)));
        assertEquals("batch/v1", o.path("apiVersion").asText());
        assertEquals("Job", o.path("kind").asText());
        JsonNode meta = o.path("metadata");
        assertEquals("pi", meta.path("name").asText());
        assertEquals("uid-pi", meta.path("uid").asText());
        assertEquals("math", meta.path("labels").path("team").asText());
        assertEquals("2026-11-22T05:00:00Z", meta.path("creationTimestamp").asText());
        assertEquals(1, meta.path("generation").asInt());
        JsonNode spec = o.path("spec");
        assertEquals(3, spec.path("completions").asInt());
        assertEquals(2, spec.path("parallelism").asInt());
        assertEquals(6, spec.path("backoffLimit").asInt());
        assertEquals("NonIndexed", spec.path("completionMode").asText());
        assertFalse(spec.path("suspend").asBoolean());
        assertFalse(spec.has("activeDeadlineSeconds"));
        assertFalse(spec.has("ttlSecondsAfterFinished"));
        assertEquals(Map.of("app", "pi", "batch.kubernetes.io/job-name", "pi", "job-name", "pi"),
                ReadMaps.of(spec.path("selector").path("matchLabels")));
        assertEquals(ReadMaps.of(spec.path("selector").path("matchLabels")), ReadMaps.of(spec.path("template").path("metadata").path("labels")));
        assertEquals("OnFailure", spec.path("template").path("spec").path("restartPolicy").asText());
        assertEquals("perl:5.34", spec.path("template").path("spec").path("containers").get(0).path("image").asText());
        JsonNode status = o.path("status");
        assertEquals(2, status.path("active").asInt());
        assertEquals(2, status.path("ready").asInt());
        assertEquals(1, status.path("succeeded").asInt());
        assertFalse(status.has("failed"), "a zero count is omitted, as Kubernetes does");
        assertEquals("2026-11-22T05:00:01Z", status.path("startTime").asText());
        assertFalse(status.has("completionTime"));
        assertFalse(status.has("conditions"));
    }

    @Test
    void shouldRenderACompleteJobWithTheConditionKubectlWaitReads() {
        ObjectNode o = KubeObjects.job(job("activeDeadlineSeconds: 600\nttlSecondsAfterFinished: 100",
                status(0, 1, 0, T0 + 1000, T0 + 90_000), COMPLETE));
        assertEquals(600, o.path("spec").path("activeDeadlineSeconds").asLong());
        assertEquals(100, o.path("spec").path("ttlSecondsAfterFinished").asInt());
        JsonNode status = o.path("status");
        assertFalse(status.has("active"));
        assertEquals(0, status.path("ready").asInt());
        assertEquals("2026-11-22T05:01:30Z", status.path("completionTime").asText());
        JsonNode c = status.path("conditions").get(0);
        assertEquals("Complete", c.path("type").asText());
        assertEquals("True", c.path("status").asText());
        assertEquals("Completed", c.path("reason").asText());
        assertEquals("Reached expected number of succeeded pods", c.path("message").asText());
        assertEquals("2026-11-22T05:01:30Z", c.path("lastTransitionTime").asText());
        assertEquals("2026-11-22T05:01:30Z", c.path("lastProbeTime").asText());
    }

    record Row(WorkloadView job, String status, String completions, String duration) {}

    static Stream<Row> rows() {
        return Stream.of(
                // not started yet: no DURATION
                new Row(job("", status(0, 0, 0, 0, 0)), "Running", "0/1", ""),
                // running for 3m19s (NOW is T0 + 3m20s)
                new Row(job("completions: 5\nparallelism: 2", status(2, 1, 0, T0 + 1000, 0)), "Running", "1/5", "3m19s"),
                // work-queue mode: completions unset, several at once
                new Row(job("parallelism: 3", status(3, 0, 0, T0, 0)), "Running", "0/1 of 3", "3m20s"),
                new Row(job("parallelism: 1", status(1, 0, 0, T0, 0)), "Running", "0/1", "3m20s"),
                // complete after 89s: DURATION stops at completionTime
                new Row(job("", status(0, 1, 0, T0 + 1000, T0 + 90_000), COMPLETE), "Complete", "1/1", "89s"),
                new Row(job("backoffLimit: 1", status(0, 0, 2, T0, 0), FAILED), "Failed", "0/1", "3m20s"),
                new Row(job("suspend: true", status(0, 0, 0, 0, 0), SUSPENDED), "Suspended", "0/1", ""),
                // a condition that does not hold (False) does not count
                new Row(job("", status(1, 0, 0, T0, 0), new Condition("Complete", "False", "", "", T0)), "Running", "0/1", "3m20s"));
    }

    @ParameterizedTest
    @MethodSource("rows")
    void shouldPrintTheColumnsOfKubectlGetJobs(Row r) {
        ObjectNode o = KubeObjects.job(r.job());
        assertEquals(List.of("NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"), JsonTables.header("jobs", true, false, false));
        assertEquals(List.of("pi", r.status(), r.completions(), r.duration(), "3m20s"), JsonTables.row("jobs", true, o, false, false, NOW));
    }

    @Test
    void shouldPrintTheWideColumnsAndAServerTable() {
        ObjectNode o = KubeObjects.job(job("", status(1, 0, 0, T0, 0)));
        assertEquals(List.of("NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"),
                JsonTables.header("jobs", true, true, false));
        assertEquals(List.of("pi", "Running", "0/1", "3m20s", "3m20s", "pi", "perl:5.34", "app=pi,batch.kubernetes.io/job-name=pi,job-name=pi"),
                JsonTables.row("jobs", true, o, true, false, NOW));
        ObjectNode table = ServerTables.table("jobs", true, List.of(o), "12", ServerTables.Include.METADATA, NOW);
        List<String> columns = table.path("columnDefinitions").findValuesAsText("name");
        assertEquals(List.of("Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"), columns);
        assertEquals(List.of(0, 0, 0, 0, 0, 1, 1, 1), table.path("columnDefinitions").findValues("priority").stream().map(JsonNode::asInt).toList());
        assertEquals("Running", table.path("rows").get(0).path("cells").get(1).asText());
    }

    @Test
    void shouldPrintTerminatingWhileAJobIsBeingDeleted() {
        ObjectNode o = KubeObjects.job(job("", status(1, 0, 0, T0, 0)));
        ((ObjectNode) o.path("metadata")).put("deletionTimestamp", "2026-11-22T05:02:00Z");
        assertEquals("Terminating", JsonTables.jobStatus(o));
    }

    @Test
    void shouldMakeTheJobTheControllerOfItsPods() {
        TaskView t = TaskView.newBuilder(ViewFixtures.task("pi-x7k2p", TaskPhase.RUNNING, true, "n1")).setWorkloadKey("default/job/pi")
                .setTemplateHash("").setLabels(Map.of("app", "pi", "job-name", "pi", "batch.kubernetes.io/job-name", "pi")).build();
        JsonNode owner = KubeObjects.pod(t, Map.of(), key -> key.equals("default/job/pi") ? "uid-pi" : "").path("metadata").path("ownerReferences");
        assertEquals(1, owner.size());
        assertEquals("batch/v1", owner.get(0).path("apiVersion").asText());
        assertEquals("Job", owner.get(0).path("kind").asText());
        assertEquals("pi", owner.get(0).path("name").asText());
        assertEquals("uid-pi", owner.get(0).path("uid").asText());
        assertTrue(owner.get(0).path("controller").asBoolean());
        assertTrue(owner.get(0).path("blockOwnerDeletion").asBoolean());
        JsonNode labels = KubeObjects.pod(t, Map.of()).path("metadata").path("labels");
        assertEquals("pi", labels.path("batch.kubernetes.io/job-name").asText());
        assertFalse(labels.has("pod-template-hash"));
        // the Job's view not seen yet: the owner is still named, its uid left out
        assertFalse(KubeObjects.pod(t, Map.of()).path("metadata").path("ownerReferences").get(0).has("uid"));
    }

    /** A JSON object of strings as a map. */
    static final class ReadMaps {
        static Map<String, String> of(JsonNode o) {
            Map<String, String> m = new java.util.TreeMap<>();
            o.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
            return m;
        }
    }
}
