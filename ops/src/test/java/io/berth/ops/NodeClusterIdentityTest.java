package io.berth.ops;

import io.berth.ops.kafka.EmbeddedKafka;
import io.berth.registry.server.RegistryServer;
import io.berth.schemas.TopicAdmin;
import io.berth.schemas.Topics;
import io.berth.schemas.auth.ClusterSecret;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.ClusterIdentity;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13: a node daemon left over from an earlier cluster that reconnects to a fresh one (a new
 * {@code berth up} on the same address) stops, says why in one line and exits 78; it writes nothing into the
 * new cluster; started again against it without a join, it is refused the same way. Two real embedded
 * brokers with different cluster ids, one after the other on the same port; the daemon is a real OS process.
 */
class NodeClusterIdentityTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<ServiceProcess> processes = new ArrayList<>();
    private Path dir;

    @AfterEach
    void stopEverything() {
        processes.forEach(ServiceProcess::kill);
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception ignored) {
            }
        }
        if (dir != null) TestSupport.deleteTree(dir);
    }

    @Test
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void aDaemonThatFindsAnotherClusterStopsSaysWhyAndExits78() throws Exception {
        dir = Files.createTempDirectory("berth-cluster-id");
        int port = EmbeddedKafka.freePort("127.0.0.1");
        String bs = "127.0.0.1:" + port;
        EmbeddedKafka a = EmbeddedKafka.start(dir.resolve("a"), "127.0.0.1", port, Map.of());
        closeables.add(a);
        String clusterA = clusterId(bs);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bs))) {
            AllInOne.ensureWithRetry(admin, Topics.SCHEMAS_TOPIC);
            AllInOne.ensureWithRetry(admin, Topics.SCHEMAS_TOPIC + "_leader");
        }
        RegistryServer registry = new RegistryServer(BerthConfig.of(bs, null, dir.resolve("registry")), "127.0.0.1", EmbeddedKafka.freePort("127.0.0.1"));
        registry.start();
        closeables.add(registry);
        Path nodeData = dir.resolve("node-data");
        ClusterSecret.readOrCreate(nodeData.resolve(ClusterSecret.FILE_NAME)); // its credential: the control plane's own machine
        Path ready = dir.resolve("n1.ready");
        List<String> args = List.of("node", "start", "--name", "n1", "--bootstrap-servers", bs, "--registry-url", registry.url(),
                "--set", "runtime=sim", "--set", "heartbeat-ms=500", "--data-dir", nodeData.toString(), "--ready-file", ready.toString());
        ServiceProcess node = ServiceProcess.start("n1", dir, "-Xmx256m", args);
        processes.add(node);
        node.awaitReadyFile(ready, 240_000);
        assertEquals(clusterA, Files.readString(nodeData.resolve("node-n1").resolve(ClusterIdentity.FILE)).strip(), "the node remembers the cluster it joined");

        // a fresh cluster on the same address
        registry.close();
        a.close();
        EmbeddedKafka b = startOnSamePort(dir.resolve("b"), port);
        closeables.add(b);
        String clusterB = clusterId(bs);
        assertNotEquals(clusterA, clusterB);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bs))) {
            TopicAdmin.ensureTopics(admin); // as a fresh 'berth up' would: somewhere the old daemon could write
        }

        assertTrue(node.process.waitFor(90, TimeUnit.SECONDS), "the daemon stops once it reconnected:\n" + Processes.tail(node.log, 30));
        String line = "node n1 joined cluster " + clusterA + " but the broker at " + bs + " is cluster " + clusterB
                + ": stopping; rejoin with berth node start --name n1 --token TOKEN";
        System.out.println("exit " + node.process.exitValue() + "; last lines:\n" + Processes.tail(node.log, 12));
        assertEquals(ClusterIdentity.EXIT_STATUS, node.process.exitValue(), node.output());
        assertTrue(node.output().contains(line), "says why in one line:\n" + node.output());
        // What the daemon decides never reaches the foreign cluster: no REGISTER and no LEAVE (its stop writes
        // none). Heartbeats its producer had already built when the broker was swapped may land (the idempotent
        // producer meets an unknown producer id, takes a new one and resends) before the first metadata answer
        // names the new cluster: a race the guard cannot close from inside the client (node-daemon README).
        List<String> written = typesOf(bs, "n1");
        assertTrue(written.stream().allMatch("HEARTBEAT"::equals), "only in-flight heartbeats of n1 may reach the new cluster: " + written);
        assertEquals(clusterA, Files.readString(nodeData.resolve("node-n1").resolve(ClusterIdentity.FILE)).strip());

        // started again against the new cluster without joining it: refused before anything, same line, same status,
        // and not one record more than the first daemon's in-flight heartbeats
        int before = written.size();
        Files.deleteIfExists(ready);
        ServiceProcess again = ServiceProcess.start("n1-again", dir, "-Xmx256m", args);
        processes.add(again);
        assertTrue(again.process.waitFor(120, TimeUnit.SECONDS), Processes.tail(again.log, 30));
        assertEquals(ClusterIdentity.EXIT_STATUS, again.process.exitValue(), again.output());
        assertTrue(again.output().contains(line), again.output());
        assertEquals(before, recordsOf(bs, "n1"), "the refused restart writes nothing into the new cluster");
    }

    private static String clusterId(String bs) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bs))) {
            return ClusterIdentity.describe(admin, Duration.ofSeconds(30));
        }
    }

    /** The port is free again a moment after the first broker closed. */
    private static EmbeddedKafka startOnSamePort(Path data, int port) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                return EmbeddedKafka.start(data, "127.0.0.1", port, Map.of());
            } catch (IllegalStateException e) {
                if (System.currentTimeMillis() > deadline) throw e;
                Thread.sleep(200);
            }
        }
    }

    /**
     * The types of the records keyed {@code nodeId} on berth.node-events of the cluster at {@code bs}, read from
     * the Avro body without a registry (Confluent framing: magic byte and 4-byte schema id, then NodeEvent:
     * the node id string, then the type's enum index).
     */
    private static List<String> typesOf(String bs, String nodeId) {
        List<String> types = new ArrayList<>();
        String[] symbols = {"REGISTER", "HEARTBEAT", "LEAVE", "UNKNOWN", "CLOCK"};
        forRecordsOf(bs, nodeId, value -> {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(value, 5, value.length - 5);
            long len = zigzag(b);
            b.position(b.position() + (int) len);
            int type = (int) zigzag(b);
            types.add(type >= 0 && type < symbols.length ? symbols[type] : "?" + type);
        });
        return types;
    }

    private static long zigzag(java.nio.ByteBuffer b) {
        long raw = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b.get();
            raw |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) break;
        }
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** Records keyed {@code nodeId} (REGISTER, HEARTBEAT, LEAVE) on berth.node-events of the cluster at {@code bs}. */
    private static int recordsOf(String bs, String nodeId) {
        int[] n = {0};
        forRecordsOf(bs, nodeId, value -> n[0]++);
        return n[0];
    }

    private static void forRecordsOf(String bs, String nodeId, java.util.function.Consumer<byte[]> each) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bs, "isolation.level", "read_uncommitted"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            String t = Topics.NODE_EVENTS.name();
            c.partitionsFor(t).forEach(p -> tps.add(new TopicPartition(t, p.partition())));
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.currentTimeMillis() + 10_000;
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.currentTimeMillis() < deadline) {
                for (var r : c.poll(Duration.ofMillis(200))) if (nodeId.equals(r.key())) each.accept(r.value());
            }
        }
    }
}
