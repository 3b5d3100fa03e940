package io.berth.node.mesh;

import io.berth.node.mesh.Routes.Backend;
import io.berth.node.mesh.Routes.Listen;
import io.berth.schemas.avro.Endpoint;
import io.berth.schemas.avro.EndpointsView;
import io.berth.schemas.avro.ServicePort;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RoutesTest {
    static Endpoint ep(String task, String addr, int port, boolean ready, String portName, int target) {
        return Endpoint.newBuilder().setTaskId(task).setAddress(addr).setPort(port).setReady(ready)
                .setPortName(portName).setTargetPort(target).build();
    }

    static EndpointsView svc(String ns, String name, String ip, String type, List<ServicePort> ports, List<Endpoint> eps) {
        return EndpointsView.newBuilder().setKey(ns + "/service/" + name).setNamespace(ns).setName(name)
                .setClusterIP(ip).setType(type).setPorts(ports).setEndpoints(eps).build();
    }

    static ServicePort port(String name, int port, int target, int nodePort) {
        return ServicePort.newBuilder().setName(name).setPort(port).setTargetPort(target).setNodePort(nodePort).build();
    }

    @Test
    void clusterIpAndNodePortListenersWithReadyBackendsOnly() {
        EndpointsView web = svc("default", "web", "10.96.0.10", "NodePort", List.of(port("", 80, 8080, 30080)),
                List.of(ep("a", "10.0.0.1", 31000, true, "", 8080), ep("b", "10.0.0.2", 31001, false, "", 8080),
                        ep("c", "10.0.0.3", 31002, true, "", 8080), ep("a2", "10.0.0.1", 31000, true, "", 8080)));
        Map<Listen, Routes.Route> r = Routes.compute(List.of(web), "192.0.2.2", true);
        assertEquals(2, r.size());
        List<Backend> want = List.of(new Backend("10.0.0.1", 31000), new Backend("10.0.0.3", 31002));
        assertEquals(want, r.get(new Listen("10.96.0.10", 80)).backends());
        assertEquals(want, r.get(new Listen("192.0.2.2", 30080)).backends());
        assertEquals(1, Routes.compute(List.of(web), "192.0.2.2", false).size(), "no VIPs: node ports only");
    }

    @Test
    void multiPortServiceSplitsEndpointsByPortNameOrTargetPort() {
        EndpointsView s = svc("default", "app", "10.96.0.11", "ClusterIP",
                List.of(port("http", 80, 8080, 0), port("metrics", 9090, 9091, 0)),
                List.of(ep("a", "n1", 1, true, "http", 8080), ep("a", "n1", 2, true, "metrics", 9091),
                        ep("b", "n2", 3, true, "", 8080)));
        Map<Listen, Routes.Route> r = Routes.compute(List.of(s), "n1", true);
        assertEquals(List.of(new Backend("n1", 1), new Backend("n2", 3)), r.get(new Listen("10.96.0.11", 80)).backends());
        assertEquals(List.of(new Backend("n1", 2)), r.get(new Listen("10.96.0.11", 9090)).backends());
    }

    @Test
    void sameServicePortOnDifferentClusterIpsCoexists_UdpAndNoneSkipped() {
        EndpointsView a = svc("default", "a", "10.96.0.20", "ClusterIP", List.of(port("", 80, 80, 0)), List.of());
        EndpointsView b = svc("other", "b", "10.96.0.21", "ClusterIP", List.of(port("", 80, 80, 0)), List.of());
        ServicePort udp = port("dns", 53, 53, 0);
        udp.setProtocol("UDP");
        EndpointsView c = svc("default", "c", "10.96.0.22", "ClusterIP", List.of(udp), List.of());
        EndpointsView headless = svc("default", "h", "None", "ClusterIP", List.of(port("", 80, 80, 0)), List.of());
        Map<Listen, Routes.Route> r = Routes.compute(List.of(a, b, c, headless), "n", true);
        assertEquals(List.of(new Listen("10.96.0.20", 80), new Listen("10.96.0.21", 80)), List.copyOf(r.keySet()));
        assertEquals(java.util.Set.of("10.96.0.20", "10.96.0.21", "10.96.0.22"), Routes.vips(List.of(a, b, c, headless)));
    }

    @Test
    void hostsBlockIsReplacedKeepingDockersLines() {
        String docker = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n172.17.0.3\tabc123\n";
        EndpointsView web = svc("default", "web", "10.96.0.10", "ClusterIP", List.of(), List.of());
        EndpointsView db = svc("data", "db", "10.96.0.12", "ClusterIP", List.of(), List.of());
        String once = HostsFile.merge(docker, HostsFile.block(List.of(web, db), "default"));
        assertTrue(once.startsWith(docker), once);
        assertTrue(once.contains("10.96.0.10\tweb.default.svc.cluster.local web.default.svc web.default web\n"), once);
        assertTrue(once.contains("10.96.0.12\tdb.data.svc.cluster.local db.data.svc db.data\n"), once);
        assertEquals(once, HostsFile.merge(once, HostsFile.block(List.of(db, web), "default")), "idempotent");
        String gone = HostsFile.merge(once, HostsFile.block(List.of(db), "default"));
        assertFalse(gone.contains("web"), gone);
        assertTrue(gone.startsWith(docker));
    }

    @Test
    void tableTreatsDeletedAsGone() {
        ServiceTable t = new ServiceTable();
        EndpointsView web = svc("default", "web", "10.96.0.10", "ClusterIP", List.of(), List.of());
        assertTrue(t.apply(web.getKey(), web));
        assertFalse(t.apply(web.getKey(), EndpointsView.newBuilder(web).build()));
        EndpointsView del = EndpointsView.newBuilder(web).setDeleted(true).build();
        assertTrue(t.apply(web.getKey(), del));
        assertTrue(t.snapshot().isEmpty());
        assertFalse(t.apply(web.getKey(), null));
    }
}
