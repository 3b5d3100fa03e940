package io.berth.gateway.manifest;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Kubernetes tools write them: a plain number of seconds ({@code 10}) or a Go duration
 * ({@code 10s}, {@code 1m30s}, {@code 1.5h}, {@code 500ms}), as {@code kubectl --timeout} and the
 * {@code berth.io/update-delay} annotation take them.
 */
public final class Durations {
    private Durations() {}

    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h)");

    /** Milliseconds of {@code text}; a bare number is seconds. Throws IllegalArgumentException when malformed, negative or beyond a long. */
    public static long millis(String text) {
        if (text == null) throw new IllegalArgumentException("empty duration");
        String t = text.strip();
        if (t.matches("[0-9]+")) {
            try {
                return Math.multiplyExact(Long.parseLong(t), 1000L);
            } catch (ArithmeticException | NumberFormatException e) {
                throw outOfRange(text);
            }
        }
        if (t.equals("0")) return 0;
        if (t.isEmpty() || t.startsWith("-")) throw new IllegalArgumentException("invalid duration \"" + text + "\"");
        if (t.startsWith("+")) t = t.substring(1);
        Matcher m = PART.matcher(t);
        int at = 0;
        BigDecimal nanos = BigDecimal.ZERO;
        while (at < t.length()) {
            if (!m.find(at) || m.start() != at) throw new IllegalArgumentException("invalid duration \"" + text + "\"");
            BigDecimal n = new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1));
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos = nanos.add(n.multiply(BigDecimal.valueOf(unit)));
            at = m.end();
        }
        BigDecimal ms = nanos.divide(BigDecimal.valueOf(1_000_000L), 0, RoundingMode.CEILING);
        if (ms.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw outOfRange(text);
        return ms.longValueExact();
    }

    /** A duration longer than a {@code long} of milliseconds (292 million years): refused like a malformed one, not an overflow. */
    private static IllegalArgumentException outOfRange(String text) {
        return new IllegalArgumentException("duration \"" + text + "\" is out of range");
    }

    /** Whole seconds of {@code text} (rounded up); see {@link #millis}. */
    public static long seconds(String text) {
        long ms = millis(text);
        return ms / 1000 + (ms % 1000 == 0 ? 0 : 1);  // not (ms + 999) / 1000, which overflows near Long.MAX_VALUE
    }
}
