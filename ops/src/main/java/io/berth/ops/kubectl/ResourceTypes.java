package io.berth.ops.kubectl;

import io.berth.schemas.avro.ResourceKind;

import java.util.List;
import java.util.Locale;

/** kubectl's resource type names and aliases ({@code po}, {@code deploy}, {@code svc}, {@code no}, {@code ns}). */
final class ResourceTypes {
    private ResourceTypes() {}

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
    static final Resource DAEMONSETS = new Resource("daemonsets", "daemonset", "apps", true);
    static final Resource STATEFULSETS = new Resource("statefulsets", "statefulset", "apps", true);
    static final Resource PERSISTENT_VOLUME_CLAIMS = new Resource("persistentvolumeclaims", "persistentvolumeclaim", "", true);
    static final Resource CONTROLLER_REVISIONS = new Resource("controllerrevisions", "controllerrevision", "apps", true);
    static final Resource JOBS = new Resource("jobs", "job", "batch", true);
    static final Resource CRONJOBS = new Resource("cronjobs", "cronjob", "batch", true);
    static final Resource SERVICES = new Resource("services", "service", "", true);
    static final Resource HPAS = new Resource("horizontalpodautoscalers", "horizontalpodautoscaler", "autoscaling", true);
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
    static final Resource RESOURCE_QUOTAS = new Resource("resourcequotas", "resourcequota", "", true);
    static final Resource LIMIT_RANGES = new Resource("limitranges", "limitrange", "", true);

    /** One row of the table below: a resource, kubectl's short names for it, and whether the gateway serves it. */
    private record Known(Resource resource, boolean served, List<String> shortNames) {}

    /**
     * Every resource type the CLI knows, with kubectl's short names (as discovery lists them). The ones
     * the gateway does not serve are names RBAC rules and {@code auth can-i} may still use.
     */
    private static final List<Known> TABLE = List.of(
            new Known(PODS, true, List.of("po")),
            new Known(DEPLOYMENTS, true, List.of("deploy")),
            new Known(DAEMONSETS, true, List.of("ds")),
            new Known(STATEFULSETS, true, List.of("sts")),
            new Known(PERSISTENT_VOLUME_CLAIMS, true, List.of("pvc")),
            new Known(JOBS, true, List.of()),
            new Known(CRONJOBS, true, List.of("cj")),
            new Known(SERVICES, true, List.of("svc")),
            new Known(HPAS, true, List.of("hpa")),
            new Known(NODES, true, List.of("no")),
            new Known(NAMESPACES, true, List.of("ns")),
            new Known(EVENTS, true, List.of("ev")),
            new Known(REPLICASETS, true, List.of("rs")),
            new Known(CONTROLLER_REVISIONS, true, List.of()),
            new Known(ENDPOINTS, true, List.of("ep")),
            new Known(ROLES, true, List.of()),
            new Known(ROLE_BINDINGS, true, List.of()),
            new Known(CLUSTER_ROLES, true, List.of()),
            new Known(CLUSTER_ROLE_BINDINGS, true, List.of()),
            new Known(SECRETS, true, List.of()),
            new Known(CONFIG_MAPS, true, List.of("cm")),
            new Known(RESOURCE_QUOTAS, true, List.of("quota")),
            new Known(LIMIT_RANGES, true, List.of("limits")),
            new Known(new Resource("serviceaccounts", "serviceaccount", "", true), false, List.of("sa")),
            new Known(new Resource("users", "user", "", false), false, List.of()),
            new Known(new Resource("groups", "group", "", false), false, List.of()),
            new Known(new Resource("poddisruptionbudgets", "poddisruptionbudget", "policy", true), false, List.of("pdb")));

    /** The resource a type name (plural, singular, short name, {@code .GROUP}) means among those the gateway serves, or null. */
    static Resource resource(String type) {
        Resource r = known(type);
        return r == null || TABLE.stream().noneMatch(k -> k.served() && k.resource() == r) ? null : r;
    }

    /**
     * The resource a type name means among every one the CLI knows, served or not ({@code sts},
     * {@code cronjobs.batch}, {@code clusterrole.rbac.authorization.k8s.io}), or null.
     */
    static Resource known(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        for (Known k : TABLE) {
            Resource r = k.resource();
            String group = r.group().isEmpty() ? "" : "." + r.group();
            for (String n : names(k)) {
                if (t.equals(n) || (!group.isEmpty() && t.equals(n + group))) return r;
            }
        }
        return null;
    }

    private static List<String> names(Known k) {
        List<String> names = new java.util.ArrayList<>(k.shortNames());
        names.add(k.resource().plural());
        names.add(k.resource().singular());
        return names;
    }

    /** The resource of a manifest's {@code kind} (Deployment, Pod …), or null. */
    static Resource ofKind(String kind) {
        return kind == null ? null : resource(kind);
    }

    /** The kind a type name means, or null. */
    static ResourceKind kind(String type) {
        Resource r = resource(type);
        if (r == PODS) return ResourceKind.POD;
        if (r == DEPLOYMENTS) return ResourceKind.DEPLOYMENT;
        if (r == DAEMONSETS) return ResourceKind.DAEMONSET;
        if (r == STATEFULSETS) return ResourceKind.STATEFULSET;
        if (r == JOBS) return ResourceKind.JOB;
        if (r == CRONJOBS) return ResourceKind.CRONJOB;
        if (r == SERVICES) return ResourceKind.SERVICE;
        if (r == HPAS) return ResourceKind.HORIZONTALPODAUTOSCALER;
        if (r == NODES) return ResourceKind.NODE;
        if (r == NAMESPACES) return ResourceKind.NAMESPACE;
        return null;
    }

    /** {@code deployment.apps}, {@code pod}, … as kubectl prints {@code TYPE/NAME}. */
    static String singular(ResourceKind kind) {
        return switch (kind) {
            case DEPLOYMENT -> "deployment.apps";
            case DAEMONSET -> "daemonset.apps";
            case STATEFULSET -> "statefulset.apps";
            case JOB -> "job.batch";
            case CRONJOB -> "cronjob.batch";
            case HORIZONTALPODAUTOSCALER -> "horizontalpodautoscaler.autoscaling";
            default -> kind.name().toLowerCase(Locale.ROOT);
        };
    }

    /** {@code deployments.apps}, {@code pods}, … as kubectl names them in NotFound errors. */
    static String plural(ResourceKind kind) {
        return switch (kind) {
            case DEPLOYMENT -> "deployments.apps";
            case DAEMONSET -> "daemonsets.apps";
            case STATEFULSET -> "statefulsets.apps";
            case JOB -> "jobs.batch";
            case CRONJOB -> "cronjobs.batch";
            case HORIZONTALPODAUTOSCALER -> "horizontalpodautoscalers.autoscaling";
            default -> kind.name().toLowerCase(Locale.ROOT) + "s";
        };
    }

    /** Splits {@code TYPE/NAME}; null when there is no slash. */
    static String[] typeAndName(String arg) {
        int slash = arg.indexOf('/');
        return slash < 0 ? null : new String[]{arg.substring(0, slash), arg.substring(slash + 1)};
    }
}
