package io.berth.node.docker;

import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventActor;
import io.berth.node.NodeSettings;
import io.berth.node.bus.ContainerEvent;
import io.berth.node.reconcile.PodNetwork;
import io.berth.schemas.service.BerthConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DockerMappingTest {
    @Test
    void shouldReadTheExitCodeFromDockersStatusText() {
        assertEquals(137, DockerRuntime.exitCode("Exited (137) 3 seconds ago"));
        assertEquals(0, DockerRuntime.exitCode("Exited (0) About a minute ago"));
        assertNull(DockerRuntime.exitCode("Up 5 seconds"));
        assertNull(DockerRuntime.exitCode(null));
    }

    @Test
    void shouldTurnADieEventIntoAContainerEventWithItsExitCode() {
        Event e = new Event("die", "cid", "berth/busybox:latest", 1L)
                .withAction("die")
                .withEventActor(new EventActor().withId("cid").withAttributes(Map.of(Labels.TASK, "t1", "exitCode", "137")));
        assertEquals(new ContainerEvent(ContainerEvent.Action.DIE, "cid", "t1", 137), DockerEventsVerticle.toContainerEvent(e));
    }

    @Test
    void shouldIgnoreEventsOfContainersWithoutATaskLabel() {
        Event e = new Event("start", "cid", "x", 1L).withAction("start")
                .withEventActor(new EventActor().withId("cid").withAttributes(Map.of()));
        assertNull(DockerEventsVerticle.toContainerEvent(e));
    }

    @Test
    void shouldPublishOnTheNodeAddressOnlyWhenItIsAnIpLiteral() {
        assertEquals("127.0.0.1", ContainerRequest.bindIp("127.0.0.1"));
        assertEquals("10.0.0.7", ContainerRequest.bindIp(" 10.0.0.7 "));
        assertEquals("::1", ContainerRequest.bindIp("::1"));
        assertEquals("", ContainerRequest.bindIp("node-1.example"), "a host name publishes on every address");
        assertEquals("", ContainerRequest.bindIp(null));
    }

    @Test
    void shouldReadPodIpAndPublishedPortsFromAListingPreferringIpv4() {
        Container c = json("""
                {"Id":"cid","Ports":[{"IP":"::","PrivatePort":8080,"PublicPort":32001,"Type":"tcp"},
                                     {"IP":"0.0.0.0","PrivatePort":8080,"PublicPort":32000,"Type":"tcp"},
                                     {"PrivatePort":9090,"Type":"tcp"}],
                 "NetworkSettings":{"Networks":{"bridge":{"IPAddress":"172.17.0.5"}}}}""", Container.class);
        PodNetwork n = DockerRuntime.network(c);
        assertEquals("172.17.0.5", n.ip());
        assertEquals(32000, n.hostPort(8080, "TCP"), "IPv4 binding first");
        assertEquals(0, n.hostPort(9090, "TCP"), "exposed but not published");
        assertEquals(0, n.hostPort(8080, "UDP"));
    }

    private static <T> T json(String s, Class<T> type) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readValue(s, type);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldReadNodeSettingsWithDefaultsFromTheMachine() {
        NodeSettings s = NodeSettings.from(BerthConfig.of("localhost:9092", "", Path.of("."))
                .with("node-name", "n1").with("node-labels", "zone=a, disk = ssd ,gpu"));
        assertEquals("n1", s.nodeId());
        assertEquals("127.0.0.1", s.address());
        assertEquals(Map.of("zone", "a", "disk", "ssd", "gpu", ""), s.labels());
        assertEquals(Runtime.getRuntime().availableProcessors() * 1000L, s.cpuMillis());
        assertTrue(s.memoryBytes() > 0);
        assertEquals("unix:///var/run/docker.sock", s.dockerHost());
        assertEquals(1000, s.heartbeatMs());
    }
}
