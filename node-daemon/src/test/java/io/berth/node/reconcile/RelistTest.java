package io.berth.node.reconcile;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Listing pace as a table of event sequences, times in ms: {@code ask@t} a pass is asked for,
 * {@code end@t} the running listing ends ({@code stale@t}: it ended stale), {@code wake@t} the deferred
 * timer fires. Each event's result: {@code LIST}, {@code NONE}, {@code DEFER<ms>}; an ended listing that
 * must be followed by another asks at once, written {@code +} and the ask's result.
 */
class RelistTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            // events                                              | results
            "ask@0                                                 | LIST",
            "ask@0 ask@10 end@40                                   | LIST NONE +DEFER250",
            "ask@0 end@40 ask@100 ask@150 wake@290 ask@290          | LIST - DEFER190 NONE LIST NONE",
            "ask@0 end@40 ask@290                                  | LIST - LIST",
            "ask@0 end@40 ask@289                                  | LIST - DEFER1",
            "ask@0 stale@40 wake@290                               | LIST +DEFER250 LIST",
            "ask@0 ask@10 ask@20 end@40                            | LIST NONE NONE +DEFER250",
            "ask@0 end@40 ask@100 wake@290 end@400 ask@500         | LIST - DEFER190 LIST - DEFER150",
    })
    void shouldListOneAtATimeAndAtMostOnceAGap(String events, String results) {
        Relist s = Relist.START;
        List<String> got = new ArrayList<>();
        long now = 0;
        for (String e : events.trim().split("\\s+")) {
            String[] at = e.split("@");
            if (at.length > 1) now = Long.parseLong(at[1]) * 1_000_000;
            switch (at[0]) {
                case "ask" -> {
                    Relist.Next n = s.ask(now);
                    s = n.state();
                    got.add(text(n));
                }
                case "wake" -> {
                    Relist.Next n = s.woke().ask(now);
                    s = n.state();
                    got.add(text(n));
                }
                default -> {
                    s = s.listed(now, at[0].equals("stale"));
                    if (s.again()) {
                        Relist.Next n = s.asked().ask(now);
                        s = n.state();
                        got.add("+" + text(n));
                    } else {
                        got.add("-");
                    }
                }
            }
        }
        assertEquals(results.trim(), String.join(" ", got));
    }

    private static String text(Relist.Next n) {
        return n.action() == Relist.Action.DEFER ? "DEFER" + n.waitMs() : n.action().name();
    }
}
