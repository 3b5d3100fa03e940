package io.berth.scheduler;

import io.berth.schemas.service.BerthConfig;

import java.time.Duration;

/**
 * The scheduler's timings.
 *
 * @param retryInterval  unused since retries run on every tick read from berth.ticks (state-streams'
 *                       controller-tick-ms); kept so existing configurations still parse
 * @param pendingTtl     a request still unplaceable after this long (counted from its timestamp) is dropped
 * @param inFlightTtl    how long an own placement is counted while not yet visible in a tick's ledger
 * @param snapshotMaxAge unused since the snapshot is the last tick's cluster plus the decisions
 *                       since (no global store is scanned); kept so existing configurations still parse
 */
public record SchedulerSettings(Duration retryInterval, Duration pendingTtl, Duration inFlightTtl, Duration snapshotMaxAge) {
    public static final SchedulerSettings DEFAULTS = new SchedulerSettings(
            Duration.ofMillis(500), Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofMillis(250));

    public static SchedulerSettings from(BerthConfig config) {
        return new SchedulerSettings(
                Duration.ofMillis(config.getLong("scheduler-retry-ms", DEFAULTS.retryInterval.toMillis())),
                Duration.ofMillis(config.getLong("scheduler-pending-ttl-ms", DEFAULTS.pendingTtl.toMillis())),
                Duration.ofMillis(config.getLong("scheduler-inflight-ttl-ms", DEFAULTS.inFlightTtl.toMillis())),
                Duration.ofMillis(config.getLong("scheduler-snapshot-max-age-ms", DEFAULTS.snapshotMaxAge.toMillis())));
    }
}
