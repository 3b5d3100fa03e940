package io.berth.gateway.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.RollingUpdate;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.berth.gateway.manifest.Fields.child;
import static io.berth.gateway.manifest.Fields.get;

/**
 * An {@code apps/v1 DaemonSet}'s spec → the {@link DeploymentSpec} its intent carries (template, selector,
 * strategyType, rollingUpdate, minReadySeconds, revisionHistoryLimit; replicas unused, 0). Validation
 * follows Kubernetes' ValidateDaemonSetSpec and its wording: the selector is required, not empty, and
 * matches the template's labels; the template restarts Always; updateStrategy.type is RollingUpdate or
 * OnDelete; maxUnavailable and maxSurge are ints or percentages up to 100%, not both 0.
 *
 * <p>Defaults, as Kubernetes': updateStrategy RollingUpdate with maxUnavailable 1 and maxSurge 0,
 * revisionHistoryLimit 10, minReadySeconds 0. Berth's DaemonSet controller replaces a node's pod only
 * after the old one is gone: a maxSurge other than 0 is refused naming the field rather than ignored.
 */
final class DaemonSetManifest {
    private DaemonSetManifest() {}

    static final List<String> STRATEGIES = List.of("OnDelete", "RollingUpdate");
    /**
     * Set by Kubernetes on every DaemonSet (its template generation); rendered by the gateway, so a manifest
     * echoed back from {@code kubectl get -o yaml} carries it: dropped, not kept as the user's annotation.
     */
    static final String TEMPLATE_GENERATION = "deprecated.daemonset.template.generation";

    private static final Set<String> SPEC_FIELDS = Set.of("selector", "template", "updateStrategy", "minReadySeconds",
            "revisionHistoryLimit");

    /** The spec as the intent's payload; null when it has errors. */
    static DeploymentSpec parse(Fields f, JsonNode doc, String path) {
        String sp = child(path, "spec");
        JsonNode spec = f.object(doc, "spec", sp);
        if (spec == null) {
            if (get(doc, "spec") == null) f.required(sp);
            return null;
        }
        f.onlyKnown(spec, sp, SPEC_FIELDS, Set.of("templateGeneration"));
        DeploymentSpec.Builder d = DeploymentSpec.newBuilder().setReplicas(0);
        Map<String, String> selector = ManifestParser.selector(f, spec, child(sp, "selector"), "daemonset");
        PodTemplate template = template(f, spec, child(sp, "template"), selector, Set.of());
        updateStrategy(f, spec, child(sp, "updateStrategy"), d);
        d.setMinReadySeconds(f.integerAtLeast(spec, "minReadySeconds", child(sp, "minReadySeconds"), 0, 0));
        d.setRevisionHistoryLimit(f.integerAtLeast(spec, "revisionHistoryLimit", child(sp, "revisionHistoryLimit"), 0, 10));
        if (!f.errors.isEmpty() || template == null || selector == null) return null;
        return d.setTemplate(template).setSelector(selector).build();
    }

    /**
     * The pod template of a DaemonSet or StatefulSet: labels the selector matches, restartPolicy Always (the
     * default); mounts may name {@code claims}, a StatefulSet's claim templates. Null when absent.
     */
    static PodTemplate template(Fields f, JsonNode spec, String tp, Map<String, String> selector, Set<String> claims) {
        JsonNode template = f.object(spec, "template", tp);
        if (template == null) {
            if (get(spec, "template") == null) f.required(tp);
            return null;
        }
        f.onlyKnown(template, tp, Set.of("metadata", "spec"));
        JsonNode tmeta = f.object(template, "metadata", child(tp, "metadata"));
        f.onlyKnown(tmeta, child(tp, "metadata"), Set.of("labels", "annotations"), Set.of("name", "creationTimestamp"));
        Map<String, String> labels = f.stringMap(tmeta, "labels", child(tp, "metadata.labels"));
        Names.labels(f, labels, child(tp, "metadata.labels"));
        Map<String, String> annotations = f.stringMap(tmeta, "annotations", child(tp, "metadata.annotations"));
        Names.annotationKeys(f, annotations, child(tp, "metadata.annotations"));
        if (selector != null && !selector.isEmpty()
                && !selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
            f.invalid(child(tp, "metadata.labels"), Fields.render(labels), "`selector` does not match template `labels`");
        }
        JsonNode podSpec = f.object(template, "spec", child(tp, "spec"));
        return PodSpecParser.parse(f, podSpec, child(tp, "spec"), labels, annotations, List.of("Always"), false, claims);
    }

    /**
     * {@code spec.updateStrategy}: type RollingUpdate (default) or OnDelete; a rolling update's maxUnavailable
     * (default 1) and maxSurge (default 0, the only value Berth's controller has).
     */
    private static void updateStrategy(Fields f, JsonNode spec, String path, DeploymentSpec.Builder d) {
        d.setStrategyType("RollingUpdate").setRollingUpdate(new RollingUpdate("0", "1"));
        JsonNode s = f.object(spec, "updateStrategy", path);
        if (s == null) return;
        f.onlyKnown(s, path, Set.of("type", "rollingUpdate"));
        String type = f.string(s, "type", child(path, "type"));
        if (type != null && !type.isEmpty() && !STRATEGIES.contains(type)) {
            f.unsupported(child(path, "type"), get(s, "type"), STRATEGIES);
            return;
        }
        if (type != null && !type.isEmpty()) d.setStrategyType(type);
        String rp = child(path, "rollingUpdate");
        JsonNode ru = f.object(s, "rollingUpdate", rp);
        if (ru == null) return;
        f.onlyKnown(ru, rp, Set.of("maxSurge", "maxUnavailable"));
        String unavailable = ManifestParser.intOrPercent(f, ru, "maxUnavailable", child(rp, "maxUnavailable"));
        String surge = ManifestParser.intOrPercent(f, ru, "maxSurge", child(rp, "maxSurge"));
        if (surge != null && surge.endsWith("%") && Long.parseLong(surge.substring(0, surge.length() - 1)) > 100) {
            f.invalid(child(rp, "maxSurge"), get(ru, "maxSurge"), "must not be greater than 100%");
            surge = null;
        }
        boolean hasUnavailable = unavailable == null || !ManifestParser.isZero(unavailable);
        if (surge != null && !ManifestParser.isZero(surge)) {
            f.unsupported(child(rp, "maxSurge"), get(ru, "maxSurge"), List.of("0"));
        } else if (!hasUnavailable) {
            // Kubernetes: exactly one of maxSurge and maxUnavailable is non-zero
            f.required(child(rp, "maxUnavailable"), "cannot be 0 when maxSurge is 0");
        }
        d.setRollingUpdate(new RollingUpdate("0", unavailable == null ? "1" : unavailable));
    }
}
