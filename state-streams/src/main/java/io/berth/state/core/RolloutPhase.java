package io.berth.state.core;

import io.berth.schemas.avro.RolloutStatus;

import java.util.Arrays;

/**
 * Where a deployment's rollout stands ({@code RolloutStatus.phase}; the Avro field stays a string
 * for compatibility, this enum is how the code reads and writes it). Transitions are listed in
 * {@link RolloutLifecycle}. {@link #NONE} is a view that never rolled out (a pod, a service).
 */
public enum RolloutPhase {
    NONE(""),
    PROGRESSING("Progressing"),
    COMPLETE("Complete"),
    PAUSED("Paused"),
    FAILED("Failed"),
    ROLLED_BACK("RolledBack"),
    ABORTED("Aborted");

    private final String text;

    RolloutPhase(String text) {
        this.text = text;
    }

    /** As stored in RolloutStatus.phase and shown by {@code rollout status}. */
    public String text() {
        return text;
    }

    public boolean is(RolloutStatus rs) {
        return rs != null && text.equals(rs.getPhase());
    }

    /** @throws IllegalArgumentException for a phase no version of Berth wrote */
    public static RolloutPhase of(String phase) {
        String p = phase == null ? "" : phase;
        return Arrays.stream(values()).filter(v -> v.text.equals(p)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown rollout phase: " + phase));
    }

    public static RolloutPhase of(RolloutStatus rs) {
        return of(rs == null ? "" : rs.getPhase());
    }
}
