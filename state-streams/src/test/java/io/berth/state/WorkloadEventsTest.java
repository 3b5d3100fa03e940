package io.berth.state;

import io.berth.schemas.ProbeMessages;
import io.berth.schemas.TaskReason;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The events chosen for a status, by typed reason and the shared probe wording, without a topology. */
class WorkloadEventsTest {
    private static TaskView task(TaskPhase phase, String reason) {
        return TaskView.newBuilder().setTaskId("web-abc-12345").setPodName("web-abc-12345").setWorkloadKey("default/deployment/web")
                .setNamespace("default").setNodeId("n1").setPhase(phase).setReason(reason)
                .setTemplate(Fixtures.template("berth/busybox:latest")).build();
    }

    private static List<String> reasons(List<ClusterEvent> events) {
        return events.stream().map(ClusterEvent::getReason).toList();
    }

    private static TaskStatus status(TaskState state, String reason, String message) {
        return TaskStatus.newBuilder(Fixtures.status("default/deployment/web", "web-abc-12345", "n1", state))
                .setReason(reason).setMessage(message).build();
    }

    @Test
    void shouldBackOffOnceWhenTheNodeReportsACrashLoop() {
        TaskView running = task(TaskPhase.RUNNING, "");
        TaskView crashing = task(TaskPhase.RUNNING, TaskReason.CRASH_LOOP_BACK_OFF.text());
        TaskStatus s = status(TaskState.EXITED, TaskReason.CRASH_LOOP_BACK_OFF.text(), "back-off 10s restarting failed container");
        assertEquals(List.of("BackOff"), reasons(WorkloadEvents.forStatus(running, crashing, s)));
        assertEquals(List.of(), reasons(WorkloadEvents.forStatus(crashing, crashing, s)), "still crash-looping: no second BackOff");
    }

    @Test
    void shouldReportProbeFailuresAndKillsInTheKubeletsWords() {
        TaskView running = task(TaskPhase.RUNNING, "");
        String unready = ProbeMessages.failed("Readiness", "HTTP probe failed with statuscode: 404");
        assertEquals(List.of("Unhealthy"), reasons(WorkloadEvents.forStatus(running, running,
                status(TaskState.UNREADY, TaskReason.CONTAINERS_NOT_READY.text(), unready))));
        assertEquals(List.of(), reasons(WorkloadEvents.forStatus(running, running,
                status(TaskState.UNREADY, TaskReason.CONTAINERS_NOT_READY.text(), ""))), "not ready without a probe failure");
        assertEquals(List.of("Killing"), reasons(WorkloadEvents.forStatus(running, running,
                status(TaskState.EXITED, TaskReason.ERROR.text(), ProbeMessages.killed("main", "liveness")))));
    }

    @Test
    void shouldCountARunningAfterAnExitAsARestartButNotAfterUnready() {
        TaskStatus run = status(TaskState.RUNNING, "", "");
        assertEquals(List.of("Created", "Started"), reasons(WorkloadEvents.forStatus(task(TaskPhase.RUNNING, "Error"), task(TaskPhase.RUNNING, ""), run)));
        assertEquals(List.of(), reasons(WorkloadEvents.forStatus(task(TaskPhase.RUNNING, "ContainersNotReady"), task(TaskPhase.RUNNING, ""), run)));
        assertEquals(List.of(), reasons(WorkloadEvents.forStatus(task(TaskPhase.TERMINATING, ""), task(TaskPhase.TERMINATING, ""), run)));
    }
}
