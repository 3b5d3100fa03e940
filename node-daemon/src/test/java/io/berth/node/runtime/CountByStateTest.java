package io.berth.node.runtime;

import io.berth.node.reconcile.Observed;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CountByStateTest {
    @Test
    void shouldCountEveryStateWithZeroForTheAbsentOnes() {
        List<Observed> listing = List.of(
                new Observed("t1", "default/deployment/web", "c1", Observed.State.RUNNING, null, 30),
                new Observed("t2", "default/deployment/web", "c2", Observed.State.RUNNING, null, 30),
                new Observed("t3", "default/job/pi", "c3", Observed.State.EXITED, 0, 30));
        assertEquals(Map.of(Observed.State.CREATED, 0, Observed.State.RUNNING, 2, Observed.State.EXITED, 1, Observed.State.BUSY, 0),
                ContainerReconcilerVerticle.countByState(listing));
    }
}
