package io.berth.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ClusterHealthTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldShowEachNodesReadinessHeartbeatAgeAndTroubledConditions() throws Exception {
        long now = Instant.parse("2026-12-04T20:00:10Z").toEpochMilli();
        String list = """
                {"items":[
                  {"metadata":{"name":"n1"},"spec":{"unschedulable":false},"status":{"conditions":[
                    {"type":"Ready","status":"True","reason":"NodeReady","lastHeartbeatTime":"2026-12-04T20:00:09Z"},
                    {"type":"ContainerRuntimeUnhealthy","status":"False","reason":"ContainerRuntimeIsHealthy","message":""}]}},
                  {"metadata":{"name":"n2"},"spec":{"unschedulable":true},"status":{"conditions":[
                    {"type":"Ready","status":"False","reason":"NodeStatusUnknown","lastHeartbeatTime":"2026-12-04T19:58:00Z"},
                    {"type":"ContainerRuntimeUnhealthy","status":"True","reason":"DockerAPIExhausted","message":"none of 32 connections free"}]}}
                ]}""";
        List<String> lines = ClusterHealth.nodeLines(JSON.readTree(list), now);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("node\\s+n1\\s+Ready, last heartbeat 1\\.0s ago"), lines.get(0));
        assertTrue(lines.get(1).matches("node\\s+n2\\s+NotReady \\(NodeStatusUnknown\\),SchedulingDisabled, last heartbeat 2m10s ago; "
                + "ContainerRuntimeUnhealthy=True DockerAPIExhausted: none of 32 connections free"), lines.get(1));
    }

    @Test
    void shouldSayWhenNoNodeIsRegistered() throws Exception {
        assertEquals(List.of("nodes     none registered"), ClusterHealth.nodeLines(JSON.readTree("{\"items\":[]}"), 0));
    }

    @Test
    void shouldBeNotReadyWhenTheGatewayDoesNotAnswer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        int port = io.berth.ops.kafka.EmbeddedKafka.freePort("127.0.0.1"); // nothing listens there
        ClusterHealth.Report r = ClusterHealth.fetch("http://127.0.0.1:" + port, dir, 0);
        assertFalse(r.ready());
        assertTrue(r.lines().get(0).startsWith("readyz    NOT READY: the gateway at http://127.0.0.1:" + port + " did not answer"), r.lines().toString());
    }

    @Test
    void shouldWriteAgesAsAnOperatorReadsThem() {
        assertEquals("0.9s", ClusterHealth.age(850));
        assertEquals("75s", ClusterHealth.age(75_000));
        assertEquals("2m10s", ClusterHealth.age(130_000));
        assertEquals("2h0m", ClusterHealth.age(7_200_000));
    }
}
