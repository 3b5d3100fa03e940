package io.berth.node.bus;

import io.berth.node.join.NodeJoin;
import io.berth.schemas.auth.ClusterSecret;
import io.berth.schemas.auth.NodeKeys;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.NodeEventType;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;
import io.berth.schemas.service.BerthConfig;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** What the daemon and the simulated nodes put on their records is what state-streams accepts as theirs. */
class NodeSignerTest {
    private static final byte[] SECRET = "a-cluster-secret-of-32-bytes-ok!".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = "avro bytes".getBytes(StandardCharsets.UTF_8);

    /** The reading side: the digest stamped as state-streams' deserializer does, then the check. */
    private static NodeKeys.Verdict read(Headers h, String topic, String key, byte[] value) {
        NodeKeys.stampDigest(h, value);
        return NodeKeys.verify(SECRET, topic, key, h);
    }

    @Test
    void shouldSignAsTheDaemonsOwnNode() {
        Headers h = new RecordHeaders();
        NodeSigner.of("n1", NodeKeys.nodeKey(SECRET, "n1")).sign(h, "berth.node-events", "n1", VALUE, null);
        assertEquals("n1", read(h, "berth.node-events", "n1", VALUE).node());
        assertTrue(read(h, "berth.node-events", "n1", VALUE).problemFor("n1").isEmpty());
        assertFalse(read(h, "berth.node-events", "n2", VALUE).ok(), "the key is signed: another key fails");
        assertFalse(read(h, "berth.task-status", "n1", VALUE).ok(), "so is the topic");
        assertFalse(read(h, "berth.node-events", "n1", "other".getBytes(StandardCharsets.UTF_8)).ok(), "and the value");
    }

    @Test
    void shouldSignEachSimulatedNodesRecordsWithThatNodesKey() {
        NodeSigner sim = NodeSigner.forSimulatedNodes(SECRET);
        Headers beat = new RecordHeaders();
        sim.sign(beat, "berth.node-events", "sim-7", VALUE, NodeEvent.newBuilder().setNodeId("sim-7").setType(NodeEventType.HEARTBEAT).build());
        assertTrue(read(beat, "berth.node-events", "sim-7", VALUE).problemFor("sim-7").isEmpty());
        Headers status = new RecordHeaders();
        sim.sign(status, "berth.task-status", "default/deployment/web", VALUE, TaskStatus.newBuilder().setTaskId("t").setWorkloadKey("default/deployment/web")
                .setNodeId("sim-3").setState(TaskState.RUNNING).build());
        assertTrue(read(status, "berth.task-status", "default/deployment/web", VALUE).problemFor("sim-3").isEmpty());
        assertTrue(read(status, "berth.task-status", "default/deployment/web", VALUE).problemFor("sim-4").isPresent());
        Headers dl = new RecordHeaders();
        sim.sign(dl, "berth.dead-letters", "k", VALUE, DeadLetter.newBuilder().setSourceTopic("t").setReason("r").build());
        assertNull(dl.lastHeader(NodeKeys.SIG_HEADER), "a record that names no node is not signed");
    }

    @Test
    void shouldTakeTheKeyFromNodeKeyThenTheClusterSecretElseNone() throws Exception {
        Path dir = Files.createTempDirectory("node-signer");
        Path secretFile = dir.resolve(ClusterSecret.FILE_NAME);
        byte[] secret = ClusterSecret.readOrCreate(secretFile);
        BerthConfig base = BerthConfig.of("unused:9092", null, dir);

        Headers derived = new RecordHeaders();
        NodeJoin.signer(base.with(ClusterSecret.CONFIG_KEY, secretFile.toString()), "n1").sign(derived, "t", "n1", VALUE, null);
        NodeKeys.stampDigest(derived, VALUE);
        assertTrue(NodeKeys.verify(secret, "t", "n1", derived).ok());

        Headers given = new RecordHeaders();
        NodeJoin.signer(base.with("node-key", NodeKeys.encodeKey(NodeKeys.nodeKey(secret, "n1"))), "n1").sign(given, "t", "n1", VALUE, null);
        NodeKeys.stampDigest(given, VALUE);
        assertTrue(NodeKeys.verify(secret, "t", "n1", given).ok());

        Headers none = new RecordHeaders();
        NodeJoin.signer(base, "n1").sign(none, "t", "n1", VALUE, null);
        assertFalse(none.iterator().hasNext(), "no credential: unsigned");

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> NodeJoin.signer(base.with("node-key", "bm9wZQ=="), "n1"));
        assertEquals("node-key: a node key has 32 bytes, got 4", bad.getMessage());
        assertThrows(IllegalStateException.class, () -> NodeJoin.signer(base.with(ClusterSecret.CONFIG_KEY, dir.resolve("absent").toString()), "n1"));
    }
}
