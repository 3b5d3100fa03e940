package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The rows of {@code berth history}: causes, shortened ids, details, and records with empty fields (older writers). */
class HistoryTableTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode item(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void aCauseIsTheInputRecordAndTheIntent() throws Exception {
        JsonNode c = item("{\"topic\":\"berth.intents\",\"partition\":0,\"offset\":42,\"intentId\":\"7f3a9c1e-1111-2222-3333-444455556666\",\"text\":\"berth.intents/0/42\"}");
        assertEquals("intents/0/42 (intent 7f3a9c1e…)", HistoryCommand.cause(c, false));
        assertEquals("intents/0/42 (intent 7f3a9c1e-1111-2222-3333-444455556666)", HistoryCommand.cause(c, true));
        assertEquals("node-events/3/7", HistoryCommand.cause(item("{\"topic\":\"berth.node-events\",\"partition\":3,\"offset\":7,\"intentId\":\"\"}"), false));
        assertEquals("tick/1700000000000", HistoryCommand.cause(item("{\"topic\":\"\",\"partition\":-1,\"offset\":-1,\"text\":\"tick/1700000000000\"}"), false));
        // older records: the cause is the intent id, or a word
        assertEquals("5bc5db4e…", HistoryCommand.cause(item("{\"text\":\"5bc5db4e-eddb-458e-b974-570a91388a5a\"}"), false));
        assertEquals("RolloutProgress", HistoryCommand.cause(item("{\"text\":\"RolloutProgress\"}"), false));
        assertEquals("<none>", HistoryCommand.cause(item("{}"), false));
        assertEquals("intent 7f3a9c1e…", HistoryCommand.cause(item("{\"intentId\":\"7f3a9c1e-1111-2222-3333-444455556666\"}"), false));
    }

    @Test
    void detailsAreOneLineAndCutUnlessWide() throws Exception {
        String longer = "x".repeat(100);
        assertEquals("x".repeat(HistoryCommand.DETAILS_WIDTH - 1) + "…", HistoryCommand.details(item("{\"message\":\"" + longer + "\"}"), false));
        assertEquals(longer, HistoryCommand.details(item("{\"message\":\"" + longer + "\"}"), true));
        assertEquals("a b", HistoryCommand.details(item("{\"message\":\"a\\n  b\"}"), false));
        assertEquals("n2 of 3 feasible", HistoryCommand.details(item("{\"message\":\"\",\"placement\":{\"message\":\"n2 of 3 feasible\"}}"), false));
        assertEquals("<none>", HistoryCommand.details(item("{}"), false));
    }

    @Test
    void anEmptyRecordStillMakesARow() throws Exception {
        HistoryCommand.Columns all = new HistoryCommand.Columns(true, true, false);
        assertEquals(List.of("TIME", "NAMESPACE", "RESOURCE", "ACTOR", "CHANGE", "CAUSE", "DETAILS"), all.header());
        assertEquals(List.of("<unknown>", "<none>", "?/?", "<unknown>", "<unknown>", "<none>", "<none>"), all.row(item("{}")));
        HistoryCommand.Columns one = new HistoryCommand.Columns(false, false, false);
        assertEquals(List.of("2026-12-03T23:10:04.123Z", "node/n1", "NodeReady", "<none>", "<none>"),
                one.row(item("{\"time\":\"2026-12-03T23:10:04.123Z\",\"actor\":\"node/n1\",\"change\":\"NodeReady\",\"resource\":{\"kind\":\"node\",\"name\":\"n1\"}}")));
    }
}
