package io.berth.node.logs;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** From when the shipper reads a container's output (the line a busy node wrote before the reconciler noticed the start). */
class LogShipperSinceTest {
    static final long SHIPPER_STARTED = 1_000_000L;

    @Test
    void shouldShipFromTheContainersOwnStartWhenItStartedWhileTheShipperRan() {
        // started at +5 s, noticed 3 s later (110 containers starting): the first line, stamped up to a
        // moment before the engine's StartedAt (measured: 15 ms before), is kept
        assertEquals(SHIPPER_STARTED + 5_000 - LogShipperVerticle.START_SLACK_MS,
                LogShipperVerticle.sinceMillis(SHIPPER_STARTED + 8_000, SHIPPER_STARTED + 5_000, SHIPPER_STARTED));
    }

    @Test
    void shouldShipAnAdoptedContainerFromWhenItWasNoticed() {
        // started before this daemon: the previous daemon shipped what came before
        assertEquals(SHIPPER_STARTED + 2_000, LogShipperVerticle.sinceMillis(SHIPPER_STARTED + 2_000, SHIPPER_STARTED - 60_000, SHIPPER_STARTED));
    }

    @Test
    void shouldFallBackToTheNoticedMomentWhenTheEngineGivesNoStartTime() {
        assertEquals(SHIPPER_STARTED + 2_000, LogShipperVerticle.sinceMillis(SHIPPER_STARTED + 2_000, 0, SHIPPER_STARTED));
        assertEquals(0, LogShipperVerticle.sinceMillis(-1_000, 0, SHIPPER_STARTED));
    }
}
