package io.berth.node.docker;

import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodSecurityContext;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Resources;
import io.berth.schemas.avro.SecurityContext;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The kubelet's runAsNonRoot verification and the Docker user, as pure functions. */
class SecurityContextsTest {
    record Case(String name, PodSecurityContext pod, SecurityContext container, String imageUser, String error) {}

    private static final String WHERE = " (pod: \"p_ns\", container: app)";

    @Test
    void shouldVerifyRunAsNonRootAsTheKubeletDoes() {
        PodSecurityContext nonRootPod = PodSecurityContext.newBuilder().setRunAsNonRoot(true).build();
        List<Case> table = List.of(
                new Case("not asked", null, null, "", null),
                new Case("image root, empty user", nonRootPod, null, "", "container has runAsNonRoot and image will run as root" + WHERE),
                new Case("image user 0:0", nonRootPod, null, "0:0", "container has runAsNonRoot and image will run as root" + WHERE),
                new Case("image user 1000:1000", nonRootPod, null, "1000:1000", null),
                new Case("image user by name", nonRootPod, null, "nobody",
                        "container has runAsNonRoot and image has non-numeric user (nobody), cannot verify user is non-root" + WHERE),
                new Case("runAsUser given on the pod", PodSecurityContext.newBuilder(nonRootPod).setRunAsUser(1000L).build(), null, "", null),
                new Case("runAsUser 0 breaks it", nonRootPod, SecurityContext.newBuilder().setRunAsUser(0L).build(), "1000",
                        "container's runAsUser breaks non-root policy" + WHERE),
                new Case("the container says false over the pod's true", nonRootPod, SecurityContext.newBuilder().setRunAsNonRoot(false).build(), "", null),
                new Case("the container says true", null, SecurityContext.newBuilder().setRunAsNonRoot(true).build(), "", "container has runAsNonRoot and image will run as root" + WHERE));
        for (Case c : table) {
            ContainerSpec spec = ContainerSpec.newBuilder().setName("app").setImage("i").setSecurityContext(c.container()).build();
            Assignment a = Assignment.newBuilder().setTaskId("t").setNodeId("n").setWorkloadKey("ns/pod/p").setNamespace("ns").setPodName("p")
                    .setTemplate(PodTemplate.newBuilder().setContainers(List.of(spec)).setSecurityContext(c.pod()).build())
                    .setRequests(Resources.newBuilder().build()).setAssignedAt(0L).build();
            if (c.error() == null) {
                assertDoesNotThrow(() -> SecurityContexts.verifyRunAsNonRoot(a, spec, c.imageUser()), c.name());
            } else {
                assertEquals(c.error(), assertThrows(SecurityContexts.ConfigError.class,
                        () -> SecurityContexts.verifyRunAsNonRoot(a, spec, c.imageUser()), c.name()).getMessage(), c.name());
            }
        }
    }

    @Test
    void shouldWriteDockersUserFromTheIdsOrKeepTheImages() {
        assertNull(SecurityContexts.user(null, null, "1000"));
        assertEquals("1000", SecurityContexts.user(1000L, null, ""));
        assertEquals("1000:3000", SecurityContexts.user(1000L, 3000L, "nobody"));
        assertEquals("nobody:3000", SecurityContexts.user(null, 3000L, "nobody:nogroup"));
        assertEquals("0:3000", SecurityContexts.user(null, 3000L, ""));
    }
}
