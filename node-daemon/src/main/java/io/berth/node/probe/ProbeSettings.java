package io.berth.node.probe;

import io.berth.schemas.avro.Probe;

/**
 * One probe's timing and thresholds in milliseconds, clamped to Kubernetes' minimums (period,
 * timeout and thresholds at least 1; a negative initial delay is 0).
 */
public record ProbeSettings(long initialDelayMs, long periodMs, long timeoutMs, int failureThreshold, int successThreshold) {

    public ProbeSettings {
        initialDelayMs = Math.max(0, initialDelayMs);
        periodMs = Math.max(1, periodMs);
        timeoutMs = Math.max(1, timeoutMs);
        failureThreshold = Math.max(1, failureThreshold);
        successThreshold = Math.max(1, successThreshold);
    }

    /** Null for an absent probe. */
    public static ProbeSettings of(Probe p) {
        if (p == null) return null;
        return new ProbeSettings(p.getInitialDelaySeconds() * 1000L, Math.max(1, p.getPeriodSeconds()) * 1000L,
                Math.max(1, p.getTimeoutSeconds()) * 1000L, p.getFailureThreshold(), p.getSuccessThreshold());
    }
}
