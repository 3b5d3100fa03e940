package io.berth.node.it;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import io.berth.node.NodeDaemonService;
import io.berth.node.docker.Labels;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.avro.LogLine;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.NodeEventType;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import static io.berth.node.it.DaemonFixture.assignment;
import static io.berth.node.it.DaemonFixture.eventually;
import static io.berth.node.it.DaemonFixture.taskId;
import static org.junit.jupiter.api.Assertions.*;

/** The daemon against a real Kafka and the real Docker engine. */
class NodeDaemonDockerTest extends DaemonDockerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final List<String> SLEEP = List.of("sleep", "3600");

    @Test
    void shouldRegisterThenHeartbeatEverySecond() throws Exception {
        String node = fx.nodeId("reg");
        NodeDaemonService d = fx.startDaemon(node);
        try (Tail<NodeEvent> events = fx.nodeEvents()) {
            NodeEvent reg = events.await("REGISTER", e -> e.getNodeId().equals(node) && e.getType() == NodeEventType.REGISTER, WAIT);
            assertEquals(node, reg.getRegistration().getName());
            assertEquals(4000, reg.getRegistration().getCapacity().getCpuMillis());
            assertEquals("ssd", reg.getRegistration().getLabels().get("disk"));
            assertEquals(d.incarnation(), reg.getRegistration().getIncarnation());
            events.await("2 heartbeats", e -> e.getNodeId().equals(node) && e.getType() == NodeEventType.HEARTBEAT && e.getSequence() >= 3, WAIT);
            d.close();
            events.await("LEAVE", e -> e.getNodeId().equals(node) && e.getType() == NodeEventType.LEAVE, WAIT);
        }
    }

    @Test
    void shouldRunAnAssignedContainerWithLabelsAndLimitsThenRemoveItWhenRevoked() throws Exception {
        String node = fx.nodeId("run");
        String task = taskId("web");
        int hostPort = freePort();
        fx.startDaemon(node);
        fx.assign(assignment(node, task, DaemonFixture.IMAGE, List.of("httpd", "-f", "-p", "8080"), "Always",
                List.of(ContainerPort.newBuilder().setContainerPort(8080).setHostPort(hostPort).build())));
        try (Tail<TaskStatus> st = fx.statuses(); Tail<NodeEvent> events = fx.nodeEvents()) {
            st.await("CREATED", status(task, TaskState.CREATED), WAIT);
            TaskStatus running = st.await("RUNNING", started(task), WAIT);
            st.await("READY", status(task, TaskState.READY), WAIT);
            assertEquals("default/deployment/web", running.getWorkloadKey());
            assertEquals(node, running.getNodeId());

            InspectContainerResponse c = fx.docker.inspectContainerCmd(running.getContainerId()).exec();
            assertEquals("/" + Labels.containerName(node, task), c.getName());
            assertTrue(c.getState().getRunning());
            assertEquals(task, c.getConfig().getLabels().get(Labels.TASK));
            assertEquals(node, c.getConfig().getLabels().get(Labels.NODE));
            assertEquals("default/deployment/web", c.getConfig().getLabels().get(Labels.WORKLOAD));
            assertEquals("default", c.getConfig().getLabels().get(Labels.NAMESPACE));
            assertEquals(task, c.getConfig().getLabels().get(Labels.POD));
            assertEquals("main", c.getConfig().getLabels().get(Labels.CONTAINER));
            assertEquals(500_000_000L, c.getHostConfig().getNanoCPUs());
            assertEquals(64L << 20, c.getHostConfig().getMemory());
            assertEquals(Boolean.TRUE, c.getHostConfig().getInit());
            assertTrue(List.of("", "no").contains(c.getHostConfig().getRestartPolicy().getName()), "Docker never restarts it");
            assertTrue(List.of(c.getConfig().getEnv()).contains("GREETING=hello"));
            assertEquals(List.of("httpd", "-f", "-p", "8080"), List.of(c.getConfig().getEntrypoint()));
            assertEquals(String.valueOf(hostPort), c.getHostConfig().getPortBindings().getBindings().values().iterator().next()[0].getHostPortSpec());

            events.await("heartbeat naming the task", e -> e.getNodeId().equals(node) && e.getRunningTaskIds().contains(task), WAIT);

            fx.revoke(node, task);
            st.await("REMOVED", status(task, TaskState.REMOVED), WAIT);
            assertTrue(fx.containersOfTask(node, task).isEmpty(), "container removed");
        }
    }

    @Test
    void shouldRestartAKilledContainerAtOnce() throws Exception {
        String node = fx.nodeId("kill");
        String task = taskId("kill");
        fx.startDaemon(node);
        fx.assign(assignment(node, task, SLEEP, "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            String id = st.await("RUNNING", started(task), WAIT).getContainerId();
            String firstStart = fx.docker.inspectContainerCmd(id).exec().getState().getStartedAt();
            fx.docker.killContainerCmd(id).exec();
            // measured on the engine, not through Kafka: running again (a new start) within ~2 s
            eventually("running again", Duration.ofSeconds(3), () -> {
                var state = fx.docker.inspectContainerCmd(id).exec().getState();
                return state.getRunning() && !firstStart.equals(state.getStartedAt());
            });
            TaskStatus exited = st.await("EXITED", status(task, TaskState.EXITED), WAIT);
            assertEquals(137, exited.getExitCode());
            assertEquals("Error", exited.getReason());
            TaskStatus again = st.await("RUNNING after restart", s -> started(task).test(s) && s.getRestartCount() == 1, WAIT);
            assertEquals(id, again.getContainerId());
        }
    }

    @Test
    void shouldRecreateAContainerRemovedBehindItsBack() throws Exception {
        String node = fx.nodeId("rm");
        String task = taskId("rm");
        fx.startDaemon(node);
        fx.assign(assignment(node, task, SLEEP, "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            String id = st.await("RUNNING", started(task), WAIT).getContainerId();
            fx.docker.removeContainerCmd(id).withForce(true).exec();
            TaskStatus again = st.await("RUNNING in a new container", s -> started(task).test(s) && !id.equals(s.getContainerId()), WAIT);
            eventually("new container running", Duration.ofSeconds(3), () -> fx.containersOfTask(node, task).stream()
                    .anyMatch(c -> c.getId().equals(again.getContainerId()) && "running".equals(c.getState())));
        }
    }

    @Test
    void shouldAdoptItsContainersAfterARestart() throws Exception {
        String node = fx.nodeId("adopt");
        String task = taskId("adopt");
        NodeDaemonService first = fx.startDaemon(node);
        fx.assign(assignment(node, task, SLEEP, "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            String id = st.await("RUNNING", started(task), WAIT).getContainerId();
            first.close();
            assertTrue(fx.docker.inspectContainerCmd(id).exec().getState().getRunning(), "a stopped daemon leaves containers running");
            int before = st.all(s -> s.getTaskId().equals(task)).size();

            fx.startDaemon(node);
            eventually("RUNNING reported by the new daemon", WAIT, () -> since(st, task, before).stream()
                    .anyMatch(DaemonDockerTest::isStart));
            List<TaskStatus> after = since(st, task, before);
            assertTrue(after.stream().anyMatch(s -> isStart(s) && id.equals(s.getContainerId())), "adopted: " + after);
            assertTrue(after.stream().noneMatch(s -> s.getState() == TaskState.CREATED), "not recreated: " + after);
            List<Container> cs = fx.containersOfTask(node, task);
            assertEquals(1, cs.size());
            assertEquals(id, cs.get(0).getId());
        }
    }

    @Test
    void shouldRemoveAContainerWithoutAssignmentFoundAtStart() throws Exception {
        String node = fx.nodeId("orphan");
        String task = taskId("orphan");
        // a container of this node whose assignment was revoked while the daemon was down
        fx.assign(assignment(node, task, SLEEP, "Always"));
        NodeDaemonService first = fx.startDaemon(node);
        try (Tail<TaskStatus> st = fx.statuses()) {
            st.await("RUNNING", started(task), WAIT);
            first.close();
            fx.revoke(node, task);
            fx.startDaemon(node);
            st.await("REMOVED", status(task, TaskState.REMOVED), WAIT);
            eventually("container removed", WAIT, () -> fx.containersOfTask(node, task).isEmpty());
        }
    }

    @Test
    void shouldTouchOnlyItsOwnContainersWhenDaemonsShareAnEngine() throws Exception {
        String a = fx.nodeId("a");
        String b = fx.nodeId("b");
        String ta = taskId("ta");
        String tb = taskId("tb");
        fx.startDaemon(a);
        fx.startDaemon(b);
        fx.assign(assignment(a, ta, SLEEP, "Always"));
        fx.assign(assignment(b, tb, SLEEP, "Always"));
        // an assignment keyed for b but written to a's partition would be a bug elsewhere; a must ignore b's keys anyway
        try (Tail<TaskStatus> st = fx.statuses()) {
            assertEquals(a, st.await("a RUNNING", started(ta), WAIT).getNodeId());
            String bId = st.await("b RUNNING", started(tb), WAIT).getContainerId();
            assertEquals(b, st.all(started(tb)).get(0).getNodeId());
            assertEquals(1, fx.containersOf(a).size());
            assertEquals(1, fx.containersOf(b).size());

            fx.revoke(a, ta);
            st.await("a REMOVED", status(ta, TaskState.REMOVED), WAIT);
            assertTrue(fx.docker.inspectContainerCmd(bId).exec().getState().getRunning(), "b's container untouched");
            assertTrue(st.all(s -> s.getTaskId().equals(tb) && !s.getNodeId().equals(b)).isEmpty(), "a never reports b's task");
        }
    }

    @Test
    void shouldFailATaskWhoseImageIsNotOnTheEngine() throws Exception {
        String node = fx.nodeId("noimg");
        String task = taskId("noimg");
        fx.startDaemon(node);
        fx.assign(assignment(node, task, "berth/does-not-exist:1.0", SLEEP, "Always", List.of()));
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus failed = st.await("FAILED", status(task, TaskState.FAILED), WAIT);
            assertEquals("ErrImagePull", failed.getReason());
            assertTrue(failed.getMessage().contains("image not found locally"), failed.getMessage());
            assertTrue(fx.containersOfTask(node, task).isEmpty());
        }
    }

    @Test
    void shouldBackOffACrashingContainerAndReportCrashLoopBackOff() throws Exception {
        String node = fx.nodeId("crash");
        String task = taskId("crash");
        fx.startDaemon(node);
        fx.assign(assignment(node, task, List.of("sh", "-c", "exit 3"), "Always"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus exited = st.await("EXITED", status(task, TaskState.EXITED), WAIT);
            assertEquals(3, exited.getExitCode());
            assertEquals("Error", exited.getReason());
            // first restart is immediate, the second waits 1 s and says why
            st.await("restart 1", s -> started(task).test(s) && s.getRestartCount() == 1, WAIT);
            TaskStatus waiting = st.await("CrashLoopBackOff", s -> status(task, TaskState.EXITED).test(s) && "CrashLoopBackOff".equals(s.getReason()), WAIT);
            assertEquals(1, waiting.getRestartCount());
            st.await("restart 2", s -> started(task).test(s) && s.getRestartCount() == 2, WAIT);
            assertEquals(1, fx.containersOfTask(node, task).size(), "restarts reuse the task's one container");
        }
    }

    @Test
    void shouldNotRestartWhatItsPolicyLetsStayDown() throws Exception {
        String node = fx.nodeId("policy");
        String never = taskId("never");
        String onFailure = taskId("onfail");
        String barrier = taskId("barrier");
        fx.startDaemon(node);
        fx.assign(assignment(node, never, List.of("sh", "-c", "exit 1"), "Never"));
        fx.assign(assignment(node, onFailure, List.of("sh", "-c", "exit 0"), "OnFailure"));
        try (Tail<TaskStatus> st = fx.statuses()) {
            assertEquals("Error", st.await("never EXITED", status(never, TaskState.EXITED), WAIT).getReason());
            assertEquals("Completed", st.await("onFailure EXITED", status(onFailure, TaskState.EXITED), WAIT).getReason());
            // a later assignment running proves reconcile passes happened after both exits
            fx.assign(assignment(node, barrier, SLEEP, "Always"));
            st.await("barrier RUNNING", started(barrier), WAIT);
            assertTrue(st.all(s -> (s.getTaskId().equals(never) || s.getTaskId().equals(onFailure)) && s.getRestartCount() > 0).isEmpty(),
                    "no restarts: " + st.all(s -> s.getTaskId().equals(never) || s.getTaskId().equals(onFailure)));
            assertEquals("exited", fx.containersOfTask(node, never).get(0).getState());
        }
    }

    @Test
    void shouldShipContainerOutputLineByLine() throws Exception {
        String node = fx.nodeId("logs");
        String task = taskId("logs");
        fx.startDaemon(node);
        fx.assign(assignment(node, task, List.of("sh", "-c", "echo first line; echo to-stderr >&2; echo last; sleep 3600"), "Always"));
        try (Tail<LogLine> logs = fx.logs()) {
            LogLine first = logs.await("first line", l -> l.getTaskId().equals(task) && l.getLine().equals("first line"), WAIT);
            assertEquals("stdout", first.getStream());
            assertEquals(node, first.getNodeId());
            assertEquals("main", first.getContainer());
            assertEquals("stderr", logs.await("stderr line", l -> l.getTaskId().equals(task) && l.getLine().equals("to-stderr"), WAIT).getStream());
            logs.await("last line", l -> l.getTaskId().equals(task) && l.getLine().equals("last"), WAIT);
            assertEquals(1, logs.all(l -> l.getTaskId().equals(task) && l.getLine().equals("first line")).size(), "no duplicates");
        }
    }

    @Test
    void shouldReportOOMKilledWhenAContainerExceedsItsMemoryLimit() throws Exception {
        String node = fx.nodeId("oom");
        String task = taskId("oom");
        fx.startDaemon(node);
        Assignment a = assignment(node, task, List.of("sh", "-c", "x=$(head -c 64000000 /dev/zero | tr '\\0' a); echo survived"), "Never");
        a.getTemplate().getContainers().get(0).setLimits(DaemonFixture.res(500, 16L << 20));
        fx.assign(a);
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus exited = st.await("EXITED", status(task, TaskState.EXITED), WAIT);
            assertEquals("OOMKilled", exited.getReason());
            assertEquals(137, exited.getExitCode());
        }
    }

    @Test
    void shouldParkAnUndecodableAssignmentAndKeepGoing() throws Exception {
        String node = fx.nodeId("poison");
        String task = taskId("ok");
        fx.startDaemon(node);
        fx.assignRaw(node, "poison-1", new byte[]{1, 2, 3});
        fx.assign(assignment(node, task, SLEEP, "Always"));
        try (Tail<DeadLetter> dead = fx.deadLetters(); Tail<TaskStatus> st = fx.statuses()) {
            DeadLetter dl = dead.await("dead letter", d -> d.getComponent().equals("node-daemon/" + node), WAIT);
            assertEquals(Topics.ASSIGNMENTS.name(), dl.getSourceTopic());
            assertTrue(dl.getReason().contains("magic") || dl.getReason().contains("bytes"), dl.getReason());
            st.await("the next assignment still runs", started(task), WAIT);
        }
    }

    private static List<TaskStatus> since(Tail<TaskStatus> st, String task, int skip) {
        List<TaskStatus> all = st.all(s -> s.getTaskId().equals(task));
        return all.subList(skip, all.size());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
