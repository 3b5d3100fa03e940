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

    /**
     * A tick of partition 0 carrying the cluster, as state-streams' ticker writes it from
     * berth.state.nodes and berth.assignments (each node's assignments sorted by task id).
     */
    static Tick ledgerTick(java.util.Collection<NodeView> nodes, java.util.Collection<Assignment> assignments) {
        List<TickNode> out = new java.util.ArrayList<>();
        for (NodeView n : nodes.stream().sorted(java.util.Comparator.comparing(NodeView::getNodeId)).toList()) {
            List<TickAssignment> on = assignments.stream().filter(a -> a.getNodeId().equals(n.getNodeId()))
                    .sorted(java.util.Comparator.comparing(Assignment::getTaskId))
                    .map(a -> TickAssignment.newBuilder().setTaskId(a.getTaskId()).setWorkloadKey(a.getWorkloadKey())
                            .setCpuMillis(a.getRequests().getCpuMillis()).setMemoryBytes(a.getRequests().getMemoryBytes())
                            .setHostPorts(new java.util.ArrayList<>(Conversions.hostPorts(a.getTemplate()))).build())
                    .toList();
            out.add(TickNode.newBuilder().setId(n.getNodeId()).setReady(n.getReady()).setAddress(n.getAddress())
                    .setLabels(n.getLabels()).setCpuMillis(n.getCapacity().getCpuMillis()).setMemoryBytes(n.getCapacity().getMemoryBytes())
                    .setCordoned(n.getCordoned()).setMaxPods(n.getMaxPods()).setAssignments(on).build());
        }
        return Tick.newBuilder().setPartition(0).setPartitions(6).setNodes(out).setLedger(true).build();
    }

    static PodTemplate template() {
        ContainerSpec c = ContainerSpec.newBuilder().setName("web").setImage("berth/busybox:latest")
                .setCommand(List.of("httpd", "-f")).build();
        return PodTemplate.newBuilder().setContainers(List.of(c)).build();
    }
}
