package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.state.core.CronJobs;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * batch/v1 CronJobs through the whole topology: a Job per schedule time (from the ticks' time, as intents on
 * berth.intents that the same topology then runs), its progress reported back, concurrency policies, the
 * history limits, suspend, delete.
 */
class CronJobTopologyTest extends HarnessTest {
    private static final String CRON = Topics.resourceKey("default", ResourceKind.CRONJOB, "tick");
    private static final long MINUTE = 60_000;

    static Intent cronJob(String schedule, Consumer<CronJobSpec.Builder> spec) {
        return cronJob(schedule, "OnFailure", spec);
    }

    static Intent cronJob(String schedule, String restartPolicy, Consumer<CronJobSpec.Builder> spec) {
        PodTemplate t = PodTemplate.newBuilder(template("berth/busybox:latest")).setRestartPolicy(restartPolicy).setLabels(Map.of()).build();
        CronJobSpec.Builder c = CronJobSpec.newBuilder().setSchedule(schedule).setJob(JobSpec.newBuilder().setCompletions(1).build())
                .setJobLabels(Map.of("team", "ops"));
        spec.accept(c);
        Intent i = intent(IntentAction.APPLY, ResourceKind.CRONJOB, "tick", DeploymentSpec.newBuilder().setReplicas(1).setTemplate(t).build());
        i.setCronJob(c.build());
        return i;
    }

    private WorkloadView cron() {
        return h.live(Topics.WORKLOADS).get(CRON);
    }

    private CronJobStatus cronStatus() {
        return cron().getCronJobStatus();
    }

    /** Job views that exist now, by name. */
    private List<WorkloadView> jobs() {
        return h.live(Topics.WORKLOADS).values().stream().filter(v -> v.getKind() == ResourceKind.JOB && !v.getDeleted()).toList();
    }

    private List<ClusterEvent> events(String reason) {
        return h.all(Topics.EVENTS).stream().map(kv -> kv.value).filter(e -> e.getReason().equals(reason) && e.getInvolvedKind().equals("CronJob")).toList();
    }

    /** To {@code ms} after T0 in tick-sized steps, with n1 heartbeating. */
    private void until(long ms) {
        while (h.now().toEpochMilli() - Harness.T0.toEpochMilli() < ms) {
            h.advanceMs(Math.min(1_000, ms - (h.now().toEpochMilli() - Harness.T0.toEpochMilli())));
            h.node(heartbeat("n1"));
        }
        h.tick();
    }

    private String jobName(long msAfterT0) {
        return CronJobs.jobName("tick", Harness.T0.toEpochMilli() + msAfterT0);
    }

    /** The one pod of job {@code name} runs and exits with {@code code}. */
    private void finish(String name, int code) {
        String key = Topics.resourceKey("default", ResourceKind.JOB, name);
        String task = h.all(Topics.PLACEMENT_REQUESTS).stream().map(kv -> kv.value).filter(p -> p.getWorkloadKey().equals(key))
                .map(PlacementRequest::getTaskId).findFirst().orElseThrow();
        h.status(status(key, task, "n1", TaskState.ASSIGNED));
        h.status(status(key, task, "n1", TaskState.RUNNING));
        h.status(TaskStatus.newBuilder(status(key, task, "n1", TaskState.EXITED)).setExitCode(code).setContainerId("c-" + task).build());
    }

    @Test
    void shouldStartAJobAtEachScheduleTimeAndHearHowItWent() {
        h.node(register("n1"));
        h.intent(CRON, cronJob("* * * * *", c -> {}));
        assertEquals(Harness.T0.toEpochMilli() + MINUTE, cronStatus().getNextScheduleTime());
        assertEquals(List.of(), jobs(), "nothing before the first minute");
        until(MINUTE);
        String first = jobName(MINUTE);
        WorkloadView job = jobs().stream().filter(v -> v.getName().equals(first)).findFirst().orElseThrow(() -> new AssertionError(jobs().toString()));
        assertEquals("CronJob/tick", job.getAnnotations().get(Topics.OWNER_ANNOTATION));
        assertEquals(Instant.ofEpochMilli(Harness.T0.toEpochMilli() + MINUTE).toString(), job.getAnnotations().get(CronJobs.SCHEDULED_TIMESTAMP));
        assertEquals("ops", job.getLabels().get("team"), "the job template's labels");
        assertEquals(first, job.getDeployment().getTemplate().getLabels().get("job-name"));
        assertEquals(List.of(first), cronStatus().getActive());
        assertEquals(Harness.T0.toEpochMilli() + MINUTE, cronStatus().getLastScheduleTime());
        assertEquals("Created job " + first, events("SuccessfulCreate").get(0).getMessage());
        assertTrue(h.all(Topics.AUDIT).stream().anyMatch(kv -> kv.value.getChange().equals("IntentAccepted") && kv.value.getActor().equals("cronjob-controller")),
                "the job was asked for by the cronjob controller, audited like any intent");

        finish(first, 0);
        assertEquals(List.of(), cronStatus().getActive(), "its job completed");
        assertEquals("Complete", cronStatus().getJobs().get(first));
        assertTrue(cronStatus().getLastSuccessfulTime() > 0);
        until(2 * MINUTE);
        assertEquals(2, jobs().size(), "the next minute, the next job");
    }

    @Test
    void shouldSkipARunWhileOneIsActiveUnderForbidAndReplaceItUnderReplace() {
        h.node(register("n1"));
        h.intent(CRON, cronJob("* * * * *", c -> c.setConcurrencyPolicy("Forbid")));
        until(MINUTE);
        until(2 * MINUTE);
        assertEquals(1, jobs().size(), "Forbid: the first still runs, the second run is skipped");
        assertEquals(1, events("JobAlreadyActive").size());

        h.intent(CRON, cronJob("* * * * *", c -> c.setConcurrencyPolicy("Replace")));
        until(3 * MINUTE);
        assertEquals(List.of(jobName(3 * MINUTE)), jobs().stream().map(WorkloadView::getName).toList(), "Replace: the old one deleted, the new one runs");
        assertEquals(List.of(jobName(3 * MINUTE)), cronStatus().getActive());
        assertEquals("Deleted job " + jobName(MINUTE), events("SuccessfulDelete").get(0).getMessage());
    }

    @Test
    void shouldKeepOnlyTheHistoryLimitsOfFinishedJobs() {
        h.node(register("n1"));
        h.intent(CRON, cronJob("* * * * *", "Never", c -> c.setSuccessfulJobsHistoryLimit(2).setFailedJobsHistoryLimit(1)
                .setJob(JobSpec.newBuilder().setCompletions(1).setBackoffLimit(0).build())));
        for (int m = 1; m <= 4; m++) {
            until(m * MINUTE);
            finish(jobName(m * MINUTE), m == 2 ? 1 : 0);
        }
        until(5 * MINUTE);
        finish(jobName(5 * MINUTE), 1);
        List<String> left = jobs().stream().map(WorkloadView::getName).sorted().toList();
        assertEquals(List.of(jobName(3 * MINUTE), jobName(4 * MINUTE), jobName(5 * MINUTE)), left,
                "the 2 latest successes and the latest failure; the rest deleted");
        assertEquals(Map.of(jobName(3 * MINUTE), "Complete", jobName(4 * MINUTE), "Complete", jobName(5 * MINUTE), "Failed"), cronStatus().getJobs());
    }

    @Test
    void shouldCountAJobStartedByHandInItsHistoryByWhenItFinished() {
        h.node(register("n1"));
        h.intent(CRON, cronJob("* * * * *", c -> c.setSuccessfulJobsHistoryLimit(1)));
        // kubectl create job tick-manual --from=cronjob/tick: a Job of the template, owned by the CronJob
        Intent manual = JobTopologyTest.job("tick-manual", "OnFailure", j -> j.setCompletions(1));
        manual.setAnnotations(Map.of(Topics.OWNER_ANNOTATION, "CronJob/tick"));
        h.intent(Topics.resourceKey("default", ResourceKind.JOB, "tick-manual"), manual);
        finish("tick-manual", 0);
        assertEquals("Complete", cronStatus().getJobs().get("tick-manual"), "adopted by its owner annotation");
        until(MINUTE);
        finish(jobName(MINUTE), 0);
        assertEquals(List.of(jobName(MINUTE)), jobs().stream().map(WorkloadView::getName).toList(),
                "the job that finished first goes, though its name sorts after the scheduled one's");
    }

    @Test
    void shouldStartNothingWhileSuspendedAndOweOnlyTheLatestRunOnResume() {
        h.node(register("n1"));
        h.intent(CRON, cronJob("* * * * *", c -> c.setSuspend(true)));
        until(3 * MINUTE + 30_000);
        assertEquals(List.of(), jobs());
        h.intent(CRON, cronJob("* * * * *", c -> c.setSuspend(false)));
        assertEquals(List.of(jobName(3 * MINUTE)), jobs().stream().map(WorkloadView::getName).toList(), "only the latest missed run");
    }

    @Test
    void shouldSkipARunMissedByMoreThanTheStartingDeadline() {
        h.node(register("n1"));
        h.intent(CRON, cronJob("* * * * *", c -> c.setSuspend(true).setStartingDeadlineSeconds(10L)));
        until(MINUTE + 30_000);
        h.intent(CRON, cronJob("* * * * *", c -> c.setSuspend(false).setStartingDeadlineSeconds(10L)));
        assertEquals(List.of(), jobs(), "30 s late, the deadline is 10 s");
        assertTrue(events("MissSchedule").get(0).getMessage().startsWith("Missed scheduled time to start a job: "));
        until(2 * MINUTE);
        assertEquals(1, jobs().size(), "the next one runs in time");
    }

    @Test
    void shouldDeleteItsJobsWhenDeleted() {
        h.node(register("n1"));
        h.intent(CRON, cronJob("* * * * *", c -> {}));
        until(MINUTE);
        finish(jobName(MINUTE), 0);
        until(2 * MINUTE);
        assertEquals(2, jobs().size());
        h.intent(CRON, delete(ResourceKind.CRONJOB, "tick"));
        h.tick();
        assertNull(cron());
        String running = jobName(2 * MINUTE);
        assertTrue(jobs().isEmpty() || jobs().stream().allMatch(j -> j.getName().equals(running)), jobs().toString());
        String key = Topics.resourceKey("default", ResourceKind.JOB, running);
        h.all(Topics.TASKS).stream().map(kv -> kv.value).filter(t -> t != null && t.getWorkloadKey().equals(key)).findFirst()
                .ifPresent(t -> h.status(status(key, t.getTaskId(), "n1", TaskState.REMOVED)));
        assertEquals(List.of(), jobs(), "every job of it gone");
    }

    @Test
    void shouldDeadLetterABadScheduleAndKeepRunning() {
        h.intent(CRON, cronJob("61 * * * *", c -> {}));
        assertNull(cron());
        assertTrue(h.all(Topics.DEAD_LETTERS).get(0).value.getReason().contains("spec.schedule: Invalid value: \"61 * * * *\""),
                h.all(Topics.DEAD_LETTERS).get(0).value.getReason());
        h.intent(CRON, cronJob("@hourly", c -> c.setTimeZone("Mars/Olympus")));
        assertTrue(h.all(Topics.DEAD_LETTERS).get(1).value.getReason().contains("spec.timeZone"), h.all(Topics.DEAD_LETTERS).get(1).value.getReason());
        h.intent(CRON, cronJob("@hourly", c -> c.setConcurrencyPolicy("Sometimes")));
        assertTrue(h.all(Topics.DEAD_LETTERS).get(2).value.getReason().contains("spec.concurrencyPolicy: Unsupported value"));
        h.intent(CRON, cronJob("@hourly", c -> {}));
        assertNotNull(cron(), "the stream goes on");
        assertEquals(Harness.T0.toEpochMilli() + 60 * MINUTE, cronStatus().getNextScheduleTime());
    }
}
