package io.berth.ops.replay;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Which recorded input an output was decided on, and by which task ({@link Replayer#anchor}). */
class ReplayAnchorTest {
    private static final Map<String, String> TASKS = Map.of("berth.task-status/1/40", "1", "berth.node-events/2/7", "2");

    @Test
    void shouldAnchorADirectCauseOnItsOwnInputAndTask() {
        assertArrayEquals(new String[]{"berth.task-status/1/40", "1"},
                Replayer.anchor("berth.task-status/1/40", "berth.task-status/1=40,berth.intents/1=3", TASKS));
    }

    @Test
    void shouldAnchorAGapStatusOnItsHeartbeatDecidedByTheWorkloadsTask() {
        // the heartbeat at berth.node-events/2 offset 7 found a task missing; the workload of partition 1 decided
        String seen = "berth.intents/1@pod-deletes-by-owner=9,berth.node-events/2@node-gaps-by-workload=7,berth.task-status/1=40";
        assertArrayEquals(new String[]{"berth.node-events/2/7", "1"},
                Replayer.anchor("berth.node-events/2@node-gaps-by-workload/7", seen, TASKS));
    }

    @Test
    void shouldNotAnchorAGapWhoseTaskNoDirectLaneNames() {
        assertNull(Replayer.anchor("berth.node-events/2@node-gaps-by-workload/7", "berth.node-events/2@node-gaps-by-workload=7", TASKS));
    }

    @Test
    void shouldNotAnchorACauseThatIsNoRecordedInput() {
        assertNull(Replayer.anchor("berth.endpoints-by-service/0/5", "x/0=1", TASKS));
    }
}
