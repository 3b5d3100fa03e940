package io.berth.gateway.manifest;

import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** autoscaling/v2 and v1 HorizontalPodAutoscaler manifests: the spec they carry, Kubernetes' defaults and messages. */
class HpaManifestTest {
    private final ManifestParser parser = new ManifestParser();

    private ManifestResult parse(String yaml) {
        return parser.parse("hpa.yaml", yaml);
    }

    private static List<String> problems(ManifestResult r) {
        return r.errors().stream().map(p -> p.field() + ": " + p.detail()).toList();
    }

    @Test
    void shouldParseAV2HpaWithBehaviorAndAverageValue() {
        ManifestResult r = parse("""
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  maxReplicas: 5
                  metrics:
                  - {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}
                  - {type: Resource, resource: {name: memory, target: {type: AverageValue, averageValue: 64Mi}}}
                  behavior:
                    scaleUp: {policies: [{type: Pods, value: 2, periodSeconds: 30}], selectPolicy: Min}
                """);
        assertEquals(List.of(), problems(r));
        Intent i = r.intents().get(0);
        assertEquals(ResourceKind.HORIZONTALPODAUTOSCALER, i.getKind());
        HpaSpec h = i.getHpa();
        assertEquals("web", h.getTargetName());
        assertEquals(1, h.getMinReplicas(), "Kubernetes' default");
        assertEquals(5, h.getMaxReplicas());
        assertEquals(new HpaMetric("cpu", 60, null), h.getMetrics().get(0));
        assertEquals(new HpaMetric("memory", null, 64L << 20), h.getMetrics().get(1));
        assertEquals(List.of(new HpaPolicy("Pods", 2, 30)), h.getScaleUp().getPolicies());
        assertEquals("Min", h.getScaleUp().getSelectPolicy());
        assertNull(h.getScaleDown());
    }

    @Test
    void shouldParseAV1HpaAndDefaultItsTarget() {
        ManifestResult r = parse("""
                apiVersion: autoscaling/v1
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {kind: Deployment, name: web}
                  minReplicas: 2
                  maxReplicas: 4
                """);
        assertEquals(List.of(), problems(r));
        assertEquals(List.of(new HpaMetric("cpu", 80, null)), r.intents().get(0).getHpa().getMetrics());
    }

    @Test
    void shouldNameTheFieldOfABadHpa() {
        String base = """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {kind: %s, name: web}
                  maxReplicas: %d
                  metrics:
                  - {type: Resource, resource: {name: cpu, target: {type: %s, averageUtilization: 50}}}
                """;
        assertEquals(List.of("spec.maxReplicas: Invalid value: 0: must be greater than or equal to 1"),
                problems(parse(base.formatted("Deployment", 0, "Utilization"))));
        assertEquals(List.of("spec.scaleTargetRef.kind: Unsupported value: \"StatefulSet\": supported values: \"Deployment\""),
                problems(parse(base.formatted("StatefulSet", 3, "Utilization"))));
        assertEquals(List.of("spec.metrics[0].resource.target.type: Unsupported value: \"Percent\": supported values: \"Utilization\", \"AverageValue\""),
                problems(parse(base.formatted("Deployment", 3, "Percent"))));
    }
}
