package io.berth.node.health;

import io.berth.node.docker.DockerCallStats.Snapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.stream.Stream;

import static io.berth.node.health.RuntimeHealth.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The runtime health detector as a table: (stats, now) → condition status, reason, message. */
class RuntimeHealthTest {
    private static final long NOW = 1_000_000_000L;
    private static final long STARTED = NOW - 3_600_000;
    private static final Thresholds T = Thresholds.DEFAULT;

    record Case(String should, Snapshot stats, String status, String reason, String message) {
        @Override
        public String toString() {
            return should;
        }
    }

    /** pool 32, wait 10 s; in flight, oldest call start, timeouts, last timeout, last relist */
    static Snapshot s(int inFlight, long oldest, long timeouts, long lastTimeout, long lastRelist) {
        return new Snapshot(32, 10_000, inFlight, oldest, timeouts, lastTimeout, lastRelist);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("should be healthy with a fresh relist and no trouble", s(2, NOW - 300, 0, 0, NOW - 1000),
                        "False", HEALTHY, "container runtime on the node is functioning properly"),
                new Case("should say PLEG is not healthy past the relist threshold, in kubelet's words", s(32, NOW - 200_000, 0, 0, NOW - 180_001),
                        "True", PLEG, "PLEG is not healthy: pleg was last seen active 3m0s ago; threshold is 3m0s (32 of 32 Docker API connections in use)"),
                new Case("should stay healthy exactly at the relist threshold", s(0, 0, 0, 0, NOW - 180_000),
                        "False", HEALTHY, "container runtime on the node is functioning properly"),
                new Case("should count the relist age from the start before the first relist", s(0, 0, 0, 0, 0),
                        "True", PLEG, "PLEG is not healthy: pleg was last seen active 1h0m0s ago; threshold is 3m0s (0 of 32 Docker API connections in use)"),
                new Case("should report an exhausted pool while a timeout is recent", s(32, NOW - 20_000, 3, NOW - 4_000, NOW - 1_000),
                        "True", EXHAUSTED, "Docker API connection pool exhausted: a call found none of 32 connections free within 10s, last 4s ago (3 such calls since start)"),
                new Case("should clear once the last timeout left the window", s(1, NOW - 100, 3, NOW - 60_001, NOW - 1_000),
                        "False", HEALTHY, "container runtime on the node is functioning properly"),
                new Case("should report a call stuck past the slow threshold", s(5, NOW - 125_000, 0, 0, NOW - 500),
                        "True", SLOW, "a Docker API call has been running for 2m5s; threshold is 2m0s (5 of 32 connections in use)"),
                new Case("should put a stale relist before an exhausted pool", s(32, NOW - 200_000, 9, NOW - 1_000, NOW - 190_000),
                        "True", PLEG, "PLEG is not healthy: pleg was last seen active 3m10s ago; threshold is 3m0s (32 of 32 Docker API connections in use)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void judges(Case c) {
        Verdict v = judge(c.stats(), NOW, STARTED, T);
        assertEquals(TYPE, v.type());
        assertEquals(c.status(), v.status());
        assertEquals(c.reason(), v.reason());
        assertEquals(c.message(), v.message());
    }

    @Test
    void printsDurationsAsGoDoes() {
        assertEquals("250ms", duration(250));
        assertEquals("4s", duration(4_999));
        assertEquals("3m0s", duration(180_000));
        assertEquals("1h2m3s", duration(3_723_000));
    }
}
