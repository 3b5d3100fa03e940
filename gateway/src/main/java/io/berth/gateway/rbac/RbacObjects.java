package io.berth.gateway.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.ManifestProblem;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads an rbac.authorization.k8s.io/v1 manifest into a {@link Role} or {@link Binding}, checking it
 * as the API server does; every problem names its field ({@code rules[0].verbs: Required value}).
 */
public final class RbacObjects {
    private RbacObjects() {}

    private static final Set<String> SUBJECT_KINDS = Set.of("User", "Group", "ServiceAccount");

    /** A checked object: its kind, where it lives, the role or binding, and the manifest as stored. */
    public record Parsed(RbacKind kind, String namespace, String name, Role role, Binding binding, ObjectNode manifest,
                         List<ManifestProblem> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    public static boolean isRbac(JsonNode doc) {
        return doc != null && doc.path("apiVersion").asText("").startsWith(RbacKind.GROUP + "/");
    }

    /** @param defaultNamespace the namespace of a Role or RoleBinding that names none (the URL's, or {@code default}) */
    public static Parsed parse(JsonNode doc, String defaultNamespace) {
        List<ManifestProblem> problems = new ArrayList<>();
        String kindName = doc.path("kind").asText("");
        RbacKind kind = RbacKind.ofKind(kindName).orElse(null);
        String name = doc.path("metadata").path("name").asText("");
        String resource = kindName + (name.isEmpty() ? "" : " \"" + name + "\"");
        if (!doc.path("apiVersion").asText("").equals(RbacKind.API_VERSION)) {
            problems.add(problem(resource, "apiVersion", "Unsupported value: \"" + doc.path("apiVersion").asText("")
                    + "\": supported values: \"" + RbacKind.API_VERSION + "\""));
        }
        if (kind == null) {
            problems.add(problem(resource, "kind", "Unsupported value: \"" + kindName
                    + "\": supported values: \"Role\", \"ClusterRole\", \"RoleBinding\", \"ClusterRoleBinding\""));
            return new Parsed(null, "", name, null, null, null, problems);
        }
        JsonNode meta = doc.path("metadata");
        if (!meta.isMissingNode() && !meta.isNull() && !meta.isObject()) {
            problems.add(problem(resource, "metadata", "Invalid value: must be an object"));
            return new Parsed(kind, "", name, null, null, null, problems);
        }
        pathSegment(resource, "metadata.name", name, problems);
        String namespace = "";
        if (kind.namespaced) {
            namespace = doc.path("metadata").path("namespace").asText("");
            if (namespace.isEmpty()) namespace = defaultNamespace == null || defaultNamespace.isEmpty() ? "default" : defaultNamespace;
        } else if (!doc.path("metadata").path("namespace").asText("").isEmpty()) {
            problems.add(problem(resource, "metadata.namespace", "Forbidden: not allowed on this type"));
        }
        ObjectNode manifest = doc.deepCopy();
        ObjectNode metadata = manifest.get("metadata") instanceof ObjectNode m ? m : manifest.putObject("metadata");
        if (kind.namespaced) metadata.put("namespace", namespace);
        Role role = null;
        Binding binding = null;
        if (kind.binding()) binding = binding(kind, namespace, name, doc, resource, problems);
        else role = new Role(kind.kind, namespace, name, rules(kind, doc.path("rules"), resource, problems));
        return new Parsed(kind, namespace, name, role, binding, manifest, problems);
    }

    private static List<PolicyRule> rules(RbacKind kind, JsonNode rules, String resource, List<ManifestProblem> problems) {
        List<PolicyRule> out = new ArrayList<>();
        if (rules.isMissingNode() || rules.isNull()) return out;
        if (!rules.isArray()) {
            problems.add(problem(resource, "rules", "Invalid value: must be a list"));
            return out;
        }
        for (int i = 0; i < rules.size(); i++) {
            JsonNode r = rules.get(i);
            String f = "rules[" + i + "]";
            List<String> verbs = strings(r, "verbs", f, resource, problems);
            List<String> groups = strings(r, "apiGroups", f, resource, problems);
            List<String> resources = strings(r, "resources", f, resource, problems);
            List<String> names = strings(r, "resourceNames", f, resource, problems);
            List<String> urls = strings(r, "nonResourceURLs", f, resource, problems);
            if (verbs.isEmpty()) problems.add(problem(resource, f + ".verbs", "Required value: verbs must contain at least one value"));
            if (!urls.isEmpty()) {
                if (kind == RbacKind.ROLE) problems.add(problem(resource, f + ".nonResourceURLs", "Invalid value: namespaced rules cannot apply to non-resource URLs"));
                if (!groups.isEmpty() || !resources.isEmpty()) problems.add(problem(resource, f + ".nonResourceURLs",
                        "Invalid value: rules cannot apply to both regular resources and non-resource URLs"));
            } else {
                if (resources.isEmpty()) problems.add(problem(resource, f + ".resources", "Required value: resource rules must supply at least one resource"));
                if (groups.isEmpty()) problems.add(problem(resource, f + ".apiGroups", "Required value: resource rules must supply at least one api group"));
            }
            out.add(new PolicyRule(verbs, groups, resources, names, urls));
        }
        return out;
    }

    private static Binding binding(RbacKind kind, String namespace, String name, JsonNode doc, String resource, List<ManifestProblem> problems) {
        JsonNode ref = doc.path("roleRef");
        String refKind = ref.path("kind").asText(""), refName = ref.path("name").asText("");
        if (!ref.path("apiGroup").asText("").equals(RbacKind.GROUP)) {
            problems.add(problem(resource, "roleRef.apiGroup", "Unsupported value: \"" + ref.path("apiGroup").asText("")
                    + "\": supported values: \"" + RbacKind.GROUP + "\""));
        }
        Set<String> refKinds = kind == RbacKind.ROLE_BINDING ? Set.of("Role", "ClusterRole") : Set.of("ClusterRole");
        if (!refKinds.contains(refKind)) {
            problems.add(problem(resource, "roleRef.kind", "Unsupported value: \"" + refKind + "\": supported values: "
                    + (kind == RbacKind.ROLE_BINDING ? "\"ClusterRole\", \"Role\"" : "\"ClusterRole\"")));
        }
        if (refName.isEmpty()) problems.add(problem(resource, "roleRef.name", "Required value"));
        List<Binding.Subject> subjects = new ArrayList<>();
        JsonNode subs = doc.path("subjects");
        if (subs.isArray()) {
            for (int i = 0; i < subs.size(); i++) {
                JsonNode s = subs.get(i);
                String f = "subjects[" + i + "]";
                String sk = s.path("kind").asText(""), sn = s.path("name").asText("");
                if (!SUBJECT_KINDS.contains(sk)) {
                    problems.add(problem(resource, f + ".kind", "Unsupported value: \"" + sk + "\": supported values: \"Group\", \"ServiceAccount\", \"User\""));
                }
                if (sn.isEmpty()) problems.add(problem(resource, f + ".name", "Required value"));
                if (sk.equals("ServiceAccount") && s.path("namespace").asText("").isEmpty() && kind == RbacKind.CLUSTER_ROLE_BINDING) {
                    problems.add(problem(resource, f + ".namespace", "Required value"));
                }
                subjects.add(new Binding.Subject(sk, sn, s.path("namespace").asText("")));
            }
        } else if (!subs.isMissingNode() && !subs.isNull()) {
            problems.add(problem(resource, "subjects", "Invalid value: must be a list"));
        }
        return new Binding(kind.kind, namespace, name, refKind, refName, subjects);
    }

    private static List<String> strings(JsonNode rule, String field, String prefix, String resource, List<ManifestProblem> problems) {
        JsonNode v = rule.path(field);
        List<String> out = new ArrayList<>();
        if (v.isMissingNode() || v.isNull()) return out;
        if (!(v instanceof ArrayNode a)) {
            problems.add(problem(resource, prefix + "." + field, "Invalid value: must be a list of strings"));
            return out;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isTextual()) problems.add(problem(resource, prefix + "." + field + "[" + i + "]", "Invalid value: must be a string"));
            else out.add(a.get(i).asText());
        }
        return out;
    }

    /** Kubernetes' {@code ValidatePathSegmentName}: RBAC names may hold {@code :} but not {@code /} or {@code %}. */
    private static void pathSegment(String resource, String field, String name, List<ManifestProblem> problems) {
        if (name.isEmpty()) problems.add(problem(resource, field, "Required value: name or generateName is required"));
        else if (name.equals(".") || name.equals("..")) problems.add(problem(resource, field, "Invalid value: \"" + name + "\": may not be '" + name + "'"));
        else if (name.contains("/") || name.contains("%")) problems.add(problem(resource, field, "Invalid value: \"" + name + "\": may not contain '/' or '%'"));
    }

    private static ManifestProblem problem(String resource, String field, String detail) {
        return new ManifestProblem("", 1, resource, field, detail);
    }
}
