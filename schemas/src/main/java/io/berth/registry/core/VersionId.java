package io.berth.registry.core;

/**
 * A version in a path: {@code latest} (or -1) or an integer in 1..2^31-1. Anything else is
 * refused with 42202 (SR {@code rest/VersionId.java}).
 */
public record VersionId(int value) {
    public static final int LATEST = -1;

    public boolean isLatest() {
        return value == LATEST;
    }

    public static VersionId parse(String text) {
        if ("latest".equalsIgnoreCase(text)) return new VersionId(LATEST);
        try {
            int v = Integer.parseInt(text);
            if (v == LATEST || v >= 1) return new VersionId(v);
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new RegistryError(RegistryError.INVALID_VERSION, "The specified version '" + text
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    @Override
    public String toString() {
        return isLatest() ? "latest" : Integer.toString(value);
    }
}
