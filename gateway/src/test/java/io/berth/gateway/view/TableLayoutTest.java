package io.berth.gateway.view;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** kubectl's tabwriter layout and its AGE, which every table of the gateway and the CLI is printed with. */
class TableLayoutTest {
    @Test
    void shouldPadColumnsToTheWidestCellPlusThree() {
        assertEquals("A      BB\nlong   x\n", JsonTables.table(List.of("A", "BB"), List.of(List.of("long", "x"))));
        assertEquals("A     B\n", JsonTables.table(List.of("A", "B"), List.of()));
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "59, 59s", "119, 119s", "120, 2m", "200, 3m20s", "600, 10m", "10799, 179m", "10800, 3h",
            "18000, 5h", "18180, 5h3m", "28800, 8h", "172800, 2d", "187200, 2d4h", "691200, 8d", "2592000, 30d",
            "63072000, 2y", "63936000, 2y10d", "315360000, 10y"})
    void shouldFormatAgesLikeKubectl(long seconds, String age) {
        assertEquals(age, JsonTables.age(1_000_000L, 1_000_000L + seconds * 1000));
    }
}
