package io.berth.node.it;

import io.berth.node.NodeDaemonService;
import io.berth.node.docker.Labels;
import io.berth.node.mesh.Routes.Listen;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.avro.Endpoint;
import io.berth.schemas.avro.EndpointsView;
import io.berth.schemas.avro.ServicePort;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.berth.node.it.DaemonFixture.eventually;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The services data plane against a real Kafka (EndpointsView records produced by the test) and real
 * sockets: node ports on 127.0.0.1, cluster IPs on the host's berth0 (root is required: a host where
 * VIPs cannot be added FAILS these tests, it does not skip them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceMeshTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    private DaemonFixture fx;
    private KafkaProducer<String, byte[]> producer;
    private Vertx vertx;
    private final List<String> keys = new ArrayList<>();
    private final List<String> vips = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        fx = new DaemonFixture();
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", fx.kafka.bootstrapServers(), "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());
        vertx = Vertx.vertx();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String k : keys) producer.send(new ProducerRecord<>(Topics.ENDPOINTS.name(), k, null)).get();
        keys.clear();
        fx.cleanUp();
        for (String ip : vips) ip("addr", "del", ip + "/32", "dev", "berth0"); // daemons leave VIPs for their successors
        vips.clear();
    }

    @AfterAll
    void stop() throws Exception {
        producer.close();
        vertx.close().await();
        fx.close();
    }

    // ---------------------------------------------------------------- helpers

    static ServicePort port(int port, int target, int nodePort) {
        return ServicePort.newBuilder().setName("").setPort(port).setTargetPort(target).setNodePort(nodePort).build();
    }

    static Endpoint ep(String task, int hostPort, boolean ready) {
        return Endpoint.newBuilder().setTaskId(task).setNodeId("n").setAddress("127.0.0.1").setPort(hostPort)
                .setReady(ready).setTargetPort(8080).build();
    }

    EndpointsView svc(String name, String clusterIP, String type, List<ServicePort> ports, List<Endpoint> eps) {
        String key = Topics.resourceKey("default", io.berth.schemas.avro.ResourceKind.SERVICE, name);
        if (!keys.contains(key)) keys.add(key);
        if (!vips.contains(clusterIP)) vips.add(clusterIP);
        return EndpointsView.newBuilder().setKey(key).setNamespace("default").setName(name)
                .setClusterIP(clusterIP).setType(type).setPorts(ports).setEndpoints(eps).build();
    }

    void publish(EndpointsView v) throws Exception {
        byte[] bytes = fx.serdes.value(EndpointsView.class).serialize(Topics.ENDPOINTS.name(), v);
        producer.send(new ProducerRecord<>(Topics.ENDPOINTS.name(), v.getKey(), bytes)).get();
    }

    void tombstone(String key) throws Exception {
        producer.send(new ProducerRecord<>(Topics.ENDPOINTS.name(), key, null)).get();
    }

    /** A backend that greets with its name on connect, then echoes every line. */
    int backend(String name) throws Exception {
        NetServer s = vertx.createNetServer().connectHandler((NetSocket so) -> {
            so.write(name + "\n");
            so.handler(so::write);
        });
        return s.listen(0, "127.0.0.1").await().actualPort();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Connects through the proxy and returns the greeting (which backend took the connection). */
    static String who(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            s.setSoTimeout(3000);
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            return line == null ? "<closed>" : line;
        }
    }

    static String whoOrError(String host, int port) {
        try {
            return who(host, port);
        } catch (IOException e) {
            return "<" + e.getClass().getSimpleName() + ">";
        }
    }

    static String ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out;
    }

    static boolean onBerth0(String vip) throws Exception {
        return ip("-4", "-o", "addr", "show", "dev", "berth0").contains(" " + vip + "/32");
    }

    NodeDaemonService daemon(String name) throws Exception {
        NodeDaemonService d = fx.startDaemon(fx.nodeId(name));
        assertNotNull(d.mesh(), "mesh enabled by default");
        // we are root here: a host where cluster IPs cannot be served must fail this test, not skip it
        assertNull(d.mesh().proxy().vipsDisabledReason(), "cluster IPs must work on this host");
        return d;
    }

    /** Runs the docker CLI; returns stdout+stderr (exit code appended when non-zero). */
    static String docker(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        java.io.File log = java.io.File.createTempFile("docker", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
            if (!p.waitFor(15, TimeUnit.SECONDS)) { // busybox wget has no working timeout (-T crashes it): bound it here
                p.destroyForcibly();
                return "(timed out) " + cmd;
            }
            String out = java.nio.file.Files.readString(log.toPath()).trim();
            return p.exitValue() == 0 ? out : out + " (exit " + p.exitValue() + ")";
        } finally {
            log.delete();
        }
    }

    // ---------------------------------------------------------------- tests

    @Test
    void roundRobinOverReadyEndpointsOnNodePortAndClusterIp_unreadyLeavesRotationAtOnce() throws Exception {
        int a = backend("A"), b = backend("B");
        int nodePort = freePort();
        String vip = "10.96.201.10";
        EndpointsView web = svc("web", vip, "NodePort", List.of(port(80, 8080, nodePort)), List.of(ep("a", a, true), ep("b", b, true)));
        publish(web);
        NodeDaemonService d = daemon("rr");
        Listen np = new Listen("127.0.0.1", nodePort), cip = new Listen(vip, 80);
        eventually("listening on node port and cluster IP", WAIT, () -> d.mesh().proxy().bound().containsAll(List.of(np, cip)));
        assertTrue(onBerth0(vip), "VIP on berth0");

        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) seen.add(who("127.0.0.1", nodePort));
        for (int i = 1; i < seen.size(); i++) assertNotEquals(seen.get(i - 1), seen.get(i), "alternates: " + seen);
        assertTrue(seen.containsAll(List.of("A", "B")), seen.toString());
        List<String> viaVip = new ArrayList<>();
        for (int i = 0; i < 4; i++) viaVip.add(who(vip, 80));
        assertTrue(viaVip.containsAll(List.of("A", "B")), "cluster IP balances too: " + viaVip);

        // a connection that is already on A survives A leaving the rotation
        Socket kept = null;
        BufferedReader keptIn = null;
        for (int i = 0; i < 4 && kept == null; i++) {
            Socket s = new Socket("127.0.0.1", nodePort);
            s.setSoTimeout(3000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            if ("A".equals(in.readLine())) {
                kept = s;
                keptIn = in;
            } else s.close();
        }
        assertNotNull(kept, "a connection to A");

        long t0 = System.nanoTime();
        publish(svc("web", vip, "NodePort", List.of(port(80, 8080, nodePort)), List.of(ep("a", a, false), ep("b", b, true))));
        long acked = System.nanoTime();
        String prev = "";
        long t1 = 0;
        while (t1 == 0) {
            String w = who("127.0.0.1", nodePort);
            if (w.equals("B") && prev.equals("B")) t1 = System.nanoTime();
            prev = w;
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "A never left the rotation");
        }
        System.out.printf("MEASURED unready endpoint left rotation %.1f ms after the record was sent (%.1f ms after the broker's ack)%n",
                (t1 - t0) / 1e6, (t1 - acked) / 1e6);
        assertTrue(t1 - t0 < TimeUnit.MILLISECONDS.toNanos(1000), "well under a second");
        for (int i = 0; i < 6; i++) assertEquals("B", who("127.0.0.1", nodePort));
        for (int i = 0; i < 3; i++) assertEquals("B", who(vip, 80));

        OutputStream out = kept.getOutputStream();
        out.write("still-here\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertEquals("still-here", keptIn.readLine(), "existing connection to A keeps working");
        kept.close();

        // removed entirely, and a dead endpoint: connect failure goes on to the next one
        int dead = freePort();
        publish(svc("web", vip, "NodePort", List.of(port(80, 8080, nodePort)), List.of(ep("dead", dead, true), ep("b", b, true))));
        eventually("rotation with the dead endpoint", WAIT, () -> d.mesh().proxy().routes().get(np).backends()
                .contains(new io.berth.node.mesh.Routes.Backend("127.0.0.1", dead)));
        for (int i = 0; i < 6; i++) assertEquals("B", who("127.0.0.1", nodePort), "dead endpoint skipped");

        // no endpoint at all: the client is closed, not left hanging
        publish(svc("web", vip, "NodePort", List.of(port(80, 8080, nodePort)), List.of()));
        eventually("connections closed without endpoints", WAIT, () -> whoOrError("127.0.0.1", nodePort).equals("<closed>"));

        // service deleted: listeners and VIP go
        tombstone(web.getKey());
        eventually("listeners closed", WAIT, () -> d.mesh().proxy().bound().isEmpty());
        eventually("VIP removed", WAIT, () -> {
            try {
                return !onBerth0(vip);
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void twoServicesOnTheSamePortWithDifferentClusterIpsCoexist() throws Exception {
        int a = backend("A"), b = backend("B");
        String vip1 = "10.96.201.20", vip2 = "10.96.201.21";
        publish(svc("one", vip1, "ClusterIP", List.of(port(80, 8080, 0)), List.of(ep("a", a, true))));
        publish(svc("two", vip2, "ClusterIP", List.of(port(80, 8080, 0)), List.of(ep("b", b, true))));
        NodeDaemonService d = daemon("same");
        eventually("both cluster IPs served", WAIT,
                () -> d.mesh().proxy().bound().containsAll(List.of(new Listen(vip1, 80), new Listen(vip2, 80))));
        for (int i = 0; i < 3; i++) {
            assertEquals("A", who(vip1, 80));
            assertEquals("B", who(vip2, 80));
        }
        assertTrue(d.mesh().table().snapshot().size() >= 2);
    }

    @Test
    void oneDaemonPerHostHoldsAPort_anotherTakesOverWhenItStops() throws Exception {
        int a = backend("A");
        int nodePort = freePort();
        String vip = "10.96.201.30";
        publish(svc("shared", vip, "NodePort", List.of(port(80, 8080, nodePort)), List.of(ep("a", a, true))));
        NodeDaemonService d1 = daemon("h1"), d2 = daemon("h2"), d3 = daemon("h3");
        List<NodeDaemonService> ds = List.of(d1, d2, d3);
        Listen np = new Listen("127.0.0.1", nodePort);
        eventually("one daemon holds the node port", WAIT, () -> ds.stream().filter(d -> d.mesh().proxy().bound().contains(np)).count() == 1);
        assertEquals("A", who("127.0.0.1", nodePort));
        NodeDaemonService holder = ds.stream().filter(d -> d.mesh().proxy().bound().contains(np)).findFirst().orElseThrow();
        long t0 = System.nanoTime();
        holder.close();
        eventually("another daemon took the port over", WAIT, () -> ds.stream().filter(d -> d != holder)
                .anyMatch(d -> d.mesh().proxy().bound().contains(np)));
        System.out.printf("MEASURED node port taken over %.0f ms after its holder stopped%n", (System.nanoTime() - t0) / 1e6);
        assertEquals("A", who("127.0.0.1", nodePort));
        assertEquals("A", who(vip, 80));
    }

    @Test
    void undecodableEndpointsRecordIsDeadLetteredAndTheNextOneApplies() throws Exception {
        NodeDaemonService d = daemon("dl");
        String key = "default/service/poison";
        keys.add(key);
        producer.send(new ProducerRecord<>(Topics.ENDPOINTS.name(), key, new byte[]{0, 0, 0, 0, 99, 1, 2})).get();
        int a = backend("A");
        int nodePort = freePort();
        publish(svc("after", "10.96.201.40", "NodePort", List.of(port(80, 8080, nodePort)), List.of(ep("a", a, true))));
        try (Tail<DeadLetter> dls = fx.deadLetters()) {
            DeadLetter dl = dls.await("dead letter", x -> x.getSourceTopic().equals(Topics.ENDPOINTS.name()), WAIT);
            assertTrue(dl.getComponent().contains("mesh"), dl.getComponent());
        }
        eventually("next record applied", WAIT, () -> d.mesh().proxy().bound().contains(new Listen("127.0.0.1", nodePort)));
        assertEquals("A", who("127.0.0.1", nodePort));
    }

    @Test
    void aContainerReachesAServiceByNameThroughItsVipAndTheProxy() throws Exception {
        String backend = "berth-mesh-" + UUID.randomUUID().toString().substring(0, 6) + "-backend";
        try {
            String id = docker("run", "-d", "--name", backend, "-p", "127.0.0.1::8080", DaemonFixture.IMAGE, "sh", "-c",
                    "mkdir -p /www && echo hello-from-backend > /www/index.html && exec httpd -f -p 8080 -h /www");
            assertFalse(id.contains("exit"), id);
            String published = docker("port", backend, "8080");
            int hostPort = Integer.parseInt(published.lines().findFirst().orElseThrow().replaceAll(".*:", ""));
            String vip = "10.96.202.10";
            publish(svc("backend", vip, "ClusterIP", List.of(port(8080, 8080, 0)), List.of(ep("backend", hostPort, true))));

            String node = fx.nodeId("names");
            NodeDaemonService d = fx.startDaemon(node);
            assertNull(d.mesh().proxy().vipsDisabledReason(), "cluster IPs must work on this host");
            String task = DaemonFixture.taskId("client");
            fx.assign(DaemonFixture.assignment(node, task, List.of("sleep", "3600"), "Always"));
            eventually("client running", WAIT, () -> fx.containersOfTask(node, task).stream().anyMatch(c -> "running".equals(c.getState())));
            String client = fx.containersOfTask(node, task).get(0).getId();
            eventually("service names in the client's /etc/hosts", WAIT, () -> {
                try {
                    return docker("exec", client, "cat", "/etc/hosts").contains("backend.default.svc.cluster.local");
                } catch (Exception e) {
                    return false;
                }
            });
            String hosts = docker("exec", client, "cat", "/etc/hosts");
            assertTrue(hosts.contains("localhost"), "Docker's own lines kept: " + hosts);
            assertTrue(hosts.contains(vip + "\tbackend.default.svc.cluster.local backend.default.svc backend.default backend"), hosts);
            eventually("proxy on the VIP", WAIT, () -> d.mesh().proxy().bound().contains(new Listen(vip, 8080)));

            for (String name : List.of("backend", "backend.default", "backend.default.svc", "backend.default.svc.cluster.local")) {
                assertEquals("hello-from-backend", docker("exec", client, "wget", "-qO-", "http://" + name + ":8080/"), name);
            }

            // a service created after the container started appears in its hosts file (table change -> rewrite)
            long t0 = System.nanoTime();
            publish(svc("late", "10.96.202.11", "ClusterIP", List.of(port(80, 8080, 0)), List.of(ep("backend", hostPort, true))));
            eventually("late service name", WAIT, () -> {
                try {
                    return docker("exec", client, "cat", "/etc/hosts").contains("late.default.svc");
                } catch (Exception e) {
                    return false;
                }
            });
            System.out.printf("MEASURED new service name in a running container's /etc/hosts within %.0f ms%n", (System.nanoTime() - t0) / 1e6);
            eventually("late service reachable", WAIT, () -> {
                try {
                    return "hello-from-backend".equals(docker("exec", client, "wget", "-qO-", "http://late/"));
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            docker("rm", "-f", backend);
        }
    }

    @Test
    void everyContainerOfAPodGetsTheServiceNames() throws Exception {
        NodeDaemonService d = daemon("podnames");
        String node = d.settings().nodeId();
        publish(svc("backend", "10.96.202.30", "ClusterIP", List.of(port(80, 8080, 0)), List.of()));
        eventually("table has the service", WAIT, () -> !d.mesh().table().snapshot().isEmpty());
        String task = DaemonFixture.taskId("podnames");
        fx.assign(PodsDockerTest.pod(node, task, List.of(), List.of(
                PodsDockerTest.container("a", List.of("sleep", "3600"), List.of(), List.of()),
                PodsDockerTest.container("b", List.of("sleep", "3600"), List.of(), List.of())), List.of(), "Always"));
        eventually("a, b and the infra container running", WAIT,
                () -> fx.containersOfTask(node, task).stream().filter(c -> "running".equals(c.getState())).count() == 3);
        for (var c : fx.containersOfTask(node, task)) {
            if ("infra".equals(c.getLabels().get(Labels.ROLE))) continue; // busybox sleep: no cat needed, its file is the same
            eventually("service names in /etc/hosts of " + c.getLabels().get(Labels.CONTAINER), WAIT, () -> {
                try {
                    return docker("exec", c.getId(), "cat", "/etc/hosts").contains("10.96.202.30\tbackend.default.svc.cluster.local");
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    @Test
    void theStartHookWritesNamesIntoAContainerTheDaemonDidNotCreate_shortNamesOnlyInItsNamespace() throws Exception {
        NodeDaemonService d = daemon("hook");
        String name = "berth-mesh-" + UUID.randomUUID().toString().substring(0, 6) + "-other";
        try {
            publish(svc("backend", "10.96.202.20", "ClusterIP", List.of(port(80, 8080, 0)), List.of()));
            eventually("table has the service", WAIT, () -> !d.mesh().table().snapshot().isEmpty());
            // labelled as this node's (no berth.task: the reconciler ignores it), namespace "other"
            String id = docker("run", "-d", "--name", name, "--label", "berth.node=" + d.settings().nodeId(),
                    "--label", "berth.namespace=other", DaemonFixture.IMAGE, "sleep", "3600");
            assertFalse(id.contains("exit"), id);
            d.mesh().containerStarted(id);
            eventually("names written by the hook", WAIT, () -> {
                try {
                    return docker("exec", name, "cat", "/etc/hosts").contains("backend.default.svc.cluster.local");
                } catch (Exception e) {
                    return false;
                }
            });
            String hosts = docker("exec", name, "cat", "/etc/hosts");
            assertTrue(hosts.contains("10.96.202.20\tbackend.default.svc.cluster.local backend.default.svc backend.default\n"), hosts);
            assertFalse(hosts.contains("backend.default backend"), "no short name across namespaces: " + hosts);
        } finally {
            docker("rm", "-f", name);
        }
    }

    @Test
    void bulkTransferBothWaysIsIntactThroughTheProxy() throws Exception {
        int echo = vertx.createNetServer().connectHandler(so -> so.pipeTo(so)).listen(0, "127.0.0.1").await().actualPort();
        int nodePort = freePort();
        publish(svc("bulk", "10.96.201.50", "NodePort", List.of(port(80, 8080, nodePort)), List.of(ep("echo", echo, true))));
        NodeDaemonService d = daemon("bulk");
        eventually("listening", WAIT, () -> d.mesh().proxy().bound().contains(new Listen("127.0.0.1", nodePort)));
        byte[] data = new byte[16 << 20];
        new java.util.Random(42).nextBytes(data);
        try (Socket s = new Socket("127.0.0.1", nodePort)) {
            s.setSoTimeout(20_000);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int off = 0; off < data.length; off += 64 << 10) out.write(data, off, Math.min(64 << 10, data.length - off));
                    out.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long t0 = System.nanoTime();
            writer.start();
            byte[] back = s.getInputStream().readNBytes(data.length);
            writer.join(20_000);
            System.out.printf("MEASURED 16 MiB echoed through the proxy in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
            assertArrayEquals(data, back, "bytes intact, in order");
        }
    }

    @Test
    void withoutIpTheDaemonWarnsAndServesNodePortsOnly() throws Exception {
        int a = backend("A");
        int nodePort = freePort();
        String vip = "10.96.201.60";
        publish(svc("noip", vip, "NodePort", List.of(port(80, 8080, nodePort)), List.of(ep("a", a, true))));
        String id = fx.nodeId("noip");
        NodeDaemonService d = new NodeDaemonService(io.berth.schemas.service.BerthConfig.of(fx.kafka.bootstrapServers(), "mem://",
                java.nio.file.Path.of("target")).with("node-id", id).with("node-name", id).with("mesh-ip", "/nonexistent/ip"), fx.registry);
        try {
            d.start();
            assertNotNull(d.mesh().proxy().vipsDisabledReason(), "VIPs reported disabled");
            assertTrue(d.mesh().proxy().vipsDisabledReason().contains("cannot run"), d.mesh().proxy().vipsDisabledReason());
            eventually("node port served", WAIT, () -> d.mesh().proxy().bound().contains(new Listen("127.0.0.1", nodePort)));
            assertEquals("A", who("127.0.0.1", nodePort));
            assertFalse(d.mesh().proxy().routes().containsKey(new Listen(vip, 80)), "no cluster IP listener");
            assertFalse(onBerth0(vip));
        } finally {
            d.close();
        }
    }
}
