package io.berth.state.core;

import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How task and node view changes are named for the audit, most telling change first. */
class AuditChangesTest {
    private static TaskView task(TaskPhase phase, boolean ready, int restarts) {
        return TaskView.newBuilder().setTaskId("t").setPhase(phase).setReady(ready).setRestartCount(restarts)
                .setTemplate(PodTemplate.newBuilder().build()).build();
    }

    @Test
    void shouldNameTaskChangesByWhatMattersMost() {
        TaskView ready = task(TaskPhase.RUNNING, true, 0);
        assertEquals("TaskRestarted", TaskChanges.of(ready, task(TaskPhase.RUNNING, false, 1), TaskState.EXITED));
        assertEquals("TaskPhaseChanged", TaskChanges.of(task(TaskPhase.SCHEDULED, false, 0), ready, TaskState.READY));
        assertEquals("TaskReadinessChanged", TaskChanges.of(ready, task(TaskPhase.RUNNING, false, 0), TaskState.UNREADY));
        assertEquals("TaskUnschedulable", TaskChanges.of(task(TaskPhase.PENDING, false, 0),
                TaskView.newBuilder(task(TaskPhase.PENDING, false, 0)).setMessage("0/1 nodes").build(), TaskState.UNSCHEDULABLE));
        assertEquals("TaskStatusChanged", TaskChanges.of(ready, TaskView.newBuilder(ready).setPodIP("10.0.0.9").build(), TaskState.READY));
    }

    private static NodeView node(boolean ready, boolean cordoned, long heartbeat, Map<String, String> labels) {
        return NodeView.newBuilder().setNodeId("n1").setName("n1").setCapacity(new Resources(1L, 1L)).setReady(ready)
                .setCordoned(cordoned).setLastHeartbeat(heartbeat).setIncarnation("i1").setRegisteredAt(1).setLabels(labels)
                .setConditions(List.of()).setResourceVersion(Long.toString(heartbeat)).build();
    }

    @Test
    void shouldNameNodeChangesAndIgnorePureHeartbeats() {
        NodeView up = node(true, false, 10, Map.of());
        assertEquals(Optional.of("NodeRegistered"), NodeChanges.of(null, up));
        assertEquals(Optional.empty(), NodeChanges.of(up, node(true, false, 20, Map.of())), "only the heartbeat moved");
        assertEquals(Optional.of("NodeNotReady"), NodeChanges.of(up, node(false, false, 10, Map.of())));
        assertEquals(Optional.of("NodeReady"), NodeChanges.of(node(false, false, 10, Map.of()), node(true, false, 30, Map.of())));
        assertEquals(Optional.of("NodeCordoned"), NodeChanges.of(up, node(true, true, 10, Map.of())));
        assertEquals(Optional.of("NodeDrained"), NodeChanges.of(up, node(true, true, 10, Map.of(NodeLiveness.DRAINING_LABEL, "true"))));
        assertEquals(Optional.of("NodeUncordoned"), NodeChanges.of(node(true, true, 10, Map.of()), up));
        assertEquals(Optional.of("NodeRegistered"), NodeChanges.of(up, NodeView.newBuilder(up).setIncarnation("i2").build()));
        assertEquals(Optional.of("NodeUpdated"), NodeChanges.of(up, NodeView.newBuilder(up).setAddress("10.0.0.2").build()));
    }
}
