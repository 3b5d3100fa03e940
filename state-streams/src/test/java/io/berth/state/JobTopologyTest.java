package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** batch/v1 Jobs through the whole topology: pods until completions succeeded, failures, deadline, time to live, delete. */
class JobTopologyTest extends HarnessTest {
    private static final String PI = Topics.resourceKey("default", ResourceKind.JOB, "pi");

    static Intent job(String name, Consumer<JobSpec.Builder> spec) {
        return job(name, "Never", spec);
    }

    static Intent job(String name, String restartPolicy, Consumer<JobSpec.Builder> spec) {
        PodTemplate t = PodTemplate.newBuilder(template("berth/busybox:latest")).setRestartPolicy(restartPolicy)
                .setLabels(Map.of("job-name", name)).build();
        JobSpec.Builder j = JobSpec.newBuilder();
        spec.accept(j);
        JobSpec js = j.build();
        Intent i = intent(IntentAction.APPLY, ResourceKind.JOB, name,
                DeploymentSpec.newBuilder().setReplicas(js.getParallelism()).setTemplate(t).setSelector(Map.of("job-name", name)).build());
        i.setJob(js);
        return i;
    }

    private List<String> placements() {
        return h.all(Topics.PLACEMENT_REQUESTS).stream().map(kv -> kv.value.getTaskId()).toList();
    }

    private WorkloadView view() {
        return h.live(Topics.WORKLOADS).get(PI);
    }

    private JobStatus jobStatus() {
        return view().getJobStatus();
    }

    private List<ClusterEvent> events(String reason) {
        return h.all(Topics.EVENTS).stream().map(kv -> kv.value).filter(e -> e.getReason().equals(reason)).toList();
    }

    private void run(String taskId) {
        h.status(status(PI, taskId, "n1", TaskState.ASSIGNED));
        h.status(status(PI, taskId, "n1", TaskState.RUNNING));
    }

    private void exit(String taskId, int code) {
        h.status(TaskStatus.newBuilder(status(PI, taskId, "n1", TaskState.EXITED)).setExitCode(code).setContainerId("c-" + taskId).build());
    }

    private TaskView task(String taskId) {
        return h.live(Topics.TASKS).values().stream().filter(t -> t.getTaskId().equals(taskId)).findFirst().orElse(null);
    }

    private String condition(String type) {
        return view().getConditions().stream().filter(c -> c.getType().equals(type)).map(c -> c.getStatus() + " " + c.getReason())
                .findFirst().orElse("none");
    }

    @Test
    void shouldRunParallelismPodsAtATimeUntilCompletionsSucceededThenComplete() {
        h.node(register("n1"));
        h.intent(PI, job("pi", j -> j.setCompletions(3).setParallelism(2)));
        assertEquals(2, placements().size(), "parallelism 2: two pods at once");
        assertEquals(2, jobStatus().getActive());
        assertTrue(jobStatus().getStartTime() > 0, "started");
        assertEquals(2, events("SuccessfulCreate").size());
        assertEquals("Created pod: " + placements().get(0), events("SuccessfulCreate").get(0).getMessage());
        assertEquals("job-controller", events("SuccessfulCreate").get(0).getSource());
        assertEquals("Job", events("SuccessfulCreate").get(0).getInvolvedKind());

        String a = placements().get(0), b = placements().get(1);
        run(a);
        run(b);
        exit(a, 0);
        assertEquals(TaskPhase.SUCCEEDED, task(a).getPhase(), "the succeeded pod stays listed");
        assertEquals(3, placements().size(), "one more: completions 3 − 1 succeeded leaves 2 to run, 1 runs");
        assertEquals(1, jobStatus().getSucceeded());
        assertEquals(2, jobStatus().getActive());
        String c = placements().get(2);
        run(c);
        exit(b, 0);
        assertEquals(3, placements().size(), "2 succeeded, 1 running: nothing more to start");
        assertEquals(1, jobStatus().getActive());
        assertEquals("none", condition("Complete"));
        exit(c, 0);
        assertEquals(3, jobStatus().getSucceeded());
        assertEquals(0, jobStatus().getActive());
        assertEquals("True CompletionsReached", condition("Complete"));
        assertTrue(jobStatus().getCompletionTime() > 0);
        assertEquals(1, events("Completed").size());
        assertEquals("Job completed", events("Completed").get(0).getMessage());
        h.tick();
        h.advanceMs(60_000);
        h.tick();
        assertEquals(3, placements().size(), "a complete job starts nothing more");
        assertEquals(3, h.liveTasks(PI).size(), "its pods stay listed as Completed");
    }

    @Test
    void shouldReleaseTheNodeOfAPodThatEndedAndKeepShowingIt() {
        h.node(register("n1"));
        h.intent(PI, job("pi", j -> j.setCompletions(2).setParallelism(2)));
        String a = placements().get(0), b = placements().get(1);
        run(a);
        run(b);
        exit(a, 0);
        exit(b, 7);
        for (String id : List.of(a, b)) {
            assertTrue(h.all(Topics.ASSIGNMENTS).stream().anyMatch(kv -> kv.key.equals(Topics.assignmentKey("n1", id)) && kv.value == null),
                    id + ": its assignment is revoked (the scheduler's ledger frees its capacity)");
        }
        assertEquals(TaskPhase.SUCCEEDED, task(a).getPhase(), "the pod still shows, Completed");
        assertEquals(TaskPhase.FAILED, task(b).getPhase());
        int revoked = h.all(Topics.ASSIGNMENTS).size();
        TaskView ended = task(a);
        h.status(TaskStatus.newBuilder(status(PI, a, "n1", TaskState.REMOVED)).setReason("Revoked")
                .setContainers(List.of(ContainerStatus.newBuilder().setName("main").setState("terminated").setReason("Revoked").build())).build());
        assertEquals(ended, task(a), "how it ended stays, not the node's Revoked");
        assertEquals(TaskPhase.SUCCEEDED, task(a).getPhase(), "the node removing the exited container changes nothing");
        assertEquals(revoked, h.all(Topics.ASSIGNMENTS).size(), "revoked once");
    }

    @Test
    void shouldShowAPodThatEndedWithItsContainersTerminatedWhateverSnapshotCameWithItsEnd() {
        h.node(register("n1"));
        h.intent(PI, job("pi", j -> j.setCompletions(1)));
        String a = placements().get(0);
        run(a);
        ContainerStatus stillRunning = ContainerStatus.newBuilder().setName("main").setState("running").setReady(true).setStarted(true).build();
        h.status(TaskStatus.newBuilder(status(PI, a, "n1", TaskState.EXITED)).setExitCode(0).setContainerId("c-" + a)
                .setContainers(List.of(stillRunning)).build());
        assertEquals(TaskPhase.SUCCEEDED, task(a).getPhase());
        ContainerStatus shown = task(a).getContainerStatuses().get(0);
        assertEquals("terminated", shown.getState(), "kubectl would print 1/1 Running otherwise");
        assertFalse(shown.getReady());
        assertEquals("Completed", shown.getReason());
        h.status(TaskStatus.newBuilder(status(PI, a, "n1", TaskState.READY)).setContainers(List.of(stillRunning)).build());
        assertEquals("terminated", task(a).getContainerStatuses().get(0).getState(), "a late snapshot changes nothing");
    }

    @Test
    void shouldReleaseTheNodeOfABarePodThatRanToCompletion() {
        h.node(register("n1"));
        String key = Topics.resourceKey("default", ResourceKind.POD, "once");
        Intent pod = intent(IntentAction.APPLY, ResourceKind.POD, "once",
                new PodSpec(PodTemplate.newBuilder(template("berth/busybox:latest")).setRestartPolicy("Never").build()));
        h.intent(key, pod);
        String id = placements().get(0);
        h.status(status(key, id, "n1", TaskState.ASSIGNED));
        h.status(status(key, id, "n1", TaskState.RUNNING));
        h.status(TaskStatus.newBuilder(status(key, id, "n1", TaskState.EXITED)).setExitCode(0).setContainerId("c-" + id).build());
        assertEquals(TaskPhase.SUCCEEDED, task(id).getPhase());
        assertTrue(h.latest(Topics.ASSIGNMENTS).containsKey(Topics.assignmentKey("n1", id)), "its assignment is revoked");
        assertNull(h.latest(Topics.ASSIGNMENTS).get(Topics.assignmentKey("n1", id)));
    }

    @Test
    void shouldKeepRetryingABarePodWhoseContainerCouldNotBeCreated() {
        h.node(register("n1"));
        String key = Topics.resourceKey("default", ResourceKind.POD, "p3");
        h.intent(key, intent(IntentAction.APPLY, ResourceKind.POD, "p3", new PodSpec(template("berth/busybox:latest"))));
        String id = placements().get(0);
        h.status(status(key, id, "n1", TaskState.ASSIGNED));
        ContainerStatus waiting = ContainerStatus.newBuilder().setName("main").setState("waiting").setReason("CreateContainerConfigError")
                .setMessage("couldn't get secret default/db: first try").build();
        h.status(TaskStatus.newBuilder(status(key, id, "n1", TaskState.FAILED)).setReason("CreateContainerConfigError")
                .setContainers(List.of(waiting)).build());
        assertFalse(h.latest(Topics.ASSIGNMENTS).containsKey(Topics.assignmentKey("n1", id)), "its node keeps it and retries, as kubelet");
        assertEquals("waiting", task(id).getContainerStatuses().get(0).getState());
        h.status(TaskStatus.newBuilder(status(key, id, "n1", TaskState.FAILED)).setReason("CreateContainerConfigError")
                .setContainers(List.of(ContainerStatus.newBuilder(waiting).setMessage("couldn't get secret default/db: second try").build())).build());
        assertEquals("couldn't get secret default/db: second try", task(id).getContainerStatuses().get(0).getMessage(), "each try's details show");
    }

    @Test
    void shouldFailWhenFailuresPassTheBackoffLimitWaitingTheBackOffBetweenPods() {
        h.node(register("n1"));
        h.intent(PI, job("pi", j -> j.setCompletions(1).setBackoffLimit(1)));
        String a = placements().get(0);
        run(a);
        exit(a, 3);
        assertEquals(TaskPhase.FAILED, task(a).getPhase());
        assertEquals(1, jobStatus().getFailed());
        assertEquals(1, placements().size(), "the back-off (10 s after the first failure) holds the next pod");
        h.advanceMs(5_000);
        h.tick();
        assertEquals(1, placements().size(), "still backing off after 5 s");
        h.advanceMs(5_000);
        h.tick();
        assertEquals(2, placements().size(), "a new pod after 10 s");
        String b = placements().get(1);
        run(b);
        exit(b, 1);
        assertEquals(2, jobStatus().getFailed());
        assertEquals("True BackoffLimitExceeded", condition("Failed"));
        assertEquals("Job has reached the specified backoff limit", events("BackoffLimitExceeded").get(0).getMessage());
        assertEquals("Warning", events("BackoffLimitExceeded").get(0).getType());
        h.advanceMs(60_000);
        h.tick();
        assertEquals(2, placements().size(), "a failed job starts nothing more");
    }

    @Test
    void shouldCountRestartsInPlaceAgainstTheBackoffLimitUnderOnFailure() {
        h.node(register("n1"));
        h.intent(PI, job("pi", "OnFailure", j -> j.setCompletions(1).setBackoffLimit(2)));
        String a = placements().get(0);
        run(a);
        h.status(TaskStatus.newBuilder(status(PI, a, "n1", TaskState.RUNNING)).setRestartCount(1).build());
        assertEquals("none", condition("Failed"), "one restart of two allowed");
        h.status(TaskStatus.newBuilder(status(PI, a, "n1", TaskState.RUNNING)).setRestartCount(2).build());
        assertEquals("True BackoffLimitExceeded", condition("Failed"));
        assertEquals(TaskPhase.TERMINATING, task(a).getPhase(), "its pod is stopped");
        assertEquals(1, jobStatus().getFailed(), "and counted failed");
        assertEquals(1, placements().size(), "restarts are not new pods");
    }

    @Test
    void shouldFailAndStopItsPodsWhenTheActiveDeadlinePasses() {
        h.node(register("n1"));
        h.intent(PI, job("pi", j -> j.setCompletions(1).setActiveDeadlineSeconds(5L)));
        String a = placements().get(0);
        run(a);
        h.advanceMs(4_000);
        h.tick();
        assertEquals("none", condition("Failed"));
        h.advanceMs(1_000);
        h.tick();
        assertEquals("True DeadlineExceeded", condition("Failed"));
        assertEquals(TaskPhase.TERMINATING, task(a).getPhase(), "its running pod is stopped");
        assertEquals(0, jobStatus().getActive());
        assertTrue(h.latest(Topics.ASSIGNMENTS).containsKey(Topics.assignmentKey("n1", a)) && h.latest(Topics.ASSIGNMENTS).get(Topics.assignmentKey("n1", a)) == null,
                "the assignment is revoked");
    }

    @Test
    void shouldDeleteItselfAndItsPodsTtlSecondsAfterItFinished() {
        h.node(register("n1"));
        h.intent(PI, job("pi", j -> j.setCompletions(1).setTtlSecondsAfterFinished(30)));
        String a = placements().get(0);
        run(a);
        exit(a, 0);
        assertEquals("True CompletionsReached", condition("Complete"));
        h.advanceMs(29_000);
        h.tick();
        assertNotNull(view(), "not yet");
        h.advanceMs(1_000);
        h.tick();
        assertNull(view(), "the job is gone 30 s after it completed");
        assertEquals(List.of(), h.liveTasks(PI), "with its pods");
    }

    @Test
    void shouldStopEverythingOnDeleteAndDisappear() {
        h.node(register("n1"));
        h.intent(PI, job("pi", j -> j.setCompletions(2).setParallelism(2)));
        String a = placements().get(0), b = placements().get(1);
        run(a);
        run(b);
        exit(a, 0);
        h.intent(PI, delete(ResourceKind.JOB, "pi"));
        assertEquals(TaskPhase.TERMINATING, task(b).getPhase());
        assertNull(task(a), "the completed pod is removed at once");
        h.status(status(PI, b, "n1", TaskState.REMOVED));
        assertNull(view(), "gone once its running pod reported REMOVED");
    }

    @Test
    void shouldKeepCountingAPodAUserDeletedAndReplaceADeletedRunningOne() {
        h.node(register("n1"));
        h.intent(PI, job("pi", j -> j.setCompletions(2)));
        String a = placements().get(0);
        run(a);
        exit(a, 0);
        String b = placements().get(1);
        run(b);
        Intent del = delete(ResourceKind.POD, a);
        del.setAnnotations(Map.of(Topics.POD_OWNER_KIND_ANNOTATION, "Job"));
        h.intent(Topics.resourceKey("default", ResourceKind.POD, a), del);
        h.tick();
        assertNull(task(a), "the succeeded pod is gone");
        assertEquals(1, jobStatus().getSucceeded(), "and still counted");
        Intent delRunning = delete(ResourceKind.POD, b);
        delRunning.setAnnotations(Map.of(Topics.POD_OWNER_KIND_ANNOTATION, "Job"));
        h.intent(Topics.resourceKey("default", ResourceKind.POD, b), delRunning);
        h.tick();
        assertEquals(TaskPhase.TERMINATING, task(b).getPhase());
        assertEquals(3, placements().size(), "a deleted running pod is replaced");
        assertEquals(0, jobStatus().getFailed(), "a deleted pod is not a failure");
    }

    @Test
    void shouldRunNothingWhileSuspendedAndStartOnResume() {
        h.node(register("n1"));
        h.intent(PI, job("pi", j -> j.setCompletions(1).setSuspend(true)));
        assertEquals(0, placements().size());
        assertEquals("True JobSuspended", condition("Suspended"));
        assertEquals(0, jobStatus().getStartTime());
        h.intent(PI, job("pi", j -> j.setCompletions(1).setSuspend(false)));
        assertEquals(1, placements().size());
        assertEquals("False JobResumed", condition("Suspended"));
        assertEquals(1, events("Resumed").size());
        assertTrue(jobStatus().getStartTime() > 0);
    }

    @Test
    void shouldCompleteAWorkQueueJobOnTheFirstSuccessOnceNothingRuns() {
        h.node(register("n1"));
        h.intent(PI, job("pi", j -> j.setCompletions(null).setParallelism(2)));
        String a = placements().get(0), b = placements().get(1);
        run(a);
        run(b);
        exit(a, 0);
        assertEquals(2, placements().size(), "after a success a work queue starts no new pod");
        assertEquals("none", condition("Complete"), "one still works");
        exit(b, 0);
        assertEquals("True CompletionsReached", condition("Complete"));
        assertEquals(2, jobStatus().getSucceeded());
    }

    @Test
    void shouldKeepTheTemplateAndCompletionsOfALiveJobAndTakeANewParallelism() {
        h.node(register("n1"));
        h.intent(PI, job("pi", j -> j.setCompletions(4).setParallelism(1)));
        String hash = view().getTemplateHash();
        Intent changed = job("pi", j -> j.setCompletions(9).setParallelism(3));
        ((DeploymentSpec) changed.getPayload()).getTemplate().setRestartPolicy("OnFailure");
        h.intent(PI, changed);
        assertEquals(hash, view().getTemplateHash(), "the template of a live job does not change");
        assertEquals(4, view().getJob().getCompletions(), "nor its completions");
        assertEquals(3, view().getJob().getParallelism());
        assertEquals(3, placements().size(), "the new parallelism runs 3 at once");
    }

    @Test
    void shouldDeadLetterAJobWhosePodsRestartAlwaysAndKeepRunning() {
        h.node(register("n1"));
        h.intent(PI, job("pi", "Always", j -> j.setCompletions(1)));
        assertNull(view());
        DeadLetter dl = h.all(Topics.DEAD_LETTERS).get(0).value;
        assertTrue(dl.getReason().contains("restartPolicy: Unsupported value: \"Always\""), dl.getReason());
        Intent noJob = job("pi", j -> j.setCompletions(1));
        noJob.setJob(null);
        h.intent(PI, noJob);
        assertNull(view());
        assertEquals(2, h.all(Topics.DEAD_LETTERS).size());
        Intent huge = job("pi", j -> j.setCompletions(2_000_000_000));
        h.intent(PI, huge);
        assertNull(view());
        assertTrue(h.all(Topics.DEAD_LETTERS).get(2).value.getReason().contains("spec.completions"), h.all(Topics.DEAD_LETTERS).get(2).value.getReason());
        h.intent(PI, job("pi", j -> j.setCompletions(1)));
        assertNotNull(view(), "the stream goes on");
        assertEquals(1, placements().size());
    }

    @Test
    void shouldCountAPodLostWithItsNodeAsFailedAndReplaceIt() {
        h.node(register("n1"));
        h.node(register("n2"));
        h.intent(PI, job("pi", j -> j.setCompletions(1).setBackoffLimit(3)));
        String a = placements().get(0);
        run(a);
        // n1 stops heartbeating; n2 keeps on
        for (int s = 0; s < 8; s++) {
            h.advanceMs(500);
            h.node(heartbeat("n2"));
        }
        h.tick();
        assertEquals(1, jobStatus().getFailed(), "lost with its node");
        assertNull(task(a));
        h.advanceMs(10_000);
        h.node(heartbeat("n2"));
        h.tick();
        assertEquals(2, placements().size(), "replaced after the back-off");
    }
}
