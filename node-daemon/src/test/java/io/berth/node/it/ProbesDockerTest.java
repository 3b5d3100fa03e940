package io.berth.node.it;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.ContainerStatus;
import io.berth.schemas.avro.Probe;
import io.berth.schemas.avro.ProbeType;
import io.berth.schemas.avro.PublishedPort;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static io.berth.node.it.DaemonFixture.assignment;
import static io.berth.node.it.DaemonFixture.eventually;
import static io.berth.node.it.DaemonFixture.taskId;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Probes, the per-container status snapshot, published ports and volumes: the whole daemon against a real
 * Kafka and the real Docker engine ({@code berth/busybox:latest}: httpd, nc, sh).
 */
class ProbesDockerTest extends DaemonDockerTest {
    private static final Duration WAIT = Duration.ofSeconds(25);
    /** serves /www on 8080; index.html exists, ready.html only once created */
    private static final String WWW = "mkdir -p /www && echo hello > /www/index.html && ";

    private static ContainerSpec.Builder container(String script) {
        return ContainerSpec.newBuilder().setName("main").setImage(DaemonFixture.IMAGE)
                .setCommand(List.of("sh", "-c", script));
    }

    private static Probe.Builder probe(ProbeType type, int failureThreshold) {
        return Probe.newBuilder().setType(type).setPeriodSeconds(1).setTimeoutSeconds(1)
                .setFailureThreshold(failureThreshold).setSuccessThreshold(1).setInitialDelaySeconds(0);
    }

    private static ContainerPort port(String name, int containerPort, Integer hostPort) {
        return ContainerPort.newBuilder().setName(name).setContainerPort(containerPort).setHostPort(hostPort).build();
    }

    private static ContainerStatus only(TaskStatus s) {
        assertEquals(1, s.getContainers().size(), "one container status per container: " + s);
        return s.getContainers().get(0);
    }

    private void exec(String containerId, String... cmd) throws Exception {
        String exec = fx.docker.execCreateCmd(containerId).withCmd(cmd).withAttachStdout(true).withAttachStderr(true).exec().getId();
        fx.docker.execStartCmd(exec).start().awaitCompletion();
    }

    @Test
    void shouldGateReadyOnAnHttpReadinessProbeAndReportEachTransition() throws Exception {
        String node = fx.nodeId("ready");
        String task = taskId("ready");
        fx.startDaemon(node);
        fx.assign(assignment(node, task, container(WWW + "(sleep 2; echo ok > /www/ready.html) & exec httpd -f -p 8080 -h /www")
                .setPorts(List.of(port("http", 8080, null)))
                .setReadinessProbe(probe(ProbeType.HTTP_GET, 1).setPath("/ready.html").setPort(8080).build()).build(), "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus running = st.await("RUNNING", started(task), WAIT);
            assertFalse(only(running).getReady(), "not ready before the probe passed");
            assertTrue(only(running).getStarted());
            assertEquals("running", only(running).getState());
            TaskStatus unready = st.await("UNREADY while ready.html is missing", status(task, TaskState.UNREADY), WAIT);
            assertEquals("ContainersNotReady", unready.getReason());
            assertTrue(unready.getMessage().startsWith("Readiness probe failed: "), unready.getMessage());
            TaskStatus ready = st.await("READY", status(task, TaskState.READY), WAIT);
            assertTrue(ready.getTimestamp() - running.getTimestamp() >= 1500, "ready only once the file exists");
            assertTrue(only(ready).getReady());
            assertFalse(ready.getPodIP().isEmpty(), "pod IP reported");

            exec(running.getContainerId(), "sh", "-c", "rm /www/ready.html");
            TaskStatus lost = st.await("UNREADY after ready", s -> status(task, TaskState.UNREADY).test(s) && s.getTimestamp() > ready.getTimestamp(), WAIT);
            assertEquals("Readiness probe failed: HTTP probe failed with statuscode: 404", lost.getMessage());
            assertFalse(only(lost).getReady());
            assertEquals("running", only(lost).getState(), "unready is not dead");

            exec(running.getContainerId(), "sh", "-c", "echo ok > /www/ready.html");
            st.await("READY again", s -> status(task, TaskState.READY).test(s) && s.getTimestamp() > lost.getTimestamp(), WAIT);
            assertTrue(st.all(status(task, TaskState.EXITED)).isEmpty(), "readiness never restarts");
            List<TaskStatus> readies = st.all(status(task, TaskState.READY));
            assertEquals(0, readies.get(readies.size() - 1).getRestartCount());
        }
    }

    @Test
    void shouldRestartAContainerFailingItsExecLivenessProbe() throws Exception {
        String node = fx.nodeId("live");
        String task = taskId("live");
        fx.startDaemon(node);
        fx.assign(assignment(node, task, container("touch /tmp/healthy; sleep 2; rm /tmp/healthy; exec sleep 3600")
                .setLivenessProbe(probe(ProbeType.EXEC, 2).setCommand(List.of("cat", "/tmp/healthy")).build()).build(), "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus created = st.await("CREATED", status(task, TaskState.CREATED), WAIT);
            assertEquals("waiting", only(created).getState());
            assertEquals("ContainerCreating", only(created).getReason());
            assertEquals(DaemonFixture.IMAGE, only(created).getImage());
            TaskStatus ready = st.await("READY (liveness does not gate readiness)", status(task, TaskState.READY), WAIT);
            assertEquals(0, ready.getRestartCount());

            TaskStatus killed = st.await("EXITED by liveness", status(task, TaskState.EXITED), WAIT);
            assertEquals("Container main failed liveness probe, will be restarted", killed.getMessage());
            assertTrue(killed.getTimestamp() - ready.getTimestamp() >= 2000, "healthy for its first 2 s");
            ContainerStatus dead = only(killed);
            assertEquals("terminated", dead.getState());
            assertEquals("Error", dead.getReason());
            assertNotEquals(0, dead.getExitCode());
            assertTrue(dead.getFinishedAt() >= dead.getStartedAt());

            TaskStatus again = st.await("RUNNING after the restart", s -> started(task).test(s) && s.getRestartCount() == 1, WAIT);
            assertEquals(1, only(again).getRestartCount());
            assertEquals(ready.getContainerId(), again.getContainerId(), "the same container restarted");
            st.await("second liveness restart: probes restart from scratch", s -> started(task).test(s) && s.getRestartCount() == 2, WAIT);
        }
    }

    @Test
    void shouldHoldLivenessAndReadinessUntilATcpStartupProbePasses() throws Exception {
        String node = fx.nodeId("start");
        String task = taskId("start");
        fx.startDaemon(node);
        // liveness would kill at its first failure: it must not run before httpd listens
        fx.assign(assignment(node, task, container(WWW + "sleep 3; exec httpd -f -p 8080 -h /www")
                .setStartupProbe(probe(ProbeType.TCP_SOCKET, 30).setPort(8080).build())
                .setLivenessProbe(probe(ProbeType.HTTP_GET, 1).setPath("/").setPort(8080).build())
                .setReadinessProbe(probe(ProbeType.HTTP_GET, 1).setPath("/index.html").setPort(8080).build()).build(), "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus running = st.await("RUNNING", started(task), WAIT);
            assertFalse(only(running).getStarted(), "not started before the startup probe passed");
            assertFalse(only(running).getReady());
            TaskStatus ready = st.await("READY", status(task, TaskState.READY), WAIT);
            assertTrue(ready.getTimestamp() - running.getTimestamp() >= 2500, "held until httpd listens");
            assertTrue(only(ready).getStarted());
            assertEquals(0, ready.getRestartCount());
            assertTrue(st.all(status(task, TaskState.EXITED)).isEmpty(), "liveness did not run during startup");
            assertTrue(st.all(status(task, TaskState.UNREADY)).isEmpty(), "readiness did not run during startup");
        }
    }

    @Test
    void shouldRestartAContainerFailingItsStartupProbe() throws Exception {
        String node = fx.nodeId("nostart");
        String task = taskId("nostart");
        fx.startDaemon(node);
        fx.assign(assignment(node, task, container("exec sleep 3600")
                .setStartupProbe(probe(ProbeType.TCP_SOCKET, 2).setPort(9999).build()).build(), "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus killed = st.await("EXITED by the startup probe", status(task, TaskState.EXITED), WAIT);
            assertEquals("Container main failed startup probe, will be restarted", killed.getMessage());
            st.await("restarted", s -> started(task).test(s) && s.getRestartCount() == 1, WAIT);
            assertTrue(st.all(status(task, TaskState.READY)).isEmpty(), "never ready");
        }
    }

    @Test
    void shouldPublishEveryDeclaredPortOnTheNodeAddressAndReportTheMapping() throws Exception {
        String node = fx.nodeId("ports");
        String task = taskId("ports");
        int fixed = freePort();
        fx.startDaemon(node);
        fx.assign(assignment(node, task, container(WWW + "exec httpd -f -p 8080 -h /www")
                .setPorts(List.of(port("http", 8080, null), port("admin", 9090, fixed))).build(), "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus running = st.await("RUNNING", started(task), WAIT);
            List<PublishedPort> ports = running.getPublishedPorts();
            assertEquals(2, ports.size(), "every declared port: " + ports);
            PublishedPort http = ports.stream().filter(p -> p.getContainerPort() == 8080).findFirst().orElseThrow();
            assertEquals("http", http.getName());
            assertEquals("TCP", http.getProtocol());
            assertTrue(http.getHostPort() > 0, "Docker picked a host port");
            PublishedPort admin = ports.stream().filter(p -> p.getContainerPort() == 9090).findFirst().orElseThrow();
            assertEquals(fixed, admin.getHostPort(), "a declared hostPort is kept");
            assertEquals(ports, st.await("READY", status(task, TaskState.READY), WAIT).getPublishedPorts());

            InspectContainerResponse c = fx.docker.inspectContainerCmd(running.getContainerId()).exec();
            assertEquals(c.getNetworkSettings().getNetworks().get("bridge").getIpAddress(), running.getPodIP());
            c.getHostConfig().getPortBindings().getBindings().values()
                    .forEach(bs -> assertEquals("127.0.0.1", bs[0].getHostIp(), "bound on the node address"));

            HttpClient http11 = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.getHostPort() + "/index.html"))
                    .timeout(Duration.ofSeconds(2)).build();
            String[] body = {""};
            eventually("the published port answers", WAIT, () -> {
                try {
                    HttpResponse<String> r = http11.send(get, HttpResponse.BodyHandlers.ofString());
                    body[0] = r.body();
                    return r.statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals("hello", body[0].strip());
        }
    }

    @Test
    void shouldProbeAnAdoptedContainerAndReportItsPortsFromTheListing() throws Exception {
        String node = fx.nodeId("adoptp");
        String task = taskId("adoptp");
        var first = fx.startDaemon(node);
        fx.assign(assignment(node, task, container(WWW + "exec httpd -f -p 8080 -h /www")
                .setPorts(List.of(port("http", 8080, null)))
                .setReadinessProbe(probe(ProbeType.HTTP_GET, 1).setPath("/index.html").setPort(8080).build()).build(), "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus ready = st.await("READY", status(task, TaskState.READY), WAIT);
            first.close();
            fx.startDaemon(node);
            TaskStatus adopted = st.await("RUNNING from the new daemon", s -> started(task).test(s)
                    && s.getTimestamp() > ready.getTimestamp(), WAIT);
            assertEquals(ready.getContainerId(), adopted.getContainerId(), "adopted, not recreated");
            assertEquals(ready.getPodIP(), adopted.getPodIP(), "pod IP from the listing");
            assertEquals(ready.getPublishedPorts(), adopted.getPublishedPorts(), "published ports from the listing");
            assertFalse(only(adopted).getReady(), "probes start from scratch");
            TaskStatus again = st.await("READY again once the probe passed", s -> status(task, TaskState.READY).test(s)
                    && s.getTimestamp() > adopted.getTimestamp(), WAIT);
            assertEquals(ready.getPublishedPorts(), again.getPublishedPorts());
        }
    }

    @Test
    void shouldKeepAnEmptyDirAcrossRestartsMountAHostPathAndDeleteThePodDirectoryOnRevocation() throws Exception {
        String node = fx.nodeId("vol");
        String task = taskId("vol");
        java.nio.file.Path host = java.nio.file.Files.createTempDirectory("berth-hostpath");
        java.nio.file.Files.writeString(host.resolve("config"), "from-the-host\n");
        fx.startDaemon(node);
        ContainerSpec c = container("cat /etc/app/config >> /data/log; echo run >> /data/log; exec sleep 3600")
                .setVolumeMounts(List.of(
                        io.berth.schemas.avro.VolumeMount.newBuilder().setName("cache").setMountPath("/data").build(),
                        io.berth.schemas.avro.VolumeMount.newBuilder().setName("cfg").setMountPath("/etc/app").setReadOnly(true).build()))
                .build();
        var a = assignment(node, task, c, "Always");
        a.getTemplate().setVolumes(List.of(
                io.berth.schemas.avro.Volume.newBuilder().setName("cache").setType("emptyDir").build(),
                io.berth.schemas.avro.Volume.newBuilder().setName("cfg").setType("hostPath").setHostPath(host.toString()).build()));
        fx.assign(a);
        java.nio.file.Path podDir = java.nio.file.Path.of("target").toAbsolutePath().resolve("node-" + node).resolve("pods").resolve(task);
        java.nio.file.Path log = podDir.resolve("volumes").resolve("cache").resolve("log");
        try (Tail<TaskStatus> st = fx.statuses()) {
            String id = st.await("RUNNING", started(task), WAIT).getContainerId();
            eventually("the container wrote into its emptyDir", WAIT, () -> read(log).contains("run"));
            assertTrue(read(log).startsWith("from-the-host"), "the hostPath is mounted: " + read(log));
            fx.docker.killContainerCmd(id).exec();
            st.await("restarted", s -> started(task).test(s) && s.getRestartCount() == 1, WAIT);
            eventually("the emptyDir survived the restart", WAIT, () -> read(log).lines().filter("run"::equals).count() == 2);
            fx.revoke(node, task);
            st.await("REMOVED", status(task, TaskState.REMOVED), WAIT);
            assertFalse(java.nio.file.Files.exists(podDir), "the pod's directory is deleted with it");
        }
    }

    private static String read(java.nio.file.Path p) {
        try {
            return java.nio.file.Files.exists(p) ? java.nio.file.Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
