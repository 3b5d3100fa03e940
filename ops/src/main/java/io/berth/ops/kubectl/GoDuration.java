package io.berth.ops.kubectl;

import java.time.Duration;
import java.util.Locale;

/** kubectl's durations for {@code --timeout} flags: a Go duration ({@code 30s}, {@code 5m}, {@code 1h30m}, {@code 500ms}) or plain seconds. */
final class GoDuration {
    private GoDuration() {}

    /** The duration, or an {@link IllegalArgumentException} naming {@code flag}. */
    static Duration parse(String text, String flag) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.matches("\\d{1,9}")) return Duration.ofSeconds(Long.parseLong(t));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)").matcher(t);
        long ms = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            ms += switch (m.group(2)) {
                case "ms" -> n;
                case "s" -> n * 1000;
                case "m" -> n * 60_000;
                default -> n * 3_600_000;
            };
            end = m.end();
        }
        if (t.isEmpty() || end != t.length()) throw new IllegalArgumentException(flag + ": invalid duration \"" + text + "\" (e.g. 30s, 5m, 1h)");
        if (ms > Duration.ofDays(7).toMillis()) throw new IllegalArgumentException(flag + ": at most 168h");
        return Duration.ofMillis(ms);
    }
}
