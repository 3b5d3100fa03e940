package io.berth.state.core;

import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ServiceEndpointsTest {
    static final Map<String, String> NODES = Map.of("n1", "192.168.1.1", "n2", "192.168.1.2");

    static TaskView pod(String id, Map<String, String> labels, TaskPhase phase, boolean ready, String node, String podIP, PublishedPort... published) {
        return TaskView.newBuilder().setTaskId(id).setPodName(id).setNamespace("default").setLabels(labels)
                .setTemplate(PodTemplate.newBuilder().setContainers(List.of()).build()).setPhase(phase).setReady(ready)
                .setNodeId(node).setPodIP(podIP).setPublishedPorts(List.of(published)).build();
    }

    static PublishedPort published(int container, int host) {
        return PublishedPort.newBuilder().setContainerPort(container).setHostPort(host).build();
    }

    static ServicePort port(String name, int port, int target) {
        return ServicePort.newBuilder().setName(name).setPort(port).setTargetPort(target).build();
    }

    @Test
    void selectorMatchesWhenEveryPairIsPresent() {
        assertTrue(ServiceEndpoints.selects(Map.of("app", "web"), Map.of("app", "web", "tier", "fe")));
        assertFalse(ServiceEndpoints.selects(Map.of("app", "web", "tier", "be"), Map.of("app", "web", "tier", "fe")));
        assertFalse(ServiceEndpoints.selects(Map.of("app", "web"), Map.of()));
        assertFalse(ServiceEndpoints.selects(Map.of(), Map.of("app", "web")), "an empty selector selects nothing");
    }

    @Test
    void buildsOneEndpointPerPodAndPortOnThePublishedHostPort() {
        Map<String, String> web = Map.of("app", "web");
        List<TaskView> pods = List.of(
                pod("web-b", web, TaskPhase.RUNNING, true, "n2", "172.17.0.3", published(8080, 40001), published(9090, 40002)),
                pod("web-a", web, TaskPhase.RUNNING, true, "n1", "172.17.0.2", published(8080, 40000)),
                pod("api-a", Map.of("app", "api"), TaskPhase.RUNNING, true, "n1", "172.17.0.4", published(8080, 40003)));
        List<Endpoint> eps = ServiceEndpoints.build(web, List.of(port("http", 80, 8080), port("metrics", 9090, 0)), pods, NODES::get);
        assertEquals(4, eps.size());
        Endpoint a = eps.get(0);
        assertEquals("web-a", a.getPodName());
        assertEquals("192.168.1.1", a.getAddress());
        assertEquals(40000, a.getPort());
        assertEquals(8080, a.getTargetPort());
        assertEquals("http", a.getPortName());
        assertEquals("172.17.0.2", a.getPodIP());
        assertTrue(a.getReady());
        Endpoint aMetrics = eps.get(1);
        assertEquals("172.17.0.2", aMetrics.getAddress(), "not published: pod IP and container port");
        assertEquals(9090, aMetrics.getPort());
        assertEquals(9090, aMetrics.getTargetPort(), "targetPort 0 means port");
        assertEquals(40002, eps.get(3).getPort());
        assertEquals("192.168.1.2", eps.get(3).getAddress());
    }

    @Test
    void listsUnreadyPodsAsNotReadyAndLeavesOutStoppingAndFinishedOnes() {
        Map<String, String> web = Map.of("app", "web");
        TaskView stopping = TaskView.newBuilder(pod("web-d", web, TaskPhase.RUNNING, true, "n1", "172.17.0.5")).setDesiredStop(true).build();
        List<TaskView> pods = List.of(
                pod("web-a", web, TaskPhase.RUNNING, false, "n1", "172.17.0.2", published(80, 40000)),
                pod("web-b", web, TaskPhase.SCHEDULED, false, "n1", ""),
                pod("web-c", web, TaskPhase.TERMINATING, true, "n1", "172.17.0.4"),
                stopping,
                pod("web-e", web, TaskPhase.LOST, true, "n2", "172.17.0.6"),
                pod("web-f", web, TaskPhase.FAILED, false, "n2", "172.17.0.7"),
                pod("web-g", web, TaskPhase.RUNNING, true, "n9", "", published(80, 40009)));
        List<Endpoint> eps = ServiceEndpoints.build(web, List.of(port("", 80, 0)), pods, n -> NODES.getOrDefault(n, ""));
        assertEquals(List.of("web-a", "web-b", "web-g"), eps.stream().map(Endpoint::getPodName).toList());
        assertFalse(eps.get(0).getReady());
        assertFalse(eps.get(1).getReady());
        assertFalse(eps.get(2).getReady(), "unknown node and no pod IP: no address to reach it");
    }
}
