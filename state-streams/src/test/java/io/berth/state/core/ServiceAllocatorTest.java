package io.berth.state.core;

import io.berth.schemas.avro.ServicePort;
import io.berth.schemas.avro.ServiceSpec;
import net.jqwik.api.*;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

class ServiceAllocatorTest {
    static ServicePort port(String name, int port, int nodePort) {
        return ServicePort.newBuilder().setName(name).setPort(port).setTargetPort(0).setNodePort(nodePort).build();
    }

    static ServiceSpec spec(String type, String clusterIP, ServicePort... ports) {
        return ServiceSpec.newBuilder().setType(type).setSelector(Map.of("app", "web")).setPorts(List.of(ports)).setClusterIP(clusterIP).build();
    }

    @Test
    void allocatesAClusterIPInRangeAndKeepsItOnUpdates() {
        ServiceAllocator a = new ServiceAllocator();
        ServiceAllocator.Allocation first = a.allocate("default/service/web", spec("ClusterIP", "", port("", 80, 0)));
        assertTrue(first.clusterIP().startsWith("10.96."), first.clusterIP());
        assertNotNull(ServiceAllocator.ipOffset(first.clusterIP()));
        assertEquals(0, first.ports().get(0).getNodePort(), "ClusterIP services get no node port");
        ServiceAllocator.Allocation again = a.allocate("default/service/web", spec("NodePort", "", port("", 80, 0), port("b", 81, 0)));
        assertEquals(first.clusterIP(), again.clusterIP());
        assertTrue(again.ports().stream().allMatch(p -> ServiceAllocator.validNodePort(p.getNodePort())));
        assertNotEquals(again.ports().get(0).getNodePort(), again.ports().get(1).getNodePort());
        assertEquals(again, a.allocate("default/service/web", spec("NodePort", "", port("", 80, 0), port("b", 81, 0))), "idempotent");
    }

    @Test
    void neverHandsOutTheNetworkOrFirstAddress() {
        assertNull(ServiceAllocator.ipOffset("10.96.0.0"));
        assertNull(ServiceAllocator.ipOffset("10.96.0.1"));
        assertNull(ServiceAllocator.ipOffset("10.97.0.5"));
        assertEquals(2, ServiceAllocator.ipOffset("10.96.0.2"));
        assertEquals("10.96.1.2", ServiceAllocator.format(ServiceAllocator.ipOffset("10.96.1.2")));
    }

    @Test
    void honoursRequestedValuesAndRefusesClashes() {
        ServiceAllocator a = new ServiceAllocator();
        ServiceAllocator.Allocation web = a.allocate("default/service/web", spec("NodePort", "10.96.3.4", port("", 80, 30080)));
        assertEquals("10.96.3.4", web.clusterIP());
        assertEquals(30080, web.ports().get(0).getNodePort());
        assertTrue(web.warnings().isEmpty());
        ServiceAllocator.Allocation api = a.allocate("default/service/api", spec("LoadBalancer", "10.96.3.4", port("", 80, 30080)));
        assertNotEquals("10.96.3.4", api.clusterIP());
        assertNotEquals(30080, api.ports().get(0).getNodePort());
        assertTrue(ServiceAllocator.validNodePort(api.ports().get(0).getNodePort()));
        assertEquals(List.of("spec.clusterIP: Invalid value: \"10.96.3.4\": provided IP is already allocated",
                "spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"), api.warnings());
        assertEquals(Optional.of("default/service/web"), a.nodePortOwner(30080));
    }

    @Test
    void keepsANodePortAcrossUpdatesAndReleasesItOnTypeChangeAndDelete() {
        ServiceAllocator a = new ServiceAllocator();
        int np = a.allocate("k", spec("NodePort", "", port("http", 80, 0))).ports().get(0).getNodePort();
        assertEquals(np, a.allocate("k", spec("NodePort", "", port("http", 80, 0), port("x", 90, 0))).ports().get(0).getNodePort());
        assertEquals(2, a.nodePorts().size());
        a.allocate("k", spec("ClusterIP", "", port("http", 80, 0)));
        assertTrue(a.nodePorts().isEmpty());
        a.release("k");
        assertTrue(a.clusterIPs().isEmpty());
    }

    @Test
    void restoresWhatWasHeldBeforeARestart() {
        ServiceAllocator a = new ServiceAllocator();
        ServiceAllocator.Allocation web = a.allocate("web", spec("NodePort", "", port("", 80, 0)));
        ServiceAllocator b = new ServiceAllocator();
        b.restore("web", web.clusterIP(), web.ports());
        assertEquals(web, b.allocate("web", spec("NodePort", "", port("", 80, 0))), "same values after a restore");
        ServiceAllocator.Allocation other = b.allocate("other", spec("NodePort", web.clusterIP(), port("", 80, web.ports().get(0).getNodePort())));
        assertNotEquals(web.clusterIP(), other.clusterIP());
        assertNotEquals(web.ports().get(0).getNodePort(), other.ports().get(0).getNodePort());
    }

    @Test
    void headlessGetsNoIP() {
        ServiceAllocator a = new ServiceAllocator();
        assertEquals("None", a.allocate("h", spec("ClusterIP", "None", port("", 80, 0))).clusterIP());
        assertTrue(a.clusterIPs().isEmpty());
    }

    // ---- property: allocations never collide ----

    record Op(boolean delete, int service, String type, int requestedNodePort, int ports) {}

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.integers().between(0, 9).map(i -> i < 2),
                Arbitraries.integers().between(0, 11),
                Arbitraries.of("ClusterIP", "NodePort", "LoadBalancer"),
                Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(30000, 30005)),
                Arbitraries.integers().between(1, 3)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(80);
    }

    @Property(tries = 300)
    void allocationsNeverCollideAndStayStable(@ForAll("histories") List<Op> ops) {
        ServiceAllocator a = new ServiceAllocator();
        Map<String, ServiceAllocator.Allocation> live = new HashMap<>();
        for (Op op : ops) {
            String key = "ns/service/s" + op.service();
            if (op.delete()) {
                a.release(key);
                live.remove(key);
            } else {
                List<ServicePort> ports = new ArrayList<>();
                for (int i = 0; i < op.ports(); i++) ports.add(port("p" + i, 80 + i, i == 0 ? op.requestedNodePort() : 0));
                ServiceSpec s = ServiceSpec.newBuilder().setType(op.type()).setPorts(ports).build();
                ServiceAllocator.Allocation before = live.get(key);
                ServiceAllocator.Allocation now = a.allocate(key, s);
                if (before != null) assertEquals(before.clusterIP(), now.clusterIP(), "cluster IP stable for " + key);
                if (ServiceAllocator.needsNodePorts(op.type())) {
                    now.ports().forEach(p -> assertTrue(ServiceAllocator.validNodePort(p.getNodePort())));
                } else {
                    now.ports().forEach(p -> assertEquals(0, p.getNodePort()));
                }
                live.put(key, now);
            }
            // the live allocations are pairwise disjoint and match the allocator's books
            Map<String, String> ips = new HashMap<>();
            Map<Integer, String> nodePorts = new HashMap<>();
            live.forEach((k, al) -> {
                assertNull(ips.put(al.clusterIP(), k), "cluster IP " + al.clusterIP() + " given twice");
                al.ports().stream().filter(p -> p.getNodePort() != 0)
                        .forEach(p -> assertNull(nodePorts.put(p.getNodePort(), k), "node port " + p.getNodePort() + " given twice"));
            });
            assertEquals(ips, a.clusterIPs());
            assertEquals(nodePorts, a.nodePorts());
        }
    }
}
