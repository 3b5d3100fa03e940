package io.berth.schemas.service;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** heartbeat-ms, node-lease-ms, node-grace-ms: related in one place (issue 13, fencing). */
class NodeLeaseTest {

    /** settings given ({@code -}: unset) → the lease and grace in force, or the start refused naming the field. */
    @ParameterizedTest(name = "heartbeat {0}, lease {1}, grace {2} → {3}")
    @CsvSource(delimiter = ';', value = {
            "-;    -;    -;     lease 2000, grace 3000",              // the defaults
            "-;    -;    10000; lease 9000, grace 10000",             // only the grace: the lease follows it
            "500;  -;    -;     lease 2000, grace 3000",
            "-;    2000; 3000;  lease 2000, grace 3000",              // exactly the margin
            "-;    2500; -;     node-grace-ms (3000) must be at least node-lease-ms (2500) + 1000 ms",
            "-;    3000; 3000;  node-grace-ms (3000) must be at least node-lease-ms (3000) + 1000 ms",
            "-;    -;    1400;  node-lease-ms (400) must be longer than heartbeat-ms (500)",
            "1000; 1000; 5000;  node-lease-ms (1000) must be longer than heartbeat-ms (1000)",
            "0;    -;    -;     heartbeat-ms must be positive, got 0",
    })
    void relatesHeartbeatLeaseAndGrace(String heartbeat, String lease, String grace, String expected) {
        BerthConfig c = BerthConfig.of("unused:9092", null, Path.of("/tmp"));
        if (!heartbeat.equals("-")) c = c.with("heartbeat-ms", heartbeat);
        if (!lease.equals("-")) c = c.with("node-lease-ms", lease);
        if (!grace.equals("-")) c = c.with("node-grace-ms", grace);
        String got;
        try {
            NodeLease l = NodeLease.of(c);
            got = "lease " + l.leaseMs() + ", grace " + l.graceMs();
        } catch (IllegalArgumentException e) {
            got = e.getMessage();
        }
        assertTrue(got.startsWith(expected), got);
    }

    /** configured grace, lease a node registered → the grace the control plane gives that node. */
    @ParameterizedTest
    @CsvSource({"3000, 0, 3000", "3000, 2000, 3000", "3000, 5000, 6000", "10000, 2000, 10000"})
    void neverDeclaresANodeDeadBeforeItsOwnLeaseAndTheKillMargin(long grace, long registered, long effective) {
        assertEquals(effective, NodeLease.effectiveGraceMs(grace, registered));
    }
}
