package io.berth.state;

import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.metrics.ProcessMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code berth_reconcile_total{kind,result}} and {@code berth_reconcile_duration_seconds{kind}}: every reconcile of a
 * workload by the controllers (an intent, a task status, a node change or a tick), and how long it took; the rate of
 * the first is the controllers' work, the histogram their latency. {@code result="error"}: it threw (the record then
 * goes to the dead letters).
 */
final class ReconcileMetrics {
    private static final Map<ResourceKind, Timer> TIMERS = new EnumMap<>(ResourceKind.class);

    private ReconcileMetrics() {}

    static synchronized void record(ResourceKind kind, boolean failed, long nanos) {
        String k = kind.name().toLowerCase(java.util.Locale.ROOT);
        Counter.builder("berth.reconcile").description("Workload reconciles by the state-streams controllers")
                .tags("kind", k, "result", failed ? "error" : "ok").register(ProcessMetrics.meters()).increment();
        TIMERS.computeIfAbsent(kind, x -> Timer.builder("berth.reconcile.duration").description("How long one workload reconcile took")
                .tag("kind", k).serviceLevelObjectives(ProcessMetrics.LATENCY_BUCKETS.toArray(java.time.Duration[]::new))
                .register(ProcessMetrics.meters())).record(nanos, TimeUnit.NANOSECONDS);
    }
}
