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
import java.util.List;
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
        assertEquals(500, s.heartbeatMs()); // NodeLease.DEFAULT_HEARTBEAT_MS: 1.5 s of the 2 s lease for each heartbeat to be acknowledged
    }

    private static io.berth.schemas.avro.Assignment pod(List<String> inits, List<String> apps) {
        java.util.function.Function<String, io.berth.schemas.avro.ContainerSpec> c = n -> io.berth.schemas.avro.ContainerSpec.newBuilder()
                .setName(n).setImage("berth/busybox:latest").build();
        return io.berth.schemas.avro.Assignment.newBuilder().setTaskId("web-abc123-x1y2z").setNodeId("n").setWorkloadKey("default/deployment/web")
                .setNamespace("default").setPodName("web-abc123-x1y2z")
                .setTemplate(io.berth.schemas.avro.PodTemplate.newBuilder().setInitContainers(inits.stream().map(c).toList())
                        .setContainers(apps.stream().map(c).toList()).build())
                .setRequests(io.berth.schemas.avro.Resources.newBuilder().build()).setAssignedAt(0L).build();
    }

    @Test
    void secretAndConfigMapVolumesLiveInThePodDirectoryAndMountReadOnly() {
        io.berth.schemas.avro.Volume secret = io.berth.schemas.avro.Volume.newBuilder().setName("creds").setType("secret").setSource("db").build();
        io.berth.schemas.avro.Volume conf = io.berth.schemas.avro.Volume.newBuilder().setName("conf").setType("configMap").setSource("cfg").build();
        io.berth.schemas.avro.Volume scratch = io.berth.schemas.avro.Volume.newBuilder().setName("scratch").setType("emptyDir").build();
        io.berth.schemas.avro.ContainerSpec c = io.berth.schemas.avro.ContainerSpec.newBuilder().setName("main").setImage("i")
                .setVolumeMounts(List.of(new io.berth.schemas.avro.VolumeMount("creds", "/c", false), new io.berth.schemas.avro.VolumeMount("conf", "/f", false),
                        new io.berth.schemas.avro.VolumeMount("scratch", "/s", false))).build();
        io.berth.schemas.avro.Assignment a = io.berth.schemas.avro.Assignment.newBuilder().setTaskId("t").setNodeId("n")
                .setTemplate(io.berth.schemas.avro.PodTemplate.newBuilder().setContainers(List.of(c)).setVolumes(List.of(secret, conf, scratch)).build())
                .setRequests(new io.berth.schemas.avro.Resources(0L, 0L)).build();
        assertEquals(List.of("scratch"), ContainerRequest.emptyDirs(a), "the node writes the config volumes' files itself");
        var binds = ContainerRequest.binds(a, c, Path.of("/pods/t"));
        assertEquals(List.of("/pods/t/volumes/creds:/c:ro", "/pods/t/volumes/conf:/f:ro", "/pods/t/volumes/scratch:/s:rw"),
                binds.stream().map(b -> b.getPath() + ":" + b.getVolume().getPath() + ":" + b.getAccessMode()).toList());
    }

    @Test
    void aClaimVolumeIsTheNodesDirectoryOfTheClaimBesideThePodsAndOutlivesThePod() {
        io.berth.schemas.avro.Volume data = io.berth.schemas.avro.Volume.newBuilder().setName("data").setType("persistentVolumeClaim")
                .setSource("data-web-0").build();
        io.berth.schemas.avro.ContainerSpec c = io.berth.schemas.avro.ContainerSpec.newBuilder().setName("main").setImage("i")
                .setVolumeMounts(List.of(new io.berth.schemas.avro.VolumeMount("data", "/data", false))).build();
        io.berth.schemas.avro.Assignment a = io.berth.schemas.avro.Assignment.newBuilder().setTaskId("web-abc123-x1y2z").setNodeId("n")
                .setNamespace("shop").setPodName("web-0")
                .setTemplate(io.berth.schemas.avro.PodTemplate.newBuilder().setContainers(List.of(c)).setVolumes(List.of(data)).build())
                .setRequests(new io.berth.schemas.avro.Resources(0L, 0L)).build();
        Path podDir = Path.of("/data/node-n/pods/web-abc123-x1y2z");
        assertEquals(List.of(), ContainerRequest.emptyDirs(a), "not an emptyDir: not deleted with the pod's directory");
        assertEquals(List.of(Path.of("/data/node-n/volumes/shop/data-web-0")), ContainerRequest.claimDirs(a, podDir));
        assertEquals(List.of("/data/node-n/volumes/shop/data-web-0:/data:rw"), ContainerRequest.binds(a, c, podDir).stream()
                .map(b -> b.getPath() + ":" + b.getVolume().getPath() + ":" + b.getAccessMode()).toList());
        io.berth.schemas.avro.Assignment escape = io.berth.schemas.avro.Assignment.newBuilder(a).setTemplate(io.berth.schemas.avro.PodTemplate
                .newBuilder(a.getTemplate()).setVolumes(List.of(io.berth.schemas.avro.Volume.newBuilder(data).setSource("../etc").build())).build()).build();
        assertThrows(IllegalArgumentException.class, () -> ContainerRequest.claimDirs(escape, podDir), "a claim name is a DNS name, never a path");
    }

    @Test
    void aSingleContainerPodIsOneUnitKeyedByItsTaskId() {
        List<PodUnit> units = PodUnit.of(pod(List.of(), List.of("main")));
        assertEquals(List.of("web-abc123-x1y2z"), units.stream().map(PodUnit::key).toList());
        assertEquals(PodUnit.Kind.APP, units.get(0).kind());
        assertEquals("berth-n-web-abc123-x1y2z", Labels.unitContainerName("n", units.get(0).key()), "today's container name");
    }

    @Test
    void aPodOfSeveralContainersHasAnInfraUnitThenInitThenAppUnits() {
        List<PodUnit> units = PodUnit.of(pod(List.of("migrate"), List.of("web", "sidecar")));
        assertEquals(List.of("web-abc123-x1y2z/.infra", "web-abc123-x1y2z/migrate", "web-abc123-x1y2z", "web-abc123-x1y2z/sidecar"),
                units.stream().map(PodUnit::key).toList());
        assertEquals(List.of(PodUnit.Kind.INFRA, PodUnit.Kind.INIT, PodUnit.Kind.APP, PodUnit.Kind.APP), units.stream().map(PodUnit::kind).toList());
        assertEquals("web-abc123-x1y2z", PodUnit.taskOf("web-abc123-x1y2z/sidecar"));
        assertEquals("berth-n-web-abc123-x1y2z_sidecar", Labels.unitContainerName("n", "web-abc123-x1y2z/sidecar"));
        assertEquals("berth-n-web-abc123-x1y2z_.infra", Labels.unitContainerName("n", "web-abc123-x1y2z/.infra"));
        assertTrue(PodUnit.sharedNetwork(pod(List.of("i"), List.of("a"))), "an init container alone needs the infra too");
        assertEquals("infra", ContainerRequest.labels(pod(List.of(), List.of("a", "b")), "n", units.get(0)).get(Labels.ROLE));
        assertEquals("sidecar", ContainerRequest.labels(pod(List.of("migrate"), List.of("web", "sidecar")), "n", units.get(3)).get(Labels.CONTAINER));
    }

    @Test
    void theHostnameIsThePodNameCutTo63Characters() {
        assertEquals("web-abc123-x1y2z", ContainerRequest.hostname("web-abc123-x1y2z"));
        String longName = "a".repeat(62) + "-bcd";
        assertEquals("a".repeat(62), ContainerRequest.hostname(longName), "cut at 63, no trailing dash");
    }
}
