package io.berth.node.it;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import io.berth.node.docker.Labels;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.ContainerStatus;
import io.berth.schemas.avro.LogLine;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Probe;
import io.berth.schemas.avro.ProbeType;
import io.berth.node.NodeDaemonService;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;
import io.berth.schemas.avro.Volume;
import io.berth.schemas.avro.VolumeMount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.berth.node.it.DaemonFixture.res;
import static io.berth.node.it.DaemonFixture.taskId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pods of several containers (infra container, shared network and emptyDir, init containers) against real Kafka and Docker. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PodsDockerTest extends DaemonDockerTest {
    private static final Duration WAIT = Duration.ofSeconds(25);

    static ContainerSpec container(String name, List<String> command, List<VolumeMount> mounts, List<ContainerPort> ports) {
        return ContainerSpec.newBuilder().setName(name).setImage(DaemonFixture.IMAGE).setCommand(command).setArgs(List.of())
                .setEnv(List.of()).setPorts(ports).setVolumeMounts(mounts)
                .setRequests(res(50, 8L << 20)).setLimits(res(0, 0)).build();
    }

    static VolumeMount mount(String volume, String path) {
        return VolumeMount.newBuilder().setName(volume).setMountPath(path).build();
    }

    static Assignment pod(String node, String task, List<ContainerSpec> inits, List<ContainerSpec> apps, List<String> emptyDirs, String policy) {
        PodTemplate t = PodTemplate.newBuilder().setContainers(apps).setInitContainers(inits).setRestartPolicy(policy)
                .setVolumes(emptyDirs.stream().map(v -> Volume.newBuilder().setName(v).setType("emptyDir").build()).toList())
                .setTerminationGracePeriodSeconds(1).setLabels(Map.of("app", "pod")).build();
        return Assignment.newBuilder().setTaskId(task).setNodeId(node).setWorkloadKey("default/pod/" + task)
                .setNamespace("default").setPodName(task).setTemplate(t).setRequests(res(100, 16L << 20))
                .setAssignedAt(System.currentTimeMillis()).build();
    }

    private Container unit(String task, String container) {
        List<Container> cs = fx.docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Labels.POD, task, Labels.CONTAINER, container)).exec();
        assertEquals(1, cs.size(), "one container " + container + " of " + task);
        return cs.get(0);
    }

    private static ContainerStatus entry(TaskStatus s, String name) {
        return s.getContainers().stream().filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name + " in " + s.getContainers()));
    }

    private String exec(String containerId, String... cmd) throws Exception {
        Process p = new ProcessBuilder(concat(List.of("docker", "exec", containerId), cmd)).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> l = new java.util.ArrayList<>(head);
        l.addAll(List.of(tail));
        return l;
    }

    @Test
    void containersOfAPodShareLocalhostAnEmptyDirAndTheInfraContainersPorts() throws Exception {
        String node = fx.nodeId("pod2");
        String task = taskId("duo");
        fx.startDaemon(node);
        ContainerSpec writer = container("writer", List.of("sh", "-c", "echo written-by-writer > /shared/index.html; exec sleep 3600"),
                List.of(mount("shared", "/shared")), List.of());
        ContainerSpec reader = container("reader", List.of("httpd", "-f", "-p", "8080", "-h", "/shared"),
                List.of(mount("shared", "/shared")), List.of(ContainerPort.newBuilder().setName("http").setContainerPort(8080).build()));
        // probed on the pod's IP (the infra container's): the reader has no network of its own
        reader.setReadinessProbe(Probe.newBuilder().setType(ProbeType.HTTP_GET).setPath("/index.html").setPort(8080)
                .setPeriodSeconds(1).build());
        fx.assign(pod(node, task, List.of(), List.of(writer, reader), List.of("shared"), "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus ready = st.await("READY", status(task, TaskState.READY), WAIT);
            assertEquals(2, ready.getContainers().size());
            assertTrue(ready.getContainers().stream().allMatch(c -> c.getReady() && "running".equals(c.getState())), ready.getContainers().toString());
            assertEquals(0, ready.getRestartCount());
            assertFalse(ready.getPodIP().isEmpty(), "pod IP from the infra container");
            assertEquals(1, ready.getPublishedPorts().size());
            int hostPort = ready.getPublishedPorts().get(0).getHostPort();

            Container w = unit(task, "writer");
            Container r = unit(task, "reader");
            assertEquals(ready.getContainerId(), w.getId(), "the first app container keeps the task's container id");
            assertEquals("/" + Labels.containerName(node, task), w.getNames()[0]);
            List<Container> infra = fx.docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(Labels.POD, task, Labels.ROLE, "infra")).exec();
            assertEquals(1, infra.size());
            InspectContainerResponse ri = fx.docker.inspectContainerCmd(r.getId()).exec();
            assertEquals("container:" + infra.get(0).getId(), ri.getHostConfig().getNetworkMode());
            assertEquals(task, fx.docker.inspectContainerCmd(infra.get(0).getId()).exec().getConfig().getHostName(), "hostname = pod name");

            // localhost across containers, and the file the writer put into the shared emptyDir
            DaemonFixture.eventually("writer reaches reader over localhost", WAIT, () -> {
                try {
                    return exec(w.getId(), "wget", "-qO-", "http://127.0.0.1:8080/index.html").contains("written-by-writer");
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(task + "\n", exec(w.getId(), "hostname"));
            // the infra container publishes the reader's port on the node
            HttpResponse<String> page = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hostPort + "/index.html")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("written-by-writer\n", page.body());
            assertTrue(Files.exists(Path.of("target", "node-" + node, "pods", task, "volumes", "shared", "index.html")), "one emptyDir for the pod");

            fx.revoke(node, task);
            TaskStatus removed = st.await("REMOVED", status(task, TaskState.REMOVED), WAIT);
            assertEquals(2, removed.getContainers().size());
            assertTrue(fx.containersOfTask(node, task).isEmpty(), "every unit removed, infra included");
            Path podDir = Path.of("target", "node-" + node, "pods", task);
            DaemonFixture.eventually("pod directory deleted", WAIT, () -> !Files.exists(podDir));
            assertEquals(1, st.all(status(task, TaskState.REMOVED)).size(), "REMOVED once for the pod");
        }
    }

    @Test
    void initContainerRunsToCompletionBeforeTheAppStartsAndItsLogIsShipped() throws Exception {
        String node = fx.nodeId("init");
        String task = taskId("init");
        fx.startDaemon(node);
        ContainerSpec init = container("prepare", List.of("sh", "-c", "echo init-did-run; sleep 1; echo ok > /work/flag"),
                List.of(mount("work", "/work")), List.of());
        ContainerSpec app = container("main", List.of("sh", "-c", "test -f /work/flag || exit 3; echo app-started; exec sleep 3600"),
                List.of(mount("work", "/work")), List.of());
        fx.assign(pod(node, task, List.of(init), List.of(app), List.of("work"), "Always"));
        try (Tail<TaskStatus> st = fx.statuses(); Tail<LogLine> logs = fx.logs()) {
            TaskStatus initialising = st.await("Init:0/1", s -> status(task, TaskState.CREATED).test(s) && "Init:0/1".equals(s.getReason()), WAIT);
            assertTrue(entry(initialising, "prepare").getInit());
            TaskStatus ready = st.await("READY", status(task, TaskState.READY), WAIT);
            assertEquals(0, ready.getRestartCount(), "the app found the init container's file at its first start");
            ContainerStatus done = entry(ready, "prepare");
            assertTrue(done.getInit());
            assertEquals("terminated", done.getState());
            assertEquals("Completed", done.getReason());
            assertFalse(entry(ready, "main").getInit());
            logs.await("init log line", l -> l.getTaskId().equals(task) && "prepare".equals(l.getContainer()) && l.getLine().equals("init-did-run"), WAIT);
            logs.await("app log line", l -> l.getTaskId().equals(task) && "main".equals(l.getContainer()) && l.getLine().equals("app-started"), WAIT);

            Instant initEnd = Instant.parse(fx.docker.inspectContainerCmd(unit(task, "prepare").getId()).exec().getState().getFinishedAt());
            Instant appStart = Instant.parse(fx.docker.inspectContainerCmd(unit(task, "main").getId()).exec().getState().getStartedAt());
            assertTrue(!appStart.isBefore(initEnd), "app started " + appStart + " after the init container finished " + initEnd);
        }
    }

    @Test
    void aFailingInitContainerUnderRestartPolicyNeverFailsThePod() throws Exception {
        String node = fx.nodeId("initf");
        String task = taskId("initf");
        fx.startDaemon(node);
        ContainerSpec init = container("check", List.of("sh", "-c", "echo nope; exit 2"), List.of(), List.of());
        ContainerSpec app = container("main", List.of("sleep", "3600"), List.of(), List.of());
        fx.assign(pod(node, task, List.of(init), List.of(app), List.of(), "Never"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus failed = st.await("FAILED Init:Error", s -> status(task, TaskState.FAILED).test(s) && "Init:Error".equals(s.getReason()), WAIT);
            assertEquals(2, failed.getExitCode());
            assertEquals("terminated", entry(failed, "check").getState());
            assertEquals("waiting", entry(failed, "main").getState());
            assertTrue(fx.docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.POD, task, Labels.CONTAINER, "main"))
                    .exec().isEmpty(), "the app container is never created");
            assertTrue(st.all(started(task)).isEmpty());
        }
    }

    @Test
    void aFailingInitContainerUnderRestartPolicyAlwaysIsRetriedWithBackOff() throws Exception {
        String node = fx.nodeId("initr");
        String task = taskId("initr");
        fx.startDaemon(node);
        ContainerSpec init = container("check", List.of("sh", "-c", "exit 1"), List.of(), List.of());
        ContainerSpec app = container("main", List.of("sleep", "3600"), List.of(), List.of());
        fx.assign(pod(node, task, List.of(init), List.of(app), List.of(), "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus backoff = st.await("Init:CrashLoopBackOff", s -> status(task, TaskState.CREATED).test(s)
                    && "Init:CrashLoopBackOff".equals(s.getReason()) && s.getRestartCount() >= 1, WAIT);
            assertTrue(entry(backoff, "check").getRestartCount() >= 1);
            assertEquals("CrashLoopBackOff", entry(backoff, "check").getReason());
            assertTrue(st.all(s -> s.getTaskId().equals(task) && s.getState() == TaskState.FAILED).isEmpty(), "retried, not failed");
            assertTrue(fx.docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.POD, task, Labels.CONTAINER, "main"))
                    .exec().isEmpty(), "the app container waits");
            fx.revoke(node, task);
            st.await("REMOVED", status(task, TaskState.REMOVED), WAIT);
            assertTrue(fx.containersOfTask(node, task).isEmpty());
        }
    }

    @Test
    void aKilledContainerRestartsAloneWithItsOwnRestartCount() throws Exception {
        String node = fx.nodeId("podk");
        String task = taskId("podk");
        fx.startDaemon(node);
        ContainerSpec a = container("a", List.of("sleep", "3600"), List.of(), List.of());
        ContainerSpec b = container("b", List.of("sleep", "3600"), List.of(), List.of());
        fx.assign(pod(node, task, List.of(), List.of(a, b), List.of(), "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            st.await("READY", status(task, TaskState.READY), WAIT);
            String bId = unit(task, "b").getId();
            String infraId = fx.docker.listContainersCmd().withLabelFilter(Map.of(Labels.POD, task, Labels.ROLE, "infra")).exec().get(0).getId();
            fx.docker.killContainerCmd(unit(task, "a").getId()).exec();
            TaskStatus again = st.await("READY after a's restart", s -> status(task, TaskState.READY).test(s) && s.getRestartCount() == 1, WAIT);
            assertEquals(1, entry(again, "a").getRestartCount());
            assertEquals(0, entry(again, "b").getRestartCount());
            assertEquals(bId, unit(task, "b").getId(), "b untouched");
            assertTrue(fx.docker.inspectContainerCmd(bId).exec().getState().getRunning());
            assertTrue(fx.docker.inspectContainerCmd(infraId).exec().getState().getRunning(), "the infra container untouched");
            assertFalse(st.all(s -> s.getTaskId().equals(task) && s.getState() == TaskState.UNREADY).isEmpty(),
                    "UNREADY while a was down and b ran");
        }
    }

    @Test
    void aRemovedInfraContainerRecreatesThePod() throws Exception {
        String node = fx.nodeId("podi");
        String task = taskId("podi");
        fx.startDaemon(node);
        ContainerSpec a = container("a", List.of("sleep", "3600"), List.of(), List.of());
        ContainerSpec b = container("b", List.of("sleep", "3600"), List.of(), List.of());
        fx.assign(pod(node, task, List.of(), List.of(a, b), List.of(), "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            st.await("READY", status(task, TaskState.READY), WAIT);
            String infraId = fx.docker.listContainersCmd().withLabelFilter(Map.of(Labels.POD, task, Labels.ROLE, "infra")).exec().get(0).getId();
            fx.docker.removeContainerCmd(infraId).withForce(true).exec();
            TaskStatus again = st.await("READY again", s -> status(task, TaskState.READY).test(s) && s.getRestartCount() == 2, WAIT);
            assertEquals(1, entry(again, "a").getRestartCount());
            assertEquals(1, entry(again, "b").getRestartCount());
            String newInfra = fx.docker.listContainersCmd().withLabelFilter(Map.of(Labels.POD, task, Labels.ROLE, "infra")).exec().get(0).getId();
            assertEquals("container:" + newInfra, fx.docker.inspectContainerCmd(unit(task, "b").getId()).exec().getHostConfig().getNetworkMode());
        }
    }

    private static List<TaskStatus> afterRestart(Tail<TaskStatus> st, String task, int before) {
        List<TaskStatus> l = st.all(x -> x.getTaskId().equals(task));
        return l.subList(Math.min(before, l.size()), l.size());
    }

    @Test
    void aRestartedDaemonAdoptsEveryContainerOfThePod() throws Exception {
        String node = fx.nodeId("poda");
        String task = taskId("poda");
        NodeDaemonService first = fx.startDaemon(node);
        ContainerSpec init = container("init", List.of("true"), List.of(), List.of());
        ContainerSpec a = container("a", List.of("sleep", "3600"), List.of(), List.of());
        ContainerSpec b = container("b", List.of("sleep", "3600"), List.of(), List.of());
        fx.assign(pod(node, task, List.of(init), List.of(a, b), List.of(), "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus ready = st.await("READY", status(task, TaskState.READY), WAIT);
            List<String> ids = fx.containersOfTask(node, task).stream().map(Container::getId).sorted().toList();
            assertEquals(4, ids.size(), "infra, init, a, b");
            first.close();
            int before = st.all(s -> s.getTaskId().equals(task)).size();
            fx.startDaemon(node);
            DaemonFixture.eventually("READY from the new daemon", WAIT, () -> afterRestart(st, task, before).stream()
                    .anyMatch(x -> x.getState() == TaskState.READY));
            TaskStatus again = afterRestart(st, task, before).stream().filter(x -> x.getState() == TaskState.READY).findFirst().orElseThrow();
            assertEquals(ready.getContainerId(), again.getContainerId());
            assertEquals(ids, fx.containersOfTask(node, task).stream().map(Container::getId).sorted().toList(), "nothing recreated");
            assertEquals(0, again.getRestartCount());
            assertEquals("Completed", entry(again, "init").getReason());
            fx.revoke(node, task);
            st.await("REMOVED", status(task, TaskState.REMOVED), WAIT);
            assertTrue(fx.containersOfTask(node, task).isEmpty());
        }
    }
}
