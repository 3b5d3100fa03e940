package io.berth.ops.replay;

import io.berth.schemas.Topics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class DecisionDiffTest {
    private static Decision d(String topic, String key, long ts, String what) {
        return new Decision(topic, key, ts, what);
    }

    private static final String EVENTS = Topics.EVENTS.name(), TASKS = Topics.TASKS.name();

    @Test
    void equalHistoriesDoNotDiffer() {
        List<Decision> h = List.of(d(EVENTS, "k", 1, "a"), d(EVENTS, "k", 2, "b"), d(TASKS, "t", 1, "PENDING"));
        DecisionDiff.Report r = DecisionDiff.compare(h, h, Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals("3 decisions replayed, 0 differ", r.summary());
        assertTrue(r.first().isEmpty());
    }

    @Test
    void theEarliestDifferenceIsReportedWithBothSides() {
        List<Decision> rec = List.of(d(EVENTS, "k", 5, "a"), d(TASKS, "t", 3, "RUNNING on n1"));
        List<Decision> rep = List.of(d(EVENTS, "k", 5, "x"), d(TASKS, "t", 3, "RUNNING on n2"));
        DecisionDiff.Report r = DecisionDiff.compare(rec, rep, Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(2, r.differing());
        DecisionDiff.Difference first = r.first().orElseThrow();
        assertEquals("t", first.key());
        assertTrue(first.describe().contains("recorded: 1970-01-01T00:00:00.003Z  RUNNING on n1"), first.describe());
        assertTrue(first.describe().contains("replayed: 1970-01-01T00:00:00.003Z  RUNNING on n2"), first.describe());
    }

    @Test
    void aMissingDecisionIsADifference() {
        DecisionDiff.Report r = DecisionDiff.compare(List.of(d(EVENTS, "k", 1, "a")), List.of(), Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(1, r.differing());
        assertNull(r.first().orElseThrow().replayed());
    }

    @Test
    void compactedTopicsMayHaveLostOldValuesButNotTheLast() {
        List<Decision> rep = List.of(d(TASKS, "t", 1, "PENDING"), d(TASKS, "t", 2, "SCHEDULED"), d(TASKS, "t", 3, "RUNNING"));
        assertEquals(0, DecisionDiff.compare(List.of(d(TASKS, "t", 3, "RUNNING")), rep, Long.MIN_VALUE, Long.MAX_VALUE).differing());
        assertEquals(1, DecisionDiff.compare(List.of(d(TASKS, "t", 2, "SCHEDULED")), rep, Long.MIN_VALUE, Long.MAX_VALUE).differing());
        // on a delete-policy topic every decision must be there
        assertEquals(1, DecisionDiff.compare(List.of(d(EVENTS, "t", 3, "RUNNING")),
                List.of(d(EVENTS, "t", 2, "SCHEDULED"), d(EVENTS, "t", 3, "RUNNING")), Long.MIN_VALUE, Long.MAX_VALUE).differing());
    }

    @Test
    void repeatsCountOnceAndOnlyTheWindowIsCompared() {
        List<Decision> rec = List.of(d(EVENTS, "n", 1, "Ready"), d(EVENTS, "n", 2, "Ready"), d(EVENTS, "n", 9, "late"));
        List<Decision> rep = List.of(d(EVENTS, "n", 1, "Ready"), d(EVENTS, "n", 9, "other"));
        assertEquals("1 decisions replayed, 0 differ", DecisionDiff.compare(rec, rep, 0, 5).summary());
        assertEquals(1, DecisionDiff.compare(rec, rep, 0, 10).differing());
    }

    @Test
    void placementRequestsOfDifferentWorkloadsMayInterleaveOnTheirNamespaceButNotReorderWithinOne() {
        String requests = Topics.PLACEMENT_REQUESTS.name();
        Decision a1 = new Decision(requests, "default", "default/a", 1, "place a-1"), a2 = new Decision(requests, "default", "default/a", 2, "place a-2");
        Decision b1 = new Decision(requests, "default", "default/b", 1, "place b-1");
        // two tasks' writes interleaved differently on the shared key: not a decision
        assertEquals(0, DecisionDiff.compare(List.of(a1, b1, a2), List.of(b1, a1, a2), Long.MIN_VALUE, Long.MAX_VALUE).differing());
        // one workload's requests in another order: a difference
        assertEquals(1, DecisionDiff.compare(List.of(a1, a2, b1), List.of(a2, a1, b1), Long.MIN_VALUE, Long.MAX_VALUE).differing());
    }
}
