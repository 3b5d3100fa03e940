package io.berth.scheduler.core;

import net.jqwik.api.*;
import net.jqwik.api.constraints.Size;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Invariants over random clusters and random request sequences: whatever the placer decides, no
 * node is over-committed on cpu or memory, no host port is used twice on a node, and nothing lands
 * on a node that is NotReady, cordoned or lacks a selected label.
 */
class PlacementPropertiesTest {

    @Property(tries = 300)
    void shouldNeverOvercommitOrDoubleUseAPort(@ForAll("nodes") @Size(min = 0, max = 8) List<Node> nodes,
                                               @ForAll("tasks") @Size(max = 60) List<Pending> tasks) {
        ClusterSnapshot snapshot = ClusterSnapshot.of(nodes);
        Map<String, Node> byId = new HashMap<>();
        nodes.forEach(n -> byId.put(n.id(), n));
        Map<String, List<Pending>> placed = new HashMap<>();
        for (Pending t : tasks) {
            Placement p = Placer.standard().place(snapshot, t);
            snapshot = snapshot.with(p);
            if (p instanceof Placement.Placed pl) placed.computeIfAbsent(pl.nodeId(), k -> new ArrayList<>()).add(t);
        }
        placed.forEach((nodeId, onNode) -> assertNodeHolds(byId.get(nodeId), onNode));
    }

    private static void assertNodeHolds(Node node, List<Pending> onNode) {
        assertTrue(node.ready() && !node.cordoned(), "placed on unschedulable " + node);
        long cpu = onNode.stream().mapToLong(t -> t.requests().cpuMillis()).sum();
        long mem = onNode.stream().mapToLong(t -> t.requests().memoryBytes()).sum();
        assertTrue(cpu <= node.capacity().cpuMillis() || cpu == 0, "cpu over-committed on " + node.id() + ": " + cpu);
        assertTrue(mem <= node.capacity().memoryBytes() || mem == 0, "memory over-committed on " + node.id() + ": " + mem);
        Set<Integer> ports = new HashSet<>();
        onNode.forEach(t -> t.hostPorts().forEach(p -> assertTrue(ports.add(p), "port " + p + " used twice on " + node.id())));
        onNode.forEach(t -> t.nodeSelector().forEach((k, v) -> assertEquals(v, node.labels().get(k), "selector of " + t.taskId())));
    }

    @Provide
    Arbitrary<List<Node>> nodes() {
        Arbitrary<Quantity> capacity = Combinators.combine(
                Arbitraries.of(0L, 500L, 1000L, 4000L), Arbitraries.of(0L, 256L, 1024L, 4096L)).as(Quantity::new);
        Arbitrary<Map<String, String>> labels = Arbitraries.of(Map.of(), Map.of("disk", "ssd"), Map.of("zone", "a"));
        Arbitrary<Node> node = Combinators.combine(labels, capacity, Arbitraries.of(true, true, true, false), Arbitraries.of(false, false, false, true))
                .as((l, c, ready, cordoned) -> new Node("", l, c, ready, cordoned));
        return node.list().map(PlacementPropertiesTest::numbered);
    }

    private static List<Node> numbered(List<Node> nodes) {
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            out.add(new Node("node-" + i, n.labels(), n.capacity(), n.ready(), n.cordoned()));
        }
        return out;
    }

    @Provide
    Arbitrary<List<Pending>> tasks() {
        Arbitrary<Quantity> requests = Combinators.combine(
                Arbitraries.of(0L, 100L, 250L, 1000L), Arbitraries.of(0L, 64L, 512L, 2048L)).as(Quantity::new);
        Arbitrary<Set<Integer>> ports = Arbitraries.of(Set.of(), Set.of(), Set.of(80), Set.of(80, 443), Set.of(8080));
        Arbitrary<Map<String, String>> selector = Arbitraries.of(Map.of(), Map.of(), Map.of("disk", "ssd"));
        Arbitrary<String> spread = Arbitraries.of("", "web", "db");
        Arbitrary<Pending> task = Combinators.combine(requests, selector, ports, spread)
                .as((r, sel, p, s) -> new Pending("", r, sel, p, s));
        return task.list().map(PlacementPropertiesTest::withIds);
    }

    private static List<Pending> withIds(List<Pending> tasks) {
        List<Pending> out = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            Pending t = tasks.get(i);
            out.add(new Pending("task-" + i, t.requests(), t.nodeSelector(), t.hostPorts(), t.spreadKey()));
        }
        return out;
    }
}
