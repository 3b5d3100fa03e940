package io.berth.scheduler;

import io.berth.schemas.avro.*;

import java.util.List;
import java.util.Map;

/** Bus records for scheduler tests. */
final class Fixtures {
    static final long MI = 1L << 20;
    static final String WEB = "default/deployment/web";

    private Fixtures() {}

    static NodeView node(String id, long cpuMillis, long memoryBytes) {
        return NodeView.newBuilder().setNodeId(id).setName(id).setCapacity(resources(cpuMillis, memoryBytes))
                .setReady(true).setCordoned(false).setLabels(Map.of()).build();
    }

    static NodeView cordoned(NodeView n) {
        return NodeView.newBuilder(n).setCordoned(true).build();
    }

    static Resources resources(long cpuMillis, long memoryBytes) {
        return Resources.newBuilder().setCpuMillis(cpuMillis).setMemoryBytes(memoryBytes).build();
    }

    static PlacementRequest request(String taskId, long cpuMillis, long memoryBytes) {
        return PlacementRequest.newBuilder().setRequestId("req-" + taskId).setTaskId(taskId).setWorkloadKey(WEB)
                .setPodName(taskId).setRequests(resources(cpuMillis, memoryBytes)).setSpreadKey(WEB)
                .setTemplate(template()).build(); // timestamp 0: aged from arrival
    }

    static PodTemplate template() {
        ContainerSpec c = ContainerSpec.newBuilder().setName("web").setImage("berth/busybox:latest")
                .setCommand(List.of("httpd", "-f")).build();
        return PodTemplate.newBuilder().setContainers(List.of(c)).build();
    }
}
