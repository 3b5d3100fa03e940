package io.berth.node.probe;

import io.berth.node.probe.ProbeMachine.Kind;
import io.berth.node.reconcile.Reported;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Probe;
import io.berth.schemas.avro.ProbeType;
import io.berth.schemas.avro.Resources;
import io.berth.schemas.avro.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The prober's decisions around its state machine, as tables. */
class ProbesTest {
    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    /**
     * One result of container {@code web} whose declared probes ({@code S} startup, {@code L} liveness,
     * {@code R} readiness; every threshold 1) already had the results {@code before} ({@code R+} a readiness
     * success, {@code S-} a startup failure …), the container last reported {@code last}.
     */
    @ParameterizedTest(name = "[{index}] probes {0}, after [{1}], reported {2}: {3} → {4}")
    @CsvSource(delimiter = '|', value = {
            // probes | before | last     | result | verdict
            // readiness: transitions only, each reported once
            "R        | -      | RUNNING  | R+     | report READY",
            "R        | R+     | READY    | R+     | nothing",
            "R        | R+     | READY    | R-     | report UNREADY ContainersNotReady Readiness probe failed: boom",
            "R        | -      | RUNNING  | R-     | report UNREADY ContainersNotReady Readiness probe failed: boom",
            "R        | R-     | UNREADY  | R-     | nothing",
            "R        | R+ R-  | UNREADY  | R+     | report READY",
            // liveness: a failure at the threshold kills; a success says nothing
            "L        | -      | READY    | L+     | nothing",
            "L        | -      | READY    | L-     | kill Container web failed liveness probe, will be restarted",
            "L R      | R+     | READY    | L-     | kill Container web failed liveness probe, will be restarted",
            // startup: holds readiness until it passes; failing it kills
            "S        | -      | RUNNING  | S+     | report READY",
            "S R      | -      | RUNNING  | S+     | nothing",
            "S R      | S+     | RUNNING  | R+     | report READY",
            "S L R    | -      | RUNNING  | S-     | kill Container web failed startup probe, will be restarted",
            // a late result after the kill changes nothing
            "L        | L-     | READY    | L-     | nothing",
    })
    void shouldTurnAResultIntoAVerdict(String probes, String before, String last, String result, String verdict) {
        ProbeSettings one = new ProbeSettings(0, 1000, 1000, 1, 1);
        ProbeMachine m = new ProbeMachine(probes.contains("S") ? one : null, probes.contains("L") ? one : null, probes.contains("R") ? one : null, 0);
        long t = 0;
        if (!before.equals("-")) for (String r : before.split(" ")) m.onResult(kind(r), r.endsWith("+"), "boom", t += 1000);
        boolean wasReady = m.ready();
        Kind k = kind(result);
        ProbeMachine.Outcome o = m.onResult(k, result.endsWith("+"), "boom", t + 1000);
        Reported lastReported = new Reported(TaskState.valueOf(last), null, "", "");
        assertEquals(verdict, text(Probes.verdict(k, o, m, wasReady, lastReported, "web")));
    }

    @ParameterizedTest(name = "own IP \"{0}\", own network {1}, infra IP {2} → \"{3}\"")
    @CsvSource(nullValues = "null", value = {
            "172.17.0.5, true,  null,       172.17.0.5",
            "172.17.0.5, false, 172.17.0.9, 172.17.0.5",
            "'',         true,  172.17.0.9, ''",
            "'',         false, 172.17.0.9, 172.17.0.9",
            "'',         false, '',         ''",
            "'',         false, null,       ''",
    })
    void shouldProbeAJoinedContainerOnItsPodsIp(String own, boolean ownNetwork, String infra, String expected) {
        assertEquals(expected, Probes.address(own, ownNetwork, infra));
    }

    @Test
    void shouldDefaultAProbesPortToTheFirstDeclaredPortElse80() {
        assertEquals(80, Probes.defaultPort(spec(List.of())));
        assertEquals(8080, Probes.defaultPort(spec(List.of(port(8080), port(9090)))));
    }

    @Test
    void shouldBuildTheMachineOfARunFromTheSpecsProbes() {
        ProbeMachine none = Probes.machine(null, 0);
        assertTrue(none.started() && none.ready(), "an infra or init container is not probed: started and ready at once");
        ContainerSpec c = ContainerSpec.newBuilder(spec(List.of())).setReadinessProbe(probe(5, "/ready")).build();
        ProbeMachine m = Probes.machine(c, 1_000);
        assertTrue(m.started());
        assertFalse(m.ready(), "unready until the readiness probe passes");
        assertTrue(m.has(Kind.READINESS) && !m.has(Kind.LIVENESS) && !m.has(Kind.STARTUP));
        assertEquals(6_000, m.nextWake(), "the initial delay counts from the run's start");
        assertSame(c.getReadinessProbe(), Probes.probe(c, Kind.READINESS));
        assertNull(Probes.probe(c, Kind.LIVENESS));
    }

    @ParameterizedTest(name = "unit {0} → {1}")
    @CsvSource({"t, web", "t/log, log", "t/.infra, -", "t/prep, -", "t/nope, -"})
    void shouldProbeOnlyTheAppContainersOfALivePod(String unit, String probed) {
        ContainerSpec web = spec(List.of());
        ContainerSpec log = ContainerSpec.newBuilder(web).setName("log").build();
        ContainerSpec prep = ContainerSpec.newBuilder(web).setName("prep").build();
        Assignment a = Assignment.newBuilder().setTaskId("t").setNodeId("n").setWorkloadKey("w").setNamespace("default").setPodName("p")
                .setTemplate(PodTemplate.newBuilder().setContainers(List.of(web, log)).setInitContainers(List.of(prep)).build())
                .setRequests(new Resources(1L, 1L)).setAssignedAt(0).setRequestId("r").build();
        ContainerSpec got = Probes.probed(a, unit);
        assertEquals(probed, got == null ? "-" : got.getName());
        assertNull(Probes.probed(null, unit), "a revoked task is not probed");
    }

    private static Kind kind(String token) {
        return switch (token.charAt(0)) {
            case 'S' -> Kind.STARTUP;
            case 'L' -> Kind.LIVENESS;
            default -> Kind.READINESS;
        };
    }

    private static String text(Probes.Verdict v) {
        if (v instanceof Probes.Kill k) return "kill " + k.message();
        if (v instanceof Probes.Report r) return ("report " + r.next().state() + " " + r.next().reason() + " " + r.next().message()).trim();
        return "nothing";
    }

    private static ContainerPort port(int p) {
        return ContainerPort.newBuilder().setName("p" + p).setContainerPort(p).build();
    }

    private static Probe probe(int delaySeconds, String path) {
        return Probe.newBuilder().setType(ProbeType.HTTP_GET).setPath(path).setInitialDelaySeconds(delaySeconds).build();
    }

    private static ContainerSpec spec(List<ContainerPort> ports) {
        return ContainerSpec.newBuilder().setName("web").setImage("web:1").setPorts(ports).build();
    }
}
