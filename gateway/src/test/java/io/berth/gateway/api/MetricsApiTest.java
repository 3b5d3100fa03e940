package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.view.ViewFixtures;
import io.berth.schemas.Topics;
import io.berth.schemas.auth.ClusterSecret;
import io.berth.schemas.auth.NodeKeys;
import io.berth.schemas.avro.ContainerStats;
import io.berth.schemas.avro.NodeStats;
import io.berth.schemas.avro.PodStats;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.service.BerthConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * metrics.k8s.io/v1beta1 on a real broker: discovery names the group, node and pod metrics join the views' nodes
 * and pods with the usage windows on berth.node-stats, selectors apply, a record not signed by its node is not
 * served, and what has no metrics answers 404 Status.
 */
class MetricsApiTest extends GatewayApiFixture {
    private byte[] secret;

    @Override
    boolean withStateStreams() {
        return false;
    }

    @Override
    BerthConfig configure(BerthConfig config) {
        try {
            Path file = Files.createTempDirectory("metrics-secret").resolve("cluster.secret");
            secret = ClusterSecret.readOrCreate(file);
            return config.with(ClusterSecret.CONFIG_KEY, file.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void publish(NodeStats s, byte[] key) throws Exception {
        byte[] value = serdes.value(Topics.NODE_STATS).serialize(Topics.NODE_STATS.name(), s);
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.NODE_STATS.name(), s.getNodeId(), value);
        if (key != null) NodeKeys.sign(r.headers(), s.getNodeId(), key, Topics.NODE_STATS.name(), s.getNodeId(), value);
        producer.send(r).get();
    }

    int count(String path) {
        try {
            return getJson(path).path("items").size();
        } catch (Exception e) {
            return -1;
        }
    }

    static NodeStats stats(String node, long cpu, PodStats... pods) {
        return new NodeStats(node, node, System.currentTimeMillis(), 10_000L, cpu, 3L << 30, List.of(pods));
    }

    @Test
    void shouldServeNodeAndPodMetricsAsMetricsServerDoes() throws Exception {
        JsonNode group = getJson("/apis/metrics.k8s.io/v1beta1");
        assertEquals(List.of("nodes", "pods"), group.path("resources").findValuesAsText("name"));
        assertTrue(getJson("/apis").toString().contains("\"metrics.k8s.io/v1beta1\""));

        produce(Topics.NODES, "n1", ViewFixtures.node("n1", true, false));
        produce(Topics.NODES, "n2", ViewFixtures.node("n2", true, false));
        produce(Topics.TASKS, "busy-1", GatewayApiTest.pod("m", "busy-1", TaskPhase.RUNNING, "n1", "busy"));
        produce(Topics.TASKS, "idle-1", GatewayApiTest.pod("m", "idle-1", TaskPhase.RUNNING, "n1", "idle"));
        produce(Topics.TASKS, "new-1", GatewayApiTest.pod("m", "new-1", TaskPhase.RUNNING, "n1", "idle"));
        publish(stats("n1", 1_250_000_000L,
                new PodStats("busy-1", "m", "busy-1", List.of(new ContainerStats("spin", 998_765_432L, 1_093_632L))),
                new PodStats("idle-1", "m", "idle-1", List.of(new ContainerStats("rest", 12_345L, 12L << 20)))),
                NodeKeys.nodeKey(secret, "n1"));
        publish(stats("n2", 7, new PodStats("new-1", "m", "new-1", List.of())), NodeKeys.nodeKey(secret, "n1")); // signed by another node

        eventually(() -> count("/apis/metrics.k8s.io/v1beta1/nodes") == 1);
        JsonNode nodes = getJson("/apis/metrics.k8s.io/v1beta1/nodes");
        assertEquals("NodeMetricsList", nodes.path("kind").asText());
        JsonNode n1 = nodes.path("items").get(0);
        assertEquals("n1", n1.path("metadata").path("name").asText());
        assertEquals("1250m", n1.path("usage").path("cpu").asText());
        assertEquals("3Gi", n1.path("usage").path("memory").asText());
        assertEquals("10s", n1.path("window").asText());
        assertEquals("a", n1.path("metadata").path("labels").path("zone").asText());
        assertEquals(404, get("/apis/metrics.k8s.io/v1beta1/nodes/n2").statusCode(), "n2's record is not signed by n2");

        JsonNode pods = getJson("/apis/metrics.k8s.io/v1beta1/namespaces/m/pods");
        assertEquals("PodMetricsList", pods.path("kind").asText());
        assertEquals(2, pods.path("items").size(), pods.toString());
        JsonNode busy = getJson("/apis/metrics.k8s.io/v1beta1/namespaces/m/pods/busy-1");
        assertEquals("PodMetrics", busy.path("kind").asText());
        assertEquals("{\"name\":\"spin\",\"usage\":{\"cpu\":\"998765432n\",\"memory\":\"1068Ki\"}}", busy.path("containers").get(0).toString());
        assertEquals(1, count("/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Didle"));
        assertEquals(0, count("/apis/metrics.k8s.io/v1beta1/namespaces/other/pods"));

        HttpResponse<String> missing = get("/apis/metrics.k8s.io/v1beta1/namespaces/m/pods/new-1");
        assertEquals(404, missing.statusCode());
        JsonNode status = JSON.readTree(missing.body());
        assertEquals("Status", status.path("kind").asText());
        assertEquals("podmetrics.metrics.k8s.io \"m/new-1\" not found", status.path("message").asText());
    }
}
