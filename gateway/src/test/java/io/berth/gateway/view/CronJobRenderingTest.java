package io.berth.gateway.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.berth.gateway.view.ViewFixtures.NOW;
import static io.berth.gateway.view.ViewFixtures.T0;
import static org.junit.jupiter.api.Assertions.*;

/** A CronJob's WorkloadView rendered as batch/v1 CronJob, its table row (kubectl's printCronJob), and the Jobs it owns. */
class CronJobRenderingTest {
    /** A CronJob as the parser makes it from {@code spec} (its own fields) and state-streams would write it, with {@code status}. */
    static WorkloadView cronJob(String spec, CronJobStatus status) {
        Intent i = new ManifestParser().parse("", """
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: report, labels: {team: ops}}
                spec:
                """ + spec.indent(2) + """
                  jobTemplate:
                    metadata: {labels: {kind: report}}
                    spec:
                      backoffLimit: 2
                      template:
                        metadata: {labels: {app: report}}
                        spec:
                          restartPolicy: OnFailure
                          containers: [{name: report, image: busybox:1.36, command: [date]}]
                """).intents().get(0);
        return WorkloadView.newBuilder().setKey("default/cronjob/report").setKind(ResourceKind.CRONJOB).setNamespace("default")
                .setName("report").setUid("uid-report").setLabels(i.getLabels()).setGeneration(1).setCreatedAt(T0).setUpdatedAt(T0)
                .setResourceVersion("9").setDeployment((DeploymentSpec) i.getPayload()).setCronJob(i.getCronJob()).setCronJobStatus(status)
                .build();
    }

    static CronJobStatus status(List<String> active, long lastSchedule, long lastSuccessful) {
        return CronJobStatus.newBuilder().setActive(active).setLastScheduleTime(lastSchedule).setLastSuccessfulTime(lastSuccessful).build();
    }

    @Test
    void shouldRenderACronJobAsKubernetesDoes() {
        ObjectNode o = KubeObjects.cronJob(cronJob("schedule: \"*/5 * * * *\"\ntimeZone: Europe/Paris\nstartingDeadlineSeconds: 60",
                status(List.of("report-29400000"), T0 + 60_000, T0 + 30_000)), key -> key.equals("default/job/report-29400000") ? "uid-j" : "");
        assertEquals("batch/v1", o.path("apiVersion").asText());
        assertEquals("CronJob", o.path("kind").asText());
        assertEquals("uid-report", o.path("metadata").path("uid").asText());
        assertEquals("ops", o.path("metadata").path("labels").path("team").asText());
        JsonNode spec = o.path("spec");
        assertEquals("*/5 * * * *", spec.path("schedule").asText());
        assertEquals("Europe/Paris", spec.path("timeZone").asText());
        assertEquals(60, spec.path("startingDeadlineSeconds").asInt());
        assertEquals("Allow", spec.path("concurrencyPolicy").asText());
        assertFalse(spec.path("suspend").asBoolean(true));
        assertEquals(3, spec.path("successfulJobsHistoryLimit").asInt());
        assertEquals(1, spec.path("failedJobsHistoryLimit").asInt());
        JsonNode jobTemplate = spec.path("jobTemplate");
        assertEquals(Map.of("kind", "report"), new ObjectMapper().convertValue(jobTemplate.path("metadata").path("labels"), Map.class));
        assertFalse(jobTemplate.path("metadata").has("creationTimestamp"));
        JsonNode job = jobTemplate.path("spec");
        assertEquals(1, job.path("parallelism").asInt());
        assertEquals(1, job.path("completions").asInt());
        assertEquals(2, job.path("backoffLimit").asInt());
        assertEquals("NonIndexed", job.path("completionMode").asText());
        // no selector and no job-name labels: Kubernetes generates them for each Job
        assertFalse(job.has("selector"), job.toString());
        assertEquals("{\"app\":\"report\"}", job.path("template").path("metadata").path("labels").toString());
        assertEquals("OnFailure", job.path("template").path("spec").path("restartPolicy").asText());
        assertEquals("busybox:1.36", job.path("template").path("spec").path("containers").get(0).path("image").asText());
        JsonNode status = o.path("status");
        assertEquals("{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"name\":\"report-29400000\",\"namespace\":\"default\",\"uid\":\"uid-j\"}",
                status.path("active").get(0).toString());
        assertEquals("2026-11-22T05:01:00Z", status.path("lastScheduleTime").asText());
        assertEquals("2026-11-22T05:00:30Z", status.path("lastSuccessfulTime").asText());
    }

    @Test
    void shouldOmitWhatIsUnsetOrHasNotHappened() {
        ObjectNode o = KubeObjects.cronJob(cronJob("schedule: \"@daily\"", status(List.of(), 0, 0)));
        assertFalse(o.path("spec").has("timeZone"));
        assertFalse(o.path("spec").has("startingDeadlineSeconds"));
        assertEquals("{}", o.path("status").toString());
        // no status at all yet (the controller has not reported): an empty status
        WorkloadView fresh = WorkloadView.newBuilder(cronJob("schedule: \"@daily\"", null)).build();
        assertEquals("{}", KubeObjects.cronJob(fresh).path("status").toString());
    }

    @Test
    void shouldPrintKubectlsCronJobColumns() {
        ObjectNode active = KubeObjects.cronJob(cronJob("schedule: \"*/5 * * * *\"\ntimeZone: Europe/Paris",
                status(List.of("report-1", "report-2"), T0 + 60_000, 0)));
        assertEquals(List.of("NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"),
                JsonTables.header("cronjobs", true, false, false));
        assertEquals(List.of("report", "*/5 * * * *", "Europe/Paris", "False", "2", "2m20s", "3m20s"),
                JsonTables.row("cronjobs", true, active, false, false, NOW));
        ObjectNode idle = KubeObjects.cronJob(cronJob("schedule: \"@daily\"\nsuspend: true", status(List.of(), 0, 0)));
        assertEquals(List.of("report", "@daily", "<none>", "True", "0", "<none>", "3m20s", "report", "busybox:1.36", "<none>"),
                JsonTables.row("cronjobs", true, idle, true, false, NOW));
        assertEquals("""
                NAME     SCHEDULE   TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE
                report   @daily     <none>     True      0        <none>          3m20s
                """, JsonTables.render("cronjobs", true, List.of(idle), false, false, NOW));
        ObjectNode table = ServerTables.table("cronjobs", true, List.of(idle), "5", ServerTables.Include.METADATA, NOW);
        assertEquals(List.of("Name", "Schedule", "Timezone", "Suspend", "Active", "Last schedule", "Age", "Containers", "Images", "Selector"),
                table.path("columnDefinitions").findValuesAsText("name"));
        assertEquals(1, table.path("columnDefinitions").get(7).path("priority").asInt());
    }

    @Test
    void shouldNameTheCronJobAsTheOwnerOfAJobItCreated() {
        Intent i = new ManifestParser().parse("", """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: report-29400000
                  annotations: {berth.io/owner: CronJob/report, batch.kubernetes.io/cronjob-scheduled-timestamp: "2026-11-22T05:00:00Z"}
                spec:
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers: [{name: report, image: busybox:1.36}]
                """).intents().get(0);
        WorkloadView job = WorkloadView.newBuilder().setKey("default/job/report-29400000").setKind(ResourceKind.JOB).setNamespace("default")
                .setName("report-29400000").setUid("uid-j").setLabels(i.getLabels()).setAnnotations(i.getAnnotations()).setGeneration(1)
                .setCreatedAt(T0).setUpdatedAt(T0).setResourceVersion("3").setDeployment((DeploymentSpec) i.getPayload()).setJob(i.getJob())
                .build();
        JsonNode meta = KubeObjects.job(job, key -> key.equals(Topics.resourceKey("default", ResourceKind.CRONJOB, "report")) ? "uid-report" : "")
                .path("metadata");
        assertEquals("{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"name\":\"report\",\"uid\":\"uid-report\",\"controller\":true,"
                + "\"blockOwnerDeletion\":true}", meta.path("ownerReferences").get(0).toString());
        // the annotation stays visible (an apply of get -o yaml carries it back as the same owner)
        assertEquals("CronJob/report", meta.path("annotations").path(Topics.OWNER_ANNOTATION).asText());
        // not known yet: no uid, still the owner
        assertFalse(KubeObjects.job(job).path("metadata").path("ownerReferences").get(0).has("uid"));
        // a Job of no CronJob has no owner
        WorkloadView bare = WorkloadView.newBuilder(job).setAnnotations(Map.of()).build();
        assertFalse(KubeObjects.job(bare).path("metadata").has("ownerReferences"));
    }
}
