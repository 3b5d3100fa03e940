package io.berth.scheduler.core;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static io.berth.scheduler.core.Harness.Expectation.placed;
import static org.junit.jupiter.api.Assertions.*;

class PlacerTest {
    private static final Quantity CAP = new Quantity(4000, 8L << 30);

    static ClusterSnapshot equalNodes(int n) {
        return ClusterSnapshot.of(IntStream.rangeClosed(1, n).mapToObj(i -> Node.ready("node-" + i, CAP)).toList());
    }

    static Pending[] replicas(String workload, int n, Quantity each) {
        return IntStream.range(0, n).mapToObj(i -> Pending.of(workload + "-abc123-" + i, each, workload)).toArray(Pending[]::new);
    }

    @Test
    void shouldSpreadSixReplicasTwoPerNodeOnThreeEqualNodes() {
        new Harness(equalNodes(3)).place(replicas("web", 6, new Quantity(100, 1L << 20)))
                .assertResults(placed(6).perNode(Map.of("node-1", 2, "node-2", 2, "node-3", 2)));
    }

    @Test
    void shouldSpreadZeroRequestReplicasToo() {
        new Harness(equalNodes(3)).place(replicas("web", 6, Quantity.ZERO))
                .assertResults(placed(6).perNode(Map.of("node-1", 2, "node-2", 2, "node-3", 2)));
    }

    @Test
    void shouldPreferTheLeastAllocatedNodeAmongEquallySpread() {
        ClusterSnapshot s = equalNodes(3).withClaim("node-1", new Claim("x", new Quantity(2000, 0), Set.of(), "db"))
                .withClaim("node-3", new Claim("y", new Quantity(1000, 0), Set.of(), "db"));
        Placement p = Placer.standard().place(s, Pending.of("web-1", new Quantity(100, 0), "web"));
        assertEquals("node-2", ((Placement.Placed) p).nodeId());
    }

    @Test
    void shouldRankSpreadAboveLeastAllocated() {
        ClusterSnapshot s = ClusterSnapshot.of(List.of(Node.ready("big", new Quantity(64000, 1L << 40)), Node.ready("small", CAP)))
                .withClaim("big", new Claim("web-0", Quantity.ZERO, Set.of(), "web"));
        Placement p = Placer.standard().place(s, Pending.of("web-1", new Quantity(100, 0), "web"));
        assertEquals("small", ((Placement.Placed) p).nodeId(), "the emptier node already holds a replica");
    }

    @Test
    void shouldChooseTheSameNodeForTheSameTaskIdEveryTime() {
        Pending t = Pending.of("web-abc123-xyz12", Quantity.ZERO, "web");
        Set<String> chosen = new HashSet<>();
        for (int i = 0; i < 20; i++) chosen.add(((Placement.Placed) Placer.standard().place(equalNodes(5), t)).nodeId());
        assertEquals(1, chosen.size());
    }

    @Test
    void shouldBreakTiesDifferentlyForDifferentTaskIds() {
        Set<String> chosen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            Placement p = Placer.standard().place(equalNodes(5), Pending.of("solo-" + i, Quantity.ZERO, ""));
            chosen.add(((Placement.Placed) p).nodeId());
        }
        assertTrue(chosen.size() >= 4, "ties between equal nodes should not always go to one node: " + chosen);
    }

    @Test
    void shouldNotDependOnTheOrderNodesWereListed() {
        List<Node> nodes = IntStream.rangeClosed(1, 5).mapToObj(i -> Node.ready("node-" + i, CAP)).toList();
        List<Node> reversed = new java.util.ArrayList<>(nodes);
        java.util.Collections.reverse(reversed);
        Pending t = Pending.of("t-1", Quantity.ZERO, "");
        assertEquals(Placer.standard().place(ClusterSnapshot.of(nodes), t), Placer.standard().place(ClusterSnapshot.of(reversed), t));
    }

    @Test
    void shouldExplainAnUnplaceableTaskInKubernetesWords() {
        Quantity small = new Quantity(4000, 1L << 30);
        ClusterSnapshot s = ClusterSnapshot.of(List.of(Node.ready("a", small), Node.ready("b", small),
                new Node("c", Map.of(), CAP, true, true)));
        Placement p = Placer.standard().place(s, Pending.of("big-1", new Quantity(100, 2L << 30), ""));
        Placement.Unplaceable u = assertInstanceOf(Placement.Unplaceable.class, p);
        assertEquals("0/3 nodes are available: 2 Insufficient memory, 1 node(s) were unschedulable.", u.message());
        assertEquals(Map.of("a", List.of(Checks.INSUFFICIENT_MEMORY), "b", List.of(Checks.INSUFFICIENT_MEMORY),
                "c", List.of(Checks.UNSCHEDULABLE)), u.reasonsByNode());
    }

    @Test
    void shouldSayZeroOfZeroWhenThereAreNoNodes() {
        Placement p = Placer.standard().place(ClusterSnapshot.of(List.of()), Pending.of("t", Quantity.ZERO, ""));
        assertEquals("0/0 nodes are available.", ((Placement.Unplaceable) p).message());
    }

    @Test
    void shouldNeverDoubleBookWithinABatch() {
        ClusterSnapshot one = ClusterSnapshot.of(List.of(Node.ready("only", new Quantity(1000, 1000))));
        Harness h = new Harness(one).place(replicas("web", 3, new Quantity(400, 100)));
        h.assertResults(placed(2).unplaceable(1));
        assertEquals("0/1 nodes are available: 1 Insufficient cpu.", ((Placement.Unplaceable) h.decisions.get(2)).message());
    }

    @Test
    void shouldStopAtMaxPodsInKubernetesWords() {
        ClusterSnapshot one = ClusterSnapshot.of(List.of(new Node("only", Map.of(), Quantity.ZERO, true, false, 110)));
        Harness h = new Harness(one).place(replicas("web", 111, Quantity.ZERO));
        h.assertResults(placed(110).unplaceable(1));
        assertEquals("0/1 nodes are available: 1 Too many pods.", ((Placement.Unplaceable) h.decisions.get(110)).message());
    }

    @Test
    void shouldKeepTwoTasksOffTheSameHostPort() {
        Pending a = new Pending("a", Quantity.ZERO, Map.of(), Set.of(80), "");
        Pending b = new Pending("b", Quantity.ZERO, Map.of(), Set.of(80), "");
        Harness h = new Harness(equalNodes(1)).place(a, b);
        h.assertResults(placed(1).unplaceable(1));
        assertEquals("0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.",
                ((Placement.Unplaceable) h.decisions.get(1)).message());
    }

    @Test
    void shouldReportTheScoreBreakdownOfTheWinner() {
        Placement.Placed p = (Placement.Placed) Placer.standard().place(equalNodes(2), Pending.of("t", new Quantity(2000, 4L << 30), "web"));
        assertEquals(Map.of("spread", 0L, "leastAllocated", 50L), p.score().byRanker());
        assertEquals(2, p.feasibleNodes());
    }
}
