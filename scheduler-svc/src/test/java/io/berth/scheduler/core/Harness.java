package io.berth.scheduler.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Places tasks one after the other on an evolving snapshot and records every decision, as
 * Nomad's scheduler Harness records submitted plans. Tests then compare against an
 * {@link Expectation}.
 */
final class Harness {
    private final Placer placer = Placer.standard();
    private ClusterSnapshot snapshot;
    final List<Placement> decisions = new ArrayList<>();

    Harness(ClusterSnapshot snapshot) {
        this.snapshot = snapshot;
    }

    Harness place(Pending... tasks) {
        for (Pending task : tasks) {
            Placement p = placer.place(snapshot, task);
            decisions.add(p);
            snapshot = snapshot.with(p);
        }
        return this;
    }

    ClusterSnapshot snapshot() {
        return snapshot;
    }

    Map<String, Integer> placedPerNode() {
        Map<String, Integer> perNode = new TreeMap<>();
        decisions.stream().filter(p -> p instanceof Placement.Placed)
                .forEach(p -> perNode.merge(((Placement.Placed) p).nodeId(), 1, Integer::sum));
        return perNode;
    }

    long unplaceable() {
        return decisions.stream().filter(p -> p instanceof Placement.Unplaceable).count();
    }

    /** What a run should have produced; null fields are not checked. */
    record Expectation(Integer placed, Integer unplaceable, Map<String, Integer> perNode) {
        static Expectation placed(int n) {
            return new Expectation(n, 0, null);
        }

        Expectation perNode(Map<String, Integer> perNode) {
            return new Expectation(placed, unplaceable, perNode);
        }

        Expectation unplaceable(int n) {
            return new Expectation(placed, n, perNode);
        }
    }

    void assertResults(Expectation e) {
        if (e.placed() != null) assertEquals(e.placed().intValue(), decisions.size() - (int) unplaceable(), "placed");
        if (e.unplaceable() != null) assertEquals(e.unplaceable().longValue(), unplaceable(), "unplaceable");
        if (e.perNode() != null) assertEquals(e.perNode(), placedPerNode(), "placements per node");
    }
}
