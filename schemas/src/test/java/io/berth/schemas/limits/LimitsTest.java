package io.berth.schemas.limits;

import io.berth.schemas.avro.*;
import io.berth.schemas.service.BerthConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

class LimitsTest {
    /** One row: how to spoil a valid Deployment, and the one message expected (null: still valid). */
    record Case(String name, UnaryOperator<DeploymentSpec.Builder> spoil, String expected) {}

    private static final String LONG_STRING = "x".repeat(Limits.MAX_STRING + 1);

    @Test
    void shouldRefuseEachLimitOfADeploymentNamingTheField() {
        List<Case> table = List.of(
                new Case("valid", d -> d, null),
                new Case("max replicas", d -> d.setReplicas(10_000), null),
                new Case("replicas 2^31-1", d -> d.setReplicas(Integer.MAX_VALUE),
                        "spec.replicas: Invalid value: 2147483647: must be less than or equal to 10000"),
                new Case("replicas 10001", d -> d.setReplicas(10_001),
                        "spec.replicas: Invalid value: 10001: must be less than or equal to 10000"),
                new Case("negative replicas", d -> d.setReplicas(-1),
                        "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
                new Case("revision history", d -> d.setRevisionHistoryLimit(1_000_000),
                        "spec.revisionHistoryLimit: Invalid value: 1000000: must be less than or equal to 25"),
                new Case("negative revision history", d -> d.setRevisionHistoryLimit(-3),
                        "spec.revisionHistoryLimit: Invalid value: -3: must be greater than or equal to 0"),
                new Case("maxSurge huge", d -> d.setRollingUpdate(new RollingUpdate("2147483647", "25%")),
                        "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"2147483647\": must be less than or equal to 10000"),
                new Case("maxUnavailable percent", d -> d.setRollingUpdate(new RollingUpdate("25%", "300%")),
                        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"300%\": must not be greater than 100%"),
                new Case("maxSurge overflows a long", d -> d.setRollingUpdate(new RollingUpdate("99999999999999999999", "1")),
                        "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"999999999999...\": must be an integer or percentage (e.g. '5%')"),
                new Case("maxSurge 200% is Kubernetes-valid", d -> d.setRollingUpdate(new RollingUpdate("200%", "0")), null),
                new Case("maxSurge garbage", d -> d.setRollingUpdate(new RollingUpdate("lots", "1")),
                        "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"lots\": must be an integer or percentage (e.g. '5%')"),
                new Case("canary weight", d -> d.setCanarySteps(List.of(new CanaryStep(Integer.MAX_VALUE, false, 0))),
                        "spec.strategy.canary.steps[0].setWeight: Invalid value: 2147483647: must be less than or equal to 100"),
                new Case("canary pause", d -> d.setCanarySteps(List.of(new CanaryStep(10, true, -5))),
                        "spec.strategy.canary.steps[0].pause.duration: Invalid value: -5: must be greater than or equal to 0"),
                new Case("canary steps", d -> d.setCanarySteps(Collections.nCopies(33, new CanaryStep(10, false, 0))),
                        "spec.strategy.canary.steps: Too many: 33: must have at most 32 items"),
                new Case("containers", d -> d.setTemplate(template(Collections.nCopies(33, container().build()))),
                        "spec.template.spec.containers: Too many: 33: must have at most 32 items"),
                new Case("env count", d -> d.setTemplate(template(List.of(container()
                                .setEnv(Collections.nCopies(257, new EnvVar("A", "b", null))).build()))),
                        "spec.template.spec.containers[0].env: Too many: 257: must have at most 256 items"),
                new Case("env value", d -> d.setTemplate(template(List.of(container()
                                .setEnv(List.of(new EnvVar("A", LONG_STRING, null))).build()))),
                        "spec.template.spec.containers[0].env[0].value: Too long: must have at most 8192 bytes"),
                new Case("args", d -> d.setTemplate(template(List.of(container().setArgs(Collections.nCopies(1000, "a")).build()))),
                        "spec.template.spec.containers[0].args: Too many: 1000: must have at most 256 items"),
                new Case("command string", d -> d.setTemplate(template(List.of(container().setCommand(List.of(LONG_STRING)).build()))),
                        "spec.template.spec.containers[0].command[0]: Too long: must have at most 8192 bytes"),
                new Case("ports", d -> d.setTemplate(template(List.of(container()
                                .setPorts(Collections.nCopies(65, ContainerPort.newBuilder().setContainerPort(80).build())).build()))),
                        "spec.template.spec.containers[0].ports: Too many: 65: must have at most 64 items"),
                new Case("container name", d -> d.setTemplate(template(List.of(container().setName("c".repeat(64)).build()))),
                        "spec.template.spec.containers[0].name: Too long: must have at most 63 bytes"),
                new Case("volumes", d -> d.setTemplate(PodTemplate.newBuilder(template(List.of(container().build())))
                                .setVolumes(Collections.nCopies(65, Volume.newBuilder().setName("v").setType("emptyDir").build())).build()),
                        "spec.template.spec.volumes: Too many: 65: must have at most 64 items"),
                new Case("label value", d -> d.setTemplate(PodTemplate.newBuilder(template(List.of(container().build())))
                                .setLabels(Map.of("app", "v".repeat(64))).build()),
                        "spec.template.metadata.labels[app]: Invalid value: \"" + "v".repeat(40) + "...\": must be no more than 63 characters"),
                new Case("label count", d -> d.setSelector(manyLabels(65)),
                        "spec.selector.matchLabels: Too many: 65: must have at most 64 items"),
                new Case("grace period", d -> d.setTemplate(PodTemplate.newBuilder(template(List.of(container().build())))
                                .setTerminationGracePeriodSeconds(-1).build()),
                        "spec.template.spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0"));
        for (Case c : table) {
            Intent i = deployment("web", c.spoil().apply(DeploymentSpec.newBuilder(valid())).build());
            List<Limits.Violation> v = Limits.DEFAULT.check(i);
            if (c.expected() == null) {
                assertEquals(List.of(), v, c.name());
            } else {
                assertEquals(List.of(c.expected()), v.stream().map(Limits.Violation::message).toList(), c.name());
            }
        }
    }

    record NameCase(ResourceKind kind, String name, String expected) {}

    @Test
    void shouldRefuseABadHorizontalPodAutoscalerNamingTheFieldAsKubernetesDoes() {
        HpaSpec ok = HpaSpec.newBuilder().setTargetKind("Deployment").setTargetName("web").setMinReplicas(1).setMaxReplicas(3)
                .setMetrics(List.of(new HpaMetric("cpu", 50, null))).build();
        java.util.function.Function<HpaSpec, List<String>> check = h -> Limits.DEFAULT.check(Intent.newBuilder()
                .setAction(IntentAction.APPLY).setKind(ResourceKind.HORIZONTALPODAUTOSCALER).setName("web").setHpa(h).build())
                .stream().map(Limits.Violation::message).toList();
        assertEquals(List.of(), check.apply(ok));
        assertEquals(List.of("spec.maxReplicas: Invalid value: 0: must be greater than or equal to 1"),
                check.apply(HpaSpec.newBuilder(ok).setMaxReplicas(0).build()));
        assertEquals(List.of("spec.minReplicas: Invalid value: 5: must be less than or equal to maxReplicas"),
                check.apply(HpaSpec.newBuilder(ok).setMinReplicas(5).build()));
        assertEquals(List.of("spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"),
                check.apply(HpaSpec.newBuilder(ok).setMinReplicas(0).build()));
        assertEquals(List.of("spec.scaleTargetRef.name: Required value"), check.apply(HpaSpec.newBuilder(ok).setTargetName("").build()));
        assertEquals(List.of("spec.maxReplicas: Invalid value: 10001: must be less than or equal to 10000"),
                check.apply(HpaSpec.newBuilder(ok).setMaxReplicas(10_001).build()));
        assertEquals(List.of("spec.metrics: Required value: must specify at least one metric"),
                check.apply(HpaSpec.newBuilder(ok).setMetrics(List.of()).build()));
        assertEquals(List.of("spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0"),
                check.apply(HpaSpec.newBuilder(ok).setMetrics(List.of(new HpaMetric("cpu", 0, null))).build()));
        assertEquals(List.of("spec.metrics[0].resource.name: Unsupported value: \"gpu\": supported values: \"cpu\", \"memory\""),
                check.apply(HpaSpec.newBuilder(ok).setMetrics(List.of(new HpaMetric("gpu", 50, null))).build()));
        HpaRules badDown = new HpaRules(-1, "Sometimes", List.of(new HpaPolicy("Pods", 0, 15)));
        assertEquals(List.of("spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: -1: must be greater than or equal to 0",
                        "spec.behavior.scaleDown.selectPolicy: Unsupported value: \"Sometimes\": supported values: \"Disabled\", \"Max\", \"Min\"",
                        "spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero"),
                check.apply(HpaSpec.newBuilder(ok).setScaleDown(badDown).build()));
        assertEquals(List.of("spec: Required value: a HorizontalPodAutoscaler intent carries its spec"), check.apply(null));
    }

    @Test
    void shouldBoundNamesByKindAsKubernetesDoes() {
        List<NameCase> table = List.of(
                new NameCase(ResourceKind.DEPLOYMENT, "d".repeat(253), null),
                new NameCase(ResourceKind.DEPLOYMENT, "d".repeat(254), "metadata.name: Too long: must have at most 253 bytes"),
                new NameCase(ResourceKind.POD, "p".repeat(254), "metadata.name: Too long: must have at most 253 bytes"),
                new NameCase(ResourceKind.SERVICE, "s".repeat(63), null),
                new NameCase(ResourceKind.SERVICE, "s".repeat(64), "metadata.name: Too long: must have at most 63 bytes"),
                new NameCase(ResourceKind.NAMESPACE, "n".repeat(64), "metadata.name: Too long: must have at most 63 bytes"));
        for (NameCase c : table) {
            Intent i = Intent.newBuilder().setAction(IntentAction.DELETE).setKind(c.kind()).setName(c.name()).build();
            assertEquals(c.expected() == null ? List.of() : List.of(c.expected()),
                    Limits.DEFAULT.check(i).stream().map(Limits.Violation::message).toList(), c.toString());
        }
    }

    @Test
    void shouldRefuseAStatefulSetWithoutItsServiceNameOrWithANegativePartition() {
        StatefulSetSpec.Builder sts = StatefulSetSpec.newBuilder().setServiceName("web");
        Intent ok = Intent.newBuilder(deployment("web", valid())).setKind(ResourceKind.STATEFULSET).setStatefulSet(sts.build()).build();
        assertNull(Limits.firstMessage(Limits.DEFAULT.check(ok)));
        Intent noService = Intent.newBuilder(ok).setStatefulSet(StatefulSetSpec.newBuilder(sts.build()).setServiceName("").build()).build();
        assertEquals("spec.serviceName: Required value", Limits.firstMessage(Limits.DEFAULT.check(noService)));
        Intent partition = Intent.newBuilder(ok).setStatefulSet(StatefulSetSpec.newBuilder(sts.build()).setPartition(-1).build()).build();
        assertEquals("spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0",
                Limits.firstMessage(Limits.DEFAULT.check(partition)));
    }

    @Test
    void shouldBoundScaleIntentsAndTheNamespaceAndAnnotations() {
        Intent scale = Intent.newBuilder().setAction(IntentAction.SCALE).setKind(ResourceKind.DEPLOYMENT).setName("web")
                .setPayload(new ScaleSpec(Integer.MAX_VALUE)).build();
        assertEquals("spec.replicas: Invalid value: 2147483647: must be less than or equal to 10000",
                Limits.firstMessage(Limits.DEFAULT.check(scale)));
        assertEquals("spec.replicas: Invalid value: -2147483648: must be greater than or equal to 0",
                Limits.firstMessage(Limits.DEFAULT.check(Intent.newBuilder(scale).setPayload(new ScaleSpec(Integer.MIN_VALUE)).build())));
        Intent ns = Intent.newBuilder(scale).setNamespace("n".repeat(64)).setPayload(new ScaleSpec(1)).build();
        assertEquals("metadata.namespace: Too long: must have at most 63 bytes", Limits.firstMessage(Limits.DEFAULT.check(ns)));
        Map<String, String> big = Map.of("note", "a".repeat(Limits.MAX_ANNOTATION_BYTES));
        assertEquals("metadata.annotations: Too long: must have at most 16384 bytes",
                Limits.firstMessage(Limits.DEFAULT.check(Intent.newBuilder(scale).setPayload(new ScaleSpec(1)).setAnnotations(big).build())));
    }

    @Test
    void shouldTakeMaxReplicasFromTheSettingAndRefuseANonsensicalOne() {
        Limits small = Limits.from(BerthConfig.of("x:1", "", null).with(Limits.MAX_REPLICAS_KEY, "50"));
        assertEquals(50, small.maxReplicas());
        assertEquals("spec.replicas: Invalid value: 51: must be less than or equal to 50",
                Limits.firstMessage(small.check(deployment("web", DeploymentSpec.newBuilder(valid()).setReplicas(51).build()))));
        assertEquals(Limits.DEFAULT_MAX_REPLICAS, Limits.from(BerthConfig.of("x:1", "", null)).maxReplicas());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Limits.from(BerthConfig.of("x:1", "", null).with(Limits.MAX_REPLICAS_KEY, "0")));
        assertTrue(e.getMessage().startsWith("max-replicas must be between 1 and"), e.getMessage());
    }

    @Test
    void shouldRefuseAnEncodedObjectLargerThanTheRecordBudget() {
        assertEquals(List.of(), Limits.DEFAULT.checkEncodedSize(Limits.MAX_INTENT_BYTES));
        assertEquals("Request entity too large: the object is 5242880 bytes encoded, limit is 32768 bytes",
                Limits.firstMessage(Limits.DEFAULT.checkEncodedSize(5 << 20)));
        // the budget argument of MAX_INTENT_BYTES: every view holds the template at most history + 2 times
        assertTrue((long) (Limits.MAX_REVISION_HISTORY + 2) * Limits.MAX_INTENT_BYTES < 1024 * 1024 - 100 * 1024);
    }

    @Test
    void shouldComputePercentagesWithoutOverflow() {
        assertEquals(10_000, Limits.percentOf(10_000, 100, true));
        assertEquals(Integer.MAX_VALUE / 4, Limits.percentOf(Integer.MAX_VALUE, Long.MAX_VALUE, false));
        assertEquals(Integer.MAX_VALUE / 4, Limits.clampCount(Long.MAX_VALUE));
        assertEquals(0, Limits.clampCount(-1));
        assertEquals(20_000, Limits.percentOf(10_000, 200, true));
        assertEquals(1, Limits.percentOf(3, 25, true));
        assertEquals(0, Limits.percentOf(3, 25, false));
        assertEquals(0, Limits.percentOf(5, -7, true));
    }

    @Test
    void shouldMeasureUtf8WithoutCopying() {
        assertEquals(3, Limits.utf8Length("abc"));
        assertEquals(2, Limits.utf8Length("é"));
        assertEquals(3, Limits.utf8Length("€"));
        assertEquals(4, Limits.utf8Length("😀"));
    }

    static DeploymentSpec valid() {
        return DeploymentSpec.newBuilder().setReplicas(3).setSelector(Map.of("app", "web"))
                .setTemplate(template(List.of(container().build()))).build();
    }

    static PodTemplate template(List<ContainerSpec> containers) {
        return PodTemplate.newBuilder().setLabels(Map.of("app", "web")).setContainers(new ArrayList<>(containers)).build();
    }

    static ContainerSpec.Builder container() {
        return ContainerSpec.newBuilder().setName("c").setImage("berth/busybox:latest");
    }

    static Map<String, String> manyLabels(int n) {
        Map<String, String> m = new HashMap<>();
        for (int k = 0; k < n; k++) m.put("k" + k, "v");
        return m;
    }

    static Intent deployment(String name, DeploymentSpec spec) {
        return Intent.newBuilder().setAction(IntentAction.APPLY).setKind(ResourceKind.DEPLOYMENT).setName(name).setPayload(spec).build();
    }
}
