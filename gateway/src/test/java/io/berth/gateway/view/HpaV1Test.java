package io.berth.gateway.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.gateway.manifest.ManifestResult;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The autoscaling/v1 ⇄ v2 conversion of HorizontalPodAutoscalers, as kube-apiserver's, as plain functions. */
class HpaV1Test {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long T = 1_700_000_000_000L;

    static final String V2 = """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: web
              annotations: {team: shop}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              minReplicas: 2
              maxReplicas: 6
              metrics:
              - type: Resource
                resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
              - type: Resource
                resource: {name: memory, target: {type: AverageValue, averageValue: 64Mi}}
              behavior:
                scaleDown:
                  stabilizationWindowSeconds: 15
                  policies: [{type: Pods, value: 1, periodSeconds: 30}]
            """;

    static Intent intent(String manifest) {
        ManifestResult r = new ManifestParser().parse("", manifest);
        assertTrue(r.ok(), r.errors().toString());
        return r.intents().get(0);
    }

    /** The v2 object the gateway renders for {@code manifest}'s HPA, synced: 180 % CPU measured, 2 → 3 wanted. */
    static ObjectNode rendered(Intent i) {
        HpaStatus h = HpaStatus.newBuilder().setName(i.getName()).setUid("uid-hpa").setCreatedAt(T).setSpec(i.getHpa())
                .setAnnotations(i.getAnnotations()).setCurrentReplicas(2).setDesiredReplicas(3).setObservedGeneration(1).setLastScaleTime(T)
                .setCurrentMetrics(List.of(new HpaMetricStatus("cpu", 180, 180L), new HpaMetricStatus("memory", null, 32L << 20)))
                .setConditions(List.of(new Condition("AbleToScale", "True", "SucceededRescale", "the HPA controller was able to update the target scale to 3", T)))
                .build();
        WorkloadView target = WorkloadView.newBuilder().setKey(Topics.resourceKey("default", ResourceKind.DEPLOYMENT, "web"))
                .setKind(ResourceKind.DEPLOYMENT).setNamespace("default").setName("web").setUid("uid-web").setGeneration(1).setCreatedAt(T)
                .setUpdatedAt(T).setResourceVersion("7")
                .setDeployment(DeploymentSpec.newBuilder().setReplicas(2).setTemplate(PodTemplate.newBuilder()
                        .setContainers(List.of(ContainerSpec.newBuilder().setName("main").setImage("busybox").build())).build()).build())
                .setAutoscaler(h).build();
        return KubeObjects.horizontalPodAutoscaler(target);
    }

    @Test
    void shouldShowTheCpuTargetAndReadingAsV1FieldsAndTheRestInTheRoundTripAnnotations() throws Exception {
        ObjectNode v2 = rendered(intent(V2));
        String before = v2.toString();
        JsonNode v1 = HpaV1.toV1(v2);
        assertEquals(before, v2.toString(), "the rendered object is not changed");
        assertEquals("autoscaling/v1", v1.path("apiVersion").asText());
        assertEquals("HorizontalPodAutoscaler", v1.path("kind").asText());
        assertEquals("7", v1.path("metadata").path("resourceVersion").asText());
        assertEquals(JSON.readTree("{\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\"},"
                + "\"minReplicas\":2,\"maxReplicas\":6,\"targetCPUUtilizationPercentage\":50}"), v1.path("spec"));
        assertEquals("{\"observedGeneration\":1,\"lastScaleTime\":\"2023-11-14T22:13:20Z\",\"currentReplicas\":2,"
                + "\"desiredReplicas\":3,\"currentCPUUtilizationPercentage\":180}", v1.path("status").toString());
        JsonNode a = v1.path("metadata").path("annotations");
        assertEquals("shop", a.path("team").asText());
        assertEquals("[{\"type\":\"Resource\",\"resource\":{\"name\":\"memory\",\"targetAverageValue\":\"64Mi\"}}]", a.path(HpaV1.METRICS).asText());
        assertEquals("[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"currentAverageUtilization\":180,\"currentAverageValue\":\"180m\"}},"
                + "{\"type\":\"Resource\",\"resource\":{\"name\":\"memory\",\"currentAverageValue\":\"32Mi\"}}]", a.path(HpaV1.CURRENT_METRICS).asText());
        assertEquals("{\"ScaleUp\":null,\"ScaleDown\":{\"StabilizationWindowSeconds\":15,\"SelectPolicy\":null,"
                + "\"Policies\":[{\"Type\":\"Pods\",\"Value\":1,\"PeriodSeconds\":30}]}}", a.path(HpaV1.BEHAVIOR).asText());
        assertEquals("[{\"type\":\"AbleToScale\",\"status\":\"True\",\"lastTransitionTime\":\"2023-11-14T22:13:20Z\",\"reason\":\"SucceededRescale\","
                + "\"message\":\"the HPA controller was able to update the target scale to 3\"}]", a.path(HpaV1.CONDITIONS).asText());
    }

    @Test
    void shouldReadAV1ObjectWrittenBackAsTheSameHpa() {
        Intent original = intent(V2);
        JsonNode v1 = HpaV1.toV1(rendered(original));
        Intent back = intent(v1.toString());
        assertEquals(original.getHpa(), back.getHpa(), "metrics and behavior come back from the annotations");
        assertEquals(Map.of("team", "shop"), back.getAnnotations(), "the round-trip annotations are not stored");
    }

    @Test
    void shouldLeaveAnHpaWithoutACpuUtilizationWithoutAV1Target() {
        Intent memoryOnly = intent("""
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: mem}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  maxReplicas: 3
                  metrics:
                  - type: Resource
                    resource: {name: cpu, target: {type: AverageValue, averageValue: 250m}}
                """);
        JsonNode v1 = HpaV1.toV1(rendered(memoryOnly));
        assertFalse(v1.path("spec").has("targetCPUUtilizationPercentage"));
        assertEquals("[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"targetAverageValue\":\"250m\"}}]",
                v1.path("metadata").path("annotations").path(HpaV1.METRICS).asText());
        assertEquals(memoryOnly.getHpa(), intent(v1.toString()).getHpa());
    }

    @Test
    void shouldDefaultAV1HpaWithoutTargetTo80PercentCpuAsKubernetes() {
        Intent i = intent("""
                apiVersion: autoscaling/v1
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  maxReplicas: 3
                """);
        assertEquals(List.of(new HpaMetric("cpu", 80, null)), i.getHpa().getMetrics());
        assertEquals(1, i.getHpa().getMinReplicas());
    }

    @Test
    void shouldIgnoreARoundTripAnnotationThatDoesNotDecodeAsKubernetesDoes() {
        Intent i = intent("""
                apiVersion: autoscaling/v1
                kind: HorizontalPodAutoscaler
                metadata:
                  name: web
                  annotations: {autoscaling.alpha.kubernetes.io/metrics: "not json", autoscaling.alpha.kubernetes.io/conditions: "[]"}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  maxReplicas: 3
                  targetCPUUtilizationPercentage: 40
                """);
        assertEquals(List.of(new HpaMetric("cpu", 40, null)), i.getHpa().getMetrics());
        assertEquals(Map.of(), i.getAnnotations());
    }

    @Test
    void shouldNameTheAnnotationOfABadMetricItCarries() {
        ManifestResult r = new ManifestParser().parse("", """
                apiVersion: autoscaling/v1
                kind: HorizontalPodAutoscaler
                metadata:
                  name: web
                  annotations: {autoscaling.alpha.kubernetes.io/metrics: '[{"type":"Resource","resource":{"name":"memory"}}]'}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  maxReplicas: 3
                """);
        assertFalse(r.ok());
        assertTrue(r.errors().get(0).field().startsWith("metadata.annotations[autoscaling.alpha.kubernetes.io/metrics][0].resource.target"),
                r.errors().toString());
    }
}
