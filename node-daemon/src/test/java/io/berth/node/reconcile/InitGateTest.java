package io.berth.node.reconcile;

import io.berth.node.docker.PodUnit;
import io.berth.node.docker.PodUnit.Kind;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Resources;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Init gating as a table. The pod: infra {@code .infra}, init containers {@code i1}, {@code i2}, app
 * containers {@code main} (key = the task id) and {@code side}. A cell of the observed column is
 * {@code unit=STATE[:exit]}; a cell of the expected column {@code unit:POLICY} (A = Always,
 * F = OnFailure, N = Never) in pod order, or {@code recycle unit unit …}.
 */
class InitGateTest {
    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    private static final List<PodUnit> POD = List.of(
            new PodUnit("t/.infra", "t", Kind.INFRA, 0, null),
            new PodUnit("t/i1", "t", Kind.INIT, 0, null),
            new PodUnit("t/i2", "t", Kind.INIT, 1, null),
            new PodUnit("t", "t", Kind.APP, 0, null),
            new PodUnit("t/side", "t", Kind.APP, 1, null));

    @ParameterizedTest(name = "[{index}] {0}: {1} → {2}")
    @CsvSource(delimiter = '|', value = {
            // pod policy | observed                                               | planned
            "ALWAYS     | -                                                        | .infra:A",
            "ALWAYS     | .infra=CREATED                                           | .infra:A",
            "ALWAYS     | .infra=RUNNING                                           | .infra:A i1:F",
            "NEVER      | .infra=RUNNING                                           | .infra:A i1:N",
            "ON_FAILURE | .infra=RUNNING                                           | .infra:A i1:F",
            "ALWAYS     | .infra=RUNNING i1=RUNNING                                | .infra:A i1:F",
            "ALWAYS     | .infra=RUNNING i1=EXITED:1                               | .infra:A i1:F",
            "NEVER      | .infra=RUNNING i1=EXITED:1                               | .infra:A i1:N",
            "ALWAYS     | .infra=RUNNING i1=EXITED:0                               | .infra:A i1:F i2:F",
            "ALWAYS     | .infra=RUNNING i1=EXITED:0 i2=EXITED                     | .infra:A i1:F i2:F",
            "ALWAYS     | .infra=RUNNING i1=EXITED:0 i2=EXITED:0                   | .infra:A i1:F i2:F main:A side:A",
            "ON_FAILURE | .infra=RUNNING i1=EXITED:0 i2=EXITED:0                   | .infra:A i1:F i2:F main:F side:F",
            "NEVER      | .infra=RUNNING i1=EXITED:0 i2=EXITED:0 main=RUNNING      | .infra:A i1:N i2:N main:N side:N",
            // an existing container is always planned (adoption), even if its predecessors are not done
            "ALWAYS     | .infra=RUNNING i2=EXITED:0 main=RUNNING                  | .infra:A i1:F i2:F main:A",
            // the infra is starting again (BUSY, CREATED): nothing new joins its network meanwhile
            "ALWAYS     | .infra=BUSY i1=EXITED:0 i2=EXITED:0                      | .infra:A i1:F i2:F",
            "ALWAYS     | .infra=CREATED main=EXITED:0                             | .infra:A main:A",
            // the sandbox died: remove everything of the pod first, then it starts over from the infra
            "ALWAYS     | .infra=EXITED:137 i1=EXITED:0 i2=EXITED:0 main=RUNNING   | recycle .infra i1 i2 main",
            "ALWAYS     | i1=EXITED:0 main=RUNNING side=EXITED:1                   | recycle i1 main side",
            "NEVER      | .infra=EXITED:0                                          | recycle .infra",
    })
    void shouldAdmitInfraThenInitContainersInOrderThenApps(RestartPolicy policy, String observed, String planned) {
        InitGate.Admission a = InitGate.admit(POD, policy, observed(observed));
        List<String> got = new ArrayList<>();
        if (!a.recycle().isEmpty()) {
            got.add("recycle");
            a.recycle().forEach(o -> got.add(name(o.taskId())));
            assertEquals(List.of(), a.desired(), "nothing else of a pod is planned while its sandbox is recycled");
        }
        for (Desired d : a.desired()) got.add(name(d.taskId()) + ":" + letter(d.restartPolicy()));
        assertEquals(planned.trim(), String.join(" ", got));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(nullValues = "null", value = {"EXITED,0,true", "EXITED,1,false", "EXITED,null,false", "RUNNING,null,false", "CREATED,null,false"})
    void shouldCountAnInitContainerDoneOnlyOnceItExitedZero(Observed.State state, Integer exit, boolean done) {
        assertEquals(done, InitGate.completed(new Observed("t/i1", "w", "c", state, exit, 1)));
    }

    @ParameterizedTest(name = "pod {0}: infra {1}, init {2}, app {3}")
    @CsvSource({"ALWAYS,ALWAYS,ON_FAILURE,ALWAYS", "ON_FAILURE,ALWAYS,ON_FAILURE,ON_FAILURE", "NEVER,ALWAYS,NEVER,NEVER"})
    void shouldRunEachKindOfUnitUnderItsPolicy(RestartPolicy pod, RestartPolicy infra, RestartPolicy init, RestartPolicy app) {
        assertEquals(List.of(infra, init, app), List.of(InitGate.policyOf(Kind.INFRA, pod), InitGate.policyOf(Kind.INIT, pod), InitGate.policyOf(Kind.APP, pod)));
    }

    /** A live assignment: pods of containers {@code names} (init containers prefixed {@code i:}); restartPolicy OnFailure. */
    @ParameterizedTest(name = "[{index}] pod {0}, observed {1} → {2}")
    @CsvSource(delimiter = '|', value = {
            // containers  | observed        | planned
            "-             | -               | main:F",
            "i:i1          | -               | main:F",
            "main          | -               | main:F",
            "main side     | -               | .infra:A",
            "main side     | .infra=RUNNING  | .infra:A main:F side:F",
            "i:i1 main     | .infra=RUNNING  | .infra:A i1:F",
    })
    void shouldAdmitTheUnitsOfALiveAssignment(String containers, String observed, String planned) {
        List<ContainerSpec> apps = new ArrayList<>();
        List<ContainerSpec> inits = new ArrayList<>();
        if (!containers.trim().equals("-")) for (String c : containers.trim().split("\\s+")) {
            if (c.startsWith("i:")) inits.add(ContainerSpec.newBuilder().setName(c.substring(2)).setImage("x").build());
            else apps.add(ContainerSpec.newBuilder().setName(c).setImage("x").build());
        }
        Assignment a = Assignment.newBuilder().setTaskId("t").setNodeId("n").setWorkloadKey("w").setNamespace("default").setPodName("p")
                .setTemplate(PodTemplate.newBuilder().setContainers(apps).setInitContainers(inits).setRestartPolicy("OnFailure").build())
                .setRequests(new Resources(1L, 1L)).setAssignedAt(0).setRequestId("r").build();
        List<String> got = new ArrayList<>();
        for (Desired d : InitGate.forPod(a, observed(observed)).desired()) got.add(name(d.taskId()) + ":" + letter(d.restartPolicy()));
        assertEquals(planned.trim(), String.join(" ", got));
    }

    private static String letter(RestartPolicy p) {
        return switch (p) {
            case ALWAYS -> "A";
            case ON_FAILURE -> "F";
            case NEVER -> "N";
        };
    }

    private static String name(String key) {
        return key.equals("t") ? "main" : key.substring(2);
    }

    private static Map<String, Observed> observed(String cells) {
        Map<String, Observed> m = new HashMap<>();
        if (cells.trim().equals("-")) return m;
        for (String cell : cells.trim().split("\\s+")) {
            String[] kv = cell.split("=");
            String[] se = kv[1].split(":");
            String key = kv[0].equals("main") ? "t" : "t/" + kv[0];
            Integer exit = se.length > 1 ? Integer.valueOf(se[1]) : null;
            m.put(key, new Observed(key, "w", "c-" + kv[0], Observed.State.valueOf(se[0]), exit, 1));
        }
        return m;
    }
}
