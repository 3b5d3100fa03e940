package io.berth.schemas.cron;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A CronJob's schedule as Kubernetes reads it: five fields (minute hour day-of-month month day-of-week,
 * with {@code * , - /}, month and day names, {@code ?}) or a macro ({@code @yearly @annually @monthly @weekly
 * @daily @midnight @hourly}), in {@code timeZone} (an IANA name; UTC when unset). Parsing and the times
 * are cron-utils' (its UNIX definition, Vixie cron's rules: a restricted day-of-month and day-of-week
 * match either); the macros are mapped here as robfig/cron, which Kubernetes uses, maps them.
 * {@code TZ=} / {@code CRON_TZ=} inside the schedule are refused as Kubernetes refuses them.
 */
public final class CronSchedule {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");

    private final String text;
    private final ZoneId zone;
    private final ExecutionTime times;

    private CronSchedule(String text, ZoneId zone, ExecutionTime times) {
        this.text = text;
        this.zone = zone;
        this.times = times;
    }

    /** The schedule, or an IllegalArgumentException whose message says what is wrong (without the field name). */
    public static CronSchedule parse(String schedule, String timeZone) {
        if (schedule == null || schedule.isBlank()) throw new IllegalArgumentException("Required value");
        String s = schedule.trim();
        if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
            throw new IllegalArgumentException("Invalid value: \"" + schedule + "\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
        }
        ZoneId zone = ZoneOffset.UTC;
        if (timeZone != null && !timeZone.isEmpty()) zone = zone(timeZone);
        String expression = s.startsWith("@") ? MACROS.get(s.toLowerCase(Locale.ROOT)) : s;
        if (expression == null) throw new IllegalArgumentException("Invalid value: \"" + schedule + "\": unrecognized descriptor: " + s);
        if (expression.split("\\s+").length != 5) {
            throw new IllegalArgumentException("Invalid value: \"" + schedule + "\": expected exactly 5 fields, found "
                    + expression.split("\\s+").length + ": " + s);
        }
        // robfig/cron reads "?" (day of month or week) as "*"; cron-utils' UNIX definition does not know it
        expression = String.join(" ", java.util.Arrays.stream(expression.split("\\s+")).map(f -> f.equals("?") ? "*" : f).toList());
        try {
            Cron cron = PARSER.parse(expression);
            cron.validate();
            return new CronSchedule(s, zone, ExecutionTime.forCron(cron));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid value: \"" + schedule + "\": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Invalid value: \"" + schedule + "\": not a cron schedule");
        }
    }

    /** An IANA zone name, as Kubernetes' timeZone field accepts it (no fixed offsets like "+02:00"). */
    static ZoneId zone(String timeZone) {
        if (timeZone.startsWith("+") || timeZone.startsWith("-") || timeZone.contains(" ")) {
            throw new IllegalArgumentException("Invalid value: \"" + timeZone + "\": unknown time zone " + timeZone);
        }
        try {
            return ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("Invalid value: \"" + timeZone + "\": unknown time zone " + timeZone);
        }
    }

    /** Why {@code schedule} in {@code timeZone} is not valid; empty when it is. */
    public static Optional<String> problem(String schedule, String timeZone) {
        try {
            parse(schedule, timeZone);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The first schedule time strictly after {@code afterMillis} (epoch millis), or 0 when there is none (e.g. 30 February). */
    public long next(long afterMillis) {
        ZonedDateTime from = Instant.ofEpochMilli(afterMillis).atZone(zone);
        return times.nextExecution(from).map(t -> t.toInstant().toEpochMilli()).orElse(0L);
    }

    /**
     * The latest schedule time in {@code (afterMillis, nowMillis]}, or 0 when none fell in it: the run a
     * controller that was away (or slow) owes now, as Kubernetes' CronJob controller starts only the most
     * recent missed one.
     */
    public long latestDue(long afterMillis, long nowMillis) {
        if (nowMillis <= afterMillis) return 0;
        ZonedDateTime now = Instant.ofEpochMilli(nowMillis).atZone(zone);
        // a schedule time exactly at now counts: ask for the last one before now + 1 ms
        long last = times.lastExecution(now.plusNanos(1_000_000)).map(t -> t.toInstant().toEpochMilli()).orElse(0L);
        return last > afterMillis && last <= nowMillis ? last : 0;
    }

    public String text() {
        return text;
    }

    public ZoneId zone() {
        return zone;
    }
}
