package io.berth.gateway.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.schemas.policy.PodSecurity.Level;
import io.berth.schemas.policy.PodSecurity.Violation;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Pod Security rules on what a manifest <em>asks</em> for but Berth's pod spec cannot carry
 * ({@code securityContext.privileged}, {@code capabilities.add}, {@code hostNetwork}/{@code hostPID}/{@code hostIPC},
 * {@code allowPrivilegeEscalation}): the parser drops these with an unknown-field warning, so a pod
 * never runs with them; asking for them in a baseline or restricted namespace is refused as
 * Kubernetes refuses it, instead of being silently weakened. Pure (Jackson trees only).
 */
public final class SecurityContextRules {
    private SecurityContextRules() {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Kubernetes' baseline: capabilities a container may add. */
    static final Set<String> BASELINE_CAPABILITIES = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
            "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
    /** Restricted: only this one. */
    static final Set<String> RESTRICTED_CAPABILITIES = Set.of("NET_BIND_SERVICE");

    /** A pod spec in a manifest: the object's kind, name, namespace (null when the document names none), spec and its path. */
    public record PodManifest(String kind, String name, String namespace, JsonNode spec, String specPath) {}

    /** Every Deployment's and Pod's spec in the documents (and {@code v1 List}s) of a manifest; unreadable text gives none. */
    public static List<PodManifest> pods(String text) {
        List<PodManifest> out = new ArrayList<>();
        try (JsonParser p = YAML.getFactory().createParser(text == null ? "" : text)) {
            while (p.nextToken() != null) collect(YAML.readTree(p), out);
        } catch (Exception e) {
            // the manifest parser reports syntax errors; nothing to check here
        }
        return out;
    }

    private static void collect(JsonNode doc, List<PodManifest> out) {
        if (doc == null || !doc.isObject()) return;
        String kind = doc.path("kind").asText("");
        if (kind.equals("List")) {
            doc.path("items").forEach(item -> collect(item, out));
            return;
        }
        JsonNode md = doc.path("metadata");
        String ns = md.path("namespace").asText("");
        if (kind.equals("Deployment")) {
            out.add(new PodManifest(kind, md.path("name").asText(""), ns.isEmpty() ? null : ns, doc.path("spec").path("template").path("spec"), "spec.template.spec"));
        } else if (kind.equals("Pod")) {
            out.add(new PodManifest(kind, md.path("name").asText(""), ns.isEmpty() ? null : ns, doc.path("spec"), "spec"));
        }
    }

    /** What the pod spec asks for that {@code level} forbids. */
    public static List<Violation> check(Level level, JsonNode spec, String specPath) {
        List<Violation> out = new ArrayList<>();
        if (level == Level.PRIVILEGED || spec == null || !spec.isObject()) return out;
        for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (spec.path(host).asBoolean(false)) out.add(new Violation("host namespaces", specPath + "." + host, host + "=true"));
        }
        for (String list : List.of("initContainers", "containers")) {
            JsonNode cs = spec.path(list);
            for (int i = 0; i < cs.size(); i++) container(level, cs.get(i), specPath + "." + list + "[" + i + "].securityContext", out);
        }
        return out;
    }

    private static void container(Level level, JsonNode c, String path, List<Violation> out) {
        JsonNode sc = c.path("securityContext");
        String name = c.path("name").asText("");
        if (sc.path("privileged").asBoolean(false)) {
            out.add(new Violation("privileged", path + ".privileged", "container \"" + name + "\" must not set securityContext.privileged=true"));
        }
        Set<String> allowed = level == Level.RESTRICTED ? RESTRICTED_CAPABILITIES : BASELINE_CAPABILITIES;
        List<String> refused = new ArrayList<>();
        sc.path("capabilities").path("add").forEach(cap -> {
            String s = cap.asText().toUpperCase(java.util.Locale.ROOT);
            if (!allowed.contains(s.startsWith("CAP_") ? s.substring(4) : s)) refused.add(cap.asText());
        });
        if (!refused.isEmpty()) {
            out.add(new Violation(level == Level.RESTRICTED ? "unrestricted capabilities" : "non-default capabilities", path + ".capabilities.add",
                    "container \"" + name + "\" must not include " + refused + " in securityContext.capabilities.add"));
        }
        if (level == Level.RESTRICTED && sc.path("allowPrivilegeEscalation").asBoolean(false)) {
            out.add(new Violation("allowPrivilegeEscalation != false", path + ".allowPrivilegeEscalation",
                    "container \"" + name + "\" must not set securityContext.allowPrivilegeEscalation=true"));
        }
    }

    /** The key an intent and a manifest pod share. */
    public static String key(String kind, String namespace, String name) {
        return kind + "/" + namespace + "/" + name;
    }
}
