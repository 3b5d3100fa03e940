package io.berth.schemas;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class TaskReasonTest {
    @Test
    void shouldSpeakTheKubeletsWords() {
        assertEquals("CrashLoopBackOff", TaskReason.CRASH_LOOP_BACK_OFF.text());
        assertTrue(TaskReason.OOM_KILLED.is("OOMKilled"));
        assertFalse(TaskReason.ERROR.is(null));
        assertEquals(Optional.of(TaskReason.ERR_IMAGE_NEVER_PULL), TaskReason.of("ErrImageNeverPull"));
        assertEquals(Optional.empty(), TaskReason.of("Init:0/1"));
        assertEquals("Init:CrashLoopBackOff", TaskReason.CRASH_LOOP_BACK_OFF.init());
        assertTrue(TaskReason.isInit("Init:0/1"));
    }

    @Test
    void shouldRecogniseTheProbeMessagesItWrites() {
        assertEquals("Readiness probe failed: HTTP probe failed with statuscode: 404",
                ProbeMessages.failed("Readiness", "HTTP probe failed with statuscode: 404"));
        assertTrue(ProbeMessages.isFailure(ProbeMessages.failed("Readiness", "x")));
        assertEquals("Container web failed liveness probe, will be restarted", ProbeMessages.killed("web", "liveness"));
        assertTrue(ProbeMessages.isKill(ProbeMessages.killed("web", "startup")));
        assertFalse(ProbeMessages.isKill("back-off 10s restarting failed container"));
        assertFalse(ProbeMessages.isFailure(null));
    }
}
