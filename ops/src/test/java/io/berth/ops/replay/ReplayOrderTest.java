package io.berth.ops.replay;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReplayOrderTest {
    private static ReplayOrder.Item item(String lane, long offset, long ts) {
        return new ReplayOrder.Item(new Recorded(lane, 0, offset, ts, lane + offset, null, Map.of()), lane, offset);
    }

    private static List<String> keys(ReplayOrder.Result r) {
        return r.order().stream().map(Recorded::key).toList();
    }

    private final ReplayOrder.Item a0 = item("A", 0, 10), a1 = item("A", 1, 20), b0 = item("B", 0, 5), b1 = item("B", 1, 15);

    @Test
    void withoutConstraintsInputsGoByTimestamp() {
        ReplayOrder.Result r = ReplayOrder.order(List.of(a0, a1, b0, b1), i -> null);
        assertEquals(List.of("B0", "A0", "B1", "A1"), keys(r));
        assertEquals(0, r.conflicts());
    }

    @Test
    void anInputComesAfterWhatItsControllerHadSeen() {
        // A0 was decided after both B records, although B1 is younger
        ReplayOrder.Result r = ReplayOrder.order(List.of(a0, a1, b0, b1), i -> i == a0 ? Map.of("A", 0L, "B", 1L) : null);
        assertEquals(List.of("B0", "B1", "A0", "A1"), keys(r));
    }

    @Test
    void andBeforeWhatItsControllerHadNotSeenYet() {
        // A1 was decided when only B0 had been read: B1 (older than A1) waits for it
        ReplayOrder.Result r = ReplayOrder.order(List.of(a0, a1, b0, b1), i -> i == a1 ? Map.of("A", 1L, "B", 0L) : null);
        assertEquals(List.of("B0", "A0", "A1", "B1"), keys(r));
    }

    @Test
    void contradictionsAreFedByTimeAndCounted() {
        ReplayOrder.Result r = ReplayOrder.order(List.of(a0, b0), i -> i == a0 ? Map.of("B", 0L) : i == b0 ? Map.of("A", 0L) : null);
        assertEquals(2, r.order().size());
        assertEquals(1, r.conflicts());
    }
}
