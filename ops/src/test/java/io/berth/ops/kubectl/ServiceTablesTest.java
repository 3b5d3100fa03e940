package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.gateway.view.KubeObjects;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** get services / get endpoints / describe service, from the JSON the gateway renders (golden strings). */
class ServiceTablesTest {
    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    static final long T0 = Instant.parse("2026-11-22T05:00:00Z").toEpochMilli();
    static final long NOW = T0 + 3 * 60_000 + 20_000;

    static WorkloadView service(String name, String type, ServicePort... ports) {
        return WorkloadView.newBuilder().setKey("default/service/" + name).setKind(ResourceKind.SERVICE).setName(name).setCreatedAt(T0)
                .setService(ServiceSpec.newBuilder().setType(type).setSelector(Map.of("app", name)).setPorts(List.of(ports)).build()).build();
    }

    static ServicePort port(String name, int port, int target, int nodePort) {
        return new ServicePort(name, port, target, nodePort, "TCP");
    }

    static EndpointsView allocation(String name, String ip, List<ServicePort> ports, Endpoint... eps) {
        return EndpointsView.newBuilder().setKey("default/service/" + name).setName(name).setClusterIP(ip).setPorts(ports)
                .setEndpoints(List.of(eps)).build();
    }

    static Endpoint ep(String pod, String ip, int target, boolean ready) {
        return Endpoint.newBuilder().setTaskId(pod).setPodName(pod).setNodeId("n1").setAddress("10.0.0.1").setPort(40000)
                .setReady(ready).setPodIP(ip).setTargetPort(target).setPortName("").build();
    }

    @Test
    void printsServicesAsKubectlDoes() {
        WorkloadView web = service("web", "NodePort", port("", 80, 8080, 0));
        WorkloadView lb = service("lb", "LoadBalancer", port("http", 80, 80, 0), port("https", 443, 443, 0));
        WorkloadView db = service("db", "ClusterIP", port("", 5432, 5432, 0));
        List<JsonNode> items = List.of(
                KubeObjects.service(db, allocation("db", "10.96.0.10", db.getService().getPorts())),
                KubeObjects.service(lb, allocation("lb", "10.96.7.1", List.of(port("http", 80, 80, 31001), port("https", 443, 443, 31002)))),
                KubeObjects.service(web, allocation("web", "10.96.3.4", List.of(port("", 80, 8080, 30080)))));
        assertEquals("""
                NAME   TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)                      AGE
                db     ClusterIP      10.96.0.10   <none>        5432/TCP                     3m20s
                lb     LoadBalancer   10.96.7.1    <pending>     80:31001/TCP,443:31002/TCP   3m20s
                web    NodePort       10.96.3.4    <none>        80:30080/TCP                 3m20s
                """, JsonTables.render(ResourceTypes.SERVICES, items, false, false, NOW));
        assertEquals("<none>", JsonTables.row(ResourceTypes.SERVICES, KubeObjects.service(web, null), false, false, NOW).get(2),
                "no cluster IP before the allocation arrived");
    }

    @Test
    void printsEndpointsAsKubectlDoes() {
        List<ServicePort> ports = List.of(port("", 80, 8080, 0));
        List<JsonNode> items = List.of(
                KubeObjects.endpoints(allocation("many", "10.96.0.9", ports, ep("a", "172.17.0.2", 8080, true), ep("b", "172.17.0.3", 8080, true),
                        ep("c", "172.17.0.4", 8080, true), ep("d", "172.17.0.5", 8080, true), ep("e", "172.17.0.6", 8080, false)), T0),
                KubeObjects.endpoints(allocation("none", "10.96.0.8", ports), T0),
                KubeObjects.endpoints(allocation("web", "10.96.0.7", ports, ep("a", "172.17.0.2", 8080, true), ep("x", "172.17.0.9", 8080, false)), T0));
        assertEquals("""
                NAME   ENDPOINTS                                                     AGE
                many   172.17.0.2:8080,172.17.0.3:8080,172.17.0.4:8080 + 1 more...   3m20s
                none   <none>                                                        3m20s
                web    172.17.0.2:8080                                               3m20s
                """, JsonTables.render(ResourceTypes.ENDPOINTS, items, false, false, NOW));
        assertEquals(ResourceTypes.ENDPOINTS, ResourceTypes.resource("ep"));
        assertEquals(ResourceTypes.ENDPOINTS, ResourceTypes.resource("endpoints"));
        assertEquals(ResourceTypes.SERVICES, ResourceTypes.resource("svc"));
    }

    @Test
    void describesAServiceWithItsEndpoints() {
        WorkloadView web = service("web", "NodePort", port("http", 80, 8080, 0));
        List<ServicePort> ports = List.of(port("http", 80, 8080, 30080));
        Endpoint a = Endpoint.newBuilder(ep("a", "172.17.0.2", 8080, true)).setPortName("http").build();
        JsonNode svc = KubeObjects.service(web, allocation("web", "10.96.3.4", ports));
        JsonNode eps = KubeObjects.endpoints(allocation("web", "10.96.3.4", ports, a), T0);
        String d = DescribeCommand.describe(ResourceTypes.SERVICES, svc, eps, List.of(), NOW);
        List<String> lines = new ArrayList<>(List.of(d.split("\n")));
        assertTrue(lines.stream().anyMatch(l -> l.matches("IP:\\s+10\\.96\\.3\\.4")), d);
        assertTrue(lines.stream().anyMatch(l -> l.matches("IPs:\\s+10\\.96\\.3\\.4")), d);
        assertTrue(lines.stream().anyMatch(l -> l.matches("NodePort:\\s+http  30080/TCP")), d);
        assertTrue(lines.stream().anyMatch(l -> l.matches("TargetPort:\\s+8080/TCP")), d);
        assertTrue(lines.stream().anyMatch(l -> l.matches("Endpoints:\\s+172\\.17\\.0\\.2:8080")), d);
    }
}
