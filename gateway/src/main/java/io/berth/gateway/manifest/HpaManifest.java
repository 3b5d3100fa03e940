package io.berth.gateway.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.schemas.avro.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.berth.gateway.manifest.Fields.child;
import static io.berth.gateway.manifest.Fields.get;

/**
 * The spec of an {@code autoscaling/v2 HorizontalPodAutoscaler} (resource metrics cpu and memory, targets Utilization or
 * AverageValue, behavior) or of an {@code autoscaling/v1} one ({@code targetCPUUtilizationPercentage}), checked with
 * Kubernetes' messages; the bounds ({@code minReplicas <= maxReplicas}, positive targets, policies) are
 * {@link io.berth.schemas.limits.Limits}', shared with state-streams. Defaults as Kubernetes': minReplicas 1; v1 without
 * a target: 80 % CPU.
 */
final class HpaManifest {
    private HpaManifest() {}

    static final List<String> TARGET_KINDS = List.of("Deployment");
    private static final Set<String> V2_FIELDS = Set.of("scaleTargetRef", "minReplicas", "maxReplicas", "metrics", "behavior");
    private static final Set<String> V1_FIELDS = Set.of("scaleTargetRef", "minReplicas", "maxReplicas", "targetCPUUtilizationPercentage");

    /**
     * @param annotations the object's; of a v1 object, the round-trip annotations give what v1 cannot say (the other
     *                    metrics, behavior), as kube-apiserver's conversion reads them
     */
    static HpaSpec parse(Fields f, JsonNode doc, String path, boolean v1, java.util.Map<String, String> annotations) {
        String sp = child(path, "spec");
        JsonNode spec = f.object(doc, "spec", sp);
        if (spec == null) {
            if (get(doc, "spec") == null) f.required(sp);
            return null;
        }
        f.onlyKnown(spec, sp, v1 ? V1_FIELDS : V2_FIELDS);
        HpaSpec.Builder b = HpaSpec.newBuilder();
        String ref = child(sp, "scaleTargetRef");
        JsonNode target = f.object(spec, "scaleTargetRef", ref);
        if (target == null) {
            if (get(spec, "scaleTargetRef") == null) f.required(ref);
        } else {
            f.onlyKnown(target, ref, Set.of("apiVersion", "kind", "name"));
            String kind = f.string(target, "kind", child(ref, "kind"));
            String name = f.string(target, "name", child(ref, "name"));
            String api = f.string(target, "apiVersion", child(ref, "apiVersion"));
            if (kind == null || kind.isEmpty()) f.required(child(ref, "kind"));
            else if (!TARGET_KINDS.contains(kind)) f.unsupported(child(ref, "kind"), get(target, "kind"), TARGET_KINDS);
            if (name == null || name.isEmpty()) f.required(child(ref, "name"));
            b.setTargetKind(kind == null ? "" : kind).setTargetName(name == null ? "" : name).setTargetApiVersion(api == null || api.isEmpty() ? "apps/v1" : api);
        }
        Integer min = f.integer(spec, "minReplicas", child(sp, "minReplicas"));
        Integer max = f.integer(spec, "maxReplicas", child(sp, "maxReplicas"));
        if (get(spec, "maxReplicas") == null) f.required(child(sp, "maxReplicas"));
        b.setMinReplicas(min == null ? 1 : min).setMaxReplicas(max == null ? 0 : max);
        if (v1) {
            Integer cpu = f.integer(spec, "targetCPUUtilizationPercentage", child(sp, "targetCPUUtilizationPercentage"));
            List<HpaMetric> metrics = new ArrayList<>();
            if (cpu != null) metrics.add(new HpaMetric("cpu", cpu, null));
            com.fasterxml.jackson.databind.node.ArrayNode others = io.berth.gateway.view.HpaV1.metricsFromAnnotation(annotations);
            if (others != null) {
                String ap = child(path, "metadata.annotations[" + io.berth.gateway.view.HpaV1.METRICS + "]");
                metrics.addAll(metrics(f, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().set("metrics", others), ap));
            }
            // Kubernetes' default when v1 names no target at all: 80 % CPU
            b.setMetrics(metrics.isEmpty() ? List.of(new HpaMetric("cpu", 80, null)) : metrics);
            JsonNode behavior = io.berth.gateway.view.HpaV1.behaviorFromAnnotation(annotations);
            if (behavior != null) behavior(f, behavior, child(path, "metadata.annotations[" + io.berth.gateway.view.HpaV1.BEHAVIOR + "]"), b);
            return b.build();
        }
        b.setMetrics(metrics(f, spec, child(sp, "metrics")));
        JsonNode behavior = f.object(spec, "behavior", child(sp, "behavior"));
        if (behavior != null) behavior(f, behavior, child(sp, "behavior"), b);
        return b.build();
    }

    private static void behavior(Fields f, JsonNode behavior, String bp, HpaSpec.Builder b) {
        f.onlyKnown(behavior, bp, Set.of("scaleUp", "scaleDown"));
        b.setScaleUp(rules(f, behavior, "scaleUp", child(bp, "scaleUp")));
        b.setScaleDown(rules(f, behavior, "scaleDown", child(bp, "scaleDown")));
    }

    /** {@code spec.metrics}: Resource metrics only (cpu, memory); none given means Kubernetes' default, 80 % CPU. */
    private static List<HpaMetric> metrics(Fields f, JsonNode spec, String path) {
        if (get(spec, "metrics") == null) return List.of(new HpaMetric("cpu", 80, null));
        List<HpaMetric> out = new ArrayList<>();
        List<JsonNode> items = f.array(spec, "metrics", path);
        for (int n = 0; n < items.size(); n++) {
            String mp = Fields.index(path, n);
            JsonNode m = items.get(n);
            String type = f.string(m, "type", child(mp, "type"));
            if (!"Resource".equals(type)) {
                if (type == null || type.isEmpty()) f.required(child(mp, "type"));
                else f.unsupported(child(mp, "type"), get(m, "type"), List.of("Resource"));
                continue;
            }
            String rp = child(mp, "resource");
            JsonNode r = f.object(m, "resource", rp);
            if (r == null) {
                f.required(rp, "must populate information for the given metric source");
                continue;
            }
            String name = f.string(r, "name", child(rp, "name"));
            if (name == null || name.isEmpty()) {
                f.required(child(rp, "name"));
                continue;
            }
            String tp = child(rp, "target");
            JsonNode t = f.object(r, "target", tp);
            if (t == null) {
                f.required(tp);
                continue;
            }
            String ttype = f.string(t, "type", child(tp, "type"));
            if ("Utilization".equals(ttype)) {
                Integer u = f.integer(t, "averageUtilization", child(tp, "averageUtilization"));
                if (u == null) f.required(child(tp, "averageUtilization"), "must set either a target raw value or a target utilization");
                else out.add(new HpaMetric(name, u, null));
            } else if ("AverageValue".equals(ttype)) {
                String v = f.string(t, "averageValue", child(tp, "averageValue"));
                if (v == null && get(t, "averageValue") != null) v = get(t, "averageValue").asText();
                if (v == null || v.isEmpty()) {
                    f.required(child(tp, "averageValue"), "must set either a target raw value or a target utilization");
                    continue;
                }
                try {
                    out.add(new HpaMetric(name, null, name.equals("cpu") ? Quantities.cpuMillis(v) : Quantities.memoryBytes(v)));
                } catch (IllegalArgumentException e) {
                    f.invalid(child(tp, "averageValue"), get(t, "averageValue"), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
                }
            } else if (ttype == null || ttype.isEmpty()) {
                f.required(child(tp, "type"));
            } else {
                f.unsupported(child(tp, "type"), get(t, "type"), List.of("Utilization", "AverageValue"));
            }
        }
        return out;
    }

    private static HpaRules rules(Fields f, JsonNode behavior, String field, String path) {
        JsonNode r = f.object(behavior, field, path);
        if (r == null) return null;
        f.onlyKnown(r, path, Set.of("stabilizationWindowSeconds", "selectPolicy", "policies"));
        HpaRules.Builder b = HpaRules.newBuilder()
                .setStabilizationWindowSeconds(f.integer(r, "stabilizationWindowSeconds", child(path, "stabilizationWindowSeconds")))
                .setSelectPolicy(f.string(r, "selectPolicy", child(path, "selectPolicy")));
        if (get(r, "policies") != null) {
            List<HpaPolicy> ps = new ArrayList<>();
            List<JsonNode> items = f.array(r, "policies", child(path, "policies"));
            for (int n = 0; n < items.size(); n++) {
                String pp = Fields.index(child(path, "policies"), n);
                String type = f.string(items.get(n), "type", child(pp, "type"));
                Integer value = f.integer(items.get(n), "value", child(pp, "value"));
                Integer period = f.integer(items.get(n), "periodSeconds", child(pp, "periodSeconds"));
                ps.add(new HpaPolicy(type == null ? "" : type, value == null ? 0 : value, period == null ? 0 : period));
            }
            b.setPolicies(ps);
        }
        return b.build();
    }
}
