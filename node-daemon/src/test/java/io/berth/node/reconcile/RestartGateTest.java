package io.berth.node.reconcile;

import io.berth.node.reconcile.RestartGate.Launch;
import io.berth.node.reconcile.RestartGate.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The restart gate as tables: policy × exit code × back-off gate, and event sequences → restart state. */
class RestartGateTest {
    private static final long NOW = 1_000_000;

    @ParameterizedTest(name = "{0} exit {1}, gate now{2} → {3}")
    @CsvSource(nullValues = "null", value = {
            // policy,  exit, gate offset, verdict
            "ALWAYS,     0,    0,      GO",
            "ALWAYS,     137,  0,      GO",
            "ALWAYS,     1,    1000,   WAIT",
            "ALWAYS,     1,    -1,     GO",
            "ON_FAILURE, 0,    0,      STAY_DOWN",
            "ON_FAILURE, 1,    0,      GO",
            "ON_FAILURE, null, 0,      GO",
            "ON_FAILURE, 1,    2000,   WAIT",
            "ON_FAILURE, 0,    2000,   STAY_DOWN",
            "NEVER,      0,    0,      STAY_DOWN",
            "NEVER,      1,    0,      STAY_DOWN",
            "NEVER,      null, 0,      STAY_DOWN",
    })
    void shouldDecideFromPolicyExitCodeAndBackoff(RestartPolicy policy, Integer exit, long gateOffset, Verdict verdict) {
        assertEquals(verdict, RestartGate.decide(policy, exit, NOW + gateOffset, NOW));
    }

    /** One thing that happened to a container at a time, fed to the gate in order. */
    private sealed interface Event {
        RestartState apply(RestartState s);
    }

    private record Exit(long startedAt, long at) implements Event {
        public RestartState apply(RestartState s) {
            return RestartGate.exited(s, startedAt, at);
        }
    }

    private record Fail(long at) implements Event {
        public RestartState apply(RestartState s) {
            return RestartGate.failed(s, at);
        }
    }

    private record Go(Launch how) implements Event {
        public RestartState apply(RestartState s) {
            return RestartGate.launched(s, how);
        }
    }

    private record Seen() implements Event {
        public RestartState apply(RestartState s) {
            return RestartGate.hasContainer(s);
        }
    }

    private record Row(String name, List<Event> events, List<RestartState> expected) {}

    private static RestartState st(int count, int step, long notBefore, boolean had) {
        return new RestartState(count, step, notBefore, had);
    }

    /** rows starting from a container restarted 9 times, its back-off at step 9 */
    private static final List<Row> ROWS = List.of(
            new Row("the wait is capped at 60 s",
                    List.of(new Exit(1, 2)),
                    List.of(st(9, 9, 2 + 60_000, true))),
            new Row("a run of 60 s resets the back-off: the next restart is immediate again",
                    List.of(new Exit(10_000, 70_000), new Go(Launch.RESTART), new Exit(70_001, 71_000)),
                    List.of(st(9, 0, 70_000, true), st(10, 1, 70_000, true), st(10, 1, 72_000, true))),
            new Row("59.999 s of running does not reset",
                    List.of(new Exit(10_001, 70_000)),
                    List.of(st(9, 9, 130_000, true))),
            new Row("an unknown start time (adopted exited container) never resets",
                    List.of(new Exit(0, 500_000)),
                    List.of(st(9, 9, 560_000, true))),
            new Row("starting a created, never started container is no restart",
                    List.of(new Go(Launch.START), new Seen()),
                    List.of(st(9, 9, 0, true), st(9, 9, 0, true))),
            new Row("a container removed behind the daemon's back: its replacement is a restart, without back-off",
                    List.of(new Go(Launch.CREATE)),
                    List.of(st(10, 9, 0, true)))
    );

    /** rows starting from a unit nothing ran for yet */
    private static final List<Row> FROM_SCRATCH = List.of(
            new Row("crash loop: immediate first restart, then 1 s, 2 s, 4 s",
                    List.of(new Go(Launch.CREATE), new Seen(), new Exit(100, 1_100), new Go(Launch.RESTART),
                            new Exit(1_200, 2_200), new Go(Launch.RESTART), new Exit(3_300, 4_300), new Go(Launch.RESTART),
                            new Exit(6_400, 7_400)),
                    List.of(st(0, 0, 0, false), st(0, 0, 0, true), st(0, 0, 1_100, true), st(1, 1, 1_100, true),
                            st(1, 1, 3_200, true), st(2, 2, 3_200, true), st(2, 2, 6_300, true), st(3, 3, 6_300, true),
                            st(3, 3, 11_400, true))),
            new Row("a failing create retries after 1 s, 1 s, 2 s, 4 s and counts no restart",
                    List.of(new Go(Launch.CREATE), new Fail(1_000), new Go(Launch.CREATE), new Fail(2_000), new Go(Launch.CREATE),
                            new Fail(3_000), new Fail(4_000)),
                    List.of(st(0, 0, 0, false), st(0, 1, 2_000, false), st(0, 1, 2_000, false), st(0, 2, 3_000, false),
                            st(0, 2, 3_000, false), st(0, 3, 5_000, false), st(0, 4, 8_000, false))),
            new Row("a start error after a crash climbs the same back-off",
                    List.of(new Seen(), new Exit(100, 1_100), new Go(Launch.RESTART), new Fail(1_200), new Go(Launch.RESTART)),
                    List.of(st(0, 0, 0, true), st(0, 0, 1_100, true), st(1, 1, 1_100, true), st(1, 2, 2_200, true),
                            st(2, 3, 2_200, true)))
    );

    @Test
    void shouldWalkEveryTableRowEventByEvent() {
        for (Row row : ROWS) walk(row, st(9, 9, 0, true));
        for (Row row : FROM_SCRATCH) walk(row, RestartState.NEW);
    }

    private static void walk(Row row, RestartState start) {
        List<RestartState> got = new ArrayList<>();
        RestartState s = start;
        for (Event e : row.events()) got.add(s = e.apply(s));
        assertEquals(row.expected(), got, row.name());
    }

    @Test
    void shouldCountARestartOnlyWhenAContainerIsLaunchedAgain() {
        RestartState s = RestartState.NEW;
        for (int i = 0; i < 5; i++) s = RestartGate.failed(RestartGate.exited(s, 1, 2), 3); // exits and failures count nothing
        assertEquals(0, s.restartCount());
        assertEquals(0, RestartGate.launched(s, Launch.CREATE).restartCount(), "a first container is no restart");
        assertEquals(1, RestartGate.launched(RestartGate.hasContainer(s), Launch.CREATE).restartCount());
        assertEquals(1, RestartGate.launched(s, Launch.RESTART).restartCount());
    }
}
