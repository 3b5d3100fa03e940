package io.berth.ops.stack;

import io.berth.gateway.manifest.Durations;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Compose's units: Go durations ({@code 1m30s}), byte sizes ({@code 512m}, {@code 1gb}) and {@code cpus} ({@code 0.5}). */
final class ComposeUnits {
    private ComposeUnits() {}

    private static final Pattern BYTES = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([bkmgt]?)b?", Pattern.CASE_INSENSITIVE);

    /** Whole seconds, rounded up (a probe's period is at least 1 s); @throws IllegalArgumentException when malformed */
    static long seconds(String text) {
        return Durations.seconds(text);
    }

    /** A size in bytes; @throws IllegalArgumentException when malformed */
    static long bytes(String text) {
        Matcher m = BYTES.matcher(text.strip());
        if (!m.matches()) throw new IllegalArgumentException("invalid size \"" + text + "\" (e.g. 512m, 1g, 1048576)");
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << shift)).longValue();
    }

    /** Bytes as a Kubernetes quantity: {@code 512Mi}, {@code 1536Ki}, or plain bytes. */
    static String quantity(long bytes) {
        if (bytes > 0 && bytes % (1L << 30) == 0) return bytes / (1L << 30) + "Gi";
        if (bytes > 0 && bytes % (1L << 20) == 0) return bytes / (1L << 20) + "Mi";
        if (bytes > 0 && bytes % (1L << 10) == 0) return bytes / (1L << 10) + "Ki";
        return Long.toString(bytes);
    }

    /** {@code 0.5} cpus → {@code 500m}; @throws IllegalArgumentException when not a positive number */
    static String cpus(String text) {
        BigDecimal d;
        try {
            d = new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid cpus \"" + text + "\" (e.g. 0.5)");
        }
        if (d.signum() < 0) throw new IllegalArgumentException("invalid cpus \"" + text + "\": must not be negative");
        return d.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).toPlainString() + "m";
    }
}
