package io.berth.gateway.view;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.schemas.avro.PodSecurityContext;
import io.berth.schemas.avro.SeccompProfile;
import io.berth.schemas.avro.SecurityContext;

/** A pod's and a container's {@code securityContext} as Kubernetes writes them (only the fields set). */
final class SecurityContexts {
    private SecurityContexts() {}

    static void put(ObjectNode parent, PodSecurityContext s) {
        if (s == null) return;
        ObjectNode o = parent.putObject("securityContext");
        putLong(o, "runAsUser", s.getRunAsUser());
        putLong(o, "runAsGroup", s.getRunAsGroup());
        if (s.getRunAsNonRoot() != null) o.put("runAsNonRoot", s.getRunAsNonRoot());
        putLong(o, "fsGroup", s.getFsGroup());
        if (!s.getSupplementalGroups().isEmpty()) s.getSupplementalGroups().forEach(o.putArray("supplementalGroups")::add);
        seccomp(o, s.getSeccompProfile());
    }

    static void put(ObjectNode parent, SecurityContext s) {
        if (s == null) return;
        ObjectNode o = parent.putObject("securityContext");
        if (s.getAllowPrivilegeEscalation() != null) o.put("allowPrivilegeEscalation", s.getAllowPrivilegeEscalation());
        if (s.getCapabilities() != null) {
            ObjectNode caps = o.putObject("capabilities");
            if (!s.getCapabilities().getAdd().isEmpty()) s.getCapabilities().getAdd().forEach(caps.putArray("add")::add);
            if (!s.getCapabilities().getDrop().isEmpty()) s.getCapabilities().getDrop().forEach(caps.putArray("drop")::add);
        }
        if (s.getReadOnlyRootFilesystem() != null) o.put("readOnlyRootFilesystem", s.getReadOnlyRootFilesystem());
        putLong(o, "runAsGroup", s.getRunAsGroup());
        if (s.getRunAsNonRoot() != null) o.put("runAsNonRoot", s.getRunAsNonRoot());
        putLong(o, "runAsUser", s.getRunAsUser());
        seccomp(o, s.getSeccompProfile());
    }

    private static void putLong(ObjectNode o, String field, Long v) {
        if (v != null) o.put(field, v);
    }

    private static void seccomp(ObjectNode o, SeccompProfile p) {
        if (p == null) return;
        ObjectNode s = o.putObject("seccompProfile");
        if (!p.getLocalhostProfile().isEmpty()) s.put("localhostProfile", p.getLocalhostProfile());
        s.put("type", p.getType());
    }
}
