package io.berth.gateway.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * API discovery as kube-apiserver serves it, so kubectl and client libraries find what Berth serves:
 * {@code /api} (APIVersions), {@code /apis} (APIGroupList), {@code /apis/GROUP} (APIGroup) and
 * {@code /api/v1}, {@code /apis/GROUP/VERSION} (APIResourceList); and, when the client asks for it in
 * {@code Accept} (kubectl ≥ 1.30 does), the aggregated discovery document
 * ({@code apidiscovery.k8s.io/v2} or {@code v2beta1} {@code APIGroupDiscoveryList}) that answers every
 * group in one request. One table ({@link #GROUPS}) feeds every form, so they cannot disagree.
 */
public final class Discovery {
    /** A resource or subresource as discovery names it. */
    public record ApiResource(String name, String singular, boolean namespaced, String kind, List<String> verbs,
                              List<String> shortNames, List<String> categories, List<Sub> subresources) {}

    /** A subresource: its name, the kind it answers with ({@code group/version/kind}) and its verbs. */
    public record Sub(String name, String group, String version, String kind, List<String> verbs) {}

    /** A group version and its resources; the core group is {@code ""}. */
    public record GroupVersion(String group, String version, List<ApiResource> resources) {
        String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }

        String path() {
            return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        }
    }

    private static final List<String> CRUD = List.of("create", "delete", "get", "list", "patch", "update", "watch");
    private static final List<String> READ = List.of("get", "list", "watch");
    private static final List<String> CRUD_NO_WATCH = List.of("create", "delete", "get", "list", "patch", "update");
    private static final List<String> ALL = List.of("all");

    /** What the gateway serves, verb for verb (a verb is listed only where a route answers it). */
    public static final List<GroupVersion> GROUPS = List.of(
            new GroupVersion("", "v1", List.of(
                    new ApiResource("configmaps", "configmap", true, "ConfigMap", CRUD_NO_WATCH, List.of("cm"), List.of(), List.of()),
                    new ApiResource("endpoints", "endpoints", true, "Endpoints", READ, List.of("ep"), List.of(), List.of()),
                    new ApiResource("events", "event", true, "Event", READ, List.of("ev"), List.of(), List.of()),
                    new ApiResource("limitranges", "limitrange", true, "LimitRange", CRUD_NO_WATCH, List.of("limits"), List.of(), List.of()),
                    new ApiResource("namespaces", "namespace", false, "Namespace", CRUD, List.of("ns"), List.of(), List.of()),
                    new ApiResource("nodes", "node", false, "Node", List.of("get", "list", "patch", "watch"), List.of("no"), List.of(), List.of()),
                    new ApiResource("persistentvolumeclaims", "persistentvolumeclaim", true, "PersistentVolumeClaim", List.of("get", "list"),
                            List.of("pvc"), List.of(), List.of()),
                    new ApiResource("pods", "pod", true, "Pod", CRUD, List.of("po"), ALL,
                            List.of(new Sub("eviction", "policy", "v1", "Eviction", List.of("create")),
                                    new Sub("exec", "", "v1", "PodExecOptions", List.of("create", "get")),
                                    new Sub("log", "", "v1", "Pod", List.of("get")),
                                    new Sub("portforward", "", "v1", "PodPortForwardOptions", List.of("create", "get")))),
                    new ApiResource("resourcequotas", "resourcequota", true, "ResourceQuota", CRUD_NO_WATCH, List.of("quota"), List.of(), List.of()),
                    new ApiResource("secrets", "secret", true, "Secret", CRUD_NO_WATCH, List.of(), List.of(), List.of()),
                    new ApiResource("services", "service", true, "Service", CRUD, List.of("svc"), ALL, List.of()))),
            // kube-apiserver lists controllerrevisions with no short name and in no category; daemonsets as ds, in "all"
            new GroupVersion("apps", "v1", List.of(
                    new ApiResource("controllerrevisions", "controllerrevision", true, "ControllerRevision", List.of("get", "list"),
                            List.of(), List.of(), List.of()),
                    new ApiResource("daemonsets", "daemonset", true, "DaemonSet", CRUD, List.of("ds"), ALL, List.of()),
                    new ApiResource("deployments", "deployment", true, "Deployment", CRUD, List.of("deploy"), ALL,
                            List.of(new Sub("scale", "autoscaling", "v1", "Scale", List.of("get", "update")))),
                    new ApiResource("replicasets", "replicaset", true, "ReplicaSet", List.of("get", "list"), List.of("rs"), ALL, List.of()),
                    new ApiResource("statefulsets", "statefulset", true, "StatefulSet", CRUD, List.of("sts"), ALL,
                            List.of(new Sub("scale", "autoscaling", "v1", "Scale", List.of("get", "update")))))),
            // kube-apiserver serves HPAs as hpa, in the "all" category, at v2 (preferred: listed first) and v1 (Served.of converts)
            new GroupVersion("autoscaling", "v2", List.of(
                    new ApiResource("horizontalpodautoscalers", "horizontalpodautoscaler", true, "HorizontalPodAutoscaler", CRUD, List.of("hpa"), ALL, List.of()))),
            new GroupVersion("autoscaling", "v1", List.of(
                    new ApiResource("horizontalpodautoscalers", "horizontalpodautoscaler", true, "HorizontalPodAutoscaler", CRUD, List.of("hpa"), ALL, List.of()))),
            new GroupVersion("authorization.k8s.io", "v1", List.of(
                    new ApiResource("localsubjectaccessreviews", "localsubjectaccessreview", true, "LocalSubjectAccessReview",
                            List.of("create"), List.of(), List.of(), List.of()),
                    new ApiResource("selfsubjectaccessreviews", "selfsubjectaccessreview", false, "SelfSubjectAccessReview",
                            List.of("create"), List.of(), List.of(), List.of()),
                    new ApiResource("subjectaccessreviews", "subjectaccessreview", false, "SubjectAccessReview",
                            List.of("create"), List.of(), List.of(), List.of()))),
            // kube-apiserver lists cronjobs (short name cj) and jobs (none), both in the "all" category
            new GroupVersion("batch", "v1", List.of(
                    new ApiResource("cronjobs", "cronjob", true, "CronJob", CRUD, List.of("cj"), ALL, List.of()),
                    new ApiResource("jobs", "job", true, "Job", CRUD, List.of(), ALL, List.of()))),
            // as metrics-server registers it (singular names empty, get and list only)
            new GroupVersion("metrics.k8s.io", "v1beta1", List.of(
                    new ApiResource("nodes", "", false, "NodeMetrics", List.of("get", "list"), List.of(), List.of(), List.of()),
                    new ApiResource("pods", "", true, "PodMetrics", List.of("get", "list"), List.of(), List.of(), List.of()))),
            // the group of the Eviction pods/eviction takes; Berth has no PodDisruptionBudgets, so no resource of its own.
            // kubectl before 1.22 looks for this group in discovery to decide that drain may evict rather than delete.
            new GroupVersion("policy", "v1", List.of()),
            new GroupVersion("rbac.authorization.k8s.io", "v1", List.of(
                    new ApiResource("clusterrolebindings", "clusterrolebinding", false, "ClusterRoleBinding", CRUD_NO_WATCH, List.of(), List.of(), List.of()),
                    new ApiResource("clusterroles", "clusterrole", false, "ClusterRole", CRUD_NO_WATCH, List.of(), List.of(), List.of()),
                    new ApiResource("rolebindings", "rolebinding", true, "RoleBinding", CRUD_NO_WATCH, List.of(), List.of(), List.of()),
                    new ApiResource("roles", "role", true, "Role", CRUD_NO_WATCH, List.of(), List.of(), List.of()))));

    /** The media type of aggregated discovery, v2 (and its beta, which kubectl 1.26–1.29 ask for). */
    static final String AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    static final String AGGREGATED_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

    public void mount(Router router) {
        router.get("/api").handler(ctx -> answer(ctx, true));
        router.get("/apis").handler(ctx -> answer(ctx, false));
        for (GroupVersion gv : GROUPS) {
            router.get(gv.path()).handler(ctx -> json(ctx, resourceList(gv)));
            boolean groupsFirstVersion = GROUPS.stream().filter(g -> g.group().equals(gv.group())).findFirst().orElseThrow() == gv;
            if (!gv.group().isEmpty() && groupsFirstVersion) router.get("/apis/" + gv.group()).handler(ctx -> json(ctx, group(gv.group())));
        }
    }

    private void answer(RoutingContext ctx, boolean core) {
        String accept = ctx.request().getHeader("Accept");
        String aggregated = aggregatedType(accept);
        if (aggregated != null) {
            ctx.response().putHeader("content-type", aggregated).putHeader("Vary", "Accept")
                    .end(aggregated(core, aggregated.contains("v=v2beta1") ? "apidiscovery.k8s.io/v2beta1" : "apidiscovery.k8s.io/v2").encode());
            return;
        }
        ctx.response().putHeader("Vary", "Accept");
        json(ctx, core ? versions(ctx) : groupList());
    }

    /**
     * The aggregated media type {@code accept} asks for first (v2 before v2beta1 as listed), or null
     * when it asks for plain JSON first or not at all.
     */
    static String aggregatedType(String accept) {
        if (accept == null) return null;
        for (String part : accept.split(",")) {
            String p = part.replace(" ", "").toLowerCase(java.util.Locale.ROOT);
            if (!p.contains("as=apigroupdiscoverylist")) {
                if (p.startsWith("application/json") || p.startsWith("*/*")) return null;
                continue;
            }
            if (p.contains("v=v2beta1")) return AGGREGATED_V2BETA1;
            if (p.contains("v=v2")) return AGGREGATED_V2;
        }
        return null;
    }

    private static void json(RoutingContext ctx, JsonObject body) {
        ctx.response().putHeader("content-type", "application/json").end(body.encode());
    }

    /** {@code GET /api}: the core group's versions and where clients reach the server. */
    static JsonObject versions(RoutingContext ctx) {
        String host = ctx.request().authority() == null ? "" : ctx.request().authority().toString();
        return new JsonObject().put("kind", "APIVersions").put("versions", new JsonArray().add("v1"))
                .put("serverAddressByClientCIDRs", new JsonArray().add(new JsonObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", host)));
    }

    /** {@code GET /apis}: every named group with its versions. */
    static JsonObject groupList() {
        JsonArray groups = new JsonArray();
        for (String g : groupNames()) groups.add(group(g));
        return new JsonObject().put("kind", "APIGroupList").put("apiVersion", "v1").put("groups", groups);
    }

    private static List<String> groupNames() {
        List<String> names = new ArrayList<>();
        for (GroupVersion gv : GROUPS) if (!gv.group().isEmpty() && !names.contains(gv.group())) names.add(gv.group());
        return names;
    }

    /** {@code GET /apis/GROUP}. */
    static JsonObject group(String name) {
        JsonArray versions = new JsonArray();
        JsonObject preferred = null;
        for (GroupVersion gv : GROUPS) {
            if (!gv.group().equals(name)) continue;
            JsonObject v = new JsonObject().put("groupVersion", gv.groupVersion()).put("version", gv.version());
            versions.add(v);
            if (preferred == null) preferred = v;
        }
        return new JsonObject().put("kind", "APIGroup").put("apiVersion", "v1").put("name", name)
                .put("versions", versions).put("preferredVersion", preferred);
    }

    /** {@code GET /api/v1}, {@code GET /apis/GROUP/VERSION}: the resources and subresources of one group version. */
    static JsonObject resourceList(GroupVersion gv) {
        JsonArray resources = new JsonArray();
        for (ApiResource r : gv.resources()) {
            JsonObject o = new JsonObject().put("name", r.name()).put("singularName", r.singular()).put("namespaced", r.namespaced())
                    .put("kind", r.kind()).put("verbs", new JsonArray(r.verbs()));
            if (!r.shortNames().isEmpty()) o.put("shortNames", new JsonArray(r.shortNames()));
            if (!r.categories().isEmpty()) o.put("categories", new JsonArray(r.categories()));
            resources.add(o);
            for (Sub s : r.subresources()) {
                JsonObject so = new JsonObject().put("name", r.name() + "/" + s.name()).put("singularName", "").put("namespaced", r.namespaced())
                        .put("kind", s.kind()).put("verbs", new JsonArray(s.verbs()));
                if (!s.group().equals(gv.group())) so.put("group", s.group()).put("version", s.version());
                resources.add(so);
            }
        }
        return new JsonObject().put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", gv.groupVersion())
                .put("resources", resources);
    }

    /** The aggregated discovery document of the core group ({@code /api}) or of every named group ({@code /apis}). */
    static JsonObject aggregated(boolean core, String apiVersion) {
        Map<String, JsonArray> versionsByGroup = new LinkedHashMap<>();
        for (GroupVersion gv : GROUPS) {
            if (gv.group().isEmpty() != core) continue;
            JsonArray resources = new JsonArray();
            for (ApiResource r : gv.resources()) {
                JsonObject o = new JsonObject().put("resource", r.name())
                        .put("responseKind", gvk(gv.group(), gv.version(), r.kind()))
                        .put("scope", r.namespaced() ? "Namespaced" : "Cluster")
                        .put("singularResource", r.singular()).put("verbs", new JsonArray(r.verbs()));
                if (!r.shortNames().isEmpty()) o.put("shortNames", new JsonArray(r.shortNames()));
                if (!r.categories().isEmpty()) o.put("categories", new JsonArray(r.categories()));
                if (!r.subresources().isEmpty()) {
                    JsonArray subs = new JsonArray();
                    for (Sub s : r.subresources()) {
                        subs.add(new JsonObject().put("subresource", s.name()).put("responseKind", gvk(s.group(), s.version(), s.kind()))
                                .put("verbs", new JsonArray(s.verbs())));
                    }
                    o.put("subresources", subs);
                }
                resources.add(o);
            }
            versionsByGroup.computeIfAbsent(gv.group(), g -> new JsonArray())
                    .add(new JsonObject().put("version", gv.version()).put("resources", resources).put("freshness", "Current"));
        }
        JsonArray items = new JsonArray();
        versionsByGroup.forEach((g, versions) -> {
            JsonObject meta = new JsonObject();
            if (!g.isEmpty()) meta.put("name", g);
            items.add(new JsonObject().put("metadata", meta).put("versions", versions));
        });
        return new JsonObject().put("kind", "APIGroupDiscoveryList").put("apiVersion", apiVersion)
                .put("metadata", new JsonObject()).put("items", items);
    }

    private static JsonObject gvk(String group, String version, String kind) {
        return new JsonObject().put("group", group).put("version", version).put("kind", kind);
    }
}
