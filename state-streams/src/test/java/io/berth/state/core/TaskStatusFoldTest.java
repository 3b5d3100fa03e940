package io.berth.state.core;

import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What {@link TaskStateMachine} copies from a node's status: containers, pod IP, ports, readiness time. */
class TaskStatusFoldTest {
    private static TaskView scheduled() {
        return TaskView.newBuilder().setTaskId("t").setPhase(TaskPhase.SCHEDULED).setNodeId("n1")
                .setTemplate(PodTemplate.newBuilder().setRestartPolicy("Always").build()).build();
    }

    private static TaskStatus.Builder st(TaskState s) {
        return TaskStatus.newBuilder().setTaskId("t").setNodeId("n1").setState(s);
    }

    private static TaskView fold(TaskView v, TaskStatus s, long at) {
        return TaskStateMachine.apply(v, s, at).orElseThrow();
    }

    @Test
    void shouldTakeContainersPodIpAndPortsFromTheNodeAndKeepThemWhenAStatusHasNone() {
        ContainerStatus c = ContainerStatus.newBuilder().setName("main").setReady(true).setStarted(true).setState("running")
                .setRestartCount(1).setImage("web:1").build();
        PublishedPort p = new PublishedPort("http", 80, 31234, "TCP");
        TaskView v = fold(scheduled(), st(TaskState.READY).setContainers(List.of(c)).setPodIP("172.17.0.5")
                .setPublishedPorts(List.of(p)).build(), 10);
        assertEquals(List.of(c), v.getContainerStatuses());
        assertEquals("172.17.0.5", v.getPodIP());
        assertEquals(List.of(p), v.getPublishedPorts());

        TaskView later = fold(v, st(TaskState.UNREADY).build(), 20);
        assertEquals(List.of(c), later.getContainerStatuses(), "an empty list keeps the last snapshot");
        assertEquals("172.17.0.5", later.getPodIP());
        assertEquals(List.of(p), later.getPublishedPorts());

        ContainerStatus waiting = ContainerStatus.newBuilder(c).setReady(false).setState("waiting").setReason("CrashLoopBackOff").build();
        assertEquals(List.of(waiting), fold(later, st(TaskState.EXITED).setExitCode(1).setContainers(List.of(waiting)).build(), 30)
                .getContainerStatuses(), "a non-empty list replaces it");
    }

    @Test
    void shouldStampReadyAtWhenTheTaskTurnsReadyAndClearItWhenItTurnsUnready() {
        TaskView running = fold(scheduled(), st(TaskState.RUNNING).build(), 10);
        assertEquals(0, running.getReadyAt());
        TaskView ready = fold(running, st(TaskState.READY).build(), 20);
        assertEquals(20, ready.getReadyAt());
        assertEquals(20, fold(ready, st(TaskState.READY).build(), 30).getReadyAt(), "still ready: the time it turned ready stays");

        TaskView unready = fold(ready, st(TaskState.UNREADY).setReason("ReadinessProbeFailed").build(), 40);
        assertEquals(TaskPhase.RUNNING, unready.getPhase(), "UNREADY keeps the task running");
        assertFalse(unready.getReady());
        assertEquals(0, unready.getReadyAt());
        assertEquals("ReadinessProbeFailed", unready.getReason());
        assertEquals(50, fold(unready, st(TaskState.READY).build(), 50).getReadyAt());

        TaskView crashed = fold(ready, st(TaskState.EXITED).setExitCode(1).build(), 60);
        assertEquals(0, crashed.getReadyAt());
        assertEquals(50L + 0, TaskViews.actual(TaskView.newBuilder(fold(unready, st(TaskState.READY).build(), 50))
                .setRestartCount(4).build()).readyAt());
        assertEquals(4, TaskViews.actual(TaskView.newBuilder(ready).setRestartCount(4).build()).restartCount());
    }

    @Test
    void shouldTurnAnUnreadyScheduledTaskRunning() {
        TaskView v = fold(scheduled(), st(TaskState.UNREADY).build(), 10);
        assertEquals(TaskPhase.RUNNING, v.getPhase());
        assertEquals(10, v.getStartedAt());
        assertFalse(v.getReady());
    }

    @Test
    void shouldShowInitContainersProgressAsKubectlDoesAndContainerCreatedOtherwise() {
        TaskView init = fold(scheduled(), st(TaskState.CREATED).setReason("Init:0/1").build(), 10);
        assertEquals(TaskPhase.SCHEDULED, init.getPhase());
        assertEquals("Init:0/1", init.getReason());
        assertEquals("ContainerCreated", fold(scheduled(), st(TaskState.CREATED).build(), 10).getReason());
        assertEquals("Init:Error", fold(init, st(TaskState.FAILED).setReason("Init:Error").build(), 20).getReason());
    }

    @Test
    void shouldCopyTheSchedulersVerdictOnUnschedulableAndThenOnAssigned() {
        TaskView pending = TaskView.newBuilder(scheduled()).setPhase(TaskPhase.PENDING).setNodeId("").build();
        PlacementVerdict none = PlacementVerdict.newBuilder().setTotal(1).setRejected(java.util.Map.of("n1", "Insufficient memory"))
                .setMessage("none of 1 feasible; n1: Insufficient memory").build();
        TaskView waiting = fold(pending, TaskStatus.newBuilder().setTaskId("t").setState(TaskState.UNSCHEDULABLE)
                .setMessage("0/1 nodes are available: 1 Insufficient memory.").setPlacement(none).build(), 10);
        assertEquals(none, waiting.getPlacement());

        PlacementVerdict here = PlacementVerdict.newBuilder().setNodeId("n2").setFeasible(1).setTotal(2)
                .setMessage("n2 of 2 feasible — spread 1.00, leastAllocated 0.71; n1: Insufficient memory").build();
        TaskView placed = fold(waiting, st(TaskState.ASSIGNED).setNodeId("n2").setPlacement(here).build(), 20);
        assertEquals(TaskPhase.SCHEDULED, placed.getPhase());
        assertEquals(here, placed.getPlacement());
        assertEquals(here, fold(placed, st(TaskState.RUNNING).build(), 30).getPlacement(), "a node's status keeps the verdict");
    }
}
