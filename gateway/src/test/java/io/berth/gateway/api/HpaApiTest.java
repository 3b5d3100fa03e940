package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * autoscaling/v2 HorizontalPodAutoscalers through the gateway on a real broker (the test plays state-streams by producing
 * the target Deployment's view carrying the HPA): discovery names them, get/list/Table read them from the target's view,
 * writes are validated in Kubernetes' words with nothing reaching the bus, and a delete names the target.
 */
class HpaApiTest extends GatewayApiFixture {
    static final String HPAS = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers";

    @Override
    boolean withStateStreams() {
        return false;
    }

    static String manifest(String name, int min, int max) {
        return """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: %s}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  minReplicas: %d
                  maxReplicas: %d
                  metrics:
                  - type: Resource
                    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
                  behavior:
                    scaleDown: {stabilizationWindowSeconds: 15}
                """.formatted(name, min, max);
    }

    /** The Deployment view state-streams writes once the HPA of {@code manifest} was synced: 180 % measured, 2 → 3 wanted. */
    static WorkloadView target(String manifest) {
        Intent i = new ManifestParser().parse("", manifest).intents().get(0);
        long t = System.currentTimeMillis() - 600_000;
        HpaStatus h = HpaStatus.newBuilder().setName(i.getName()).setUid("uid-hpa").setCreatedAt(t).setSpec(i.getHpa())
                .setCurrentReplicas(2).setDesiredReplicas(3).setObservedGeneration(1).setLastScaleTime(t)
                .setCurrentMetrics(List.of(new HpaMetricStatus("cpu", 180, 180L)))
                .setConditions(List.of(new Condition("AbleToScale", "True", "SucceededRescale", "the HPA controller was able to update the target scale to 3", t)))
                .build();
        return WorkloadView.newBuilder().setKey(Topics.resourceKey("default", ResourceKind.DEPLOYMENT, "web")).setKind(ResourceKind.DEPLOYMENT)
                .setNamespace("default").setName("web").setUid("uid-web").setGeneration(1).setCreatedAt(t).setUpdatedAt(t).setResourceVersion("1")
                .setDeployment(DeploymentSpec.newBuilder().setReplicas(2).setTemplate(PodTemplate.newBuilder()
                        .setContainers(List.of(ContainerSpec.newBuilder().setName("main").setImage("busybox").build())).build()).build())
                .setAutoscaler(h).build();
    }

    @Test
    void shouldListHpasInDiscovery() throws Exception {
        JsonNode hpa = JobsApiTest.resource(getJson("/apis/autoscaling/v2"), "horizontalpodautoscalers");
        assertEquals("HorizontalPodAutoscaler", hpa.path("kind").asText());
        assertEquals(List.of("hpa"), JobsApiTest.toList(hpa.path("shortNames")));
        assertTrue(hpa.path("namespaced").asBoolean());
    }

    @Test
    void shouldServeAnHpaFromItsTargetsViewAsGetListAndTable() throws Exception {
        produce(Topics.WORKLOADS, Topics.resourceKey("default", ResourceKind.DEPLOYMENT, "web"), target(manifest("web-hpa", 1, 3)));
        eventually(() -> {
            try {
                return get(HPAS + "/web-hpa").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode h = getJson(HPAS + "/web-hpa");
        assertEquals("autoscaling/v2", h.path("apiVersion").asText());
        assertEquals("web", h.path("spec").path("scaleTargetRef").path("name").asText());
        assertEquals(50, h.path("spec").path("metrics").get(0).path("resource").path("target").path("averageUtilization").asInt());
        assertEquals(15, h.path("spec").path("behavior").path("scaleDown").path("stabilizationWindowSeconds").asInt());
        assertEquals(3, h.path("status").path("desiredReplicas").asInt());
        assertEquals(180, h.path("status").path("currentMetrics").get(0).path("resource").path("current").path("averageUtilization").asInt());
        assertEquals("SucceededRescale", h.path("status").path("conditions").get(0).path("reason").asText());
        assertTrue(getJson("/apis/autoscaling/v2/horizontalpodautoscalers").path("items").findValuesAsText("name").contains("web-hpa"));
        assertFalse(getJson("/apis/apps/v1/deployments").path("items").findValuesAsText("name").contains("web-hpa"), "an HPA is no Deployment");
        HttpResponse<String> table = http.send(request(HPAS).header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode t = JSON.readTree(table.body());
        assertEquals(List.of("Name", "Reference", "Targets", "Minpods", "Maxpods", "Replicas", "Age"), t.path("columnDefinitions").findValuesAsText("name"));
        JsonNode cells = t.path("rows").get(0).path("cells");
        assertEquals(List.of("web-hpa", "Deployment/web", "cpu: 180%/50%", "1", "3", "2", "10m"),
                List.of(cells.get(0).asText(), cells.get(1).asText(), cells.get(2).asText(), cells.get(3).asText(), cells.get(4).asText(),
                        cells.get(5).asText(), cells.get(6).asText()));

        HttpResponse<String> delete = send("DELETE", HPAS + "/web-hpa?wait=false", "application/json", null);
        assertEquals(202, delete.statusCode(), delete.body());
        Intent d = intents().stream().filter(i -> i.getKind() == ResourceKind.HORIZONTALPODAUTOSCALER).reduce((a, b) -> b).orElseThrow();
        assertEquals(IntentAction.DELETE, d.getAction());
        assertEquals("web", d.getHpa().getTargetName(), "the delete names the target (state-streams routes it there)");
    }

    @Test
    void shouldRefuseABadHpaNamingTheFieldWithNothingOnTheBus() throws Exception {
        HttpResponse<String> zero = send("POST", HPAS, "application/yaml", manifest("bad", 1, 0));
        assertEquals(422, zero.statusCode(), zero.body());
        assertEquals("HorizontalPodAutoscaler.autoscaling \"bad\" is invalid: spec.maxReplicas: Invalid value: 0: must be greater than or equal to 1",
                JSON.readTree(zero.body()).path("message").asText());
        HttpResponse<String> minMax = send("POST", HPAS, "application/yaml", manifest("bad", 5, 3));
        assertEquals(422, minMax.statusCode(), minMax.body());
        assertEquals("HorizontalPodAutoscaler.autoscaling \"bad\" is invalid: spec.minReplicas: Invalid value: 5: must be less than or equal to maxReplicas",
                JSON.readTree(minMax.body()).path("message").asText());
        HttpResponse<String> noRef = send("POST", HPAS, "application/yaml", manifest("bad", 1, 3).replace("  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n", ""));
        assertEquals(422, noRef.statusCode(), noRef.body());
        assertTrue(JSON.readTree(noRef.body()).path("message").asText().endsWith("spec.scaleTargetRef: Required value"), noRef.body());
        HttpResponse<String> ok = send("POST", HPAS + "?wait=false", "application/yaml", manifest("good", 1, 3));
        assertEquals(202, ok.statusCode(), ok.body());
        List<Intent> hpas = intents().stream().filter(i -> i.getKind() == ResourceKind.HORIZONTALPODAUTOSCALER).toList();
        assertEquals(List.of("good"), hpas.stream().map(Intent::getName).toList(), "nothing of the refused ones reached the bus");
    }

    HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        java.net.http.HttpRequest.Builder b = request(path).header("Content-Type", contentType);
        return http.send(b.method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every intent on berth.intents so far. */
    List<Intent> intents() {
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, Intent> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), new org.apache.kafka.common.serialization.StringDeserializer(),
                serdes.value(Intent.class).deserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts = c.partitionsFor(Topics.INTENTS.name()).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<org.apache.kafka.common.TopicPartition, Long> end = c.endOffsets(parts);
            List<Intent> out = new java.util.ArrayList<>();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                for (var r : c.poll(java.time.Duration.ofMillis(200))) out.add(r.value());
            }
            return out;
        }
    }
}
