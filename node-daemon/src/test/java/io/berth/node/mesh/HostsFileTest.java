package io.berth.node.mesh;

import io.berth.schemas.avro.Endpoint;
import io.berth.schemas.avro.EndpointsView;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HostsFileTest {
    private static Endpoint ep(String pod, String ip, boolean ready) {
        return Endpoint.newBuilder().setTaskId(pod + "-task").setPodName(pod).setNodeId("n1").setAddress(ip).setPort(80)
                .setReady(ready).setPodIP(ip).setTargetPort(80).build();
    }

    @Test
    void shouldNameEachReadyPodOfAHeadlessServiceAndTheServiceByItsPods() {
        EndpointsView web = EndpointsView.newBuilder().setKey("default/service/web").setNamespace("default").setName("web")
                .setClusterIP("None").setEndpoints(List.of(ep("web-1", "172.17.0.3", true), ep("web-0", "172.17.0.2", true),
                        ep("web-2", "172.17.0.4", false))).build();
        assertEquals(List.of(HostsFile.BEGIN,
                "172.17.0.2\tweb-0.web.default.svc.cluster.local web-0.web.default.svc web-0.web.default web-0.web",
                "172.17.0.3\tweb-1.web.default.svc.cluster.local web-1.web.default.svc web-1.web.default web-1.web",
                "172.17.0.2\tweb.default.svc.cluster.local web.default.svc web.default web",
                "172.17.0.3\tweb.default.svc.cluster.local web.default.svc web.default web",
                HostsFile.END), HostsFile.block(List.of(web), "default"));
        assertEquals("172.17.0.2\tweb-0.web.default.svc.cluster.local web-0.web.default.svc web-0.web.default",
                HostsFile.block(List.of(web), "other").get(1), "another namespace: no short names");
    }
}
