package io.berth.node.reconcile;

import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The node's half of fencing as plain functions (issue 13: a task id runs at most once). */
class FenceTest {

    /** newest acknowledged heartbeat sent at, now, lease → expired. */
    @ParameterizedTest(name = "sent {0}, now {1}, lease {2} → {3}")
    @CsvSource({
            "10000, 10000, 2000, false",
            "10000, 12000, 2000, false",  // exactly the lease: still held
            "10000, 12001, 2000, true",
            "10000, 60000, 2000, true",   // a long partition
            "0,     60000, 2000, false",  // not registered yet: nothing to fence
    })
    void theLeaseRunsFromTheSendTimeOfTheNewestAcknowledgedHeartbeat(long sentAt, long now, long lease, boolean expired) {
        assertEquals(expired, Fence.expired(sentAt, now, lease));
    }

    @Test
    void aFencedTaskStaysBarredUntilItsAssignmentIsRevoked() {
        assertEquals(Set.of("a"), Fence.stillBarred(Set.of("a", "b"), Set.of("a", "c")), "b revoked: done with; c is new: not barred");
        assertEquals(Set.of(), Fence.stillBarred(Set.of("a"), Set.of()));
    }

    @Test
    void saysWhyInTheStatusAndTheNodeCondition() {
        Reported killed = Fence.killed(2150, 2000);
        assertEquals(TaskState.FAILED, killed.state());
        assertEquals(137, killed.exitCode());
        assertEquals("NodeLeaseExpired", killed.reason());
        assertTrue(killed.message().startsWith("no heartbeat acknowledged by the broker for 2150 ms (node lease 2000 ms): the node killed"), killed.message());

        Condition fenced = Fence.condition(true, 2150, 2000);
        assertEquals(Fence.CONDITION, fenced.getType());
        assertEquals("True", fenced.getStatus());
        assertEquals("NoHeartbeatAcknowledged", fenced.getReason());
        Condition held = Fence.condition(false, 10, 2000);
        assertEquals("False", held.getStatus());
        assertEquals("NodeLeaseHeld", held.getReason());
    }
}
