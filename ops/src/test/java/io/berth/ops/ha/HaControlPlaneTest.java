package io.berth.ops.ha;

import io.berth.ops.HaCheck;
import io.berth.ops.TestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code berth up --ha} as real OS processes (three brokers, two of every service, a simulated node) under
 * continuous applies from a client that fails over between the gateways, with {@code kill -9} of a
 * state-streams and then of a gateway: the API keeps acknowledging applies, the control loop picks up
 * after each kill, and every acknowledged apply ends up a Deployment with a Running pod. The full
 * sequence (also a scheduler, a registry and a broker) is {@code ops/ha-check}; its figures are in the
 * README. {@code -Dberth.ha.faults=…} runs another list here.
 */
class HaControlPlaneTest {
    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES) // a cold start of 12 JVMs on the shared 2-core box takes minutes
    void shouldLoseNoAcknowledgedApplyWhenProcessesAreKilled() throws Exception {
        List<String> faults = List.of(System.getProperty("berth.ha.faults", "state-streams,gateway").split(","));
        Path dir = Files.createTempDirectory("berth-ha");
        try {
            HaCheck.Result r = HaCheck.run(new HaCheck.Options(dir, 26100, faults, 240_000, 300_000, System.out));
            System.out.println(r.markdown());
            assertTrue(r.upOutput().contains("http://127.0.0.1:26120") && r.upOutput().contains("http://127.0.0.1:26121"),
                    "berth up --ha prints both gateway URLs:\n" + r.upOutput());
            assertEquals(faults.size(), r.faults().size(), "every fault injected and recovered from");
            assertTrue(r.acknowledged() >= 10, "applies were acknowledged throughout: " + r.acknowledged());
            assertEquals(List.of(), r.lost(), "acknowledged applies missing from the final state");
            assertEquals(List.of(), r.notRunning(), "acknowledged Deployments without a Running pod");
            assertEquals(List.of(), r.deadProcesses(), "processes that were not killed but stopped");
            assertFalse(Files.list(dir.resolve("ha")).anyMatch(f -> f.toString().endsWith(".pid")), "berth down removed the pid files");
        } finally {
            TestSupport.deleteTree(dir);
        }
    }
}
