package io.berth.gateway.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.schemas.avro.Capabilities;
import io.berth.schemas.avro.PodSecurityContext;
import io.berth.schemas.avro.SeccompProfile;
import io.berth.schemas.avro.SecurityContext;
import io.berth.schemas.policy.PodSecurity;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.berth.gateway.manifest.Fields.child;
import static io.berth.gateway.manifest.Fields.get;
import static io.berth.gateway.manifest.Fields.index;

/**
 * A pod's and a container's {@code securityContext} → {@link PodSecurityContext} / {@link SecurityContext}.
 * What Berth cannot carry ({@code privileged}, {@code seLinuxOptions}, {@code procMount} …) is an unknown
 * field (a warning; refused at baseline and restricted by {@link SecurityContextRules} where Pod Security forbids it).
 */
final class SecurityContextParser {
    private SecurityContextParser() {}

    static final Set<String> POD_FIELDS = Set.of("runAsUser", "runAsGroup", "runAsNonRoot", "fsGroup", "supplementalGroups", "seccompProfile");
    static final Set<String> CONTAINER_FIELDS = Set.of("runAsUser", "runAsGroup", "runAsNonRoot", "readOnlyRootFilesystem",
            "allowPrivilegeEscalation", "capabilities", "seccompProfile");
    static final List<String> SECCOMP_TYPES = List.of(PodSecurity.LOCALHOST, PodSecurity.RUNTIME_DEFAULT, PodSecurity.UNCONFINED);

    static PodSecurityContext pod(Fields f, JsonNode spec, String path) {
        JsonNode sc = f.object(spec, "securityContext", path);
        if (sc == null) return null;
        f.onlyKnown(sc, path, POD_FIELDS);
        List<Long> groups = new ArrayList<>();
        List<JsonNode> items = f.array(sc, "supplementalGroups", child(path, "supplementalGroups"));
        for (int i = 0; i < items.size(); i++) {
            JsonNode n = items.get(i);
            if (n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0) groups.add(n.longValue());
            else f.invalid(index(child(path, "supplementalGroups"), i), n, "must be a non-negative integer");
        }
        return PodSecurityContext.newBuilder()
                .setRunAsUser(id(f, sc, "runAsUser", path))
                .setRunAsGroup(id(f, sc, "runAsGroup", path))
                .setRunAsNonRoot(f.bool(sc, "runAsNonRoot", child(path, "runAsNonRoot")))
                .setFsGroup(id(f, sc, "fsGroup", path))
                .setSupplementalGroups(groups)
                .setSeccompProfile(seccomp(f, sc, child(path, "seccompProfile")))
                .build();
    }

    static SecurityContext container(Fields f, JsonNode c, String path) {
        JsonNode sc = f.object(c, "securityContext", path);
        if (sc == null) return null;
        f.onlyKnown(sc, path, CONTAINER_FIELDS);
        Capabilities caps = null;
        JsonNode cn = f.object(sc, "capabilities", child(path, "capabilities"));
        if (cn != null) {
            f.onlyKnown(cn, child(path, "capabilities"), Set.of("add", "drop"));
            caps = Capabilities.newBuilder().setAdd(f.strings(cn, "add", child(path, "capabilities.add")))
                    .setDrop(f.strings(cn, "drop", child(path, "capabilities.drop"))).build();
        }
        return SecurityContext.newBuilder()
                .setRunAsUser(id(f, sc, "runAsUser", path))
                .setRunAsGroup(id(f, sc, "runAsGroup", path))
                .setRunAsNonRoot(f.bool(sc, "runAsNonRoot", child(path, "runAsNonRoot")))
                .setReadOnlyRootFilesystem(f.bool(sc, "readOnlyRootFilesystem", child(path, "readOnlyRootFilesystem")))
                .setAllowPrivilegeEscalation(f.bool(sc, "allowPrivilegeEscalation", child(path, "allowPrivilegeEscalation")))
                .setCapabilities(caps)
                .setSeccompProfile(seccomp(f, sc, child(path, "seccompProfile")))
                .build();
    }

    /** A user or group id: Kubernetes' int64 between 0 and 2147483647. */
    private static Long id(Fields f, JsonNode sc, String field, String path) {
        JsonNode n = get(sc, field);
        if (n == null) return null;
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0 || n.longValue() > Integer.MAX_VALUE) {
            f.invalid(child(path, field), n, "must be between 0 and 2147483647, inclusive");
            return null;
        }
        return n.longValue();
    }

    private static SeccompProfile seccomp(Fields f, JsonNode sc, String path) {
        JsonNode n = f.object(sc, "seccompProfile", path);
        if (n == null) return null;
        f.onlyKnown(n, path, Set.of("type", "localhostProfile"));
        String type = f.string(n, "type", child(path, "type"));
        String profile = f.string(n, "localhostProfile", child(path, "localhostProfile"));
        if (type == null) {
            if (get(n, "type") == null) f.required(child(path, "type"));
            return null;
        }
        if (!SECCOMP_TYPES.contains(type)) {
            f.unsupported(child(path, "type"), get(n, "type"), SECCOMP_TYPES);
            return null;
        }
        boolean localhost = type.equals(PodSecurity.LOCALHOST);
        if (localhost && (profile == null || profile.isEmpty())) {
            f.required(child(path, "localhostProfile"), "must be set when seccomp type is Localhost");
        } else if (!localhost && profile != null) {
            f.invalid(child(path, "localhostProfile"), get(n, "localhostProfile"), "can only be set when seccomp type is Localhost");
        } else if (localhost && (profile.startsWith("/") || List.of(profile.split("/")).contains(".."))) {
            f.invalid(child(path, "localhostProfile"), get(n, "localhostProfile"), "must be a relative path without '..'");
        }
        return SeccompProfile.newBuilder().setType(type).setLocalhostProfile(localhost && profile != null ? profile : "").build();
    }
}
