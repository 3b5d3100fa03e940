package io.berth.scheduler.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** What a decision says about itself: feasible of total, normalized scores, runner-up, rejected reasons, one line. */
class VerdictTest {
    private static final Quantity CAP = new Quantity(1000, 1000);
    private static final Pending TASK = Pending.of("web-1", new Quantity(100, 100), "default/deployment/web");

    /** n1 has no memory left; n2 stays 71% free after the task, n3 65%. */
    private static ClusterSnapshot threeNodes() {
        return ClusterSnapshot.of(List.of(Node.ready("n1", CAP), Node.ready("n2", CAP), Node.ready("n3", CAP)))
                .withClaim("n1", new Claim("a", new Quantity(0, 950), Set.of(), "other"))
                .withClaim("n2", new Claim("b", new Quantity(190, 190), Set.of(), "other"))
                .withClaim("n3", new Claim("c", new Quantity(250, 250), Set.of(), "other"));
    }

    @Test
    void shouldExplainAPlacementInOneLineWithTheRunnerUpAndTheRejectedNode() {
        Verdict v = Placer.standard().place(threeNodes(), TASK).verdict();
        assertEquals("n2 of 3 feasible — spread 1.00, leastAllocated 0.71; runner-up n3 (spread 1.00, leastAllocated 0.65); "
                + "n1: Insufficient memory", v.message());
        assertEquals("n2", v.nodeId());
        assertEquals(2, v.feasible());
        assertEquals(3, v.total());
        assertEquals(List.of(new Verdict.RankerScore("spread", 0, 1.0), new Verdict.RankerScore("leastAllocated", 71, 0.71)), v.scores());
        assertEquals("n3", v.runnerUp());
        assertEquals(List.of(new Verdict.RankerScore("spread", 0, 1.0), new Verdict.RankerScore("leastAllocated", 65, 0.65)), v.runnerUpScores());
        assertEquals(Map.of("n1", "Insufficient memory"), v.rejected());
        assertEquals(0, v.rejectedOmitted());
    }

    @Test
    void shouldNormalizeSpreadAmongTheFeasibleNodesFewestReplicasBeingOne() {
        ClusterSnapshot s = ClusterSnapshot.of(List.of(Node.ready("n1", CAP), Node.ready("n2", CAP), Node.ready("n3", CAP)))
                .withClaim("n1", new Claim("w0", Quantity.ZERO, Set.of(), TASK.spreadKey()))
                .withClaim("n1", new Claim("w1", Quantity.ZERO, Set.of(), TASK.spreadKey()))
                .withClaim("n3", new Claim("w2", Quantity.ZERO, Set.of(), TASK.spreadKey()));
        Verdict v = Placer.standard().place(s, TASK).verdict();
        assertEquals("n2", v.nodeId());
        assertEquals(new Verdict.RankerScore("spread", 0, 1.0), v.scores().get(0));
        assertEquals("n3", v.runnerUp());
        assertEquals(new Verdict.RankerScore("spread", -1, 0.5), v.runnerUpScores().get(0), "one replica, between 0 (best) and 2 (worst)");
    }

    @Test
    void shouldNameTheSecondBestNodeAsRunnerUpWhateverTheIterationOrder() {
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= 6; i++) nodes.add(Node.ready("n" + i, CAP));
        ClusterSnapshot s = ClusterSnapshot.of(nodes);
        long[] booked = {300, 100, 500, 0, 200, 400}; // n4 emptiest, then n2
        for (int i = 0; i < booked.length; i++) s = s.withClaim("n" + (i + 1), new Claim("x" + i, new Quantity(booked[i], booked[i]), Set.of(), "x"));
        Verdict v = Placer.standard().place(s, TASK).verdict();
        assertEquals("n4", v.nodeId());
        assertEquals("n2", v.runnerUp());
    }

    @Test
    void shouldHaveNoRunnerUpWhenOnlyOneNodeIsFeasible() {
        ClusterSnapshot s = ClusterSnapshot.of(List.of(Node.ready("n1", CAP), new Node("n2", Map.of(), CAP, true, true)));
        Verdict v = Placer.standard().place(s, TASK).verdict();
        assertEquals("", v.runnerUp());
        assertEquals(List.of(), v.runnerUpScores());
        assertEquals("n1 of 2 feasible — spread 1.00, leastAllocated 0.90; n2: node(s) were unschedulable", v.message());
    }

    @Test
    void shouldListEveryRejectedNodesReasonsWhenNothingFits() {
        ClusterSnapshot s = ClusterSnapshot.of(List.of(Node.ready("n1", new Quantity(50, 50)), new Node("n2", Map.of(), CAP, false, false),
                new Node("n3", Map.of(), CAP, true, true)));
        Placement p = Placer.standard().place(s, TASK);
        Verdict v = assertInstanceOf(Placement.Unplaceable.class, p).verdict();
        assertEquals("", v.nodeId());
        assertEquals(0, v.feasible());
        assertEquals(3, v.total());
        assertEquals(List.of(), v.scores());
        assertEquals(Map.of("n1", "Insufficient cpu, Insufficient memory", "n2", "node(s) were not ready", "n3", "node(s) were unschedulable"),
                v.rejected());
        assertEquals("none of 3 feasible; n1: Insufficient cpu, Insufficient memory; n2: node(s) were not ready; "
                + "n3: node(s) were unschedulable", v.message());
    }

    @Test
    void shouldCapTheRejectedNodesAtFiftyAndCountTheRest() {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 80; i++) nodes.add(new Node(String.format("n%02d", i), Map.of(), CAP, false, false));
        nodes.add(Node.ready("ok", CAP));
        Verdict v = Placer.standard().place(ClusterSnapshot.of(nodes), TASK).verdict();
        assertEquals(Verdict.MAX_REJECTED, v.rejected().size());
        assertEquals(30, v.rejectedOmitted());
        assertEquals("n00", v.rejected().keySet().iterator().next(), "in node id order");
        assertTrue(v.message().endsWith("; n04: node(s) were not ready; 75 more rejected"), v.message());
        assertTrue(v.message().startsWith("ok of 81 feasible — "), v.message());
    }

    @Test
    void shouldKeepTheVerdictDeterministicForTheSameSnapshotAndTask() {
        assertEquals(Placer.standard().place(threeNodes(), TASK).verdict(), Placer.standard().place(threeNodes(), TASK).verdict());
    }

    @Test
    void shouldPrintTwoDecimals() {
        assertEquals("0.71", VerdictMessage.twoDecimals(0.71));
        assertEquals("1.00", VerdictMessage.twoDecimals(1.0));
        assertEquals("0.05", VerdictMessage.twoDecimals(0.049999));
        assertEquals("0.00", VerdictMessage.twoDecimals(0));
    }
}
