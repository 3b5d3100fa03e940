package io.berth.scheduler;

import io.berth.schemas.metrics.ProcessMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/**
 * {@code berth_placements_total{result="placed|unplaceable"}} and {@code berth_placement_duration_seconds}: every
 * placement decision the scheduler makes and how long the placement core took for it (filtering and scoring
 * every node), as kube-scheduler's {@code scheduler_schedule_attempts_total} and attempt duration.
 */
final class PlacementMetrics {
    private static final Counter PLACED = counter("placed"), UNPLACEABLE = counter("unplaceable");
    private static final Timer DURATION = Timer.builder("berth.placement.duration").description("How long one placement decision took")
            .serviceLevelObjectives(ProcessMetrics.LATENCY_BUCKETS.toArray(java.time.Duration[]::new)).register(ProcessMetrics.meters());

    private PlacementMetrics() {}

    static void record(boolean placed, long nanos) {
        (placed ? PLACED : UNPLACEABLE).increment();
        DURATION.record(nanos, TimeUnit.NANOSECONDS);
    }

    private static Counter counter(String result) {
        return Counter.builder("berth.placements").description("Placement decisions of the scheduler, by result")
                .tag("result", result).register(ProcessMetrics.meters());
    }
}
