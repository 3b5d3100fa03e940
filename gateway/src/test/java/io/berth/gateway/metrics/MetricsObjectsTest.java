package io.berth.gateway.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.schemas.avro.ContainerStats;
import io.berth.schemas.avro.NodeStats;
import io.berth.schemas.avro.PodStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MetricsObjectsTest {
    @ParameterizedTest(name = "{0} n = {1}")
    @CsvSource({"0, 0", "12345678, 12345678n", "250000000, 250m", "2000000000, 2", "1500000000, 1500m", "3000, 3u"})
    void cpuInCanonicalForm(long nanoCores, String expected) {
        assertEquals(expected, MetricsObjects.cpu(nanoCores));
    }

    @ParameterizedTest(name = "{0} B = {1}")
    @CsvSource({"0, 0", "1000, 1000", "1093632, 1068Ki", "12582912, 12Mi", "1073741824, 1Gi", "12641280, 12345Ki"})
    void memoryInCanonicalBinaryForm(long bytes, String expected) {
        assertEquals(expected, MetricsObjects.memory(bytes));
    }

    @ParameterizedTest(name = "{0} ms = {1}")
    @CsvSource({"10000, 10s", "10004, 10.004s", "10500, 10.5s", "60000, 1m0s", "90500, 1m30.5s", "3600000, 1h0m0s"})
    void windowAsGoDuration(long ms, String expected) {
        assertEquals(expected, MetricsObjects.window(ms));
    }

    @Test
    void podMetricsAsMetricsServerRendersThem() {
        PodStats pod = new PodStats("t1", "ns1", "web-1", List.of(new ContainerStats("app", 312_000_000L, 1_093_632L)));
        NodeStats node = new NodeStats("n1", "node-1", 1_700_000_000_000L, 10_004L, 1_000_000_000L, 2L << 30, List.of(pod));
        ObjectNode o = MetricsObjects.podMetrics("ns1", "web-1", Map.of("app", "web"), pod, node, 1_700_000_005_000L);
        assertEquals("{\"kind\":\"PodMetrics\",\"apiVersion\":\"metrics.k8s.io/v1beta1\",\"metadata\":{\"name\":\"web-1\",\"namespace\":\"ns1\","
                + "\"creationTimestamp\":\"2023-11-14T22:13:25Z\",\"labels\":{\"app\":\"web\"}},\"timestamp\":\"2023-11-14T22:13:20Z\","
                + "\"window\":\"10.004s\",\"containers\":[{\"name\":\"app\",\"usage\":{\"cpu\":\"312m\",\"memory\":\"1068Ki\"}}]}", o.toString());
        ObjectNode n = MetricsObjects.nodeMetrics("node-1", Map.of(), node, 1_700_000_005_000L);
        assertEquals("{\"cpu\":\"1\",\"memory\":\"2Gi\"}", n.get("usage").toString());
        assertEquals("NodeMetricsList", MetricsObjects.list("NodeMetricsList", List.of(n)).get("kind").asText());
    }
}
