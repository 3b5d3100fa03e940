package io.berth.ops.chaos;

import io.berth.ops.chaos.FaultPlan.Action;
import io.berth.ops.chaos.FaultPlan.Fault;
import io.berth.ops.chaos.FaultPlan.Timing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class FaultPlanTest {
    static final List<String> TARGETS = List.of("broker-1", "broker-2", "broker-3", "registry-1", "state-streams-2", "gateway-1", "node-1", "node-2");

    @Test
    void shouldDrawTheSameScheduleFromTheSameSeed() {
        List<Fault> a = FaultPlan.plan(42, 100, TARGETS, EnumSet.of(Action.KILL, Action.STOP), Timing.DEFAULT);
        assertEquals(a, FaultPlan.plan(42, 100, TARGETS, EnumSet.of(Action.KILL, Action.STOP), Timing.DEFAULT));
        assertNotEquals(a, FaultPlan.plan(43, 100, TARGETS, EnumSet.of(Action.KILL, Action.STOP), Timing.DEFAULT));
        assertEquals(100, a.size());
        assertEquals(1, a.get(0).index());
        assertEquals(100, a.get(99).index());
    }

    @Test
    void shouldKeepEveryFaultWithinItsTimingAndCoverTargetsAndActions() {
        Timing t = Timing.DEFAULT;
        List<Fault> plan = FaultPlan.plan(7, 500, TARGETS, EnumSet.of(Action.KILL, Action.STOP), t);
        for (Fault f : plan) {
            if (f.action() == Action.KILL) assertTrue(f.holdMs() >= t.killMinMs() && f.holdMs() <= t.killMaxMs(), f.describe());
            else assertTrue(f.holdMs() >= t.stopMinMs() && f.holdMs() <= t.stopMaxMs(), f.describe());
            assertTrue(f.gapMs() >= t.gapMinMs() && f.gapMs() <= t.gapMaxMs(), f.describe());
        }
        assertEquals(Set.copyOf(TARGETS), plan.stream().map(Fault::target).collect(java.util.stream.Collectors.toSet()), "every target drawn in 500");
        assertEquals(Set.of(Action.KILL, Action.STOP), plan.stream().map(Fault::action).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void shouldCutTheNetworkOfNodesOnly() {
        List<Fault> plan = FaultPlan.plan(3, 300, TARGETS, EnumSet.of(Action.NETCUT), Timing.DEFAULT);
        for (Fault f : plan) assertEquals(FaultPlan.isNode(f.target()) ? Action.NETCUT : Action.KILL, f.action(), f.describe());
    }

    @ParameterizedTest
    @CsvSource({"state-streams-2, state-streams", "broker-1, broker", "node-3, node", "gateway, gateway", "node-x, node-x"})
    void shouldGroupAProcessWithItsRedundantPeers(String process, String group) {
        assertEquals(group, FaultPlan.group(process));
    }

    @Test
    void shouldRefuseANegativeCountOrNoTargetsNamingTheArgument() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FaultPlan.plan(1, -1, TARGETS, EnumSet.of(Action.KILL), Timing.DEFAULT))
                .getMessage().startsWith("faults:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FaultPlan.plan(1, 1, List.of(), EnumSet.of(Action.KILL), Timing.DEFAULT))
                .getMessage().startsWith("targets:"));
    }
}
