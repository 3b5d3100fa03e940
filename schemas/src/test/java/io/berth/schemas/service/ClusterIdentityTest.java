package io.berth.schemas.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class ClusterIdentityTest {

    @Test
    void shouldJudgeFirstSameAndDifferent() {
        assertEquals(ClusterIdentity.Verdict.FIRST, ClusterIdentity.judge(Optional.empty(), "A"));
        assertEquals(ClusterIdentity.Verdict.SAME, ClusterIdentity.judge(Optional.of("A"), "A"));
        assertEquals(ClusterIdentity.Verdict.DIFFERENT, ClusterIdentity.judge(Optional.of("A"), "B"));
    }

    @Test
    void shouldRememberTheFirstClusterAndRefuseAnother(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("node-n1");
        ClusterIdentity.verify(dir, "A", false, "node n1", "127.0.0.1:9092", "rejoin");
        assertEquals("A", Files.readString(dir.resolve(ClusterIdentity.FILE)).strip());
        ClusterIdentity.verify(dir, "A", false, "node n1", "127.0.0.1:9092", "rejoin"); // same cluster: fine

        ClusterIdentity.Mismatch m = assertThrows(ClusterIdentity.Mismatch.class,
                () -> ClusterIdentity.verify(dir, "B", false, "node n1", "127.0.0.1:9092", "rejoin with berth node start --token …"));
        assertEquals("node n1 joined cluster A but the broker at 127.0.0.1:9092 is cluster B: stopping; rejoin with berth node start --token …", m.getMessage());
        assertEquals(Optional.of("A"), ClusterIdentity.read(dir), "a refusal leaves the remembered id alone");
    }

    @Test
    void shouldAdoptTheCurrentClusterWhenTold(@TempDir Path tmp) {
        ClusterIdentity.remember(tmp, "A");
        ClusterIdentity.verify(tmp, "B", true, "state-streams", "k:9092", "-");
        assertEquals(Optional.of("B"), ClusterIdentity.read(tmp));
    }
}
