package io.berth.node.reconcile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.*;

class BackoffTest {
    @ParameterizedTest(name = "restart step {0} waits {1} ms")
    @CsvSource({"0,0", "1,1000", "2,2000", "3,4000", "4,8000", "6,32000", "7,60000", "50,60000", "-1,0"})
    void shouldDoubleFromOneSecondAfterAnImmediateFirstRestartUpToOneMinute(int step, long ms) {
        assertEquals(ms, Backoff.delayMs(step));
    }

    @Test
    void shouldResetOnlyAfterAMinuteOfRunning() {
        assertTrue(Backoff.ranLongEnough(1_000, 61_000));
        assertFalse(Backoff.ranLongEnough(1_000, 60_999));
        assertFalse(Backoff.ranLongEnough(0, 120_000), "unknown start time never resets");
    }

    @Test
    void shouldParseRestartPoliciesAsKubernetesSpellsThem() {
        assertEquals(RestartPolicy.ALWAYS, RestartPolicy.parse("Always"));
        assertEquals(RestartPolicy.ON_FAILURE, RestartPolicy.parse("OnFailure"));
        assertEquals(RestartPolicy.NEVER, RestartPolicy.parse("Never"));
        assertEquals(RestartPolicy.ALWAYS, RestartPolicy.parse(""));
        assertTrue(RestartPolicy.ON_FAILURE.restarts(null), "an unknown exit code counts as a failure");
    }
}
