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

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** The admission policy on intents produced straight onto the bus: a refused pod is dead-lettered with the gateway's reason. */
class AdmissionTopologyTest {
    private Harness h;

    @BeforeEach
    void start() throws Exception {
        h = new Harness(new StateStreamsTopology.Settings(Harness.GRACE_MS, Duration.ofMillis(250)), List.of("/data"));
    }

    @AfterEach
    void stop() {
        h.close();
    }

    /** The hostile request: a Deployment mounting the host's root at /host. */
    static Intent hostile(String namespace, String name, String hostPath) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("main").setImage("berth/busybox:latest")
                .setVolumeMounts(List.of(VolumeMount.newBuilder().setName("host").setMountPath("/host").build())).build();
        PodTemplate t = PodTemplate.newBuilder().setLabels(Map.of("app", name)).setContainers(List.of(c))
                .setVolumes(List.of(Volume.newBuilder().setName("host").setType("hostPath").setHostPath(hostPath).build())).build();
        return Intent.newBuilder(deployment(name, 1)).setNamespace(namespace)
                .setPayload(DeploymentSpec.newBuilder().setReplicas(1).setTemplate(t).build()).build();
    }

    static Intent namespace(String name, Map<String, String> labels) {
        return Intent.newBuilder(intent(IntentAction.APPLY, ResourceKind.NAMESPACE, name, null)).setNamespace("").setLabels(labels).build();
    }

    @Test
    void shouldDeadLetterAHostPathOfTheRootProducedOntoTheBus() {
        Intent i = hostile("default", "evil", "/");
        String key = Topics.resourceKey("default", ResourceKind.DEPLOYMENT, "evil");
        h.intent(key, i);

        List<DeadLetter> dls = h.all(Topics.DEAD_LETTERS).stream().map(kv -> kv.value).toList();
        assertEquals(1, dls.size(), "dead letters: " + dls);
        assertEquals("deployments.apps \"evil\" is forbidden: violates PodSecurity \"baseline:latest\": hostPath volumes "
                + "(spec.template.spec.volumes[0].hostPath.path: volume \"host\" mounts \"/\", not under admission.host-paths [/data])",
                dls.get(0).getReason());
        assertFalse(h.live(Topics.WORKLOADS).containsKey(key), "no workload");
        assertTrue(h.all(Topics.PLACEMENT_REQUESTS).isEmpty(), "nothing placed");
    }

    @Test
    void shouldAdmitAHostPathUnderTheAllowList() {
        String key = Topics.resourceKey("default", ResourceKind.DEPLOYMENT, "ok");
        h.intent(key, hostile("default", "ok", "/data/../data/app"));
        assertTrue(h.all(Topics.DEAD_LETTERS).isEmpty(), "dead letters: " + h.all(Topics.DEAD_LETTERS));
        assertTrue(h.live(Topics.WORKLOADS).containsKey(key));
    }

    @Test
    void shouldAdmitAnythingInANamespaceLabelledPrivilegedAndRefuseAgainOnceTheLabelIsGone() {
        h.intent("/namespace/ops", namespace("ops", Map.of(PodSecurity.LABEL, "privileged")));
        WorkloadView ns = h.live(Topics.WORKLOADS).get("/namespace/ops");
        assertNotNull(ns, "the namespace has a view");
        assertEquals(ResourceKind.NAMESPACE, ns.getKind());
        assertEquals("privileged", ns.getLabels().get(PodSecurity.LABEL));

        String key = Topics.resourceKey("ops", ResourceKind.DEPLOYMENT, "agent");
        h.intent(key, hostile("ops", "agent", "/"));
        assertTrue(h.all(Topics.DEAD_LETTERS).isEmpty(), "dead letters: " + h.all(Topics.DEAD_LETTERS));
        assertTrue(h.live(Topics.WORKLOADS).containsKey(key));

        h.intent("/namespace/ops", namespace("ops", Map.of()));
        h.intent(Topics.resourceKey("ops", ResourceKind.DEPLOYMENT, "agent2"), hostile("ops", "agent2", "/"));
        assertEquals(1, h.all(Topics.DEAD_LETTERS).size(), "baseline again without the label");
    }

    @Test
    void shouldEnforceRestrictedOnANamespaceLabelledSo() {
        h.intent("/namespace/tight", namespace("tight", Map.of(PodSecurity.LABEL, "restricted")));
        h.intent(Topics.resourceKey("tight", ResourceKind.DEPLOYMENT, "d"), hostile("tight", "d", "/data"));
        List<DeadLetter> dls = h.all(Topics.DEAD_LETTERS).stream().map(kv -> kv.value).toList();
        assertEquals(1, dls.size());
        assertTrue(dls.get(0).getReason().contains("violates PodSecurity \"restricted:latest\": restricted volume types"), dls.get(0).getReason());
    }

    @Test
    void shouldRefuseARollbackToATemplateTheNamespaceNoLongerAdmits() {
        // revision 1 mounts the host's root, admitted while the namespace was privileged; revision 2 is clean
        h.intent("/namespace/ops", namespace("ops", Map.of(PodSecurity.LABEL, "privileged")));
        String key = Topics.resourceKey("ops", ResourceKind.DEPLOYMENT, "agent");
        h.intent(key, hostile("ops", "agent", "/"));
        Intent clean = Intent.newBuilder(deployment("agent", 1)).setNamespace("ops").build();
        h.intent(key, clean);
        String cleanHash = h.live(Topics.WORKLOADS).get(key).getTemplateHash();
        assertTrue(h.all(Topics.DEAD_LETTERS).isEmpty(), "dead letters: " + h.all(Topics.DEAD_LETTERS));

        // the namespace turns baseline; `rollout undo` to revision 1 would mount / again
        h.intent("/namespace/ops", namespace("ops", Map.of()));
        h.intent(key, Intent.newBuilder(intent(IntentAction.ROLLBACK, ResourceKind.DEPLOYMENT, "agent", new RollbackSpec(1L))).setNamespace("ops").build());
        List<DeadLetter> dls = h.all(Topics.DEAD_LETTERS).stream().map(kv -> kv.value).toList();
        assertEquals(1, dls.size(), "dead letters: " + dls);
        assertEquals("deployments.apps \"agent\" is forbidden: violates PodSecurity \"baseline:latest\": hostPath volumes "
                + "(spec.template.spec.volumes[0].hostPath.path: volume \"host\" mounts \"/\", not under admission.host-paths [/data])"
                + " (rollback to revision 1)", dls.get(0).getReason());
        assertEquals(cleanHash, h.live(Topics.WORKLOADS).get(key).getTemplateHash(), "the clean revision stays");

        // back to privileged: the same undo is admitted
        h.intent("/namespace/ops", namespace("ops", Map.of(PodSecurity.LABEL, "privileged")));
        h.intent(key, Intent.newBuilder(intent(IntentAction.ROLLBACK, ResourceKind.DEPLOYMENT, "agent", new RollbackSpec(1L))).setNamespace("ops").build());
        assertEquals(1, h.all(Topics.DEAD_LETTERS).size());
        assertNotEquals(cleanHash, h.live(Topics.WORKLOADS).get(key).getTemplateHash(), "rolled back to revision 1");
    }
}
