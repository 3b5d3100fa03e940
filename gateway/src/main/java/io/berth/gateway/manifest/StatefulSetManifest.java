package io.berth.gateway.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.StatefulSetSpec;
import io.berth.schemas.avro.VolumeClaimTemplate;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.berth.gateway.manifest.Fields.child;
import static io.berth.gateway.manifest.Fields.get;

/**
 * An {@code apps/v1 StatefulSet}'s spec → the {@link DeploymentSpec} (replicas, selector, template, strategyType
 * RollingUpdate|OnDelete, minReadySeconds, revisionHistoryLimit) and the {@link StatefulSetSpec} (serviceName,
 * podManagementPolicy, partition, volumeClaimTemplates, persistentVolumeClaimRetentionPolicy) its intent carries.
 * Validation follows Kubernetes' ValidateStatefulSetSpec and its wording: {@code spec.serviceName: Required value},
 * the selector is required and matches the template's labels, the template restarts Always,
 * {@code podManagementPolicy} is OrderedReady or Parallel, a claim template has a DNS-1123 name, a storage request
 * and access modes; a pod's volumeMounts may name a claim template.
 *
 * <p>Defaults, as Kubernetes': replicas 1, OrderedReady, RollingUpdate with partition 0, revisionHistoryLimit 10,
 * accessModes as given (ReadWriteOnce when none), retention Retain/Retain.
 */
final class StatefulSetManifest {
    private StatefulSetManifest() {}

    static final List<String> STRATEGIES = List.of("OnDelete", "RollingUpdate");
    static final List<String> POLICIES = List.of("OrderedReady", "Parallel");
    static final List<String> RETENTION = List.of("Delete", "Retain");
    static final List<String> ACCESS_MODES = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod");

    private static final Set<String> SPEC_FIELDS = Set.of("replicas", "selector", "template", "serviceName", "podManagementPolicy",
            "updateStrategy", "volumeClaimTemplates", "minReadySeconds", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy");

    record Parsed(DeploymentSpec deployment, StatefulSetSpec statefulSet) {}

    /** The spec as the intent's payloads; null when it has errors. */
    static Parsed parse(Fields f, JsonNode doc, String path) {
        String sp = child(path, "spec");
        JsonNode spec = f.object(doc, "spec", sp);
        if (spec == null) {
            if (get(doc, "spec") == null) f.required(sp);
            return null;
        }
        f.onlyKnown(spec, sp, SPEC_FIELDS, Set.of("ordinals"));
        DeploymentSpec.Builder d = DeploymentSpec.newBuilder().setReplicas(f.integerAtLeast(spec, "replicas", child(sp, "replicas"), 0, 1));
        StatefulSetSpec.Builder s = StatefulSetSpec.newBuilder();
        String serviceName = f.string(spec, "serviceName", child(sp, "serviceName"));
        if (serviceName == null || serviceName.isEmpty()) {
            if (get(spec, "serviceName") == null || serviceName != null) f.required(child(sp, "serviceName"));
        } else {
            String bad = Names.dns1123Label(serviceName);
            if (bad != null) f.invalid(child(sp, "serviceName"), get(spec, "serviceName"), bad);
        }
        s.setServiceName(serviceName == null ? "" : serviceName);
        String policy = f.string(spec, "podManagementPolicy", child(sp, "podManagementPolicy"));
        if (policy != null && !policy.isEmpty() && !POLICIES.contains(policy)) f.unsupported(child(sp, "podManagementPolicy"), get(spec, "podManagementPolicy"), POLICIES);
        else if (policy != null && !policy.isEmpty()) s.setPodManagementPolicy(policy);
        List<VolumeClaimTemplate> claims = claims(f, spec, child(sp, "volumeClaimTemplates"));
        s.setVolumeClaimTemplates(claims);
        retention(f, spec, child(sp, "persistentVolumeClaimRetentionPolicy"), s);
        Map<String, String> selector = ManifestParser.selector(f, spec, child(sp, "selector"), "statefulset");
        Set<String> claimNames = new LinkedHashSet<>();
        claims.forEach(c -> claimNames.add(c.getName()));
        PodTemplate template = DaemonSetManifest.template(f, spec, child(sp, "template"), selector, claimNames);
        updateStrategy(f, spec, child(sp, "updateStrategy"), d, s);
        d.setMinReadySeconds(f.integerAtLeast(spec, "minReadySeconds", child(sp, "minReadySeconds"), 0, 0));
        d.setRevisionHistoryLimit(f.integerAtLeast(spec, "revisionHistoryLimit", child(sp, "revisionHistoryLimit"), 0, 10));
        if (!f.errors.isEmpty() || template == null || selector == null) return null;
        return new Parsed(d.setTemplate(template).setSelector(selector).build(), s.build());
    }

    private static List<VolumeClaimTemplate> claims(Fields f, JsonNode spec, String path) {
        List<VolumeClaimTemplate> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        List<JsonNode> items = f.array(spec, "volumeClaimTemplates", path);
        for (int k = 0; k < items.size(); k++) {
            String cp = path + "[" + k + "]";
            JsonNode c = items.get(k);
            f.onlyKnown(c, cp, Set.of("metadata", "spec"), Set.of("apiVersion", "kind", "status"));
            JsonNode meta = f.object(c, "metadata", child(cp, "metadata"));
            String name = meta == null ? null : f.string(meta, "name", child(cp, "metadata.name"));
            if (name == null || name.isEmpty()) {
                f.required(child(cp, "metadata.name"), "name or generateName is required");
                continue;
            }
            String bad = Names.dns1123Subdomain(name);
            if (bad != null) f.invalid(child(cp, "metadata.name"), get(meta, "name"), bad);
            if (!seen.add(name)) f.invalid(child(cp, "metadata.name"), get(meta, "name"), "Duplicate value");
            JsonNode cs = f.object(c, "spec", child(cp, "spec"));
            VolumeClaimTemplate.Builder b = VolumeClaimTemplate.newBuilder().setName(name);
            if (cs == null) {
                f.required(child(cp, "spec.accessModes"));
                out.add(b.build());
                continue;
            }
            f.onlyKnown(cs, child(cp, "spec"), Set.of("accessModes", "resources", "storageClassName", "volumeMode"));
            List<String> modes = new ArrayList<>();
            List<JsonNode> am = f.array(cs, "accessModes", child(cp, "spec.accessModes"));
            for (int m = 0; m < am.size(); m++) {
                String mode = am.get(m).asText("");
                if (!ACCESS_MODES.contains(mode)) f.unsupported(child(cp, "spec.accessModes") + "[" + m + "]", am.get(m), ACCESS_MODES);
                else modes.add(mode);
            }
            if (am.isEmpty()) f.required(child(cp, "spec.accessModes"), "at least 1 access mode is required");
            JsonNode storage = cs.path("resources").path("requests").path("storage");
            String sPath = child(cp, "spec.resources[storage]");
            if (storage.isMissingNode() || storage.isNull()) {
                f.required(sPath);
            } else {
                try {
                    if (io.berth.gateway.manifest.Quantities.parse(storage.asText()).signum() <= 0) f.invalid(sPath, storage, "must be greater than zero");
                } catch (RuntimeException e) {
                    f.invalid(sPath, storage, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
                }
            }
            String sc = f.string(cs, "storageClassName", child(cp, "spec.storageClassName"));
            out.add(b.setAccessModes(modes).setStorage(storage.asText("")).setStorageClassName(sc == null ? "" : sc).build());
        }
        return out;
    }

    private static void retention(Fields f, JsonNode spec, String path, StatefulSetSpec.Builder s) {
        JsonNode r = f.object(spec, "persistentVolumeClaimRetentionPolicy", path);
        if (r == null) return;
        f.onlyKnown(r, path, Set.of("whenDeleted", "whenScaled"));
        String deleted = f.string(r, "whenDeleted", child(path, "whenDeleted"));
        String scaled = f.string(r, "whenScaled", child(path, "whenScaled"));
        if (deleted != null && !deleted.isEmpty() && !RETENTION.contains(deleted)) f.unsupported(child(path, "whenDeleted"), get(r, "whenDeleted"), RETENTION);
        if (scaled != null && !scaled.isEmpty() && !RETENTION.contains(scaled)) f.unsupported(child(path, "whenScaled"), get(r, "whenScaled"), RETENTION);
        // Berth keeps every claim (Retain): Delete is refused naming the field rather than ignored
        if ("Delete".equals(deleted)) f.unsupported(child(path, "whenDeleted"), get(r, "whenDeleted"), List.of("Retain"));
        if ("Delete".equals(scaled)) f.unsupported(child(path, "whenScaled"), get(r, "whenScaled"), List.of("Retain"));
    }

    /** {@code spec.updateStrategy}: RollingUpdate (default; its partition) or OnDelete. */
    private static void updateStrategy(Fields f, JsonNode spec, String path, DeploymentSpec.Builder d, StatefulSetSpec.Builder s) {
        d.setStrategyType("RollingUpdate");
        JsonNode u = f.object(spec, "updateStrategy", path);
        if (u == null) return;
        f.onlyKnown(u, path, Set.of("type", "rollingUpdate"));
        String type = f.string(u, "type", child(path, "type"));
        if (type != null && !type.isEmpty() && !STRATEGIES.contains(type)) {
            f.unsupported(child(path, "type"), get(u, "type"), STRATEGIES);
            return;
        }
        if (type != null && !type.isEmpty()) d.setStrategyType(type);
        String rp = child(path, "rollingUpdate");
        JsonNode ru = f.object(u, "rollingUpdate", rp);
        if (ru == null) return;
        if ("OnDelete".equals(type)) {
            f.invalid(rp, "{}", "only allowed for updateStrategy 'RollingUpdate'");
            return;
        }
        f.onlyKnown(ru, rp, Set.of("partition"), Set.of("maxUnavailable"));
        s.setPartition(f.integerAtLeast(ru, "partition", child(rp, "partition"), 0, 0));
    }
}
