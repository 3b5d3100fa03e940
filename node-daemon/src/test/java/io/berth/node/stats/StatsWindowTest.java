package io.berth.node.stats;

import io.berth.schemas.avro.NodeStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class StatsWindowTest {
    static final long S = 1_000_000_000L;

    @ParameterizedTest(name = "{0} → {1} ns over {2} ns = {3} n")
    @CsvSource({
            "0,          2500000000, 10000000000, 250000000",  // 2.5 s of CPU in 10 s: 250m
            "1000,       1000,       10000000000, 0",          // idle
            "0,          20000000000, 10000000000, 2000000000", // two cores busy
            "5000000000, 1000,       10000000000, -1",         // the counter went back (restart): no rate
            "0,          1000,       0,           -1"})        // no time passed
    void nanoCores(long before, long after, long elapsed, long expected) {
        assertEquals(expected < 0 ? Optional.empty() : Optional.of(expected), StatsWindow.nanoCores(before, after, elapsed));
    }

    static StatsSource.ContainerUsage c(String id, String task, String container, long cpu, long mem) {
        return new StatsSource.ContainerUsage(new StatsSource.ContainerRef(id, task, "ns1", "pod-" + task, container), cpu, mem);
    }

    @Test
    void groupsContainersByPodAndSkipsThoseNotInBothSamples() {
        var before = new StatsSource.Sample(0, 1_000, 0, 100, List.of(
                c("c1", "t1", "app", 0, 10), c("c2", "t1", "side", 0, 20), c("gone", "t3", "app", 0, 1), c("r", "t4", "app", 9 * S, 1)));
        var after = new StatsSource.Sample(10 * S, 11_000, 5 * S, 200, List.of(
                c("c1", "t1", "app", 3 * S, 11), c("c2", "t1", "side", 0, 22), c("new", "t2", "app", S, 5), c("r", "t4", "app", S, 1)));
        NodeStats s = StatsWindow.between("n1", "node-1", before, after).orElseThrow();
        assertEquals(500_000_000L, s.getCpuNanoCores());
        assertEquals(200, s.getMemoryWorkingSetBytes());
        assertEquals(11_000, s.getTimestamp());
        assertEquals(10_000, s.getWindowMs());
        assertEquals(1, s.getPods().size(), "t2 is new (one sample), t3 is gone, t4 restarted (counter went back)");
        var pod = s.getPods().get(0);
        assertEquals("pod-t1", pod.getPodName());
        assertEquals("app", pod.getContainers().get(0).getName());
        assertEquals(300_000_000L, pod.getContainers().get(0).getCpuNanoCores());
        assertEquals(11, pod.getContainers().get(0).getMemoryWorkingSetBytes());
        assertEquals(0, pod.getContainers().get(1).getCpuNanoCores());
    }

    @Test
    void noRateWithoutTimeOrWhenTheNodeCounterWentBack() {
        var a = new StatsSource.Sample(5, 0, 10, 0, List.of());
        assertTrue(StatsWindow.between("n", "n", a, a).isEmpty());
        assertTrue(StatsWindow.between("n", "n", a, new StatsSource.Sample(10 * S, 0, 1, 0, List.of())).isEmpty());
    }
}
