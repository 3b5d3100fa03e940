package io.berth.scheduler.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UnplaceableMessageTest {
    @Test
    void shouldCountEachReasonAndPutTheCommonestFirst() {
        String m = UnplaceableMessage.of(6, List.of(List.of("node(s) were not ready"), List.of("Insufficient cpu", "Insufficient memory"),
                List.of("Insufficient memory"), List.of("Insufficient memory"), List.of("node(s) were unschedulable"), List.of("Insufficient cpu")));
        assertEquals("0/6 nodes are available: 3 Insufficient memory, 2 Insufficient cpu, 1 node(s) were not ready, 1 node(s) were unschedulable.", m);
    }
}
