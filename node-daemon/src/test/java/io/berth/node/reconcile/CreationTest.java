package io.berth.node.reconcile;

import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Resources;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a create needs, as a table. Pods (task id {@code t}): {@code single} = app {@code web} (image
 * {@code web:1}); {@code pair} = apps {@code web} and {@code log} ({@code log:1}) behind an infra container;
 * {@code init} = init container {@code prep} ({@code prep:1}) and app {@code web}; {@code empty} = no
 * container. The infra container, when listed, is {@code c-infra}; the infra image is {@code pause:1}.
 * Expected: {@code launch <unit> <image> <infraId|->}, {@code await} or {@code unusable}.
 */
class CreationTest {
    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    @ParameterizedTest(name = "[{index}] {0} pod, unit {1}, infra {2} → {3}")
    @CsvSource(delimiter = '|', value = {
            // pod    | unit     | infra   | plan
            "single   | t        | -       | launch t web:1 -",
            "single   | t/.infra | -       | unusable",
            "single   | t/other  | -       | unusable",
            "empty    | t        | -       | unusable",
            // the sandbox first, from the infra image; nothing joins it before it runs
            "pair     | t/.infra | -       | launch t/.infra pause:1 -",
            "pair     | t/.infra | EXITED  | launch t/.infra pause:1 -",
            "pair     | t        | -       | await",
            "pair     | t        | CREATED | await",
            "pair     | t        | BUSY    | await",
            "pair     | t        | EXITED  | await",
            "pair     | t        | RUNNING | launch t web:1 c-infra",
            "pair     | t/log    | RUNNING | launch t/log log:1 c-infra",
            "pair     | t/nope   | RUNNING | unusable",
            "init     | t/prep   | -       | await",
            "init     | t/prep   | RUNNING | launch t/prep prep:1 c-infra",
            "init     | t        | RUNNING | launch t web:1 c-infra",
    })
    void shouldNameTheUnitItsImageAndItsSandbox(String pod, String unit, String infra, String plan) {
        Map<String, Observed> observed = infra.equals("-") ? Map.of()
                : Map.of("t/.infra", new Observed("t/.infra", "w", "c-infra", Observed.State.valueOf(infra), null, 1));
        assertEquals(plan, text(Creation.of(assignment(pod), unit, "pause:1", observed)));
    }

    private static String text(Creation.Plan p) {
        if (p instanceof Creation.Launch l) return "launch " + l.unit().key() + " " + l.image() + " " + (l.infraId() == null ? "-" : l.infraId());
        return p instanceof Creation.AwaitSandbox ? "await" : "unusable";
    }

    private static ContainerSpec container(String name) {
        return ContainerSpec.newBuilder().setName(name).setImage(name + ":1").build();
    }

    private static Assignment assignment(String pod) {
        PodTemplate.Builder t = PodTemplate.newBuilder();
        switch (pod) {
            case "single" -> t.setContainers(List.of(container("web")));
            case "pair" -> t.setContainers(List.of(container("web"), container("log")));
            case "init" -> t.setContainers(List.of(container("web"))).setInitContainers(List.of(container("prep")));
            default -> t.setContainers(List.of());
        }
        return Assignment.newBuilder().setTaskId("t").setNodeId("n1").setWorkloadKey("w").setNamespace("default").setPodName("p")
                .setTemplate(t.build()).setRequests(new Resources(10L, 1L << 20)).setAssignedAt(0).setRequestId("r").build();
    }
}
