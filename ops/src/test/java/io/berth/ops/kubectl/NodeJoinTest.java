package io.berth.ops.kubectl;

import io.berth.node.NodeDaemonService;
import io.berth.node.join.NodeJoin;
import io.berth.schemas.Topics;
import io.berth.schemas.auth.ClusterSecret;
import io.berth.schemas.auth.NodeKeys;
import io.berth.schemas.auth.TokenFile;
import io.berth.schemas.auth.User;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.NodeEventType;
import io.berth.schemas.avro.NodeRegistration;
import io.berth.schemas.avro.Resources;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.service.BerthConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 12, item 4, through the real broker, state-streams (verifying node records with the cluster
 * secret), the gateway's join route and a node daemon (simulated runtime): {@code berth token create --node}
 * makes a join token; a daemon joins with it and its signed REGISTER makes a Ready node; a daemon with a bad
 * token does not start and says why; a REGISTER produced straight onto the bus creates no node and is dead-lettered.
 */
class NodeJoinTest extends InProcessControlPlaneTest {
    @Override
    boolean withClusterSecret() {
        return true;
    }

    private String nodes() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server + "/api/v1/nodes"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The status of node {@code name}'s Ready condition as the gateway shows it ("" when the node is not there). */
    private String ready(String name) {
        try {
            com.fasterxml.jackson.databind.JsonNode list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(nodes());
            for (com.fasterxml.jackson.databind.JsonNode n : list.path("items")) {
                if (!name.equals(n.path("metadata").path("name").asText())) continue;
                for (com.fasterxml.jackson.databind.JsonNode c : n.path("status").path("conditions")) {
                    if ("Ready".equals(c.path("type").asText())) return c.path("status").asText();
                }
            }
            return "";
        } catch (Exception e) {
            return "";
        }
    }

    private NodeDaemonService daemon(String name, String token) {
        BerthConfig c = BerthConfig.of(kafka.bootstrapServers(), "in-memory", dataDir.resolve("node-" + name))
                .with("node-id", name).with("node-name", name).with("runtime", "sim").with("mesh", "false")
                .with("node-cpu-millis", "4000").with("node-memory-bytes", String.valueOf(8L << 30))
                .with("join-token", token).with("gateway-url", server);
        return new NodeDaemonService(c, registry);
    }

    @Test
    void shouldCreateNodeJoinTokensThatExpire() throws Exception {
        Run created = berth("token", "create", "--node", "--data-dir", dataDir.toString());
        assertEquals(0, created.exit, created.err);
        String token = created.out.strip();
        assertEquals(43, token.length(), token);
        assertTrue(created.err.contains("berth node start --name NAME --token " + token.substring(0, 6) + "…"), created.err);
        TokenFile.Entry e = TokenFile.read(dataDir.resolve(TokenFile.FILE_NAME)).stream().filter(x -> x.token().equals(token)).findFirst().orElseThrow();
        assertEquals(List.of(User.BOOTSTRAPPERS), e.groups());
        assertEquals("system:bootstrap:" + token.substring(0, 6), e.user());
        long ttl = Duration.between(Instant.now(), e.expires()).toMinutes();
        assertTrue(ttl > 23 * 60 && ttl <= 24 * 60, "24 h by default: " + e.expires());

        Run forever = berth("token", "create", "--node", "--ttl", "0", "--data-dir", dataDir.toString());
        assertEquals(0, forever.exit, forever.err);
        assertNull(TokenFile.read(dataDir.resolve(TokenFile.FILE_NAME)).stream().filter(x -> x.token().equals(forever.out.strip())).findFirst().orElseThrow().expires());
        Run list = berth("token", "list", "--data-dir", dataDir.toString());
        assertTrue(list.out.contains(User.BOOTSTRAPPERS) && list.out.contains("<never>") && list.out.contains(e.expires().toString()), list.out);

        Run bad = berth("token", "create", "--node", "--ttl", "soon", "--data-dir", dataDir.toString());
        assertEquals(1, bad.exit);
        assertTrue(bad.err.contains("--ttl: \"soon\" is not a duration"), bad.err);
        assertEquals(1, berth("token", "create", "--node", "--user", "bob", "--data-dir", dataDir.toString()).exit, "--node or --user, not both");
        assertEquals(1, berth("token", "create", "--data-dir", dataDir.toString()).exit, "one of them");
    }

    @Test
    void shouldLetANodeJoinWithATokenAndRefuseOneWithout() throws Exception {
        String token = berth("token", "create", "--node", "--ttl", "1h", "--data-dir", dataDir.toString()).out.strip();
        byte[] secret = ClusterSecret.read(dataDir.resolve(ClusterSecret.FILE_NAME)).orElseThrow();
        eventually("the gateway reads the new token", () -> {
            try {
                return java.util.Arrays.equals(NodeKeys.nodeKey(secret, "probe"), NodeJoin.join(server, "probe", token));
            } catch (Exception ex) {
                return false;
            }
        });

        // a REGISTER straight onto the bus, unsigned: no node, a dead letter saying why
        NodeRegistration r = NodeRegistration.newBuilder().setName("ghost").setCapacity(new Resources(4000L, 8L << 30)).setIncarnation("x").build();
        produce(Topics.NODE_EVENTS, "ghost", NodeEvent.newBuilder().setNodeId("ghost").setType(NodeEventType.REGISTER).setRegistration(r).build());

        try (NodeDaemonService joined = daemon("worker-1", token)) {
            joined.start();
            eventually("worker-1 registered and Ready", () -> "True".equals(ready("worker-1")));
        }
        // the daemon has left (LEAVE, signed): heartbeats forged for it straight onto the bus do not make it Ready again
        eventually("worker-1 NotReady after its LEAVE", () -> !"True".equals(ready("worker-1")));
        long until = System.currentTimeMillis() + 3_000;
        while (System.currentTimeMillis() < until) {
            produce(Topics.NODE_EVENTS, "worker-1", NodeEvent.newBuilder().setNodeId("worker-1").setType(NodeEventType.HEARTBEAT).build());
            Thread.sleep(250);
        }
        DeadLetter forgedBeat = deadLetter("worker-1");
        assertTrue(forgedBeat.getReason().startsWith("HEARTBEAT for node worker-1 refused: unsigned"), forgedBeat.getReason());
        assertNotEquals("True", ready("worker-1"), "forged heartbeats kept it NotReady");
        DeadLetter dl = deadLetter("ghost");
        assertTrue(dl.getReason().contains("REGISTER for node ghost refused: unsigned"), dl.getReason());
        assertFalse(nodes().contains("\"ghost\""), "the forged REGISTER made no node");

        NodeDaemonService refused = daemon("worker-2", "not-a-join-token");
        Exception why = assertThrows(Exception.class, refused::start);
        refused.close();
        assertTrue(why.getMessage().contains("node worker-2 was refused by " + server + ": 401 Unauthorized (the join token is unknown, revoked or expired"),
                why.getMessage());

        // the admin's token is no join token
        Exception admin = assertThrows(NodeJoin.JoinRefused.class, () -> NodeJoin.join(server, "worker-3", TOKEN));
        assertTrue(admin.getMessage().contains("403") && admin.getMessage().contains("only a node join token"), admin.getMessage());

        // the CLI refuses a node without a credential before anything starts
        java.nio.file.Path elsewhere = java.nio.file.Files.createTempDirectory("no-secret");
        Run noToken = berth("node", "start", "--name", "worker-4", "--data-dir", elsewhere.toString(), "--bootstrap-servers", kafka.bootstrapServers());
        assertNotEquals(0, noToken.exit);
        assertTrue(noToken.err.contains("--token: node worker-4 has no credential"), noToken.err);
    }

    private DeadLetter deadLetter(String key) throws Exception {
        AvroSerde<DeadLetter> serde = new AvroSerde<>(registry, DeadLetter.class);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "isolation.level", "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.DEAD_LETTERS.name()).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + 30_000;
            List<String> seen = new ArrayList<>();
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> rec : c.poll(Duration.ofMillis(500))) {
                    seen.add(rec.key());
                    if (key.equals(rec.key())) return serde.deserialize(rec.topic(), rec.value());
                }
            }
            return fail("no dead letter keyed " + key + " within 30 s; saw " + seen);
        }
    }
}
