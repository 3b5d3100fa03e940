package io.berth.scheduler.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each ranker as a table: (node capacity, what is booked, task) → score. */
class RankerTest {
    record Case(String should, Ranker ranker, Quantity capacity, NodeUsage usage, Pending task, long expected) {
        @Override
        public String toString() {
            return should;
        }
    }

    static NodeUsage replicas(String spreadKey, int n) {
        NodeUsage u = NodeUsage.EMPTY;
        for (int i = 0; i < n; i++) u = u.plus(new Claim("r" + i, Quantity.ZERO, Set.of(), spreadKey));
        return u;
    }

    static NodeUsage booked(long cpu, long mem) {
        return NodeUsage.EMPTY.plus(new Claim("other", new Quantity(cpu, mem), Set.of(), ""));
    }

    static Stream<Case> cases() {
        Quantity cap = new Quantity(4000, 8000);
        Ranker spread = new Ranker.Spread();
        Ranker least = new Ranker.LeastAllocated();
        return Stream.of(
                new Case("should score 0 for a node without replicas", spread, cap, NodeUsage.EMPTY, Pending.of("t", Quantity.ZERO, "web"), 0),
                new Case("should score minus the replicas already there", spread, cap, replicas("web", 2), Pending.of("t", Quantity.ZERO, "web"), -2),
                new Case("should ignore replicas of other workloads", spread, cap, replicas("db", 3), Pending.of("t", Quantity.ZERO, "web"), 0),
                new Case("should not spread tasks without a spread key", spread, cap, replicas("", 3), Pending.of("t", Quantity.ZERO, ""), 0),
                new Case("should score an empty node for a zero request 100", least, cap, NodeUsage.EMPTY, Pending.of("t", Quantity.ZERO, ""), 100),
                new Case("should average cpu and memory: (75 + 50) / 2", least, cap, NodeUsage.EMPTY, Pending.of("t", new Quantity(1000, 4000), ""), 62),
                new Case("should count what is booked: cpu 50, memory 25", least, cap, booked(1000, 2000), Pending.of("t", new Quantity(1000, 4000), ""), 37),
                new Case("should score a full node 0", least, cap, booked(4000, 8000), Pending.of("t", Quantity.ZERO, ""), 0),
                new Case("should score a resource of unknown capacity 0", least, new Quantity(0, 8000), NodeUsage.EMPTY, Pending.of("t", Quantity.ZERO, ""), 50));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ranks(Case c) {
        assertEquals(c.expected(), c.ranker().score(Node.ready("n1", c.capacity()), c.usage(), c.task()));
    }
}
