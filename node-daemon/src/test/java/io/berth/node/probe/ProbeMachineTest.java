package io.berth.node.probe;

import io.berth.node.probe.ProbeMachine.Kind;
import io.berth.node.probe.ProbeMachine.Outcome;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The prober's state machine as plain code: times are millis since the container started at 0. */
class ProbeMachineTest {

    private static ProbeSettings every(long periodMs, long initialDelayMs, int failures, int successes) {
        return new ProbeSettings(initialDelayMs, periodMs, 1000, failures, successes);
    }

    @Test
    void withoutProbesTheContainerIsStartedAndReadyAtOnceAndNothingRuns() {
        ProbeMachine m = new ProbeMachine(null, null, null, 0);
        assertTrue(m.started());
        assertTrue(m.ready());
        assertEquals(List.of(), m.due(0));
        assertEquals(Long.MAX_VALUE, m.nextWake());
    }

    @Test
    void shouldWaitTheInitialDelayThenProbeEveryPeriodNeverTwoAtOnce() {
        ProbeMachine m = new ProbeMachine(null, null, every(1000, 5000, 3, 1), 0);
        assertFalse(m.ready(), "a readiness probe makes a container unready until it passes");
        assertEquals(5000, m.nextWake());
        assertEquals(List.of(), m.due(4999));
        assertEquals(List.of(Kind.READINESS), m.due(5000));
        assertEquals(Long.MAX_VALUE, m.nextWake(), "in flight: the result reschedules");
        assertEquals(List.of(), m.due(7000), "never two probes of a kind at once");
        m.onResult(Kind.READINESS, false, "x", 7000);
        assertEquals(6000, m.nextWake(), "next run one period after the last one began");
        assertEquals(List.of(Kind.READINESS), m.due(7000));
    }

    @Test
    void readinessTurnsAfterItsThresholdsOfConsecutiveResults() {
        ProbeMachine m = new ProbeMachine(null, null, every(1000, 0, 3, 2), 0);
        assertEquals(Outcome.NONE, run(m, Kind.READINESS, true, 0));
        assertFalse(m.ready(), "successThreshold 2: one success is not enough");
        assertEquals(Outcome.READY, run(m, Kind.READINESS, true, 1000));
        assertTrue(m.ready());
        assertEquals(Outcome.NONE, run(m, Kind.READINESS, false, 2000));
        assertEquals(Outcome.NONE, run(m, Kind.READINESS, false, 3000));
        assertEquals(Outcome.NONE, run(m, Kind.READINESS, true, 4000), "a success resets the failure count");
        assertTrue(m.ready());
        assertEquals(Outcome.NONE, run(m, Kind.READINESS, false, 5000));
        assertEquals(Outcome.NONE, run(m, Kind.READINESS, false, 6000));
        assertEquals(Outcome.UNREADY, run(m, Kind.READINESS, false, 7000, "HTTP probe failed with statuscode: 500"));
        assertFalse(m.ready());
        assertEquals("Readiness probe failed: HTTP probe failed with statuscode: 500", m.readinessMessage());
        assertEquals(Outcome.NONE, run(m, Kind.READINESS, false, 8000), "reported once per transition");
        assertEquals(Outcome.NONE, run(m, Kind.READINESS, true, 9000));
        assertEquals(Outcome.READY, run(m, Kind.READINESS, true, 10000));
        assertFalse(m.dead(), "readiness never kills");
    }

    @Test
    void aReadinessProbeFailingFromTheStartReportsUnreadyOnce() {
        ProbeMachine m = new ProbeMachine(null, null, every(1000, 0, 2, 1), 0);
        assertEquals(Outcome.NONE, run(m, Kind.READINESS, false, 0));
        assertEquals(Outcome.UNREADY, run(m, Kind.READINESS, false, 1000));
        assertEquals(Outcome.NONE, run(m, Kind.READINESS, false, 2000));
    }

    @Test
    void livenessKillsAfterFailureThresholdConsecutiveFailuresAndThenStops() {
        ProbeMachine m = new ProbeMachine(null, every(1000, 0, 3, 1), null, 0);
        assertTrue(m.ready(), "liveness alone does not gate readiness");
        assertEquals(Outcome.NONE, run(m, Kind.LIVENESS, false, 0));
        assertEquals(Outcome.NONE, run(m, Kind.LIVENESS, false, 1000));
        assertEquals(Outcome.NONE, run(m, Kind.LIVENESS, true, 2000), "a success resets the count");
        assertEquals(Outcome.NONE, run(m, Kind.LIVENESS, false, 3000));
        assertEquals(Outcome.NONE, run(m, Kind.LIVENESS, false, 4000));
        assertEquals(Outcome.KILL, run(m, Kind.LIVENESS, false, 5000, "command \"cat /tmp/healthy\" exited with 1"));
        assertEquals("Liveness probe failed: command \"cat /tmp/healthy\" exited with 1", m.fatalMessage());
        assertTrue(m.dead());
        assertFalse(m.ready());
        assertEquals(List.of(), m.due(100_000), "nothing runs after a kill");
        assertEquals(Long.MAX_VALUE, m.nextWake());
    }

    @Test
    void theStartupProbeGatesLivenessAndReadinessUntilItPasses() {
        ProbeMachine m = new ProbeMachine(every(1000, 0, 30, 1), every(1000, 0, 1, 1), every(1000, 0, 1, 1), 0);
        assertFalse(m.started());
        assertFalse(m.ready());
        assertEquals(List.of(Kind.STARTUP), m.due(0), "only the startup probe runs");
        assertEquals(Outcome.NONE, m.onResult(Kind.STARTUP, false, "refused", 0));
        assertEquals(List.of(Kind.STARTUP), m.due(1000));
        assertEquals(Outcome.STARTED, m.onResult(Kind.STARTUP, true, "", 1500));
        assertTrue(m.started());
        assertFalse(m.ready(), "readiness must pass too");
        assertEquals(List.of(Kind.LIVENESS, Kind.READINESS), m.due(1500), "both begin as soon as startup passed");
        assertEquals(Outcome.READY, m.onResult(Kind.READINESS, true, "", 1600));
        assertEquals(Outcome.NONE, m.onResult(Kind.LIVENESS, true, "", 1600));
        assertEquals(List.of(Kind.LIVENESS, Kind.READINESS), m.due(2500), "the startup probe never runs again");
    }

    @Test
    void failingTheStartupProbeKillsAndAStartupOnlyContainerIsReadyOnceStarted() {
        ProbeMachine m = new ProbeMachine(every(1000, 0, 2, 1), null, null, 0);
        assertFalse(m.ready());
        assertEquals(Outcome.NONE, run(m, Kind.STARTUP, false, 0));
        assertEquals(Outcome.KILL, run(m, Kind.STARTUP, false, 1000, "dial tcp 172.17.0.2:8080: connect: connection refused"));
        assertEquals("Startup probe failed: dial tcp 172.17.0.2:8080: connect: connection refused", m.fatalMessage());

        ProbeMachine ok = new ProbeMachine(every(1000, 0, 2, 1), null, null, 0);
        assertEquals(Outcome.STARTED, run(ok, Kind.STARTUP, true, 0));
        assertTrue(ok.ready(), "no readiness probe: ready once started");
    }

    @Test
    void initialDelaysCountFromTheContainerStartEvenAfterTheStartupProbe() {
        ProbeMachine m = new ProbeMachine(every(1000, 0, 5, 1), null, every(1000, 10_000, 1, 1), 50_000);
        assertEquals(Outcome.STARTED, run(m, Kind.STARTUP, true, 51_000));
        assertEquals(60_000, m.nextWake(), "readiness waits for its own initial delay");
        ProbeMachine late = new ProbeMachine(every(1000, 0, 5, 1), null, every(1000, 1000, 1, 1), 0);
        assertEquals(Outcome.STARTED, run(late, Kind.STARTUP, true, 5000));
        assertEquals(5000, late.nextWake(), "its delay already passed: it runs at once");
    }

    @Test
    void aLateResultAfterAKillChangesNothing() {
        ProbeMachine m = new ProbeMachine(null, every(1000, 0, 1, 1), every(1000, 0, 1, 1), 0);
        assertEquals(List.of(Kind.LIVENESS, Kind.READINESS), m.due(0));
        assertEquals(Outcome.KILL, m.onResult(Kind.LIVENESS, false, "x", 10));
        assertEquals(Outcome.NONE, m.onResult(Kind.READINESS, true, "", 20));
        assertFalse(m.ready());
    }

    @Test
    void settingsAreClampedToKubernetesMinimums() {
        ProbeSettings s = new ProbeSettings(-5, 0, 0, 0, 0);
        assertEquals(new ProbeSettings(0, 1, 1, 1, 1), s);
        assertNull(ProbeSettings.of(null));
        assertEquals(new ProbeSettings(2000, 1000, 1000, 3, 1), ProbeSettings.of(io.berth.schemas.avro.Probe.newBuilder()
                .setInitialDelaySeconds(2).setPeriodSeconds(0).setTimeoutSeconds(0).build()));
    }

    /** Runs one probe of {@code kind} at {@code now} (it must be due) with the given result. */
    private static Outcome run(ProbeMachine m, Kind kind, boolean ok, long now) {
        return run(m, kind, ok, now, ok ? "" : "failed");
    }

    private static Outcome run(ProbeMachine m, Kind kind, boolean ok, long now, String message) {
        assertTrue(m.due(now).contains(kind), kind + " due at " + now);
        return m.onResult(kind, ok, message, now);
    }
}
