package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;

import java.util.List;
import java.util.Map;

/** Builders for the records the tests feed in. */
final class Fixtures {
    private Fixtures() {}

    static PodTemplate template(String image) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("main").setImage(image)
                .setRequests(new Resources(100L, 64L << 20)).build();
        return PodTemplate.newBuilder().setLabels(Map.of("app", "web")).setContainers(List.of(c)).build();
    }

    static String key(String name) {
        return Topics.resourceKey("default", ResourceKind.DEPLOYMENT, name);
    }

    static Intent deployment(String name, int replicas) {
        return intent(IntentAction.APPLY, ResourceKind.DEPLOYMENT, name,
                DeploymentSpec.newBuilder().setReplicas(replicas).setTemplate(template("berth/busybox:latest")).build());
    }

    static Intent scale(String name, int replicas) {
        return intent(IntentAction.SCALE, ResourceKind.DEPLOYMENT, name, new ScaleSpec(replicas));
    }

    static Intent delete(ResourceKind kind, String name) {
        return intent(IntentAction.DELETE, kind, name, null);
    }

    static Intent pod(String name) {
        return intent(IntentAction.APPLY, ResourceKind.POD, name, new PodSpec(template("berth/busybox:latest")));
    }

    static Intent intent(IntentAction action, ResourceKind kind, String name, Object payload) {
        return Intent.newBuilder().setIntentId("intent-" + action + "-" + name + "-" + System.nanoTime()).setAction(action)
                .setKind(kind).setNamespace(kind == ResourceKind.NODE ? "" : "default").setName(name)
                .setActor("alice").setTimestamp(1L).setPayload(payload).build();
    }

    static TaskStatus status(String workloadKey, String taskId, String nodeId, TaskState state) {
        return TaskStatus.newBuilder().setTaskId(taskId).setWorkloadKey(workloadKey).setNodeId(nodeId).setState(state)
                .setContainerId(state == TaskState.RUNNING || state == TaskState.READY ? "c-" + taskId : null).build();
    }

    static NodeEvent register(String nodeId) {
        NodeRegistration r = NodeRegistration.newBuilder().setName(nodeId).setCapacity(new Resources(4000L, 8L << 30))
                .setIncarnation("inc-1").build();
        return NodeEvent.newBuilder().setNodeId(nodeId).setType(NodeEventType.REGISTER).setRegistration(r).build();
    }

    static NodeEvent heartbeat(String nodeId) {
        return NodeEvent.newBuilder().setNodeId(nodeId).setType(NodeEventType.HEARTBEAT).build();
    }
}
