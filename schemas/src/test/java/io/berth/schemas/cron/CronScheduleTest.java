package io.berth.schemas.cron;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

/** Kubernetes' schedule syntax and the times it gives, as plain functions. */
class CronScheduleTest {
    private static long at(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    private static String iso(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }

    @Test
    void shouldGiveTheNextTimeOfFiveFieldSchedulesAndMacros() {
        assertEquals("2026-12-06T01:50:00Z", iso(CronSchedule.parse("*/5 * * * *", null).next(at("2026-12-06T01:47:12Z"))));
        assertEquals("2026-12-06T01:50:00Z", iso(CronSchedule.parse("*/5 * * * *", null).next(at("2026-12-06T01:45:00Z"))), "strictly after");
        assertEquals("2026-12-06T02:00:00Z", iso(CronSchedule.parse("@hourly", null).next(at("2026-12-06T01:47:12Z"))));
        assertEquals("2026-12-07T00:00:00Z", iso(CronSchedule.parse("@daily", null).next(at("2026-12-06T01:47:12Z"))));
        assertEquals("2026-12-13T00:00:00Z", iso(CronSchedule.parse("@weekly", null).next(at("2026-12-06T01:47:12Z"))), "Sunday");
        assertEquals("2027-01-01T00:00:00Z", iso(CronSchedule.parse("@yearly", null).next(at("2026-12-06T01:47:12Z"))));
        assertEquals("2026-12-07T09:30:00Z", iso(CronSchedule.parse("30 9 * * MON-FRI", null).next(at("2026-12-06T01:47:12Z"))), "Monday");
        assertEquals("2027-01-01T00:00:00Z", iso(CronSchedule.parse("0 0 1 JAN ?", null).next(at("2026-12-06T01:47:12Z"))));
    }

    @Test
    void shouldReadTheScheduleInItsTimeZone() {
        // 02:00 in Berlin (UTC+1 in December) is 01:00 UTC
        assertEquals("2026-12-07T01:00:00Z", iso(CronSchedule.parse("0 2 * * *", "Europe/Berlin").next(at("2026-12-06T01:47:12Z"))));
        assertEquals("2026-12-06T02:00:00Z", iso(CronSchedule.parse("0 2 * * *", "Etc/UTC").next(at("2026-12-06T01:47:12Z"))));
    }

    @Test
    void shouldOweOnlyTheLatestMissedRun() {
        CronSchedule every = CronSchedule.parse("* * * * *", null);
        assertEquals("2026-12-06T01:47:00Z", iso(every.latestDue(at("2026-12-06T01:40:00Z"), at("2026-12-06T01:47:30Z"))));
        assertEquals("2026-12-06T01:47:00Z", iso(every.latestDue(at("2026-12-06T01:46:00Z"), at("2026-12-06T01:47:00Z"))), "due at its very minute");
        assertEquals(0, every.latestDue(at("2026-12-06T01:47:00Z"), at("2026-12-06T01:47:59Z")), "nothing since the last run");
        assertEquals(0, every.latestDue(at("2026-12-06T01:47:00Z"), at("2026-12-06T01:46:00Z")));
    }

    @Test
    void shouldRefuseWhatKubernetesRefusesWithAReason() {
        assertTrue(CronSchedule.problem("", null).orElseThrow().contains("Required value"));
        assertTrue(CronSchedule.problem("* * * *", null).orElseThrow().contains("expected exactly 5 fields, found 4"));
        assertTrue(CronSchedule.problem("* * * * * *", null).orElseThrow().contains("expected exactly 5 fields, found 6"));
        assertTrue(CronSchedule.problem("61 * * * *", null).orElseThrow().startsWith("Invalid value: \"61 * * * *\""));
        assertTrue(CronSchedule.problem("@fortnightly", null).orElseThrow().contains("unrecognized descriptor"));
        assertTrue(CronSchedule.problem("TZ=UTC 0 * * * *", null).orElseThrow().contains("use timeZone field instead"));
        assertTrue(CronSchedule.problem("0 * * * *", "Mars/Olympus").orElseThrow().contains("unknown time zone Mars/Olympus"));
        assertTrue(CronSchedule.problem("0 * * * *", "+02:00").orElseThrow().contains("unknown time zone"));
        assertTrue(CronSchedule.problem("not a schedule at all", null).isPresent());
        assertTrue(CronSchedule.problem("0 0 30 2 *", null).isEmpty(), "valid, though it never runs");
        assertEquals(0, CronSchedule.parse("0 0 30 2 *", null).next(at("2026-12-06T01:47:12Z")), "never");
    }
}
