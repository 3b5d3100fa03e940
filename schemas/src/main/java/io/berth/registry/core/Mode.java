package io.berth.registry.core;

import java.util.Locale;

/**
 * What writes a subject (or the whole registry) accepts. READWRITE: all; READONLY and
 * READONLY_OVERRIDE: none; IMPORT: registrations that carry their own id and version (used to
 * copy another registry); FORWARD is accepted for compatibility with Confluent and behaves like
 * READWRITE here.
 */
public enum Mode {
    READWRITE, READONLY, READONLY_OVERRIDE, IMPORT, FORWARD;

    public boolean acceptsWrites() {
        return this != READONLY && this != READONLY_OVERRIDE;
    }

    /** Parses a mode case-insensitively, or refuses it with 42204. */
    public static Mode parse(String value) {
        if (value != null) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // reported below
            }
        }
        throw new RegistryError(RegistryError.INVALID_MODE,
                "Invalid mode '" + value + "'. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT.");
    }
}
