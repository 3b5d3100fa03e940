package io.berth.node.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Resources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Against the real engine: every container of a pod (its infra container and each app container)
 * is created with {@code no-new-privileges} and the configured PIDs limit, as {@code docker inspect} shows.
 */
class HardeningDockerTest {
    private static final Map<String, String> TEST_LABEL = Map.of("berth.test", "admit12");
    private static final String NODE = "admit12-hardening";
    private DockerClient docker;

    @BeforeEach
    void connect() {
        docker = DockerRuntime.connect("unix:///var/run/docker.sock");
        removeOurs(); // a run killed before its cleanup
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            removeOurs();
        } finally {
            docker.close();
        }
    }

    private void removeOurs() {
        for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(TEST_LABEL).exec()) {
            docker.removeContainerCmd(c.getId()).withForce(true).exec();
        }
    }

    private static Assignment pod(List<String> apps) {
        return Assignment.newBuilder().setTaskId("hard-abc123-x1y2z").setNodeId(NODE).setWorkloadKey("default/deployment/hard")
                .setNamespace("default").setPodName("hard-abc123-x1y2z")
                .setTemplate(PodTemplate.newBuilder().setContainers(apps.stream().map(n -> ContainerSpec.newBuilder().setName(n)
                        .setImage("berth/busybox:latest").setCommand(List.of("sleep", "30")).build()).toList()).build())
                .setRequests(Resources.newBuilder().build()).setAssignedAt(0L).build();
    }

    /** Creates one unit as the runtime does, with the test's own label added for the cleanup. */
    private String create(Assignment a, PodUnit u, String infraId, long pidsLimit) {
        CreateContainerCmd cmd = ContainerRequest.build(docker, a, u, NODE, "127.0.0.1", null, infraId, ContainerRequest.Infra.DEFAULT, pidsLimit);
        Map<String, String> labels = new HashMap<>(cmd.getLabels());
        labels.putAll(TEST_LABEL);
        return cmd.withLabels(labels).exec().getId();
    }

    @Test
    void shouldCreateEveryContainerOfAPodWithNoNewPrivilegesAndThePidsLimit() {
        Assignment a = pod(List.of("web", "sidecar"));
        List<PodUnit> units = PodUnit.of(a);
        String infra = create(a, units.get(0), null, 321);
        docker.startContainerCmd(infra).exec();
        List<String> ids = List.of(infra, create(a, units.get(1), infra, 321), create(a, units.get(2), infra, 321));
        for (String id : ids) {
            InspectContainerResponse r = docker.inspectContainerCmd(id).exec();
            assertEquals(List.of("no-new-privileges"), r.getHostConfig().getSecurityOpts(), r.getName());
            assertEquals(321L, r.getHostConfig().getPidsLimit(), r.getName());
        }
        docker.startContainerCmd(ids.get(1)).exec();
        assertTrue(docker.inspectContainerCmd(ids.get(1)).exec().getState().getRunning(), "it runs so");
    }

    @Test
    void shouldUseTheDefaultPidsLimitForASingleContainerPod() {
        Assignment a = pod(List.of("main"));
        String id = create(a, PodUnit.of(a).get(0), null, ContainerRequest.DEFAULT_PIDS_LIMIT);
        InspectContainerResponse r = docker.inspectContainerCmd(id).exec();
        assertEquals(List.of("no-new-privileges"), r.getHostConfig().getSecurityOpts());
        assertEquals(4096L, r.getHostConfig().getPidsLimit());
    }
}
