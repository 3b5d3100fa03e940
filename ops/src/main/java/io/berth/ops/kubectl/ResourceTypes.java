package io.berth.ops.kubectl;

import io.berth.schemas.avro.ResourceKind;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** kubectl's resource type names and aliases ({@code po}, {@code deploy}, {@code svc}, {@code no}, {@code ns}). */
final class ResourceTypes {
    private ResourceTypes() {}

    private static final Map<String, ResourceKind> ALIASES = Map.ofEntries(
            Map.entry("pod", ResourceKind.POD), Map.entry("pods", ResourceKind.POD), Map.entry("po", ResourceKind.POD),
            Map.entry("deployment", ResourceKind.DEPLOYMENT), Map.entry("deployments", ResourceKind.DEPLOYMENT),
            Map.entry("deploy", ResourceKind.DEPLOYMENT), Map.entry("deployment.apps", ResourceKind.DEPLOYMENT),
            Map.entry("deployments.apps", ResourceKind.DEPLOYMENT),
            Map.entry("service", ResourceKind.SERVICE), Map.entry("services", ResourceKind.SERVICE), Map.entry("svc", ResourceKind.SERVICE),
            Map.entry("node", ResourceKind.NODE), Map.entry("nodes", ResourceKind.NODE), Map.entry("no", ResourceKind.NODE),
            Map.entry("namespace", ResourceKind.NAMESPACE), Map.entry("namespaces", ResourceKind.NAMESPACE), Map.entry("ns", ResourceKind.NAMESPACE));

    /** A resource as the gateway serves it: its plural (the URL segment), kubectl's printed names, scope. */
    record Resource(String plural, String singular, String group, boolean namespaced) {
        /** {@code deployment.apps}, {@code pod}: as kubectl prints {@code TYPE/NAME}. */
        String printed() {
            return group.isEmpty() ? singular : singular + "." + group;
        }

        /** {@code deployments.apps}, {@code pods}: as kubectl names them in NotFound errors. */
        String printedPlural() {
            return group.isEmpty() ? plural : plural + "." + group;
        }
    }

    static final Resource PODS = new Resource("pods", "pod", "", true);
    static final Resource DEPLOYMENTS = new Resource("deployments", "deployment", "apps", true);
    static final Resource SERVICES = new Resource("services", "service", "", true);
    static final Resource NODES = new Resource("nodes", "node", "", false);
    static final Resource NAMESPACES = new Resource("namespaces", "namespace", "", false);
    static final Resource EVENTS = new Resource("events", "event", "", true);
    static final Resource REPLICASETS = new Resource("replicasets", "replicaset", "apps", true);
    /** kubectl prints {@code endpoints/web}: the singular is the plural. */
    static final Resource ENDPOINTS = new Resource("endpoints", "endpoints", "", true);

    static final String RBAC_GROUP = "rbac.authorization.k8s.io";
    static final Resource ROLES = new Resource("roles", "role", RBAC_GROUP, true);
    static final Resource ROLE_BINDINGS = new Resource("rolebindings", "rolebinding", RBAC_GROUP, true);
    static final Resource CLUSTER_ROLES = new Resource("clusterroles", "clusterrole", RBAC_GROUP, false);
    static final Resource CLUSTER_ROLE_BINDINGS = new Resource("clusterrolebindings", "clusterrolebinding", RBAC_GROUP, false);

    static final Resource SECRETS = new Resource("secrets", "secret", "", true);
    static final Resource CONFIG_MAPS = new Resource("configmaps", "configmap", "", true);

    /** The resource a type name (plural, singular, short name, {@code .apps}) means, or null. */
    static Resource resource(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        if (t.endsWith("." + RBAC_GROUP)) t = t.substring(0, t.length() - RBAC_GROUP.length() - 1);
        for (Resource r : List.of(ROLES, ROLE_BINDINGS, CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS)) {
            if (t.equals(r.plural()) || t.equals(r.singular())) return r;
        }
        if (t.equals("ev") || t.equals("event") || t.equals("events")) return EVENTS;
        if (t.equals("secret") || t.equals("secrets")) return SECRETS;
        if (t.equals("cm") || t.equals("configmap") || t.equals("configmaps")) return CONFIG_MAPS;
        if (List.of("rs", "replicaset", "replicasets", "replicaset.apps", "replicasets.apps").contains(t)) return REPLICASETS;
        if (t.equals("ep") || t.equals("endpoints")) return ENDPOINTS;
        ResourceKind k = kind(t);
        if (k == null) return null;
        return switch (k) {
            case POD -> PODS;
            case DEPLOYMENT -> DEPLOYMENTS;
            case SERVICE -> SERVICES;
            case NODE -> NODES;
            case NAMESPACE -> NAMESPACES;
            default -> null;
        };
    }

    /** The resource of a manifest's {@code kind} (Deployment, Pod …), or null. */
    static Resource ofKind(String kind) {
        return kind == null ? null : resource(kind);
    }

    /** The kind a type name means, or null. */
    static ResourceKind kind(String type) {
        return ALIASES.get(type.toLowerCase(Locale.ROOT));
    }

    /** {@code deployment.apps}, {@code pod}, … as kubectl prints {@code TYPE/NAME}. */
    static String singular(ResourceKind kind) {
        return kind == ResourceKind.DEPLOYMENT ? "deployment.apps" : kind.name().toLowerCase(Locale.ROOT);
    }

    /** {@code deployments.apps}, {@code pods}, … as kubectl names them in NotFound errors. */
    static String plural(ResourceKind kind) {
        return kind == ResourceKind.DEPLOYMENT ? "deployments.apps" : kind.name().toLowerCase(Locale.ROOT) + "s";
    }

    /** Splits {@code TYPE/NAME}; null when there is no slash. */
    static String[] typeAndName(String arg) {
        int slash = arg.indexOf('/');
        return slash < 0 ? null : new String[]{arg.substring(0, slash), arg.substring(slash + 1)};
    }
}
