package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Service + pods going ready, unready, dying and deleted → berth.state.endpoints, through the whole topology. */
class EndpointsTopologyTest {
    private static final String WEB = key("web");
    private static final String SVC = "default/service/web";
    private Harness h;

    @BeforeEach
    void start() throws Exception {
        h = new Harness();
        h.node(registerAt("n1", "10.0.0.1"));
        h.node(registerAt("n2", "10.0.0.2"));
        h.advanceMs(300);  // node addresses reach the endpoints controller with the next tick
    }

    @AfterEach
    void stop() {
        h.close();
    }

    static NodeEvent registerAt(String id, String address) {
        NodeEvent e = register(id);
        e.getRegistration().setAddress(address);
        return e;
    }

    static Intent service(String type, int nodePort) {
        ServicePort p = ServicePort.newBuilder().setName("http").setPort(80).setTargetPort(8080).setNodePort(nodePort).build();
        return intent(IntentAction.APPLY, ResourceKind.SERVICE, "web",
                ServiceSpec.newBuilder().setType(type).setSelector(Map.of("app", "web")).setPorts(List.of(p)).build());
    }

    private TaskStatus ready(String taskId, String node, String ip, int hostPort, TaskState state) {
        TaskStatus s = status(WEB, taskId, node, state);
        s.setPodIP(ip);
        s.setPublishedPorts(List.of(PublishedPort.newBuilder().setContainerPort(8080).setHostPort(hostPort).build()));
        return s;
    }

    private List<String> taskIds() {
        return h.live(Topics.TASKS).values().stream().filter(t -> t.getWorkloadKey().equals(WEB)).map(TaskView::getTaskId).sorted().toList();
    }

    private EndpointsView endpoints() {
        return h.latest(Topics.ENDPOINTS).get(SVC);
    }

    private int writes() {
        return (int) h.all(Topics.ENDPOINTS).stream().filter(kv -> kv.key.equals(SVC)).count();
    }

    @Test
    void followsPodsThroughReadyUnreadyDeathAndServiceDeletion() {
        h.intent(SVC, service("NodePort", 0));
        EndpointsView empty = endpoints();
        assertNotNull(empty, "a service has endpoints (none yet) as soon as it exists");
        assertTrue(empty.getEndpoints().isEmpty());
        assertTrue(empty.getClusterIP().startsWith("10.96."), empty.getClusterIP());
        int nodePort = empty.getPorts().get(0).getNodePort();
        assertTrue(nodePort >= 30000 && nodePort <= 32767);
        assertEquals("NodePort", empty.getType());

        h.intent(WEB, deployment("web", 2));
        List<String> ids = taskIds();
        assertEquals(2, ids.size());
        int before = writes();
        h.status(status(WEB, ids.get(0), "n1", TaskState.ASSIGNED));
        h.status(status(WEB, ids.get(1), "n2", TaskState.ASSIGNED));
        h.status(ready(ids.get(0), "n1", "172.17.0.2", 40001, TaskState.READY));
        h.status(ready(ids.get(1), "n2", "172.17.0.3", 40002, TaskState.READY));
        EndpointsView two = endpoints();
        assertEquals(2, two.getEndpoints().stream().filter(Endpoint::getReady).count(), two.toString());
        Endpoint first = two.getEndpoints().get(0);
        assertEquals(ids.get(0), first.getPodName());
        assertEquals("10.0.0.1", first.getAddress());
        assertEquals(40001, first.getPort());
        assertEquals(8080, first.getTargetPort());
        assertEquals("172.17.0.2", first.getPodIP());
        assertEquals("10.0.0.2:40002", two.getEndpoints().get(1).getAddress() + ":" + two.getEndpoints().get(1).getPort());
        assertEquals(empty.getClusterIP(), two.getClusterIP(), "stable");
        assertTrue(writes() - before <= 4, "only changes are written");

        // a repeated report changes the task's view at most, never the endpoints
        int n = writes();
        h.status(ready(ids.get(0), "n1", "172.17.0.2", 40001, TaskState.READY));
        assertEquals(n, writes());

        // unready: listed, not ready
        TaskStatus unready = ready(ids.get(0), "n1", "172.17.0.2", 40001, TaskState.UNREADY);
        h.status(unready);
        assertFalse(endpoints().getEndpoints().get(0).getReady());
        assertTrue(endpoints().getEndpoints().get(1).getReady());
        h.status(ready(ids.get(0), "n1", "172.17.0.2", 40001, TaskState.READY));
        assertTrue(endpoints().getEndpoints().get(0).getReady());

        // the container dies (restartPolicy Always: RUNNING, not ready)
        TaskStatus exited = status(WEB, ids.get(1), "n2", TaskState.EXITED);
        exited.setExitCode(1);
        h.status(exited);
        assertFalse(endpoints().getEndpoints().get(1).getReady());

        // deleting a pod takes it out at once (stopping), its replacement comes in when placed
        h.intent(Topics.resourceKey("default", ResourceKind.POD, ids.get(0)), delete(ResourceKind.POD, ids.get(0)));
        assertTrue(endpoints().getEndpoints().stream().noneMatch(e -> e.getTaskId().equals(ids.get(0))), endpoints().toString());

        // the service changes its port: endpoints follow, IP and node port stay
        ServicePort p2 = ServicePort.newBuilder().setName("http").setPort(80).setTargetPort(9090).build();
        h.intent(SVC, intent(IntentAction.APPLY, ResourceKind.SERVICE, "web", ServiceSpec.newBuilder().setType("NodePort")
                .setSelector(Map.of("app", "web")).setPorts(List.of(p2)).build()));
        EndpointsView changed = endpoints();
        assertEquals(empty.getClusterIP(), changed.getClusterIP());
        assertEquals(nodePort, changed.getPorts().get(0).getNodePort());
        assertTrue(changed.getEndpoints().stream().allMatch(e -> e.getTargetPort() == 9090));

        // the service goes: a deleted=true record, then a tombstone
        h.intent(SVC, delete(ResourceKind.SERVICE, "web"));
        List<KeyValue<String, EndpointsView>> all = h.all(Topics.ENDPOINTS);
        assertNull(all.get(all.size() - 1).value);
        assertTrue(all.get(all.size() - 2).value.getDeleted());
    }

    @Test
    void followsNodeAddressChangesAndDropsPodsOfALostNode() {
        h.intent(SVC, service("ClusterIP", 0));
        h.intent(WEB, deployment("web", 2));
        List<String> ids = taskIds();
        h.status(status(WEB, ids.get(0), "n1", TaskState.ASSIGNED));
        h.status(status(WEB, ids.get(1), "n2", TaskState.ASSIGNED));
        h.status(ready(ids.get(0), "n1", "172.17.0.2", 40001, TaskState.READY));
        h.status(ready(ids.get(1), "n2", "172.17.0.3", 40002, TaskState.READY));
        assertEquals(List.of("10.0.0.1:40001", "10.0.0.2:40002"), backends());
        assertEquals(0, endpoints().getPorts().get(0).getNodePort(), "a ClusterIP service has no node port");

        // n1 comes back with another address: the tick notices
        h.node(registerAt("n1", "10.0.0.11"));
        h.advanceMs(300);
        assertEquals(List.of("10.0.0.11:40001", "10.0.0.2:40002"), backends());

        // n2 stops heartbeating: its pod is LOST and leaves the endpoints
        for (int i = 0; i < 16; i++) {
            h.node(heartbeat("n1"));
            h.advanceMs(250);
        }
        assertEquals(List.of("10.0.0.11:40001"), backends());
    }

    private List<String> backends() {
        return endpoints().getEndpoints().stream().filter(Endpoint::getReady).map(e -> e.getAddress() + ":" + e.getPort()).toList();
    }

    @Test
    void givesEachServiceItsOwnClusterIPAndNodePort() {
        h.intent(SVC, service("NodePort", 30080));
        h.intent("default/service/api", intent(IntentAction.APPLY, ResourceKind.SERVICE, "api",
                ServiceSpec.newBuilder().setType("LoadBalancer").setSelector(Map.of("app", "api"))
                        .setPorts(List.of(ServicePort.newBuilder().setPort(80).setNodePort(30080).build())).build()));
        EndpointsView web = endpoints(), api = h.latest(Topics.ENDPOINTS).get("default/service/api");
        assertEquals(30080, web.getPorts().get(0).getNodePort());
        assertNotEquals(30080, api.getPorts().get(0).getNodePort(), "a clash is not honoured");
        assertEquals("NodePort", api.getType(), "LoadBalancer is served as NodePort");
        assertNotEquals(web.getClusterIP(), api.getClusterIP());
        assertTrue(h.all(Topics.EVENTS).stream().anyMatch(kv -> kv.value.getReason().equals("FailedAllocation")
                && kv.value.getMessage().contains("provided port is already allocated")));
    }
}
