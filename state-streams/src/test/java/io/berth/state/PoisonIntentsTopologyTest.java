package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.limits.Limits;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What the topology does with each poison intent produced straight onto berth.intents: one dead
 * letter naming the field, no task, no view, nothing larger than a Kafka record, and the next valid
 * intent still placed. The same records on a real broker: {@code PoisonIntentsKafkaTest}.
 */
class PoisonIntentsTopologyTest extends HarnessTest {
    record Poison(String name, String key, Intent intent, String reason) {}

    static List<Poison> poisons() {
        DeploymentSpec.Builder base = DeploymentSpec.newBuilder((DeploymentSpec) deployment("x", 1).getPayload());
        ContainerSpec c = ContainerSpec.newBuilder().setName("main").setImage("berth/busybox:latest").build();
        return List.of(
                new Poison("replicas 2^31-1", key("huge"), deployment("huge", Integer.MAX_VALUE),
                        "The Deployment \"huge\" is invalid: spec.replicas: Invalid value: 2147483647: must be less than or equal to 10000"),
                new Poison("negative replicas", key("neg"), deployment("neg", -5),
                        "The Deployment \"neg\" is invalid: spec.replicas: Invalid value: -5: must be greater than or equal to 0"),
                new Poison("scale to 2^31-1", key("web"), scale("web", Integer.MAX_VALUE),
                        "The Deployment \"web\" is invalid: spec.replicas: Invalid value: 2147483647: must be less than or equal to 10000"),
                new Poison("a 5 MB object", key("fat"), intent(IntentAction.APPLY, ResourceKind.DEPLOYMENT, "fat",
                        base.setTemplate(PodTemplate.newBuilder().setContainers(List.of(ContainerSpec.newBuilder(c)
                                .setEnv(List.of(new EnvVar("BLOB", "x".repeat(5 << 20), null))).build())).build()).build()),
                        "The Deployment \"fat\" is invalid: spec.template.spec.containers[0].env[0].value: Too long: must have at most 8192 bytes,"
                                + " Request entity too large: the object is 5243"),
                new Poison("absurd nested sizes", key("nested"), intent(IntentAction.APPLY, ResourceKind.DEPLOYMENT, "nested",
                        base.setTemplate(PodTemplate.newBuilder().setContainers(Collections.nCopies(1000, c)).build()).build()),
                        "The Deployment \"nested\" is invalid: spec.template.spec.containers: Too many: 1000: must have at most 32 items"),
                new Poison("maxSurge overflow", key("surge"), intent(IntentAction.APPLY, ResourceKind.DEPLOYMENT, "surge",
                        DeploymentSpec.newBuilder((DeploymentSpec) deployment("x", 3).getPayload())
                                .setRollingUpdate(new RollingUpdate("2147483647", "2147483647%")).build()),
                        "The Deployment \"surge\" is invalid: spec.strategy.rollingUpdate.maxSurge: Invalid value: \"2147483647\": must be less than or equal to 10000"),
                new Poison("canary weight overflow", key("canary"), intent(IntentAction.APPLY, ResourceKind.DEPLOYMENT, "canary",
                        DeploymentSpec.newBuilder((DeploymentSpec) deployment("x", 3).getPayload()).setStrategyType("Canary")
                                .setCanarySteps(List.of(new CanaryStep(Integer.MAX_VALUE, false, 0))).build()),
                        "The Deployment \"canary\" is invalid: spec.strategy.canary.steps[0].setWeight: Invalid value: 2147483647: must be less than or equal to 100"),
                new Poison("a 300-byte name", key("n".repeat(300)), deployment("n".repeat(300), 1),
                        "The intent is invalid: metadata.name: Too long: must have at most 253 bytes"),
                new Poison("revision history", key("hist"), intent(IntentAction.APPLY, ResourceKind.DEPLOYMENT, "hist",
                        DeploymentSpec.newBuilder((DeploymentSpec) deployment("x", 1).getPayload()).setRevisionHistoryLimit(Integer.MAX_VALUE).build()),
                        "The Deployment \"hist\" is invalid: spec.revisionHistoryLimit: Invalid value: 2147483647: must be less than or equal to 25"));
    }

    @Test
    void shouldDeadLetterEachPoisonIntentNamingTheFieldAndStillPlaceTheNextValidOne() {
        h.node(register("n1"));
        h.intent(key("web"), deployment("web", 1));
        int placedBefore = h.all(Topics.PLACEMENT_REQUESTS).size();
        List<Poison> table = poisons();
        for (Poison p : table) h.intent(p.key(), p.intent());
        h.rawIntents.pipeInput(key("garbage"), "not avro at all".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        h.drain();

        List<DeadLetter> dls = h.all(Topics.DEAD_LETTERS).stream().map(kv -> kv.value).toList();
        assertEquals(table.size() + 1, dls.size(), dls.stream().map(DeadLetter::getReason).toList().toString());
        for (int n = 0; n < table.size(); n++) {
            assertTrue(dls.get(n).getReason().startsWith(table.get(n).reason()), table.get(n).name() + ": " + dls.get(n).getReason());
            assertEquals(Topics.INTENTS.name(), dls.get(n).getSourceTopic());
        }
        assertTrue(dls.get(table.size()).getReason().startsWith("cannot deserialize"), dls.get(table.size()).getReason());
        assertEquals(placedBefore, h.all(Topics.PLACEMENT_REQUESTS).size(), "no poison made a task");
        assertEquals(1, h.live(Topics.WORKLOADS).get(key("web")).getDeployment().getReplicas(), "the scale to 2^31-1 changed nothing");
        for (String name : List.of("huge", "neg", "fat", "nested", "surge", "canary", "hist")) {
            assertNull(h.latest(Topics.WORKLOADS).get(key(name)), name + " has no view");
        }
        // the refusal is audited and shown as a Warning, like any refused intent
        assertTrue(h.all(Topics.AUDIT).stream().anyMatch(kv -> kv.value.getChange().equals("IntentRejected")
                && kv.value.getKey().equals(key("huge")) && kv.value.getMessage().contains("spec.replicas")));
        assertTrue(h.all(Topics.EVENTS).stream().anyMatch(kv -> kv.value.getReason().equals("FailedCreate")
                && kv.value.getInvolvedName().equals("huge")));
        // every record written fits in one Kafka record: the 5 MB intent's dead letter kept only its head
        assertFits(Topics.DEAD_LETTERS);
        assertFits(Topics.AUDIT);
        assertFits(Topics.EVENTS);

        h.intent(key("after"), deployment("after", 2));
        assertEquals(placedBefore + 2, h.all(Topics.PLACEMENT_REQUESTS).size(), "a valid deployment after the poison is placed");
    }

    /**
     * The kinds besides Deployments, forged straight onto the bus past the gateway's checks: each one dead-lettered
     * naming its field, no view and no task from any, and the stream goes on placing.
     */
    @Test
    void shouldDeadLetterPoisonIntentsOfEveryOtherKindNamingTheField() {
        h.node(register("n1"));
        String sts = io.berth.schemas.Topics.resourceKey("default", ResourceKind.STATEFULSET, "web");
        Intent stsScale = intent(IntentAction.SCALE, ResourceKind.STATEFULSET, "web", ScaleSpec.newBuilder().setReplicas(Integer.MAX_VALUE).build());
        Intent hpa = HpaTopologyTest.hpa(IntentAction.APPLY, "web", HpaTopologyTest.cpu(1, Integer.MAX_VALUE, 50, null));
        Intent noContainers = StatefulSetTopologyTest.statefulSet("web:1", 1, "OrderedReady", 0);
        noContainers.setPayload(DeploymentSpec.newBuilder((DeploymentSpec) noContainers.getPayload())
                .setTemplate(PodTemplate.newBuilder(((DeploymentSpec) noContainers.getPayload()).getTemplate()).setContainers(List.of()).build()).build());
        Intent daemonSet = intent(IntentAction.APPLY, ResourceKind.DAEMONSET, "agent",
                DeploymentSpec.newBuilder((DeploymentSpec) deployment("agent", 1).getPayload()).setRevisionHistoryLimit(Integer.MAX_VALUE).build());
        List<Poison> table = List.of(
                new Poison("statefulset replicas 2^31-1", sts, StatefulSetTopologyTest.statefulSet("web:1", Integer.MAX_VALUE, "OrderedReady", 0),
                        "spec.replicas: Invalid value: 2147483647: must be less than or equal to 10000"),
                new Poison("statefulset scale to 2^31-1", sts, stsScale, "spec.replicas: Invalid value: 2147483647"),
                // (a partition above the replicas is valid, as in Kubernetes: no pod is updated)
                new Poison("statefulset partition -1", sts, StatefulSetTopologyTest.statefulSet("web:1", 1, "OrderedReady", -1),
                        "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0"),
                new Poison("statefulset without containers", sts, noContainers, "pod template has no containers"),
                new Poison("job completions 2^31-1", io.berth.schemas.Topics.resourceKey("default", ResourceKind.JOB, "pi"),
                        JobTopologyTest.job("pi", j -> j.setCompletions(Integer.MAX_VALUE)), "spec.completions: Invalid value: 2147483647"),
                new Poison("job parallelism 2^31-1", io.berth.schemas.Topics.resourceKey("default", ResourceKind.JOB, "pj"),
                        JobTopologyTest.job("pj", j -> j.setCompletions(1).setParallelism(Integer.MAX_VALUE)), "spec.parallelism: Invalid value: 2147483647"),
                new Poison("cron schedule", io.berth.schemas.Topics.resourceKey("default", ResourceKind.CRONJOB, "tick"),
                        CronJobTopologyTest.cronJob("99 * * * *", c -> {}), "spec.schedule: Invalid value: \"99 * * * *\""),
                new Poison("hpa maxReplicas 2^31-1", Autoscalers.hpaKey("default", "web"), hpa,
                        "The HorizontalPodAutoscaler \"web\" is invalid: spec.maxReplicas: Invalid value: 2147483647: must be less than or equal to 10000"),
                new Poison("daemonset revision history", io.berth.schemas.Topics.resourceKey("default", ResourceKind.DAEMONSET, "agent"), daemonSet,
                        "spec.revisionHistoryLimit: Invalid value: 2147483647"));
        int placedBefore = h.all(Topics.PLACEMENT_REQUESTS).size();
        for (Poison p : table) h.intent(p.key(), p.intent());
        h.drain();
        List<DeadLetter> dls = h.all(Topics.DEAD_LETTERS).stream().map(kv -> kv.value).toList();
        assertEquals(table.size(), dls.size(), dls.stream().map(DeadLetter::getReason).toList().toString());
        for (int n = 0; n < table.size(); n++) {
            assertTrue(dls.get(n).getReason().contains(table.get(n).reason()), table.get(n).name() + ": " + dls.get(n).getReason());
        }
        assertEquals(placedBefore, h.all(Topics.PLACEMENT_REQUESTS).size(), "no poison made a task");
        for (String key : table.stream().map(Poison::key).distinct().toList()) {
            if (!key.contains("horizontalpodautoscaler")) assertNull(h.latest(Topics.WORKLOADS).get(key), key + " has no view");
        }
        assertFits(Topics.DEAD_LETTERS);
        h.intent(key("after"), deployment("after", 2));
        assertEquals(placedBefore + 2, h.all(Topics.PLACEMENT_REQUESTS).size(), "a valid deployment after the poison is placed");
    }

    private <V extends org.apache.avro.specific.SpecificRecord> void assertFits(io.berth.schemas.Topic<V> t) {
        for (var kv : h.all(t)) {
            int size = h.serdes.value(t).serialize(t.name(), kv.value).length;
            assertTrue(size < 1024 * 1024, t.name() + " record of " + size + " bytes");
        }
    }

    @Test
    void shouldTakeMaxReplicasFromTheSettings() throws Exception {
        h.close();
        h = new Harness(new StateStreamsTopology.Settings(Harness.GRACE_MS, java.time.Duration.ofMillis(250)).withLimits(new Limits(5)));
        h.node(register("n1"));
        h.intent(key("six"), deployment("six", 6));
        h.intent(key("five"), deployment("five", 5));
        assertEquals("The Deployment \"six\" is invalid: spec.replicas: Invalid value: 6: must be less than or equal to 5",
                h.all(Topics.DEAD_LETTERS).get(0).value.getReason());
        assertEquals(5, h.all(Topics.PLACEMENT_REQUESTS).size());
    }

    @Test
    void shouldPassAValidIntentUnchanged() {
        Intent i = deployment("ok", 3);
        assertNull(IntentGate.problem(key("ok"), i, 100, Limits.DEFAULT));
        assertEquals("The Deployment \"ok\" is invalid: the record key is 600 bytes, limit is 512 bytes",
                IntentGate.problem("k".repeat(600), i, 100, Limits.DEFAULT));
        ContainerSpec longName = ContainerSpec.newBuilder().setName("c".repeat(64)).setImage("berth/busybox:latest").build();
        Intent many = intent(IntentAction.APPLY, ResourceKind.DEPLOYMENT, "many", DeploymentSpec.newBuilder((DeploymentSpec) i.getPayload())
                .setTemplate(PodTemplate.newBuilder().setContainers(java.util.Collections.nCopies(30, longName)).build()).build());
        String reason = IntentGate.problem(key("many"), many, 100, Limits.DEFAULT);
        assertTrue(reason.startsWith("The Deployment \"many\" is invalid: spec.template.spec.containers[0].name: Too long"), reason);
        assertTrue(reason.endsWith("spec.template.spec.containers[9].name: Too long: must have at most 63 bytes (and 20 more)"), reason);
    }
}
