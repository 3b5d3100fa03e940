package io.berth.gateway.timetravel;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instants a user names: RFC 3339 ({@code 2026-12-03T22:10:00Z}, {@code …+01:00}, fractions allowed),
 * a time relative to now ({@code -10m}, {@code -1h30m}, {@code -90s}, {@code -2d}, {@code -500ms}) or
 * {@code now}. Pure: "now" is a parameter.
 */
public final class Instants {
    private static final Pattern RELATIVE = Pattern.compile("-((?:[0-9]+(?:ms|s|m|h|d))+)");
    private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h|d)");
    /** Clocks of the client and the gateway differ a little: an instant up to this far ahead counts as now. */
    public static final long FUTURE_TOLERANCE_MS = 2_000;

    private Instants() {}

    /** Epoch millis of {@code text}; IllegalArgumentException saying why when it is malformed or in the future. */
    public static long parse(String text, long now) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) throw new IllegalArgumentException("empty; expected an RFC 3339 time (2026-12-03T22:10:00Z) or a relative one (-10m)");
        if (s.equals("now")) return now;
        Matcher rel = RELATIVE.matcher(s);
        if (rel.matches()) {
            long ago = 0;
            Matcher part = PART.matcher(rel.group(1));
            while (part.find()) {
                long n = Long.parseLong(part.group(1));
                ago = Math.addExact(ago, Math.multiplyExact(n, switch (part.group(2)) {
                    case "ms" -> 1L;
                    case "s" -> 1_000L;
                    case "m" -> 60_000L;
                    case "h" -> 3_600_000L;
                    default -> 86_400_000L;
                }));
            }
            return now - ago;
        }
        long at;
        try {
            at = OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + s + "\" is neither an RFC 3339 time (2026-12-03T22:10:00Z) nor a relative one (-10m)");
        }
        if (at > now + FUTURE_TOLERANCE_MS) throw new IllegalArgumentException("\"" + s + "\" is in the future");
        return Math.min(at, now);
    }
}
