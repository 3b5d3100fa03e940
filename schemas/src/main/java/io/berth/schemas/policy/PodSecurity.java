package io.berth.schemas.policy;

import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.PodSpec;
import io.berth.schemas.avro.PodSecurityContext;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.SecurityContext;
import io.berth.schemas.avro.Volume;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Berth's admission policy, after Kubernetes' Pod Security Standards: a namespace's label
 * {@value #LABEL} names its level; {@link #check} lists what a pod template does that the level
 * forbids. Pure: the gateway and state-streams call it with what they know.
 *
 * <p>The rules of Kubernetes' Pod Security Standards (v1.32) on what Berth's pod spec carries:
 * <ul>
 *   <li>baseline: {@code hostPath} volumes only at or under an operator allow-list
 *       ({@code admission.host-paths}); no host port below 1024; {@code capabilities.add} only from
 *       Kubernetes' baseline list; no {@code seccompProfile.type: Unconfined};</li>
 *   <li>restricted: no {@code hostPath} volume at all (Kubernetes' "restricted volume types") and
 *       no host port at all; {@code runAsNonRoot: true} (pod or every container), no {@code runAsUser: 0},
 *       {@code seccompProfile} RuntimeDefault or Localhost (pod or every container), {@code capabilities.drop}
 *       containing ALL and {@code add} at most NET_BIND_SERVICE, no {@code allowPrivilegeEscalation: true}
 *       (unset is admitted: every Berth container runs with no-new-privileges);</li>
 *   <li>privileged: everything.</li>
 * </ul>
 * What the spec cannot carry ({@code privileged}, host namespaces) the gateway refuses on the manifest
 * text ({@code gateway.manifest.SecurityContextRules}).
 */
public final class PodSecurity {
    private PodSecurity() {}

    /** The namespace label naming the level enforced on its pods. */
    public static final String LABEL = "pod-security.berth.io/enforce";
    /** The config key of the hostPath allow-list (comma-separated absolute paths). */
    public static final String HOST_PATHS_KEY = "admission.host-paths";

    public enum Level {
        PRIVILEGED, BASELINE, RESTRICTED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The level a namespace's labels name; baseline without the label (or with a value that is no level). */
        public static Level of(Map<String, String> namespaceLabels) {
            String v = namespaceLabels == null ? null : namespaceLabels.get(LABEL);
            return parse(v).orElse(BASELINE);
        }

        public static Optional<Level> parse(String v) {
            if (v == null) return Optional.empty();
            for (Level l : values()) if (l.label().equals(v.trim())) return Optional.of(l);
            return Optional.empty();
        }
    }

    /** One broken rule: its name as Kubernetes spells it, the field, and what is wrong there. */
    public record Violation(String rule, String field, String detail) {
        /** A rule over several containers (Kubernetes' own aggregated wording) names no single field. */
        public Violation(String rule, String detail) {
            this(rule, null, detail);
        }

        @Override
        public String toString() {
            return rule + " (" + (field == null ? "" : field + ": ") + detail + ")";
        }
    }

    /** The allow-list from its config value: comma-separated, blanks dropped, each normalised. */
    public static List<String> hostPaths(String configValue) {
        if (configValue == null || configValue.isBlank()) return List.of();
        return Arrays.stream(configValue.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(PodSecurity::normalise).toList();
    }

    /** The pod template an intent would run, if it runs one (an APPLY of a Deployment or a Pod). */
    public static Optional<PodTemplate> template(Intent i) {
        if (i.getAction() != IntentAction.APPLY) return Optional.empty();
        if (i.getPayload() instanceof DeploymentSpec d) return Optional.ofNullable(d.getTemplate());
        if (i.getPayload() instanceof PodSpec p) return Optional.ofNullable(p.getTemplate());
        return Optional.empty();
    }

    /** Where the pod spec sits in the manifest of an intent's kind (field paths in messages). */
    public static String specPath(Intent i) {
        if (i.getKind() == ResourceKind.CRONJOB) return "spec.jobTemplate.spec.template.spec";
        return i.getPayload() instanceof DeploymentSpec ? "spec.template.spec" : "spec";
    }

    /** What the template does that {@code level} forbids; empty when it is admitted. */
    public static List<Violation> check(Level level, PodTemplate t, List<String> allowedHostPaths, String specPath) {
        List<Violation> out = new ArrayList<>();
        if (level == Level.PRIVILEGED || t == null) return out;
        List<Volume> volumes = t.getVolumes();
        for (int n = 0; n < volumes.size(); n++) {
            Volume v = volumes.get(n);
            if (!"hostPath".equalsIgnoreCase(v.getType())) continue;
            String field = specPath + ".volumes[" + n + "].hostPath.path";
            if (level == Level.RESTRICTED) {
                out.add(new Violation("restricted volume types", field, "volume \"" + v.getName() + "\" uses hostPath \"" + v.getHostPath() + "\""));
            } else if (!hostPathAllowed(v.getHostPath(), allowedHostPaths)) {
                out.add(new Violation("hostPath volumes", field, "volume \"" + v.getName() + "\" mounts \"" + v.getHostPath()
                        + "\", not under " + HOST_PATHS_KEY + " " + allowedHostPaths));
            }
        }
        ports(level, t.getInitContainers(), specPath + ".initContainers", out);
        ports(level, t.getContainers(), specPath + ".containers", out);
        securityContexts(level, t, out);
        return out;
    }

    // ---- securityContext rules (Kubernetes' check_*.go, aggregated over containers as it words them) ----

    /** Kubernetes' baseline: capabilities a container may add. */
    public static final Set<String> BASELINE_CAPABILITIES = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
            "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
    /** Restricted: only this one. */
    public static final Set<String> RESTRICTED_CAPABILITIES = Set.of("NET_BIND_SERVICE");
    public static final String RUNTIME_DEFAULT = "RuntimeDefault", UNCONFINED = "Unconfined", LOCALHOST = "Localhost";

    private static void securityContexts(Level level, PodTemplate t, List<Violation> out) {
        List<ContainerSpec> all = Stream.concat(t.getInitContainers().stream(), t.getContainers().stream()).toList();
        PodSecurityContext pod = t.getSecurityContext();
        boolean restricted = level == Level.RESTRICTED;
        // allowPrivilegeEscalation != false (restricted): an explicit true only, see the class comment
        if (restricted) {
            List<String> esc = names(all, c -> Boolean.TRUE.equals(sc(c, SecurityContext::getAllowPrivilegeEscalation)));
            if (!esc.isEmpty()) out.add(new Violation("allowPrivilegeEscalation != false", containers(esc) + " must set securityContext.allowPrivilegeEscalation=false"));
        }
        // capabilities: baseline's list, or restricted's drop ALL and add at most NET_BIND_SERVICE
        Set<String> allowed = restricted ? RESTRICTED_CAPABILITIES : BASELINE_CAPABILITIES;
        List<String> capDetails = new ArrayList<>();
        if (restricted) {
            List<String> noDrop = names(all, c -> c.getSecurityContext() == null || c.getSecurityContext().getCapabilities() == null
                    || !c.getSecurityContext().getCapabilities().getDrop().contains("ALL"));
            if (!noDrop.isEmpty()) capDetails.add(containers(noDrop) + " must set securityContext.capabilities.drop=[\"ALL\"]");
        }
        List<String> adders = new ArrayList<>();
        Set<String> added = new java.util.LinkedHashSet<>();
        for (ContainerSpec c : all) {
            List<String> bad = adds(c).stream().filter(cap -> !allowed.contains(capability(cap))).toList();
            if (!bad.isEmpty()) {
                adders.add(c.getName());
                added.addAll(bad);
            }
        }
        if (!adders.isEmpty()) capDetails.add(containers(adders) + " must not include " + quoted(added) + " in securityContext.capabilities.add");
        if (!capDetails.isEmpty()) out.add(new Violation(restricted ? "unrestricted capabilities" : "non-default capabilities", String.join("; ", capDetails)));
        if (restricted) {
            runAsNonRoot(pod, all, out);
            runAsUser(pod, all, out);
        }
        seccomp(restricted, pod, all, out);
    }

    private static void runAsNonRoot(PodSecurityContext pod, List<ContainerSpec> all, List<Violation> out) {
        List<String> d = new ArrayList<>();
        Boolean podValue = pod == null ? null : pod.getRunAsNonRoot();
        if (Boolean.FALSE.equals(podValue)) d.add("pod must not set securityContext.runAsNonRoot=false");
        List<String> explicitFalse = names(all, c -> Boolean.FALSE.equals(sc(c, SecurityContext::getRunAsNonRoot)));
        if (!explicitFalse.isEmpty()) d.add(containers(explicitFalse) + " must not set securityContext.runAsNonRoot=false");
        if (!Boolean.TRUE.equals(podValue)) {
            List<String> unset = names(all, c -> sc(c, SecurityContext::getRunAsNonRoot) == null);
            if (!unset.isEmpty()) d.add("pod or " + containers(unset) + " must set securityContext.runAsNonRoot=true");
        }
        if (!d.isEmpty()) out.add(new Violation("runAsNonRoot != true", String.join("; ", d)));
    }

    private static void runAsUser(PodSecurityContext pod, List<ContainerSpec> all, List<Violation> out) {
        List<String> d = new ArrayList<>();
        if (pod != null && Long.valueOf(0).equals(pod.getRunAsUser())) d.add("pod must not set runAsUser=0");
        List<String> root = names(all, c -> Long.valueOf(0).equals(sc(c, SecurityContext::getRunAsUser)));
        if (!root.isEmpty()) d.add(containers(root) + " must not set runAsUser=0");
        if (!d.isEmpty()) out.add(new Violation("runAsUser=0", String.join("; ", d)));
    }

    private static void seccomp(boolean restricted, PodSecurityContext pod, List<ContainerSpec> all, List<Violation> out) {
        List<String> d = new ArrayList<>();
        String podType = pod == null || pod.getSeccompProfile() == null ? null : pod.getSeccompProfile().getType();
        // baseline refuses an explicit Unconfined; restricted anything but RuntimeDefault/Localhost
        Function<String, Boolean> bad = type -> type != null && (restricted ? !type.equals(RUNTIME_DEFAULT) && !type.equals(LOCALHOST) : type.equals(UNCONFINED));
        if (bad.apply(podType)) d.add("pod must not set securityContext.seccompProfile.type to \"" + podType + "\"");
        Set<String> badTypes = new java.util.LinkedHashSet<>();
        List<String> badContainers = names(all, c -> {
            String type = sc(c, x -> x.getSeccompProfile() == null ? null : x.getSeccompProfile().getType());
            if (bad.apply(type)) badTypes.add(type);
            return bad.apply(type);
        });
        if (!badContainers.isEmpty()) d.add(containers(badContainers) + " must not set securityContext.seccompProfile.type to " + quoted(badTypes));
        if (restricted && podType == null) {
            List<String> unset = names(all, c -> sc(c, x -> x.getSeccompProfile() == null ? null : x.getSeccompProfile().getType()) == null);
            if (!unset.isEmpty()) d.add("pod or " + containers(unset) + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
        }
        if (!d.isEmpty()) out.add(new Violation("seccompProfile", String.join("; ", d)));
    }

    private static <T> T sc(ContainerSpec c, Function<SecurityContext, T> f) {
        return c.getSecurityContext() == null ? null : f.apply(c.getSecurityContext());
    }

    private static List<String> adds(ContainerSpec c) {
        SecurityContext s = c.getSecurityContext();
        return s == null || s.getCapabilities() == null ? List.of() : s.getCapabilities().getAdd();
    }

    /** A capability's name without {@code CAP_}, upper case. */
    public static String capability(String name) {
        String s = name.toUpperCase(Locale.ROOT);
        return s.startsWith("CAP_") ? s.substring(4) : s;
    }

    private static List<String> names(List<ContainerSpec> all, java.util.function.Predicate<ContainerSpec> p) {
        return all.stream().filter(p).map(ContainerSpec::getName).toList();
    }

    /** Kubernetes' wording: {@code container "a"}, {@code containers "a", "b"}. */
    private static String containers(List<String> names) {
        return (names.size() == 1 ? "container " : "containers ") + quoted(names);
    }

    private static String quoted(java.util.Collection<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(", "));
    }

    private static void ports(Level level, List<ContainerSpec> containers, String path, List<Violation> out) {
        for (int c = 0; c < containers.size(); c++) {
            List<ContainerPort> ports = containers.get(c).getPorts();
            for (int p = 0; p < ports.size(); p++) {
                Integer host = ports.get(p).getHostPort();
                if (host == null || host == 0) continue;
                if (level == Level.RESTRICTED || host < 1024) {
                    out.add(new Violation("hostPort", path + "[" + c + "].ports[" + p + "].hostPort",
                            "container \"" + containers.get(c).getName() + "\" uses hostPort " + host
                                    + (level == Level.RESTRICTED ? "" : ", below 1024")));
                }
            }
        }
    }

    /** A host path is allowed when it equals an allowed entry or lies under one, after resolving {@code .} and {@code ..}. */
    public static boolean hostPathAllowed(String path, List<String> allowed) {
        if (path == null || !path.startsWith("/")) return false;
        String p = normalise(path);
        for (String a : allowed) {
            String base = normalise(a);
            if (p.equals(base) || base.equals("/") || p.startsWith(base + "/")) return true;
        }
        return false;
    }

    /** An absolute path with {@code .}, {@code ..}, empty segments and a trailing slash resolved ("/data/../etc/" → "/etc"). */
    static String normalise(String path) {
        List<String> parts = new ArrayList<>();
        for (String s : path.split("/")) {
            if (s.isEmpty() || s.equals(".")) continue;
            if (s.equals("..")) {
                if (!parts.isEmpty()) parts.remove(parts.size() - 1);
            } else {
                parts.add(s);
            }
        }
        return "/" + String.join("/", parts);
    }

    /**
     * Kubernetes' wording: {@code pods "x" is forbidden: violates PodSecurity "baseline:latest":
     * hostPath volumes (...)}; {@code resource} is the plural (and group) of the object refused.
     */
    public static String message(String resource, String name, Level level, List<Violation> violations) {
        StringBuilder s = new StringBuilder(resource).append(" \"").append(name).append("\" is forbidden: violates PodSecurity \"")
                .append(level.label()).append(":latest\": ");
        for (int n = 0; n < violations.size(); n++) s.append(n > 0 ? ", " : "").append(violations.get(n));
        return s.toString();
    }
}
