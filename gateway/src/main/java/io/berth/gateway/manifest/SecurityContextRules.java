package io.berth.gateway.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.schemas.policy.PodSecurity.Level;
import io.berth.schemas.policy.PodSecurity.Violation;

import java.util.ArrayList;
import java.util.List;

/**
 * The Pod Security rules on what a manifest <em>asks</em> for but Berth's pod spec cannot carry
 * ({@code securityContext.privileged}, {@code hostNetwork}/{@code hostPID}/{@code hostIPC}): the parser
 * drops these with an unknown-field warning, so a pod
 * never runs with them; asking for them in a baseline or restricted namespace is refused as
 * Kubernetes refuses it, instead of being silently weakened. Pure (Jackson trees only). The rules on
 * what the spec does carry (capabilities, runAsNonRoot, seccompProfile …) are {@link io.berth.schemas.policy.PodSecurity}'s.
 */
public final class SecurityContextRules {
    private SecurityContextRules() {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A pod spec in a manifest: the object's kind, name, namespace (null when the document names none), spec and its path. */
    public record PodManifest(String kind, String name, String namespace, JsonNode spec, String specPath) {}

    /** Where a CronJob's pod spec sits. */
    public static final String CRON_JOB_SPEC_PATH = "spec.jobTemplate.spec.template.spec";

    /** Every Deployment's, DaemonSet's, Job's, CronJob's and Pod's spec in the documents (and {@code v1 List}s) of a manifest; unreadable text gives none. */
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
        if (kind.equals("Deployment") || kind.equals("DaemonSet") || kind.equals("StatefulSet") || kind.equals("Job")) {
            out.add(new PodManifest(kind, md.path("name").asText(""), ns.isEmpty() ? null : ns, doc.path("spec").path("template").path("spec"), "spec.template.spec"));
        } else if (kind.equals("CronJob")) {
            out.add(new PodManifest(kind, md.path("name").asText(""), ns.isEmpty() ? null : ns,
                    doc.path("spec").path("jobTemplate").path("spec").path("template").path("spec"), CRON_JOB_SPEC_PATH));
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
    }

    /** The key an intent and a manifest pod share. */
    public static String key(String kind, String namespace, String name) {
        return kind + "/" + namespace + "/" + name;
    }
}
