package io.berth.node.reconcile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PlannerTest {
    private static final long NOW = 1_000_000;

    private static Desired live(String id, RestartPolicy p) {
        return new Desired(id, p);
    }

    private static Observed seen(String id, Observed.State s, Integer exit) {
        return new Observed(id, "default/deployment/web", "c-" + id, s, exit, 3);
    }

    private static List<Step> plan(Map<String, Desired> d, Map<String, Observed> o, Map<String, Long> gates, boolean synced) {
        return Planner.plan(d, o, gates, synced, NOW);
    }

    @Test
    void shouldCreateAMissingContainer() {
        assertEquals(List.of(new Step.Create("t1")), plan(Map.of("t1", live("t1", RestartPolicy.ALWAYS)), Map.of(), Map.of(), true));
    }

    @Test
    void shouldNotCreateBeforeTheAssignmentLogWasReadToItsEnd() {
        // a restarted daemon reads an assignment that the log revokes further on: nothing may run it meanwhile
        assertEquals(List.of(), plan(Map.of("t1", live("t1", RestartPolicy.ALWAYS)), Map.of(), Map.of(), false));
    }

    @Test
    void shouldWaitToRetryACreateThatFailedRecently() {
        assertEquals(List.of(new Step.Wait("t1", NOW + 500)),
                plan(Map.of("t1", live("t1", RestartPolicy.ALWAYS)), Map.of(), Map.of("t1", NOW + 500), true));
    }

    @Test
    void shouldLeaveARunningContainerAlone() {
        assertEquals(List.of(), plan(Map.of("t1", live("t1", RestartPolicy.ALWAYS)),
                Map.of("t1", seen("t1", Observed.State.RUNNING, null)), Map.of(), true));
    }

    @Test
    void shouldStartAContainerThatWasCreatedButNeverStarted() {
        assertEquals(List.of(new Step.Start("t1", "c-t1")), plan(Map.of("t1", live("t1", RestartPolicy.NEVER)),
                Map.of("t1", seen("t1", Observed.State.CREATED, null)), Map.of(), true));
    }

    @Test
    void shouldRemoveAContainerWhoseAssignmentIsGoneWithItsOwnGrace() {
        assertEquals(List.of(new Step.Remove("t1", "c-t1", 3)),
                plan(Map.of(), Map.of("t1", seen("t1", Observed.State.RUNNING, null)), Map.of(), true));
    }

    @Test
    void shouldNotRemoveAnythingBeforeTheAssignmentLogWasReadToItsEnd() {
        // at start-up the container's assignment may simply not have been read yet
        assertEquals(List.of(), plan(Map.of(), Map.of("t1", seen("t1", Observed.State.RUNNING, null)), Map.of(), false));
    }

    /**
     * What "synced" (the assignment log read to its end) gates: every step. A container nobody assigned may belong
     * to an assignment not read yet, so it stays until synced; an assignment read before the end may be revoked
     * further on, so nothing is created, started or restarted for it before. Rows: assigned?, container, synced → step.
     */
    @ParameterizedTest(name = "assigned {0}, container {1}, synced {2} → {3}")
    @CsvSource({
            "true,  NONE,    false, nothing",
            "true,  NONE,    true,  create",
            "true,  CREATED, false, nothing",
            "true,  CREATED, true,  start",
            "true,  EXITED,  false, nothing",
            "true,  EXITED,  true,  restart",
            "true,  RUNNING, false, nothing",
            "false, RUNNING, false, nothing",
            "false, RUNNING, true,  remove",
            "false, EXITED,  false, nothing",
            "false, EXITED,  true,  remove",
            "false, CREATED, false, nothing",
            "false, CREATED, true,  remove",
    })
    void shouldGateEveryStepOnTheAssignmentLogBeingReadToItsEnd(boolean assigned, String container, boolean synced, String expected) {
        Map<String, Desired> desired = assigned ? Map.of("t1", live("t1", RestartPolicy.ALWAYS)) : Map.of();
        Map<String, Observed> observed = container.equals("NONE") ? Map.of() : Map.of("t1", seen("t1", Observed.State.valueOf(container), 1));
        List<Step> want = switch (expected) {
            case "create" -> List.of(new Step.Create("t1"));
            case "start" -> List.of(new Step.Start("t1", "c-t1"));
            case "restart" -> List.of(new Step.Restart("t1", "c-t1"));
            case "remove" -> List.of(new Step.Remove("t1", "c-t1", 3));
            default -> List.of();
        };
        assertEquals(want, plan(desired, observed, Map.of(), synced));
    }

    @ParameterizedTest(name = "{0} exit {1} → {2}")
    @CsvSource({
            "ALWAYS,     0,   restart",
            "ALWAYS,     137, restart",
            "ON_FAILURE, 0,   done",
            "ON_FAILURE, 1,   restart",
            "NEVER,      1,   done",
            "NEVER,      0,   done",
    })
    void shouldApplyTheRestartPolicyToAnExitedContainer(RestartPolicy policy, int exit, String expected) {
        List<Step> steps = plan(Map.of("t1", live("t1", policy)), Map.of("t1", seen("t1", Observed.State.EXITED, exit)), Map.of(), true);
        Step want = expected.equals("restart") ? new Step.Restart("t1", "c-t1") : new Step.Done("t1", exit);
        assertEquals(List.of(want), steps);
    }

    @Test
    void shouldWaitForTheBackoffBeforeRestarting() {
        assertEquals(List.of(new Step.Wait("t1", NOW + 2000)), plan(Map.of("t1", live("t1", RestartPolicy.ALWAYS)),
                Map.of("t1", seen("t1", Observed.State.EXITED, 1)), Map.of("t1", NOW + 2000), true));
    }

    @Test
    void shouldLeaveContainersSomeoneElseIsActingOnAlone() {
        assertEquals(List.of(), plan(Map.of("t1", live("t1", RestartPolicy.ALWAYS)),
                Map.of("t1", seen("t1", Observed.State.BUSY, null)), Map.of(), true));
    }

    @Test
    void shouldPlanEveryTaskInIdOrder() {
        List<Step> steps = plan(Map.of("b", live("b", RestartPolicy.ALWAYS), "a", live("a", RestartPolicy.ALWAYS)),
                Map.of("z", seen("z", Observed.State.EXITED, 0)), Map.of(), true);
        assertEquals(List.of(new Step.Create("a"), new Step.Create("b"), new Step.Remove("z", "c-z", 3)), steps);
    }
}
