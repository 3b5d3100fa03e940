package io.berth.schemas.policy;

import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.PodSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Volume;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Berth's admission policy, after Kubernetes' Pod Security Standards: a namespace's label
 * {@value #LABEL} names its level; {@link #check} lists what a pod template does that the level
 * forbids. Pure: the gateway and state-streams call it with what they know.
 *
 * <p>Berth's pod spec cannot ask for privileged containers, added capabilities, host namespaces
 * or a user (the gateway drops {@code securityContext} with an unknown-field warning and the node
 * daemon never sets them), so the rules checkable on the spec are the host ones (the gateway also
 * refuses a manifest that asks for the others, on its text: {@code gateway.manifest.SecurityContextRules}):
 * <ul>
 *   <li>baseline: {@code hostPath} volumes only at or under an operator allow-list
 *       ({@code admission.host-paths}); no host port below 1024;</li>
 *   <li>restricted: no {@code hostPath} volume at all (Kubernetes' "restricted volume types") and
 *       no host port at all;</li>
 *   <li>privileged: everything.</li>
 * </ul>
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
        @Override
        public String toString() {
            return rule + " (" + field + ": " + detail + ")";
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
        return out;
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
