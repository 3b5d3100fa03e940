package io.berth.node;

import io.berth.node.reconcile.Observed;
import io.berth.schemas.metrics.ProcessMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A node daemon's series, labelled with its node: {@code berth_node_containers{node,state}} (its containers as the
 * last listing of the engine showed them: created, running, exited, busy) and
 * {@code berth_node_heartbeat_age_seconds{node}} (how long ago the broker acknowledged its last heartbeat: past the
 * node grace, state-streams declares it down). Removed when the daemon stops.
 */
final class NodeMetrics implements AutoCloseable {
    private final Map<Observed.State, Integer> containers = new ConcurrentHashMap<>();
    private final List<Meter> meters = new ArrayList<>();

    NodeMetrics(String nodeId, LongSupplier lastAcknowledged, LongSupplier clock) {
        for (Observed.State s : Observed.State.values()) {
            containers.put(s, 0);
            meters.add(Gauge.builder("berth.node.containers", containers, m -> m.getOrDefault(s, 0))
                    .description("Containers of this node by state, as the container engine last listed them")
                    .tags("node", nodeId, "state", s.name().toLowerCase(java.util.Locale.ROOT)).strongReference(true)
                    .register(ProcessMetrics.meters()));
        }
        meters.add(Gauge.builder("berth.node.heartbeat.age", () -> {
                    long at = lastAcknowledged.getAsLong();
                    return at <= 0 ? Double.NaN : Math.max(0, clock.getAsLong() - at) / 1000.0;
                }).description("Seconds since the broker acknowledged this node's last heartbeat (NaN before the first)")
                .baseUnit("seconds").tag("node", nodeId).strongReference(true).register(ProcessMetrics.meters()));
    }

    /** The latest count of containers by state. */
    void containers(Map<Observed.State, Integer> byState) {
        containers.putAll(byState);
    }

    @Override
    public void close() {
        meters.forEach(ProcessMetrics.meters()::remove);
    }
}
