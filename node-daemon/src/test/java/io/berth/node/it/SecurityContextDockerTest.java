package io.berth.node.it;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.Capabilities;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodSecurityContext;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.SeccompProfile;
import io.berth.schemas.avro.SecurityContext;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.berth.node.it.DaemonFixture.res;
import static io.berth.node.it.DaemonFixture.taskId;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Pod and container securityContext on the real engine through a real daemon: the user, groups,
 * capabilities, read-only root and seccomp as {@code docker inspect} and {@code id} in the container
 * show them, and the kubelet's runAsNonRoot check on an image that runs as root.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecurityContextDockerTest extends DaemonDockerTest {
    private static final Duration WAIT = Duration.ofSeconds(25);

    static Assignment pod(String node, String task, PodSecurityContext podSc, SecurityContext sc) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("main").setImage(DaemonFixture.IMAGE).setCommand(List.of("sleep", "30"))
                .setRequests(res(50, 8L << 20)).setSecurityContext(sc).build();
        PodTemplate t = PodTemplate.newBuilder().setContainers(List.of(c)).setTerminationGracePeriodSeconds(1).setSecurityContext(podSc).build();
        return Assignment.newBuilder().setTaskId(task).setNodeId(node).setWorkloadKey("default/pod/" + task)
                .setNamespace("default").setPodName(task).setTemplate(t).setRequests(res(50, 8L << 20))
                .setAssignedAt(System.currentTimeMillis()).build();
    }

    private Container container(String node, String task) {
        List<Container> cs = fx.containersOfTask(node, task);
        assertEquals(1, cs.size(), "one container of " + task);
        return cs.get(0);
    }

    /** {@code docker exec}: the command's exit code and output. */
    private String exec(String id, String... cmd) throws InterruptedException {
        String execId = fx.docker.execCreateCmd(id).withCmd(cmd).withAttachStdout(true).withAttachStderr(true).exec().getId();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fx.docker.execStartCmd(execId).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame f) {
                out.writeBytes(f.getPayload());
            }
        }).awaitCompletion(10, TimeUnit.SECONDS);
        return fx.docker.inspectExecCmd(execId).exec().getExitCodeLong() + " " + out.toString(StandardCharsets.UTF_8).trim();
    }

    @Test
    void shouldRunAsTheUserAndGroupsWithCapabilitiesDroppedAndARootThatIsReadOnly() throws Exception {
        String node = fx.nodeId("secctx12");
        String task = taskId("sc");
        fx.startDaemon(node);
        PodSecurityContext podSc = PodSecurityContext.newBuilder().setRunAsUser(1000L).setRunAsGroup(3000L).setFsGroup(2000L)
                .setRunAsNonRoot(true).setSeccompProfile(SeccompProfile.newBuilder().setType("RuntimeDefault").build()).build();
        SecurityContext sc = SecurityContext.newBuilder().setAllowPrivilegeEscalation(false).setReadOnlyRootFilesystem(true)
                .setCapabilities(Capabilities.newBuilder().setDrop(List.of("ALL")).setAdd(List.of("NET_BIND_SERVICE")).build()).build();
        fx.assign(pod(node, task, podSc, sc));
        try (Tail<TaskStatus> st = fx.statuses()) {
            st.await("RUNNING", started(task), WAIT);
        }
        String id = container(node, task).getId();
        InspectContainerResponse r = fx.docker.inspectContainerCmd(id).exec();
        assertEquals("1000:3000", r.getConfig().getUser());
        assertArrayEquals(new Capability[]{Capability.ALL}, r.getHostConfig().getCapDrop());
        assertArrayEquals(new Capability[]{Capability.NET_BIND_SERVICE}, r.getHostConfig().getCapAdd());
        assertTrue(r.getHostConfig().getReadonlyRootfs());
        assertEquals(List.of("2000"), r.getHostConfig().getGroupAdd());
        assertEquals(List.of("no-new-privileges"), r.getHostConfig().getSecurityOpts(), "RuntimeDefault is Docker's default profile");

        assertEquals("0 1000", exec(id, "busybox", "id", "-u"));
        assertEquals("0 3000 2000", exec(id, "busybox", "id", "-G"));
        assertEquals("0 CapEff:\t0000000000000000", exec(id, "busybox", "grep", "CapEff", "/proc/self/status"), "no effective capability as uid 1000");
        assertEquals("1 touch: /x: Read-only file system", exec(id, "busybox", "touch", "/x"), "the root filesystem is read-only");
    }

    @Test
    void shouldNotStartARunAsNonRootContainerWhoseImageRunsAsRoot() throws Exception {
        String node = fx.nodeId("secctx12");
        String task = taskId("root");
        fx.startDaemon(node);
        fx.assign(pod(node, task, null, SecurityContext.newBuilder().setRunAsNonRoot(true).build()));
        try (Tail<TaskStatus> st = fx.statuses()) {
            TaskStatus failed = st.await("FAILED", status(task, TaskState.FAILED), WAIT);
            assertEquals("CreateContainerConfigError", failed.getReason());
            assertEquals("container has runAsNonRoot and image will run as root (pod: \"" + task + "_default\", container: main)", failed.getMessage());
            assertTrue(st.all(started(task)).isEmpty(), "never started");
        }
        assertTrue(fx.containersOfTask(node, task).isEmpty(), "no container was created");
    }

    @Test
    void shouldRunUnconfinedWithAddedCapabilitiesWhereTheNamespaceAllowsIt() throws Exception {
        String node = fx.nodeId("secctx12");
        String task = taskId("loose");
        fx.startDaemon(node);
        PodSecurityContext podSc = PodSecurityContext.newBuilder().setSeccompProfile(SeccompProfile.newBuilder().setType("Unconfined").build())
                .setSupplementalGroups(List.of(4000L, 4001L)).build();
        SecurityContext sc = SecurityContext.newBuilder().setRunAsGroup(5000L)
                .setCapabilities(Capabilities.newBuilder().setAdd(List.of("CAP_NET_ADMIN")).build()).build();
        fx.assign(pod(node, task, podSc, sc));
        try (Tail<TaskStatus> st = fx.statuses()) {
            st.await("RUNNING", started(task), WAIT);
        }
        String id = container(node, task).getId();
        InspectContainerResponse r = fx.docker.inspectContainerCmd(id).exec();
        assertEquals(List.of("no-new-privileges", "seccomp=unconfined"), r.getHostConfig().getSecurityOpts());
        assertArrayEquals(new Capability[]{Capability.NET_ADMIN}, r.getHostConfig().getCapAdd());
        assertEquals("0:5000", r.getConfig().getUser(), "a group without a user keeps the image's user (root)");
        assertEquals("0 0", exec(id, "busybox", "id", "-u"));
        assertTrue(exec(id, "busybox", "id", "-G").startsWith("0 5000 4000 4001"), exec(id, "busybox", "id", "-G"));
    }
}
