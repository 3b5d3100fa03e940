package io.berth.registry.core;

import java.util.Locale;

/**
 * How a new schema version must relate to the earlier ones of its subject. BACKWARD: readers of
 * the new schema read data written with the old one; FORWARD: the other way round; FULL: both;
 * the TRANSITIVE variants check every live version instead of only the latest.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    /** The server default (Confluent's {@code schema.compatibility.level=backward}). */
    public static final CompatibilityLevel DEFAULT = BACKWARD;

    public final boolean backward;
    public final boolean forward;
    public final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** Parses a level case-insensitively, or refuses it with 42203. */
    public static CompatibilityLevel parse(String value) {
        if (value != null) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // reported below
            }
        }
        throw new RegistryError(RegistryError.INVALID_COMPATIBILITY_LEVEL,
                "Invalid compatibility level '" + value + "'. Valid values are none, backward, forward, full, "
                        + "backward_transitive, forward_transitive, and full_transitive");
    }
}
