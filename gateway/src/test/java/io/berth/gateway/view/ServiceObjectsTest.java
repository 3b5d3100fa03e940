package io.berth.gateway.view;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.berth.gateway.view.ViewFixtures.T0;
import static org.junit.jupiter.api.Assertions.*;

/** v1 Service with its allocation, v1 Endpoints, and kubectl's ENDPOINTS column. */
class ServiceObjectsTest {
    static WorkloadView service(String type, ServicePort... ports) {
        return WorkloadView.newBuilder().setKey("default/service/web").setKind(ResourceKind.SERVICE).setName("web").setCreatedAt(T0)
                .setService(ServiceSpec.newBuilder().setType(type).setSelector(Map.of("app", "web")).setPorts(List.of(ports)).build()).build();
    }

    static Endpoint ep(String pod, String podIP, boolean ready, String portName, int target) {
        return Endpoint.newBuilder().setTaskId(pod).setPodName(pod).setNodeId("n1").setAddress("10.0.0.1").setPort(40000 + target)
                .setReady(ready).setPodIP(podIP).setTargetPort(target).setPortName(portName).build();
    }

    @Test
    void rendersTheAllocatedClusterIPAndNodePorts() {
        WorkloadView w = service("LoadBalancer", new ServicePort("http", 80, 8080, 0, "TCP"), new ServicePort("metrics", 9090, 0, 0, "TCP"));
        EndpointsView e = EndpointsView.newBuilder().setKey(w.getKey()).setName("web").setClusterIP("10.96.3.4").setType("NodePort")
                .setPorts(List.of(new ServicePort("http", 80, 8080, 31000, "TCP"), new ServicePort("metrics", 9090, 0, 31001, "TCP"))).build();
        ObjectNode spec = (ObjectNode) KubeObjects.service(w, e).get("spec");
        assertEquals("10.96.3.4", spec.path("clusterIP").asText());
        assertEquals("[\"10.96.3.4\"]", spec.path("clusterIPs").toString());
        assertEquals("LoadBalancer", spec.path("type").asText(), "the declared type is shown");
        assertEquals(31000, spec.path("ports").get(0).path("nodePort").asInt());
        assertEquals(9090, spec.path("ports").get(1).path("targetPort").asInt(), "targetPort 0 is the port");
        assertEquals(31001, spec.path("ports").get(1).path("nodePort").asInt());
        assertFalse(KubeObjects.service(w, null).path("spec").has("clusterIP"), "no allocation read yet");
    }

    @Test
    void rendersEndpointsWithReadyAndNotReadyAddresses() {
        EndpointsView e = EndpointsView.newBuilder().setKey("default/service/web").setName("web").setClusterIP("10.96.3.4")
                .setPorts(List.of(new ServicePort("http", 80, 8080, 0, "TCP"), new ServicePort("dns", 53, 53, 0, "UDP")))
                .setEndpoints(List.of(ep("a", "172.17.0.2", true, "http", 8080), ep("a", "172.17.0.2", true, "dns", 53),
                        ep("b", "172.17.0.3", false, "http", 8080), ep("b", "172.17.0.3", false, "dns", 53))).build();
        ObjectNode o = KubeObjects.endpoints(e, T0);
        assertEquals("Endpoints", o.path("kind").asText());
        assertEquals("2026-11-22T05:00:00Z", o.path("metadata").path("creationTimestamp").asText());
        assertEquals("{\"addresses\":[{\"ip\":\"172.17.0.2\",\"nodeName\":\"n1\",\"targetRef\":{\"kind\":\"Pod\",\"namespace\":\"default\",\"name\":\"a\"}}],"
                + "\"notReadyAddresses\":[{\"ip\":\"172.17.0.3\",\"nodeName\":\"n1\",\"targetRef\":{\"kind\":\"Pod\",\"namespace\":\"default\",\"name\":\"b\"}}],"
                + "\"ports\":[{\"name\":\"http\",\"port\":8080,\"protocol\":\"TCP\"},{\"name\":\"dns\",\"port\":53,\"protocol\":\"UDP\"}]}",
                o.path("subsets").get(0).toString());
        assertEquals("10.0.0.1:48080,10.0.0.1:40053", o.path("metadata").path("annotations").path("berth.io/backends").asText());
        assertEquals("172.17.0.2:8080,172.17.0.2:53", KubeObjects.endpointsColumn(o));
        ObjectNode none = KubeObjects.endpoints(EndpointsView.newBuilder(e).setEndpoints(List.of()).build(), 0);
        assertFalse(none.has("subsets"));
        assertEquals("<none>", KubeObjects.endpointsColumn(none));
    }
}
