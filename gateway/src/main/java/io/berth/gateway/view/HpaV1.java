package io.berth.gateway.view;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code autoscaling/v1} HorizontalPodAutoscalers, converted to and from the {@code autoscaling/v2} form Berth stores and
 * renders, as kube-apiserver converts them (pkg/apis/autoscaling/v1/conversion.go): v1 has one target,
 * {@code spec.targetCPUUtilizationPercentage} (the CPU Utilization metric), and one reading,
 * {@code status.currentCPUUtilizationPercentage}; what only v2 can say travels in the round-trip annotations
 * ({@code autoscaling.alpha.kubernetes.io/metrics}: the other metrics as v1 MetricSpecs, {@code …/behavior},
 * {@code …/current-metrics}, {@code …/conditions}), so a v1 client that writes the object back loses nothing.
 * Pure functions over Kubernetes JSON.
 */
public final class HpaV1 {
    public static final String METRICS = "autoscaling.alpha.kubernetes.io/metrics";
    public static final String BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";
    public static final String CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics";
    public static final String CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";
    /** The annotations the conversion owns: set only by it, dropped from what a client writes. */
    public static final List<String> ROUND_TRIP = List.of(METRICS, BEHAVIOR, CURRENT_METRICS, CONDITIONS);

    private static final ObjectMapper JSON = new ObjectMapper();

    private HpaV1() {}

    /** The v1 form of a rendered v2 HPA (the v2 object is not changed). */
    public static ObjectNode toV1(JsonNode v2) {
        ObjectNode o = JSON.createObjectNode().put("apiVersion", "autoscaling/v1").put("kind", "HorizontalPodAutoscaler");
        ObjectNode meta = v2.path("metadata").isObject() ? v2.get("metadata").deepCopy() : JSON.createObjectNode();
        o.set("metadata", meta);
        JsonNode spec2 = v2.path("spec"), status2 = v2.path("status");
        Map<String, String> annotations = new TreeMap<>();
        meta.path("annotations").fields().forEachRemaining(e -> {
            if (!ROUND_TRIP.contains(e.getKey())) annotations.put(e.getKey(), e.getValue().asText());
        });

        ObjectNode spec = o.putObject("spec");
        if (spec2.has("scaleTargetRef")) spec.set("scaleTargetRef", spec2.get("scaleTargetRef").deepCopy());
        if (spec2.has("minReplicas")) spec.set("minReplicas", spec2.get("minReplicas"));
        spec.set("maxReplicas", spec2.path("maxReplicas").isMissingNode() ? JSON.getNodeFactory().numberNode(0) : spec2.get("maxReplicas"));
        ArrayNode others = JSON.createArrayNode();
        boolean cpuSeen = false;
        for (JsonNode m : spec2.path("metrics")) {
            JsonNode utilization = cpuResource(m) ? m.path("resource").path("target").path("averageUtilization") : null;
            if (utilization != null && !cpuSeen) {
                // the first CPU metric is v1's target when it is a utilization (Kubernetes: "break" after the first)
                cpuSeen = true;
                if (utilization.isNumber()) {
                    spec.put("targetCPUUtilizationPercentage", utilization.asInt());
                    continue;
                }
            } else if (utilization != null && utilization.isNumber()) {
                continue; // Kubernetes leaves every CPU utilization metric out of the annotation
            }
            others.add(metricSpecToV1(m));
        }
        if (!others.isEmpty()) annotations.put(METRICS, others.toString());
        if (spec2.path("behavior").isObject()) annotations.put(BEHAVIOR, behaviorToInternal(spec2.get("behavior")).toString());

        ObjectNode status = o.putObject("status");
        if (status2.has("observedGeneration")) status.set("observedGeneration", status2.get("observedGeneration"));
        if (status2.has("lastScaleTime")) status.set("lastScaleTime", status2.get("lastScaleTime"));
        status.put("currentReplicas", status2.path("currentReplicas").asInt(0)).put("desiredReplicas", status2.path("desiredReplicas").asInt(0));
        ArrayNode current = JSON.createArrayNode();
        for (JsonNode m : status2.path("currentMetrics")) {
            JsonNode c = m.path("resource").path("current");
            if (cpuResource(m) && c.path("averageUtilization").isNumber()) status.put("currentCPUUtilizationPercentage", c.get("averageUtilization").asInt());
            current.add(metricStatusToV1(m));
        }
        if (!current.isEmpty()) annotations.put(CURRENT_METRICS, current.toString());
        if (status2.path("conditions").isArray() && !status2.path("conditions").isEmpty()) {
            ArrayNode conditions = JSON.createArrayNode();
            for (JsonNode c : status2.get("conditions")) {
                ObjectNode v1 = conditions.addObject();
                for (String f : List.of("type", "status", "lastTransitionTime", "reason", "message")) if (c.has(f)) v1.set(f, c.get(f));
            }
            annotations.put(CONDITIONS, conditions.toString());
        }

        if (annotations.isEmpty()) {
            meta.remove("annotations");
        } else {
            ObjectNode a = JSON.createObjectNode();
            annotations.forEach(a::put);
            meta.set("annotations", a);
        }
        return o;
    }

    private static boolean cpuResource(JsonNode m) {
        return "Resource".equals(m.path("type").asText()) && "cpu".equals(m.path("resource").path("name").asText());
    }

    /** A v2 MetricSpec as v1's: {@code {"type":"Resource","resource":{"name":"memory","targetAverageValue":"64Mi"}}}. */
    private static ObjectNode metricSpecToV1(JsonNode m) {
        ObjectNode out = JSON.createObjectNode().put("type", m.path("type").asText());
        if (m.path("resource").isObject()) {
            JsonNode r = m.get("resource"), t = r.path("target");
            ObjectNode res = out.putObject("resource").put("name", r.path("name").asText());
            if (t.has("averageUtilization")) res.set("targetAverageUtilization", t.get("averageUtilization"));
            if (t.has("averageValue")) res.set("targetAverageValue", t.get("averageValue"));
        }
        return out;
    }

    /** A v2 MetricStatus as v1's: {@code {"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":180,"currentAverageValue":"180m"}}}. */
    private static ObjectNode metricStatusToV1(JsonNode m) {
        ObjectNode out = JSON.createObjectNode().put("type", m.path("type").asText());
        if (m.path("resource").isObject()) {
            JsonNode r = m.get("resource"), c = r.path("current");
            ObjectNode res = out.putObject("resource").put("name", r.path("name").asText());
            if (c.has("averageUtilization")) res.set("currentAverageUtilization", c.get("averageUtilization"));
            res.set("currentAverageValue", c.has("averageValue") ? c.get("averageValue") : JSON.getNodeFactory().textNode("0"));
        }
        return out;
    }

    /**
     * The behavior as kube-apiserver writes it into the annotation: its internal type, which has no JSON tags, so Go
     * names the fields as they are spelled ({@code {"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":15,…}}}).
     */
    static ObjectNode behaviorToInternal(JsonNode behavior) {
        ObjectNode out = JSON.createObjectNode();
        for (String dir : List.of("scaleUp", "scaleDown")) {
            JsonNode r = behavior.path(dir);
            if (!r.isObject()) {
                out.putNull(capital(dir));
                continue;
            }
            ObjectNode rules = out.putObject(capital(dir));
            rules.set("StabilizationWindowSeconds", r.has("stabilizationWindowSeconds") ? r.get("stabilizationWindowSeconds") : JSON.nullNode());
            rules.set("SelectPolicy", r.has("selectPolicy") ? r.get("selectPolicy") : JSON.nullNode());
            if (r.path("policies").isArray()) {
                ArrayNode ps = rules.putArray("Policies");
                for (JsonNode p : r.get("policies")) {
                    ObjectNode policy = ps.addObject();
                    policy.set("Type", p.path("type"));
                    policy.put("Value", p.path("value").asInt()).put("PeriodSeconds", p.path("periodSeconds").asInt());
                }
            } else {
                rules.putNull("Policies");
            }
        }
        return out;
    }

    private static String capital(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    // ---- v1 → v2: what a v1 write carries in the round-trip annotations ----

    /**
     * The v2 {@code spec.metrics} of the annotation's v1 MetricSpecs, or null when there is none or it does not decode
     * (kube-apiserver then ignores it too).
     */
    public static ArrayNode metricsFromAnnotation(Map<String, String> annotations) {
        JsonNode v1 = decode(annotations.get(METRICS));
        if (v1 == null || !v1.isArray()) return null;
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode m : v1) {
            ObjectNode v2 = out.addObject().put("type", m.path("type").asText());
            JsonNode r = m.path("resource");
            if (!r.isObject()) continue;
            ObjectNode res = v2.putObject("resource").put("name", r.path("name").asText());
            ObjectNode t = res.putObject("target");
            if (r.hasNonNull("targetAverageUtilization")) t.put("type", "Utilization").set("averageUtilization", r.get("targetAverageUtilization"));
            else if (r.hasNonNull("targetAverageValue")) t.put("type", "AverageValue").set("averageValue", r.get("targetAverageValue"));
        }
        return out;
    }

    /**
     * The v2 {@code spec.behavior} of the annotation (field names matched without regard to case, as Go's JSON decoder
     * does; nulls left out), or null when there is none, it is empty or it does not decode.
     */
    public static ObjectNode behaviorFromAnnotation(Map<String, String> annotations) {
        JsonNode internal = decode(annotations.get(BEHAVIOR));
        if (internal == null || !internal.isObject()) return null;
        ObjectNode out = (ObjectNode) camel(internal);
        return out.isEmpty() ? null : out;
    }

    /** The annotations a client wrote without the ones the conversion owns. */
    public static Map<String, String> withoutRoundTrip(Map<String, String> annotations) {
        if (ROUND_TRIP.stream().noneMatch(annotations::containsKey)) return annotations;
        Map<String, String> out = new TreeMap<>(annotations);
        ROUND_TRIP.forEach(out::remove);
        return out;
    }

    private static JsonNode camel(JsonNode n) {
        if (n.isArray()) {
            ArrayNode a = JSON.createArrayNode();
            n.forEach(x -> a.add(camel(x)));
            return a;
        }
        if (!n.isObject()) return n;
        ObjectNode o = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull() || e.getKey().isEmpty()) continue;
            o.set(Character.toLowerCase(e.getKey().charAt(0)) + e.getKey().substring(1), camel(e.getValue()));
        }
        return o;
    }

    private static JsonNode decode(String text) {
        if (text == null || text.isBlank()) return null;
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
