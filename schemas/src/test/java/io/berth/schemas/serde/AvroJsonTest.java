package io.berth.schemas.serde;

import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.Resources;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AvroJsonTest {
    private static NodeView node() {
        return NodeView.newBuilder().setNodeId("n1").setName("n1").setAddress("10.0.0.1").setLabels(Map.of("zone", "a"))
                .setCapacity(new Resources(4000L, 8L << 30)).setReady(true).setLastHeartbeat(42)
                .setConditions(List.of(new Condition("Ready", "True", "NodeReady", "ok", 7L))).build();
    }

    @Test
    void shouldRoundTripAViewThroughItsViewType() {
        NodeView v = node();
        String json = AvroJson.encode(v);
        assertTrue(json.contains("\"nodeId\":\"n1\""), json);
        NodeView back = AvroJson.decode("io.berth.schemas.avro.NodeView", json);
        assertEquals(v, back);
        assertEquals(v, AvroJson.decode(NodeView.class, json));
    }

    @Test
    void shouldWrapUnionsAsAvroJsonDoes() {
        io.berth.schemas.avro.AuditRecord a = io.berth.schemas.avro.AuditRecord.newBuilder().setKey("k").setAfter("x").build();
        assertTrue(AvroJson.encode(a).contains("\"after\":{\"string\":\"x\"}"), AvroJson.encode(a));
    }

    @Test
    void shouldMapNullToNull() {
        assertNull(AvroJson.encode(null));
        assertNull(AvroJson.decode("io.berth.schemas.avro.NodeView", null));
    }

    @Test
    void shouldRefuseTypesOutsideBerthAndMismatchedJson() {
        assertThrows(IllegalArgumentException.class, () -> AvroJson.decode("java.lang.Runtime", "{}"));
        assertThrows(IllegalArgumentException.class, () -> AvroJson.decode("io.berth.schemas.avro.Nope", "{}"));
        assertThrows(IllegalArgumentException.class, () -> AvroJson.decode("io.berth.schemas.avro.NodeView", "{\"nodeId\": 3}"));
    }
}
