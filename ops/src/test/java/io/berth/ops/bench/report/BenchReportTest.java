package io.berth.ops.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class BenchReportTest {
    @Test
    void writesJsonMarkdownAndAPngPerChart(@TempDir Path dir) throws Exception {
        BenchReport r = new BenchReport("demo").parameter("replicas", 50);
        r.figure("time to all Running", 12.5, "s", "≤ 0.9 × Swarm", "Swarm", 25.0);
        r.figure("placements/s", 4200, "1/s", "≥ 5,000");
        r.point("running over time", "berth", "s", "running", 0, 0).point("running over time", "berth", "s", "running", 1, 50);
        String md = r.write(dir);

        assertTrue(md.contains("| time to all Running | 12.5 s | ≤ 0.9 × Swarm | Swarm | 25.0 s | 0.50 |"), md);
        assertTrue(md.contains("| placements/s | 4,200 1/s | ≥ 5,000 |  |  |  |"), md);
        assertTrue(md.contains("Parameters: replicas 50."), md);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("demo.json").toFile());
        assertEquals(0.5, json.at("/figures/0/ratio").asDouble(), 1e-9);
        assertEquals(50, json.at("/parameters/replicas").asInt());
        assertEquals(2, json.at("/series/0/points").size());
        byte[] png = Files.readAllBytes(dir.resolve("demo-running-over-time.png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
    }
}
