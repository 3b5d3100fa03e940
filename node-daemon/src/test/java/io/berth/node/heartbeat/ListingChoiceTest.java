package io.berth.node.heartbeat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** When a heartbeat lists its running ids and when it says "unchanged" ({@link ListingChoice}). */
class ListingChoiceTest {
    /** running now; newest acknowledged list ({@code ?} none, {@code -} empty); lists in flight; heartbeats since the last list → list? */
    @ParameterizedTest(name = "running {0}, acked {1}, in flight {2}, since {3} → list {4}")
    @CsvSource(delimiter = ';', value = {
            "a,b; ?;   0; 0; true",    // nothing acknowledged since registering: list
            "a,b; a,b; 0; 0; false",   // same as the acknowledged list: unchanged
            "b,a; a,b; 0; 3; false",   // order does not matter
            "a;   a,b; 0; 0; true",    // one stopped
            "a,b,c; a,b; 0; 0; true",  // one started
            "-;   -;   0; 2; false",   // nothing runs, and the broker knows
            "a,b; a,b; 1; 0; true",    // a list still in flight: 'unchanged' would be ambiguous
            "a,b; a,b; 0; 9; true",    // the tenth heartbeat lists anyway
            "a,b; a,b; 0; 8; false",
    })
    void listsOnlyWhatTheBrokerHasNotAcknowledgedAlready(String running, String acked, int inFlight, int since, boolean list) {
        assertEquals(list, ListingChoice.sendList(ids(running), acked.trim().equals("?") ? null : ids(acked), inFlight, since));
    }

    private static List<String> ids(String s) {
        return s.trim().equals("-") ? List.of() : Arrays.stream(s.trim().split(",")).map(String::trim).toList();
    }
}
