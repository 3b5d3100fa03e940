package io.berth.state.core;

import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The job controller's arithmetic as plain functions: back-off, pods wanted, when time matters. */
class JobsTest {
    private static WorkloadView job(JobSpec spec, JobStatus status) {
        return WorkloadView.newBuilder().setKey("default/job/pi").setKind(ResourceKind.JOB).setNamespace("default").setName("pi")
                .setUid("u1").setTemplateHash("h1").setGeneration(1).setObservedGeneration(1)
                .setDeployment(DeploymentSpec.newBuilder().setReplicas(spec.getParallelism())
                        .setTemplate(PodTemplate.newBuilder().setRestartPolicy("Never").build()).build())
                .setJob(spec).setJobStatus(status).build();
    }

    @Test
    void shouldDoubleTheBackOffFromTenSecondsUpToSixMinutes() {
        assertEquals(0, Jobs.backoffMs(0));
        assertEquals(10_000, Jobs.backoffMs(1));
        assertEquals(20_000, Jobs.backoffMs(2));
        assertEquals(160_000, Jobs.backoffMs(5));
        assertEquals(320_000, Jobs.backoffMs(6));
        assertEquals(360_000, Jobs.backoffMs(7));
        assertEquals(360_000, Jobs.backoffMs(Integer.MAX_VALUE), "no overflow");
    }

    @Test
    void shouldWantParallelismCappedByWhatIsLeftToComplete() {
        JobSpec.Builder b = JobSpec.newBuilder();
        assertEquals(2, Jobs.wanted(b.setCompletions(5).setParallelism(2).build(), 0));
        assertEquals(1, Jobs.wanted(b.setCompletions(5).setParallelism(2).build(), 4));
        assertEquals(0, Jobs.wanted(b.setCompletions(5).setParallelism(2).build(), 5));
        assertEquals(0, Jobs.wanted(b.setCompletions(5).setParallelism(2).build(), 7), "never negative");
        assertEquals(3, Jobs.wanted(b.setCompletions(null).setParallelism(3).build(), 0), "work queue: parallelism until a success");
        assertEquals(0, Jobs.wanted(b.setCompletions(null).setParallelism(3).build(), 1));
        assertEquals(0, Jobs.wanted(b.setCompletions(4).setParallelism(0).build(), 0), "parallelism 0 pauses");
    }

    @Test
    void shouldLookAtAJobOnTicksOnlyWhenTimeCanMoveIt() {
        JobSpec plain = JobSpec.newBuilder().setCompletions(2).build();
        JobStatus running = JobStatus.newBuilder().setActive(1).setStartTime(1).build();
        assertFalse(Jobs.timeCanMove(job(plain, running)), "a running job without deadline waits for its pods' news");
        assertTrue(Jobs.timeCanMove(job(JobSpec.newBuilder(plain).setActiveDeadlineSeconds(60L).build(), running)), "a deadline to watch");
        assertTrue(Jobs.timeCanMove(job(plain, JobStatus.newBuilder(running).setActive(0).setFailed(1).build())), "a back-off to wait out");
        JobStatus done = JobStatus.newBuilder().setSucceeded(2).setCompletionTime(5).setFinishedTime(5).build();
        assertFalse(Jobs.timeCanMove(job(plain, done)));
        assertTrue(Jobs.timeCanMove(job(JobSpec.newBuilder(plain).setTtlSecondsAfterFinished(0).build(), done)), "a time to live to run out");
        assertFalse(Jobs.timeCanMove(job(JobSpec.newBuilder(plain).setSuspend(true).setActiveDeadlineSeconds(5L).build(), JobStatus.newBuilder().build())),
                "a suspended job's clock does not run");
    }

    @Test
    void shouldBeLevelTriggeredAStepOnItsOwnOutcomeAsksNothingMore() {
        WorkloadView v = job(JobSpec.newBuilder().setCompletions(3).setParallelism(2).build(), JobStatus.newBuilder().build());
        Jobs.Step first = Jobs.reconcile(v, List.of(), Set.of("n1"), 1_000);
        assertEquals(2, first.steps().create().size());
        WorkloadView after = WorkloadView.newBuilder(v).setNextTaskSeq(first.steps().nextTaskSeq()).setJobStatus(first.status())
                .setConditions(first.conditions()).build();
        List<TaskActual> tasks = first.steps().create().stream()
                .map(n -> new TaskActual(n.taskId(), TaskPhase.PENDING, "", false, n.seq(), "h1", false)).toList();
        Jobs.Step again = Jobs.reconcile(after, tasks, Set.of("n1"), 2_000);
        assertTrue(again.steps().isEmpty(), again.steps().toString());
        assertEquals(first.status().getStartTime(), again.status().getStartTime(), "started once");
        assertTrue(again.transition().isEmpty());
    }
}
