package io.berth.state.core;

import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

class CoreFunctionsTest {

    static PodTemplate template(Map<String, String> labels, String image) {
        return PodTemplate.newBuilder().setLabels(labels)
                .setContainers(List.of(ContainerSpec.newBuilder().setName("main").setImage(image).build())).build();
    }

    @Test
    void shouldHashEqualTemplatesEquallyWhateverTheirMapOrder() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("app", "web");
        a.put("tier", "front");
        Map<String, String> b = new LinkedHashMap<>();
        b.put("tier", "front");
        b.put("app", "web");
        String h = TemplateHash.of(template(a, "img:1"));
        assertEquals(h, TemplateHash.of(template(b, "img:1")));
        assertNotEquals(h, TemplateHash.of(template(a, "img:2")));
        assertEquals(TemplateHash.LENGTH, h.length());
    }

    @Test
    void shouldNameTasksUniquelyAndRecoverTheOwner() {
        Set<String> ids = new HashSet<>();
        for (long seq = 0; seq < 20_000; seq++) {
            assertTrue(ids.add(TaskNames.taskId("web-app", "bcdfghjklm", "uid-1", seq)), "seq " + seq);
        }
        String id = TaskNames.taskId("web-app", "bcdfghjklm", "uid-1", 7);
        assertTrue(id.matches("web-app-bcdfghjklm-[" + SafeEncoding.ALPHABET + "]{5}"), id);
        assertEquals(Optional.of("web-app"), TaskNames.ownerOf(id));
        assertEquals(Optional.empty(), TaskNames.ownerOf("debug"));
        assertEquals(Optional.empty(), TaskNames.ownerOf("web-1"));
    }

    private static TaskView pending(String restartPolicy) {
        return TaskView.newBuilder().setTaskId("t").setPhase(TaskPhase.PENDING)
                .setTemplate(PodTemplate.newBuilder().setRestartPolicy(restartPolicy).build()).build();
    }

    private static TaskStatus st(TaskState s) {
        return TaskStatus.newBuilder().setTaskId("t").setNodeId("n1").setState(s).build();
    }

    private static TaskView fold(TaskView v, TaskState... states) {
        for (TaskState s : states) v = TaskStateMachine.apply(v, st(s), 5).orElseThrow();
        return v;
    }

    @Test
    void shouldWalkTheTaskPhases() {
        TaskView v = fold(pending("Always"), TaskState.ASSIGNED);
        assertEquals(TaskPhase.SCHEDULED, v.getPhase());
        assertEquals("n1", v.getNodeId());
        v = fold(v, TaskState.CREATED, TaskState.RUNNING, TaskState.READY);
        assertEquals(TaskPhase.RUNNING, v.getPhase());
        assertTrue(v.getReady());
        v = TaskStateMachine.apply(v, TaskStatus.newBuilder(st(TaskState.EXITED)).setExitCode(0).build(), 6).orElseThrow();
        assertEquals(TaskPhase.RUNNING, v.getPhase(), "Always restarts even a clean exit");
        assertEquals("Completed", v.getReason());
        v = fold(v, TaskState.FAILED);
        assertEquals(TaskPhase.FAILED, v.getPhase());
        assertEquals(TaskPhase.FAILED, fold(v, TaskState.RUNNING).getPhase(), "FAILED is final");
    }

    @Test
    void shouldApplyRestartPolicyNeverAndOnFailure() {
        TaskStatus ok = TaskStatus.newBuilder(st(TaskState.EXITED)).setExitCode(0).build();
        TaskStatus bad = TaskStatus.newBuilder(st(TaskState.EXITED)).setExitCode(3).build();
        TaskView never = fold(pending("Never"), TaskState.ASSIGNED, TaskState.RUNNING);
        assertEquals(TaskPhase.SUCCEEDED, TaskStateMachine.apply(never, ok, 1).orElseThrow().getPhase());
        assertEquals(TaskPhase.FAILED, TaskStateMachine.apply(never, bad, 1).orElseThrow().getPhase());
        TaskView onFailure = fold(pending("OnFailure"), TaskState.ASSIGNED, TaskState.RUNNING);
        assertEquals(TaskPhase.RUNNING, TaskStateMachine.apply(onFailure, bad, 1).orElseThrow().getPhase());
    }

    @Test
    void shouldDropATerminatingTaskOnlyWhenRemoved() {
        TaskView terminating = TaskView.newBuilder(fold(pending("Always"), TaskState.ASSIGNED)).setPhase(TaskPhase.TERMINATING).build();
        assertEquals(TaskPhase.TERMINATING, fold(terminating, TaskState.RUNNING).getPhase());
        assertTrue(TaskStateMachine.apply(terminating, st(TaskState.REMOVED), 1).isEmpty());
    }

    @Test
    void shouldTurnANodeNotReadyOnlyAfterItsGrace() {
        NodeEvent reg = NodeEvent.newBuilder().setNodeId("n1").setType(NodeEventType.REGISTER)
                .setRegistration(NodeRegistration.newBuilder().setName("n1").setCapacity(new Resources(1000L, 1L << 30)).build()).build();
        NodeView v = NodeLiveness.onEvent(null, reg, 1_000);
        assertTrue(v.getReady());
        assertEquals(1000, v.getCapacity().getCpuMillis());
        assertTrue(NodeLiveness.expire(v, 1_000, 4_000, 3_000).isEmpty());
        NodeView down = NodeLiveness.expire(v, 1_000, 4_001, 3_000).orElseThrow();
        assertFalse(down.getReady());
        assertEquals("NodeStatusUnknown", down.getConditions().get(0).getReason());
        assertTrue(NodeLiveness.expire(down, 1_000, 9_000, 3_000).isEmpty(), "expires once");
        NodeView back = NodeLiveness.onEvent(NodeLiveness.cordon(down, "n1", true),
                NodeEvent.newBuilder().setNodeId("n1").setType(NodeEventType.HEARTBEAT).build(), 9_500);
        assertTrue(back.getReady());
        assertTrue(back.getCordoned(), "cordon survives heartbeats");
        assertEquals(9_500, back.getConditions().get(0).getLastTransitionTime());
    }

    @Test
    void shouldResolveRolloutBoundsLikeKubernetes() {
        assertEquals(new RolloutPolicy(false, 3, 2), RolloutPolicy.rollingUpdate("25%", "25%", 10));
        assertEquals(new RolloutPolicy(false, 1, 0), RolloutPolicy.rollingUpdate("25%", "25%", 1));
        assertEquals(new RolloutPolicy(false, 0, 1), RolloutPolicy.rollingUpdate("0", "0", 5), "both 0 cannot progress");
        assertEquals(new RolloutPolicy(false, 2, 0), RolloutPolicy.rollingUpdate("2", "0%", 5));
    }

    @Test
    void shouldNameWhatIsWrongWithAnIntent() {
        Intent base = Intent.newBuilder().setName("web").setKind(ResourceKind.DEPLOYMENT).setAction(IntentAction.APPLY).build();
        assertEquals(Optional.of("APPLY DEPLOYMENT needs a DeploymentSpec payload, got none"), IntentValidator.problem(base));
        DeploymentSpec neg = DeploymentSpec.newBuilder().setReplicas(-2).setTemplate(template(Map.of(), "x")).build();
        assertEquals(Optional.of("replicas must be >= 0, got -2"), IntentValidator.problem(Intent.newBuilder(base).setPayload(neg).build()));
        DeploymentSpec ok = DeploymentSpec.newBuilder().setReplicas(2).setTemplate(template(Map.of(), "x")).build();
        assertEquals(Optional.empty(), IntentValidator.problem(Intent.newBuilder(base).setPayload(ok).build()));
        assertTrue(IntentValidator.problem(Intent.newBuilder(base).setName("").build()).isPresent());
    }
}
