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
 * writes are validated in Kubernetes' words with nothing reaching the bus, and a delete names the target. The same objects
 * at autoscaling/v1 (kubectl 1.32's autoscale, the docs' v1 manifests): in discovery beside v2 (preferred), read,
 * watched and written converted.
 */
class HpaApiTest extends GatewayApiFixture {
    static final String HPAS = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers";
    static final String HPAS_V1 = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";

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

    @Test
    void shouldServeAutoscalingV1BesideV2InDiscoveryWithV2Preferred() throws Exception {
        JsonNode group = getJson("/apis/autoscaling");
        assertEquals(List.of("autoscaling/v2", "autoscaling/v1"), group.path("versions").findValuesAsText("groupVersion"));
        assertEquals("autoscaling/v2", group.path("preferredVersion").path("groupVersion").asText());
        JsonNode listed = null;
        for (JsonNode g : getJson("/apis").path("groups")) if (g.path("name").asText().equals("autoscaling")) listed = g;
        assertNotNull(listed);
        assertEquals(List.of("v2", "v1"), listed.path("versions").findValuesAsText("version"));
        assertEquals("v2", listed.path("preferredVersion").path("version").asText());
        JsonNode v1 = JobsApiTest.resource(getJson("/apis/autoscaling/v1"), "horizontalpodautoscalers");
        assertEquals(List.of("hpa"), JobsApiTest.toList(v1.path("shortNames")));
        assertEquals(List.of("create", "delete", "get", "list", "patch", "update", "watch"), JobsApiTest.toList(v1.path("verbs")));
        HttpResponse<String> aggregated = http.send(request("/apis").header("Accept", Discovery.AGGREGATED_V2).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode autoscaling = null;
        for (JsonNode g : JSON.readTree(aggregated.body()).path("items")) if (g.path("metadata").path("name").asText().equals("autoscaling")) autoscaling = g;
        assertNotNull(autoscaling, aggregated.body());
        assertEquals(List.of("v2", "v1"), List.of(autoscaling.path("versions").get(0).path("version").asText(), autoscaling.path("versions").get(1).path("version").asText()));
        assertEquals("v1", autoscaling.path("versions").get(1).path("resources").get(0).path("responseKind").path("version").asText());
        assertEquals(200, get("/openapi/v3/apis/autoscaling/v1").statusCode());
    }

    @Test
    void shouldServeTheSameHpaAtV1ConvertedForGetListWatchTableAndWrites() throws Exception {
        produce(Topics.WORKLOADS, Topics.resourceKey("default", ResourceKind.DEPLOYMENT, "shop"),
                target(manifest("shop-hpa", 1, 3).replace("name: web", "name: shop")));
        eventually(() -> {
            try {
                return get(HPAS_V1 + "/shop-hpa").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode h = getJson(HPAS_V1 + "/shop-hpa");
        assertEquals("autoscaling/v1", h.path("apiVersion").asText());
        assertEquals(50, h.path("spec").path("targetCPUUtilizationPercentage").asInt());
        assertEquals("shop", h.path("spec").path("scaleTargetRef").path("name").asText());
        assertEquals(180, h.path("status").path("currentCPUUtilizationPercentage").asInt());
        assertEquals(3, h.path("status").path("desiredReplicas").asInt());
        assertFalse(h.path("spec").has("metrics"));
        assertTrue(h.path("metadata").path("annotations").path("autoscaling.alpha.kubernetes.io/conditions").asText().contains("SucceededRescale"));
        assertTrue(h.path("metadata").path("annotations").path("autoscaling.alpha.kubernetes.io/behavior").asText().contains("\"StabilizationWindowSeconds\":15"));
        assertEquals(getJson(HPAS + "/shop-hpa").path("metadata").path("uid"), h.path("metadata").path("uid"), "one object, two versions");

        JsonNode list = getJson("/apis/autoscaling/v1/horizontalpodautoscalers");
        assertEquals("HorizontalPodAutoscalerList", list.path("kind").asText());
        assertEquals("autoscaling/v1", list.path("apiVersion").asText());
        JsonNode item = null;
        for (JsonNode i : list.path("items")) if (i.path("metadata").path("name").asText().equals("shop-hpa")) item = i;
        assertNotNull(item, list.toString());
        assertEquals(50, item.path("spec").path("targetCPUUtilizationPercentage").asInt());

        JsonNode table = JSON.readTree(http.send(request(HPAS_V1 + "?includeObject=Object").header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").build(),
                HttpResponse.BodyHandlers.ofString()).body());
        JsonNode row = null;
        for (JsonNode r : table.path("rows")) if (r.path("cells").get(0).asText().equals("shop-hpa")) row = r;
        assertNotNull(row, table.toString());
        assertEquals("cpu: 180%/50%", row.path("cells").get(2).asText(), "kubectl's columns, as at v2");
        assertEquals("autoscaling/v1", row.path("object").path("apiVersion").asText());

        try (Watch w = new Watch(HPAS_V1 + "?watch=true&fieldSelector=metadata.name%3Dshop-hpa")) {
            JsonNode e = w.next();
            assertEquals("ADDED", e.path("type").asText());
            assertEquals("autoscaling/v1", e.path("object").path("apiVersion").asText());
            assertEquals(50, e.path("object").path("spec").path("targetCPUUtilizationPercentage").asInt());
        }

        // a v1 create (kubectl 1.32's autoscale): its target becomes the v2 CPU Utilization metric
        String v1 = """
                {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"cart"},
                 "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"cart"},"minReplicas":1,"maxReplicas":5,
                 "targetCPUUtilizationPercentage":60}}""";
        HttpResponse<String> created = send("POST", HPAS_V1 + "?wait=false", "application/json", v1);
        assertEquals(202, created.statusCode(), created.body());
        Intent c = lastHpaIntent("cart", IntentAction.APPLY);
        assertEquals("cart", c.getName());
        assertEquals(List.of(new HpaMetric("cpu", 60, null)), c.getHpa().getMetrics());

        // a merge patch at v1 patches the v1 object: its v2-only fields (behavior) come back from the annotations
        HttpResponse<String> patched = send("PATCH", HPAS_V1 + "/shop-hpa?wait=false", "application/merge-patch+json", "{\"spec\":{\"maxReplicas\":4}}");
        assertEquals(202, patched.statusCode(), patched.body());
        Intent p = lastHpaIntent("shop-hpa", IntentAction.APPLY);
        assertEquals(4, p.getHpa().getMaxReplicas());
        assertEquals(15, p.getHpa().getScaleDown().getStabilizationWindowSeconds());
        assertEquals(List.of(new HpaMetric("cpu", 50, null)), p.getHpa().getMetrics());
        assertFalse(p.getAnnotations().keySet().stream().anyMatch(k -> k.startsWith("autoscaling.alpha.kubernetes.io/")), p.getAnnotations().toString());

        // a bad v1 body is refused naming the v1 field, nothing on the bus
        int before = intents().size();
        HttpResponse<String> bad = send("PUT", HPAS_V1 + "/shop-hpa", "application/json", v1.replace("\"cart\"}", "\"shop-hpa\"}")
                .replace("\"name\":\"cart\"", "\"name\":\"shop\"").replace("60", "\"sixty\""));
        assertEquals(422, bad.statusCode(), bad.body());
        assertTrue(JSON.readTree(bad.body()).path("message").asText().contains("spec.targetCPUUtilizationPercentage"), bad.body());
        assertEquals(before, intents().size());

        HttpResponse<String> dryRun = send("PUT", HPAS_V1 + "/shop-hpa?dryRun=All", "application/json", v1.replace("\"cart\"}", "\"shop-hpa\"}")
                .replace("\"name\":\"cart\"", "\"name\":\"shop\""));
        assertEquals(200, dryRun.statusCode(), dryRun.body());
        assertEquals("autoscaling/v1", JSON.readTree(dryRun.body()).path("apiVersion").asText());
        assertEquals(60, JSON.readTree(dryRun.body()).path("spec").path("targetCPUUtilizationPercentage").asInt());

        HttpResponse<String> delete = send("DELETE", HPAS_V1 + "/shop-hpa?wait=false", "application/json", null);
        assertEquals(202, delete.statusCode(), delete.body());
        Intent d = lastHpaIntent("shop-hpa", IntentAction.DELETE);
        assertEquals(IntentAction.DELETE, d.getAction());
        assertEquals("shop", d.getHpa().getTargetName());
    }

    /** The last intent of {@code action} on the HPA {@code name} (one key: one partition, in order). */
    Intent lastHpaIntent(String name, IntentAction action) {
        return intents().stream().filter(i -> i.getKind() == ResourceKind.HORIZONTALPODAUTOSCALER && i.getName().equals(name) && i.getAction() == action)
                .reduce((a, b) -> b).orElseThrow();
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
