package io.berth.gateway.rbac;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** The built-in roles and bindings as rbac.authorization.k8s.io/v1 objects, labelled as Kubernetes labels its bootstrap policy. */
final class Manifests {
    private Manifests() {}

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    static ObjectNode of(Role r) {
        ObjectNode o = head(r.kind(), r.name());
        ArrayNode rules = o.putArray("rules");
        for (PolicyRule p : r.rules()) {
            ObjectNode n = rules.addObject();
            strings(n, "verbs", p.verbs());
            strings(n, "apiGroups", p.apiGroups());
            strings(n, "resources", p.resources());
            strings(n, "resourceNames", p.resourceNames());
            strings(n, "nonResourceURLs", p.nonResourceURLs());
        }
        return o;
    }

    static ObjectNode of(Binding b) {
        ObjectNode o = head(b.kind(), b.name());
        o.putObject("roleRef").put("apiGroup", RbacKind.GROUP).put("kind", b.roleKind()).put("name", b.roleName());
        ArrayNode subjects = o.putArray("subjects");
        for (Binding.Subject s : b.subjects()) {
            ObjectNode n = subjects.addObject().put("kind", s.kind()).put("name", s.name());
            if (s.kind().equals("ServiceAccount")) n.put("namespace", s.namespace());
            else n.put("apiGroup", RbacKind.GROUP);
        }
        return o;
    }

    private static ObjectNode head(String kind, String name) {
        ObjectNode o = JSON.objectNode().put("apiVersion", RbacKind.API_VERSION).put("kind", kind);
        ObjectNode m = o.putObject("metadata").put("name", name).put("resourceVersion", "0");
        m.putObject("labels").put("kubernetes.io/bootstrapping", "rbac-defaults");
        m.putObject("annotations").put("rbac.authorization.kubernetes.io/autoupdate", "true");
        return o;
    }

    private static void strings(ObjectNode n, String field, List<String> values) {
        if (values.isEmpty()) return;
        ArrayNode a = n.putArray(field);
        values.forEach(a::add);
    }
}
