package io.berth.gateway.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.gateway.api.ApiException;
import io.berth.gateway.api.Guard;
import io.berth.gateway.api.ReadApi;
import io.berth.gateway.api.Status;
import io.berth.gateway.api.WriteApi;
import io.berth.gateway.manifest.ManifestProblem;
import io.berth.schemas.auth.User;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The rbac.authorization.k8s.io/v1 REST API (Roles, ClusterRoles, RoleBindings, ClusterRoleBindings:
 * list, get, create, replace, patch, delete; the built-ins are listed but cannot be changed) and the
 * access reviews of authorization.k8s.io/v1 ({@code kubectl auth can-i}, {@code berth auth can-i}).
 * Writes go to the {@link RbacStore}; each is refused, as Kubernetes does, when it would grant
 * permissions the writer does not hold (unless the writer may {@code escalate} roles or {@code bind} that role).
 */
public final class RbacApi {
    public static final String BASE = "/apis/" + RbacKind.API_VERSION;
    public static final String REVIEWS = "/apis/authorization.k8s.io/v1";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final Vertx vertx;
    private final RbacStore store;
    private final Authorizer authorizer;
    private final LongSupplier clock;

    public RbacApi(Vertx vertx, RbacStore store, Authorizer authorizer, LongSupplier clock) {
        this.vertx = vertx;
        this.store = store;
        this.authorizer = authorizer;
        this.clock = clock;
    }

    private io.berth.gateway.api.Caps caps = io.berth.gateway.api.Caps.DEFAULT;

    /** The body limit its routes take ({@code gateway-max-object-body-bytes}). */
    public void withCaps(io.berth.gateway.api.Caps caps) {
        this.caps = caps;
    }

    public void mount(Router router) {
        BodyHandler body = caps.objectBody(); // no uploads to disk; gateway-max-object-body-bytes
        for (RbacKind k : RbacKind.values()) {
            String collection = k.namespaced ? BASE + "/namespaces/:ns/" + k.plural : BASE + "/" + k.plural;
            if (k.namespaced) router.get(BASE + "/" + k.plural).handler(ctx -> handleList(ctx, k, null));
            router.get(collection).handler(ctx -> handleList(ctx, k, ctx.pathParam("ns")));
            router.get(collection + "/:name").handler(ctx -> handleGet(ctx, k));
            router.post(collection).handler(body).handler(ctx -> handleWrite(ctx, k, false));
            router.put(collection + "/:name").handler(body).handler(ctx -> handleWrite(ctx, k, true));
            router.patch(collection + "/:name").handler(body).handler(ctx -> handlePatch(ctx, k));
            router.delete(collection + "/:name").handler(ctx -> handleDelete(ctx, k));
        }
        router.post(REVIEWS + "/selfsubjectaccessreviews").handler(body).handler(ctx -> handleReview(ctx, "SelfSubjectAccessReview", null));
        router.post(REVIEWS + "/subjectaccessreviews").handler(body).handler(ctx -> handleReview(ctx, "SubjectAccessReview", null));
        router.post(REVIEWS + "/namespaces/:ns/localsubjectaccessreviews").handler(body)
                .handler(ctx -> handleReview(ctx, "LocalSubjectAccessReview", ctx.pathParam("ns")));
    }

    // ---- objects ----

    private void handleList(RoutingContext ctx, RbacKind k, String namespace) {
        if (ReadApi.isWatch(ctx)) throw Status.methodNotAllowed("watch is not supported on " + k.qualified() + "; list instead");
        ObjectNode list = YAML.createObjectNode().put("kind", k.kind + "List").put("apiVersion", RbacKind.API_VERSION);
        list.putObject("metadata").put("resourceVersion", "");
        ArrayNode items = list.putArray("items");
        if (k == RbacKind.CLUSTER_ROLE) BuiltIns.CLUSTER_ROLES.forEach(r -> items.add(Manifests.of(r)));
        if (k == RbacKind.CLUSTER_ROLE_BINDING) BuiltIns.CLUSTER_ROLE_BINDINGS.forEach(b -> items.add(Manifests.of(b)));
        for (RbacStore.Stored s : store.list(k, namespace)) items.add(s.object());
        ReadApi.read(ctx, k.plural, k.namespaced, list);
    }

    private void handleGet(RoutingContext ctx, RbacKind k) {
        String name = ctx.pathParam("name");
        ReadApi.read(ctx, k.plural, k.namespaced, lookup(k, ns(ctx, k), name));
    }

    private JsonNode lookup(RbacKind k, String ns, String name) {
        if (k == RbacKind.CLUSTER_ROLE) {
            for (Role r : BuiltIns.CLUSTER_ROLES) if (r.name().equals(name)) return Manifests.of(r);
        }
        if (k == RbacKind.CLUSTER_ROLE_BINDING) {
            for (Binding b : BuiltIns.CLUSTER_ROLE_BINDINGS) if (b.name().equals(name)) return Manifests.of(b);
        }
        return store.get(k, ns, name).map(RbacStore.Stored::object).orElseThrow(() -> Status.notFound(k.qualified(), name));
    }

    /** POST (create: must be new) or PUT (replace: must exist, names must match). */
    private void handleWrite(RoutingContext ctx, RbacKind k, boolean replace) {
        io.berth.gateway.api.WriteApi.refuseDryRun(ctx, "RBAC objects");
        JsonNode doc = document(ctx.body().asString());
        RbacObjects.Parsed p = checked(ctx, doc, ns(ctx, k), k);
        String urlNs = ns(ctx, k);
        if (k.namespaced && !p.namespace().equals(urlNs)) {
            throw Status.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        if (replace && !p.name().equals(ctx.pathParam("name"))) {
            throw Status.badRequest("the name of the object (" + p.name() + ") does not match the name on the URL (" + ctx.pathParam("name") + ")");
        }
        boolean exists = store.get(k, p.namespace(), p.name()).isPresent();
        if (!replace && exists) throw Status.alreadyExists(k.qualified(), p.name());
        if (replace && !exists) throw Status.notFound(k.qualified(), p.name());
        respond(ctx, replace ? 200 : 201, write(ctx, p));
    }

    /** A merge patch (or strategic merge: RBAC lists have no merge keys) onto the object, or an apply patch (the whole object). */
    private void handlePatch(RoutingContext ctx, RbacKind k) {
        io.berth.gateway.api.WriteApi.refuseDryRun(ctx, "RBAC objects");
        String ns = ns(ctx, k), name = ctx.pathParam("name");
        String type = String.valueOf(ctx.request().getHeader("content-type"));
        JsonNode patch = document(ctx.body().asString());
        RbacStore.Stored current = store.get(k, ns, name).orElse(null);
        JsonNode doc;
        if (type.contains("apply-patch")) {
            doc = patch;
        } else {
            if (current == null) throw Status.notFound(k.qualified(), name);
            ObjectNode merged = current.parsed().manifest().deepCopy();
            doc = io.berth.gateway.api.Patches.apply(merged, type, patch);
        }
        RbacObjects.Parsed p = checked(ctx, doc, ns, k);
        if (!p.name().equals(name)) throw Status.badRequest("the name of the object (" + p.name() + ") does not match the name on the URL (" + name + ")");
        respond(ctx, current == null ? 201 : 200, write(ctx, p));
    }

    private void handleDelete(RoutingContext ctx, RbacKind k) {
        io.berth.gateway.api.WriteApi.refuseDryRun(ctx, "RBAC objects");
        String ns = ns(ctx, k), name = ctx.pathParam("name");
        if (BuiltIns.isBuiltIn(k, name)) throw builtIn(k, name);
        RbacStore.Stored s = store.get(k, ns, name).orElseThrow(() -> Status.notFound(k.qualified(), name));
        Future<JsonNode> f = Future.fromCompletionStage(store.delete(s, Guard.actor(ctx), clock.getAsLong()), vertx.getOrCreateContext())
                .map(x -> {
                    ObjectNode st = Status.success(k.qualified() + " \"" + name + "\" deleted");
                    st.putObject("details").put("name", name).put("group", RbacKind.GROUP).put("kind", k.plural)
                            .put("uid", s.parsed().manifest().path("metadata").path("uid").asText());
                    return st;
                });
        respond(ctx, 200, f);
    }

    /** The Roles and RoleBindings a namespace still holds. */
    public int countIn(String namespace) {
        return store.list(RbacKind.ROLE, namespace).size() + store.list(RbacKind.ROLE_BINDING, namespace).size();
    }

    /** Deletes the Roles and RoleBindings of a namespace being terminated, each as one delete (tombstone and audit). */
    public Future<Void> deleteAllIn(String namespace, String actor) {
        List<Future<Void>> all = new java.util.ArrayList<>();
        for (RbacKind k : List.of(RbacKind.ROLE, RbacKind.ROLE_BINDING)) {
            for (RbacStore.Stored s : store.list(k, namespace)) {
                all.add(Future.fromCompletionStage(store.delete(s, actor, clock.getAsLong()), vertx.getOrCreateContext()));
            }
        }
        return Future.join(all).mapEmpty();
    }

    // ---- apply (from POST /apis/berth.io/v1/apply) ----

    /** The documents of an apply body: the RBAC ones, and the rest as text for the manifest parser (the body itself when none is RBAC). */
    public record Split(List<JsonNode> rbac, String rest) {}

    public static Split split(String text) {
        io.berth.gateway.manifest.ManifestSplit.Split s = io.berth.gateway.manifest.ManifestSplit.split(text, RbacObjects::isRbac);
        return new Split(s.picked(), s.rest());
    }

    /**
     * Checks an applied RBAC document before anything is written: valid, not a built-in, the user may
     * {@code create} it (new) or {@code patch} it (existing), and it grants nothing the user lacks.
     */
    public RbacObjects.Parsed prepareApply(RoutingContext ctx, JsonNode doc, String namespace) {
        RbacObjects.Parsed p = RbacObjects.parse(doc, namespace);
        if (!p.valid()) throw Status.invalid(p.kind() == null ? doc.path("kind").asText(null) : p.kind().kind, p.name(), p.problems());
        boolean exists = store.get(p.kind(), p.namespace(), p.name()).isPresent();
        authorizer.check(Attributes.resource(Guard.user(ctx), exists ? "patch" : "create", RbacKind.GROUP, p.kind().plural, "",
                p.kind().namespaced ? p.namespace() : "", exists ? p.name() : ""));
        checked(ctx, doc, namespace, p.kind());
        return p;
    }

    /** Writes a prepared object; the result is the object as stored. */
    public Future<JsonNode> applyPrepared(RoutingContext ctx, RbacObjects.Parsed p) {
        return Future.fromCompletionStage(store.put(p, Guard.actor(ctx), clock.getAsLong()), vertx.getOrCreateContext())
                .map(RbacStore.Stored::object);
    }

    // ---- reviews ----

    private void handleReview(RoutingContext ctx, String kind, String urlNamespace) {
        JsonNode body = document(io.berth.gateway.api.KubeProtobuf.bodyText(ctx));
        JsonNode spec = body.path("spec");
        JsonNode ra = spec.path("resourceAttributes"), nra = spec.path("nonResourceAttributes");
        List<ManifestProblem> problems = new ArrayList<>();
        if (ra.isMissingNode() == nra.isMissingNode()) {
            problems.add(new ManifestProblem("", 1, kind, "spec", "Invalid value: exactly one of resourceAttributes or nonResourceAttributes must be specified"));
        }
        User user;
        if (kind.equals("SelfSubjectAccessReview")) {
            user = Guard.user(ctx);
        } else {
            List<String> groups = new ArrayList<>();
            spec.path("groups").forEach(g -> groups.add(g.asText()));
            String name = spec.path("user").asText("");
            if (name.isEmpty() && groups.isEmpty()) problems.add(new ManifestProblem("", 1, kind, "spec.user", "Invalid value: at least one of user or group must be specified"));
            user = new User(name, spec.path("uid").asText(""), groups);
        }
        if (urlNamespace != null && !ra.path("namespace").asText("").equals(urlNamespace)) {
            problems.add(new ManifestProblem("", 1, kind, "spec.resourceAttributes.namespace", "Invalid value: \"" + ra.path("namespace").asText("")
                    + "\": must match metadata.namespace"));
        }
        if (!problems.isEmpty()) throw Status.invalid(kind, null, problems);
        Attributes a = !ra.isMissingNode()
                ? Attributes.resource(user, ra.path("verb").asText(""), ra.path("group").asText(""), ra.path("resource").asText(""),
                        ra.path("subresource").asText(""), ra.path("namespace").asText(""), ra.path("name").asText(""))
                : Attributes.nonResource(user, nra.path("verb").asText(""), nra.path("path").asText(""));
        Policy.Decision d = authorizer.policy().authorize(a);
        ObjectNode out = YAML.createObjectNode().put("kind", kind).put("apiVersion", "authorization.k8s.io/v1");
        ObjectNode metadata = out.putObject("metadata");
        metadata.putNull("creationTimestamp");
        if (urlNamespace != null) metadata.put("namespace", urlNamespace);
        out.set("spec", spec.deepCopy());
        ObjectNode status = out.putObject("status").put("allowed", d.allowed());
        if (!d.reason().isEmpty()) status.put("reason", d.reason());
        ReadApi.json(ctx, 201, out);
    }

    // ---- helpers ----

    /** Validation, the built-in guard, an unchanged roleRef, and the escalation check; the authorizer checked the verb. */
    private RbacObjects.Parsed checked(RoutingContext ctx, JsonNode doc, String namespace, RbacKind expected) {
        RbacObjects.Parsed p = RbacObjects.parse(doc, namespace);
        if (!p.valid()) throw Status.invalid(p.kind() == null ? doc.path("kind").asText(null) : p.kind().kind, p.name(), p.problems());
        if (p.kind() != expected) throw Status.badRequest("the body is a " + p.kind().kind + ", but the URL names " + expected.plural);
        if (BuiltIns.isBuiltIn(p.kind(), p.name())) throw builtIn(p.kind(), p.name());
        RbacStore.Stored before = store.get(p.kind(), p.namespace(), p.name()).orElse(null);
        if (p.binding() != null && before != null && before.parsed().binding() != null
                && !(before.parsed().binding().roleKind().equals(p.binding().roleKind()) && before.parsed().binding().roleName().equals(p.binding().roleName()))) {
            throw Status.invalid(p.kind().kind, p.name(), List.of(new ManifestProblem("", 1, p.kind().kind, "roleRef",
                    "Invalid value: {\"kind\":\"" + p.binding().roleKind() + "\",\"name\":\"" + p.binding().roleName() + "\"}: cannot change roleRef")));
        }
        checkEscalation(Guard.user(ctx), p);
        return p;
    }

    /**
     * Kubernetes' escalation prevention: a role may only hold permissions its writer holds (or the writer
     * may {@code escalate} roles); a binding may only bind a role whose permissions the writer holds in
     * the binding's scope (or the writer may {@code bind} that role).
     */
    private void checkEscalation(User user, RbacObjects.Parsed p) {
        Policy policy = authorizer.policy();
        String ns = p.kind().namespaced ? p.namespace() : "";
        List<PolicyRule> rules;
        if (p.role() != null) {
            if (policy.allows(Attributes.resource(user, "escalate", RbacKind.GROUP, p.kind().plural, "", ns, p.name()))) return;
            rules = p.role().rules();
        } else {
            Binding b = p.binding();
            RbacKind roleKind = b.roleKind().equals("ClusterRole") ? RbacKind.CLUSTER_ROLE : RbacKind.ROLE;
            if (policy.allows(Attributes.resource(user, "bind", RbacKind.GROUP, roleKind.plural, "", ns, b.roleName()))) return;
            rules = policy.role(b.roleKind(), ns, b.roleName()).map(Role::rules)
                    .orElseThrow(() -> Status.notFound(roleKind.qualified(), b.roleName()));
        }
        List<String> missing = policy.uncovered(user, ns, rules);
        if (missing.isEmpty()) return;
        List<String> groups = Policy.groups(user).stream().map(g -> "\"" + g + "\"").toList();
        String message = p.kind().qualified() + " \"" + p.name() + "\" is forbidden: user \"" + user.name() + "\" (groups=["
                + String.join(" ", groups) + "]) is attempting to grant RBAC permissions not currently held:\n" + String.join("\n", missing);
        ObjectNode s = Status.failure(403, "Forbidden", message, null, null);
        s.remove("code");
        s.putObject("details").put("name", p.name()).put("group", RbacKind.GROUP).put("kind", p.kind().plural);
        throw new ApiException(s.put("code", 403));
    }

    private Future<JsonNode> write(RoutingContext ctx, RbacObjects.Parsed p) {
        return applyPrepared(ctx, p);
    }

    private static ApiException builtIn(RbacKind k, String name) {
        return Status.invalid(k.kind, name, List.of(new ManifestProblem("", 1, k.kind, "metadata.name",
                "Invalid value: \"" + name + "\": is a built-in " + k.kind + " of Berth and cannot be changed")));
    }

    private static String ns(RoutingContext ctx, RbacKind k) {
        return k.namespaced ? ctx.pathParam("ns") : "";
    }

    private static JsonNode document(String text) {
        try {
            JsonNode n = YAML.readTree(text == null ? "" : text);
            if (n == null || !n.isObject()) throw Status.badRequest("the body must be one object");
            return n;
        } catch (ApiException e) {
            throw e;
        } catch (Exception e) {
            throw Status.badRequest("cannot parse the body: " + e.getMessage());
        }
    }

    private static void respond(RoutingContext ctx, int code, Future<JsonNode> f) {
        f.onSuccess(o -> ReadApi.json(ctx, code, o)).onFailure(ctx::fail);
    }
}
