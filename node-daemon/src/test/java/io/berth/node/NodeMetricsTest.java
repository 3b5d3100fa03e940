package io.berth.node;

import io.berth.node.reconcile.Observed;
import io.berth.schemas.metrics.ProcessMetrics;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 16: a node's containers by state and the age of its last acknowledged heartbeat, gone when it stops. */
class NodeMetricsTest {
    static double gauge(String name, String... tags) {
        var g = ProcessMetrics.meters().find(name).tags(tags).gauge();
        assertNotNull(g, name + " " + String.join(",", tags));
        return g.value();
    }

    @Test
    void shouldExportContainersByStateAndTheHeartbeatAgeUntilClosed() {
        AtomicLong acked = new AtomicLong(0), now = new AtomicLong(10_000);
        NodeMetrics m = new NodeMetrics("nm-1", acked::get, now::get);
        assertTrue(Double.isNaN(gauge("berth.node.heartbeat.age", "node", "nm-1")), "no heartbeat acknowledged yet");
        acked.set(8_500);
        assertEquals(1.5, gauge("berth.node.heartbeat.age", "node", "nm-1"), 1e-9);
        assertEquals(0, gauge("berth.node.containers", "node", "nm-1", "state", "running"));
        m.containers(Map.of(Observed.State.RUNNING, 3, Observed.State.EXITED, 1));
        assertEquals(3, gauge("berth.node.containers", "node", "nm-1", "state", "running"));
        assertEquals(1, gauge("berth.node.containers", "node", "nm-1", "state", "exited"));
        assertEquals(0, gauge("berth.node.containers", "node", "nm-1", "state", "created"));
        m.close();
        assertNull(ProcessMetrics.meters().find("berth.node.containers").tag("node", "nm-1").gauge(), "a stopped node has no series");
        assertNull(ProcessMetrics.meters().find("berth.node.heartbeat.age").tag("node", "nm-1").gauge());
    }
}
