package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.policy.PodSecurity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.berth.state.AdmissionTopologyTest.namespace;
import static io.berth.state.Fixtures.deployment;
import static org.junit.jupiter.api.Assertions.*;

/** restricted's securityContext rules on intents produced straight onto the bus, past the gateway. */
class SecurityContextTopologyTest {
    private Harness h;

    @BeforeEach
    void start() throws Exception {
        h = new Harness(new StateStreamsTopology.Settings(Harness.GRACE_MS, Duration.ofMillis(250)), List.of());
    }

    @AfterEach
    void stop() {
        h.close();
    }

    static Intent pod(String name, PodSecurityContext podSc, SecurityContext sc) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("app").setImage("berth/busybox:latest").setSecurityContext(sc).build();
        PodTemplate t = PodTemplate.newBuilder().setLabels(Map.of("app", name)).setContainers(List.of(c)).setSecurityContext(podSc).build();
        return Intent.newBuilder(deployment(name, 1)).setNamespace("tight")
                .setPayload(DeploymentSpec.newBuilder().setReplicas(1).setTemplate(t).build()).build();
    }

    @Test
    void shouldDeadLetterARootPodAndApplyACompliantOneInARestrictedNamespace() {
        h.intent("/namespace/tight", namespace("tight", Map.of(PodSecurity.LABEL, "restricted")));
        String root = Topics.resourceKey("tight", ResourceKind.DEPLOYMENT, "root");
        h.intent(root, pod("root", PodSecurityContext.newBuilder().setRunAsNonRoot(true).setRunAsUser(0L)
                .setSeccompProfile(SeccompProfile.newBuilder().build()).build(),
                SecurityContext.newBuilder().setCapabilities(Capabilities.newBuilder().setDrop(List.of("ALL")).build()).build()));
        List<DeadLetter> dls = h.all(Topics.DEAD_LETTERS).stream().map(kv -> kv.value).toList();
        assertEquals(1, dls.size(), "dead letters: " + dls);
        assertEquals("deployments.apps \"root\" is forbidden: violates PodSecurity \"restricted:latest\": runAsUser=0 (pod must not set runAsUser=0)",
                dls.get(0).getReason());
        assertFalse(h.live(Topics.WORKLOADS).containsKey(root), "no workload");

        String ok = Topics.resourceKey("tight", ResourceKind.DEPLOYMENT, "ok");
        h.intent(ok, pod("ok", PodSecurityContext.newBuilder().setRunAsNonRoot(true).setRunAsUser(1000L)
                .setSeccompProfile(SeccompProfile.newBuilder().build()).build(),
                SecurityContext.newBuilder().setCapabilities(Capabilities.newBuilder().setDrop(List.of("ALL")).build()).build()));
        assertEquals(1, h.all(Topics.DEAD_LETTERS).size(), "no new dead letter");
        WorkloadView w = h.live(Topics.WORKLOADS).get(ok);
        assertNotNull(w, "applied");
        assertEquals(1000L, w.getDeployment().getTemplate().getSecurityContext().getRunAsUser(), "the securityContext travels with the workload");
    }
}
