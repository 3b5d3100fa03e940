package io.berth.scheduler;

import io.berth.schemas.service.BerthConfig;

import java.time.Duration;

/**
 * The scheduler's timings.
 *
 * @param retryInterval  how often pending requests are tried again (and node changes noticed)
 * @param pendingTtl     a request still unplaceable after this long (counted from its timestamp) is dropped
 * @param inFlightTtl    how long an own placement is counted while not yet visible in the ledger
 */
public record SchedulerSettings(Duration retryInterval, Duration pendingTtl, Duration inFlightTtl) {
    public static final SchedulerSettings DEFAULTS = new SchedulerSettings(Duration.ofMillis(500), Duration.ofMinutes(10), Duration.ofSeconds(30));

    public static SchedulerSettings from(BerthConfig config) {
        return new SchedulerSettings(
                Duration.ofMillis(config.getLong("scheduler-retry-ms", DEFAULTS.retryInterval.toMillis())),
                Duration.ofMillis(config.getLong("scheduler-pending-ttl-ms", DEFAULTS.pendingTtl.toMillis())),
                Duration.ofMillis(config.getLong("scheduler-inflight-ttl-ms", DEFAULTS.inFlightTtl.toMillis())));
    }
}
