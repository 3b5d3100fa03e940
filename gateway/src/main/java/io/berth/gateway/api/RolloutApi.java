package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.gateway.manifest.Intents;
import io.berth.gateway.manifest.ManifestProblem;
import io.berth.gateway.view.KubeObjects;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.Revision;
import io.berth.schemas.avro.RolloutStatus;
import io.berth.schemas.avro.TaskView;
import io.berth.schemas.avro.WorkloadView;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Rollouts at the REST edge: the deployment subresources {@code rollback} (a {@code DeploymentRollback}
 * body, Kubernetes' extensions/v1beta1 shape), {@code promote} and {@code abort} → ROLLBACK / PROMOTE /
 * ABORT intents with read-your-writes, and a daemon set's {@code rollback} (Berth's own: kubectl's undo of a
 * DaemonSet patches its template back instead); ReplicaSets ({@code apps/v1}), derived per request from each
 * deployment's revision history and its live pods (list, get and watch); and ControllerRevisions
 * ({@code apps/v1}), derived from each daemon set's revision history (list and get), which kubectl's
 * {@code rollout history|undo ds/NAME} read.
 */
public final class RolloutApi {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final io.vertx.core.Vertx vertx;
    private final ViewCache cache;
    private final WriteApi writes;

    public RolloutApi(io.vertx.core.Vertx vertx, ViewCache cache, WriteApi writes) {
        this.vertx = vertx;
        this.cache = cache;
        this.writes = writes;
    }

    private io.berth.gateway.api.Caps caps = io.berth.gateway.api.Caps.DEFAULT;

    /** The body limit its routes take ({@code gateway-max-object-body-bytes}). */
    public void withCaps(io.berth.gateway.api.Caps caps) {
        this.caps = caps;
    }

    public void mount(Router router) {
        BodyHandler body = caps.objectBody(); // no uploads to disk; gateway-max-object-body-bytes
        String deployment = "/apis/apps/v1/namespaces/:ns/deployments/:name";
        router.post(deployment + "/rollback").handler(body).handler(ctx -> handleRollback(ctx, Resource.DEPLOYMENTS));
        router.post("/apis/apps/v1/namespaces/:ns/daemonsets/:name/rollback").handler(body).handler(ctx -> handleRollback(ctx, Resource.DAEMONSETS));
        router.post("/apis/apps/v1/namespaces/:ns/statefulsets/:name/rollback").handler(body).handler(ctx -> handleRollback(ctx, Resource.STATEFULSETS));
        router.get("/api/v1/persistentvolumeclaims").handler(ctx -> handleListClaims(ctx, null));
        router.get("/api/v1/namespaces/:ns/persistentvolumeclaims").handler(ctx -> handleListClaims(ctx, ctx.pathParam("ns")));
        router.get("/api/v1/namespaces/:ns/persistentvolumeclaims/:name").handler(this::handleGetClaim);
        router.get("/apis/apps/v1/controllerrevisions").handler(ctx -> handleListControllerRevisions(ctx, null));
        router.get("/apis/apps/v1/namespaces/:ns/controllerrevisions").handler(ctx -> handleListControllerRevisions(ctx, ctx.pathParam("ns")));
        router.get("/apis/apps/v1/namespaces/:ns/controllerrevisions/:name").handler(this::handleGetControllerRevision);
        router.post(deployment + "/promote").handler(body).handler(this::handlePromote);
        router.post(deployment + "/abort").handler(body).handler(this::handleAbort);
        router.get("/apis/apps/v1/replicasets").handler(ctx -> handleListReplicaSets(ctx, null));
        router.get("/apis/apps/v1/namespaces/:ns/replicasets").handler(ctx -> handleListReplicaSets(ctx, ctx.pathParam("ns")));
        router.get("/apis/apps/v1/namespaces/:ns/replicasets/:name").handler(this::handleGetReplicaSet);
    }

    // ---- rollback / promote / abort ----

    /**
     * A rollback of a deployment ({@code DeploymentRollback}) or a daemon set ({@code DaemonSetRollback}, the same
     * shape): {@code rollbackTo.revision}, 0 = the previous revision; a revision not in the history is 422.
     */
    private void handleRollback(RoutingContext ctx, Resource r) {
        io.berth.gateway.api.WriteApi.refuseDryRun(ctx, "rollout actions");
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name");
        String what = r == Resource.DAEMONSETS ? "daemon set" : r == Resource.STATEFULSETS ? "stateful set" : "deployment";
        String rollbackKind = r.kind + "Rollback";
        ViewCache.Entry e = cache.get(Topics.WORKLOADS, r.kind, ns, name).orElseThrow(() -> Status.notFound(r.qualified(), name));
        WorkloadView w = (WorkloadView) e.value();
        JsonNode body = body(ctx, rollbackKind, name);
        List<ManifestProblem> problems = new ArrayList<>();
        JsonNode kind = body.get("kind");
        if (kind != null && !kind.isNull() && !rollbackKind.equals(kind.asText())) {
            problems.add(problem("kind", "Unsupported value: " + kind + ": supported values: \"" + rollbackKind + "\""));
        }
        JsonNode bodyName = body.get("name");
        if (bodyName != null && !bodyName.isNull() && !name.equals(bodyName.asText())) {
            problems.add(problem("name", "Invalid value: " + bodyName + ": must match the " + what + " on the URL (\"" + name + "\")"));
        }
        JsonNode to = body.path("rollbackTo").path("revision");
        long revision = 0;
        if (!to.isMissingNode() && !to.isNull()) {
            if (!to.isIntegralNumber()) problems.add(problem("rollbackTo.revision", "Invalid value: " + to + ": must be an integer"));
            else if (to.asLong() < 0) problems.add(problem("rollbackTo.revision", "Invalid value: " + to + ": must be greater than or equal to 0"));
            else revision = to.asLong();
        }
        if (problems.isEmpty() && !w.getHistory().isEmpty()) {
            List<Long> known = w.getHistory().stream().map(Revision::getRevision).toList();
            if (revision > 0 && !known.contains(revision)) {
                problems.add(problem("rollbackTo.revision", "Invalid value: " + revision + ": unable to find specified revision " + revision + " in history"));
            } else if (revision == 0 && known.size() < 2) {
                problems.add(problem("rollbackTo.revision", "Invalid value: 0: no rollout history found for " + what + " \"" + name + "\""));
            }
        }
        if (!problems.isEmpty()) throw Status.invalid(rollbackKind, name, problems);
        if (r == Resource.DEPLOYMENTS && w.getDeployment() != null && w.getDeployment().getPaused()) {
            throw conflict(name, "you cannot rollback a paused deployment; resume it first with 'berth rollout resume deployment/"
                    + name + "' and try again");
        }
        Intent i = Intents.forActor(actor(ctx)).rollback(r.berthKind, ns, name, revision);
        long before = w.getRevision();
        submit(ctx, i, e, now -> ((WorkloadView) now.value()).getRevision() > before);
    }

    private void handlePromote(RoutingContext ctx) {
        io.berth.gateway.api.WriteApi.refuseDryRun(ctx, "rollout actions");
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name");
        ViewCache.Entry e = deployment(ns, name);
        JsonNode body = body(ctx, null, name);
        JsonNode full = body.get("full");
        if (full != null && !full.isNull() && !full.isBoolean()) {
            throw Status.invalid("DeploymentPromote", name, List.of(problem("full", "Invalid value: " + full + ": must be a boolean")));
        }
        // state-streams would reject these (a dead letter, no new view): refused here at once, in its words
        WorkloadView w = (WorkloadView) e.value();
        RolloutStatus rs = w.getRollout();
        DeploymentSpec spec = w.getDeployment();
        boolean canary = spec != null && spec.getStrategyType().equals("Canary") && !spec.getCanarySteps().isEmpty();
        if (!canary || done(rs) || rs.getCanaryStep() >= spec.getCanarySteps().size() || rs.getPhase().equals("Failed")) {
            throw conflict(name, "deployment \"" + name + "\" has no canary step to promote");
        }
        Intent i = Intents.forActor(actor(ctx)).promote(ns, name, full != null && full.asBoolean(false));
        submit(ctx, i, e, now -> true);
    }

    private void handleAbort(RoutingContext ctx) {
        io.berth.gateway.api.WriteApi.refuseDryRun(ctx, "rollout actions");
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name");
        ViewCache.Entry e = deployment(ns, name);
        body(ctx, null, name);
        WorkloadView w = (WorkloadView) e.value();
        if (done(w.getRollout())) throw conflict(name, "deployment \"" + name + "\" has no rollout in progress to abort");
        if (w.getHistory().size() == 1) throw conflict(name, "no rollout history found for deployment \"" + name + "\"");
        submit(ctx, Intents.forActor(actor(ctx)).abort(ns, name), e, now -> true);
    }

    /** A rollout that is over: Complete, or a rollback/abort whose pods are all available (reason NewReplicaSetAvailable). */
    private static boolean done(RolloutStatus rs) {
        return rs != null && (rs.getPhase().equals("Complete") || rs.getReason().equals("NewReplicaSetAvailable"));
    }

    private static ApiException conflict(String name, String message) {
        return new ApiException(Status.failure(409, "Conflict", message, "deployments.apps", name));
    }

    /**
     * Produces the intent; answers the Deployment once state-streams stamped the intent on the view, or
     * (while it does not stamp yet) once a newer record of the deployment satisfies {@code unstamped}.
     */
    private void submit(RoutingContext ctx, Intent i, ViewCache.Entry before, Predicate<ViewCache.Entry> unstamped) {
        long[] position = cache.position(Topics.WORKLOADS);
        Predicate<ViewCache.Entry> applied = now -> now != null && now.value() instanceof WorkloadView w
                && (i.getIntentId().equals(w.getLastIntentId())
                || ((w.getLastIntentId() == null || w.getLastIntentId().isEmpty()) && now.offset() >= position[now.partition()] && unstamped.test(now)));
        Future<WriteApi.Outcome> f = writes.submit(ctx, i, Topics.WORKLOADS, before.key(), applied, now -> new WriteApi.Outcome(200, now.object()));
        f.onSuccess(o -> ReadApi.json(ctx, o.code(), o.body())).onFailure(ctx::fail);
    }

    private ViewCache.Entry deployment(String ns, String name) {
        return cache.get(Topics.WORKLOADS, "Deployment", ns, name).orElseThrow(() -> Status.notFound("deployments.apps", name));
    }

    /** The body as JSON (or YAML); empty = {}; anything but an object is 422. */
    private static JsonNode body(RoutingContext ctx, String kind, String name) {
        String text = ctx.body() == null ? null : ctx.body().asString();
        if (text == null || text.isBlank()) return ReadApi.MAPPER.createObjectNode();
        JsonNode n;
        try {
            n = YAML.readTree(text);
        } catch (Exception e) {
            throw Status.badRequest("cannot parse the body: " + e.getMessage());
        }
        if (n == null || n.isNull() || n.isMissingNode()) return ReadApi.MAPPER.createObjectNode();
        if (!n.isObject()) throw Status.invalid(kind, name, List.of(problem("", "Invalid value: " + n + ": must be an object")));
        return n;
    }

    private static ManifestProblem problem(String field, String detail) {
        return new ManifestProblem("", 1, "", field, detail);
    }

    /** The authenticated principal (never a header the client writes). */
    private static String actor(RoutingContext ctx) {
        return Guard.actor(ctx);
    }

    // ---- replica sets ----

    private List<ObjectNode> replicaSets(String namespace) {
        ViewCache.Snapshot deployments = cache.list(Topics.WORKLOADS, "Deployment", namespace);
        Map<String, List<TaskView>> pods = new HashMap<>();
        for (ViewCache.Entry e : cache.list(Topics.TASKS, "Pod", namespace).items()) {
            TaskView t = (TaskView) e.value();
            pods.computeIfAbsent(t.getWorkloadKey(), k -> new ArrayList<>()).add(t);
        }
        long now = System.currentTimeMillis();
        List<ObjectNode> out = new ArrayList<>();
        for (ViewCache.Entry e : deployments.items()) {
            WorkloadView w = (WorkloadView) e.value();
            String rv = e.object().path("metadata").path("resourceVersion").asText("");
            for (ObjectNode rs : KubeObjects.replicaSets(w, pods.getOrDefault(w.getKey(), List.of()), now)) {
                ((ObjectNode) rs.path("metadata")).put("resourceVersion", rv);
                out.add(rs);
            }
        }
        out.sort(Comparator.comparing((ObjectNode o) -> o.path("metadata").path("namespace").asText())
                .thenComparing(o -> o.path("metadata").path("name").asText()));
        return out;
    }

    private void handleListReplicaSets(RoutingContext ctx, String namespace) {
        refusePast(ctx);
        if (ReadApi.isWatch(ctx)) {
            watchReplicaSets(ctx, namespace);
            return;
        }
        Predicate<JsonNode> filter = ReadApi.filter(ctx);
        String rv = ResourceVersions.encode(cache.position(Topics.WORKLOADS));
        if (io.berth.gateway.view.ServerTables.wanted(ctx.request().getHeader("Accept"))) {
            List<JsonNode> items = replicaSets(namespace).stream().filter(filter).map(o -> (JsonNode) o).toList();
            ReadApi.table(ctx, "replicasets", true, items, rv);
            return;
        }
        Buffer out = Buffer.buffer("{\"kind\":\"ReplicaSetList\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"resourceVersion\":\"" + rv + "\"},\"items\":[");
        boolean first = true;
        for (ObjectNode rs : replicaSets(namespace)) {
            if (!filter.test(rs)) continue;
            if (!first) out.appendString(",");
            first = false;
            out.appendString(ViewCache.toJson(rs));
        }
        out.appendString("]}");
        ctx.response().setStatusCode(200).putHeader("content-type", "application/json").end(out);
    }

    /**
     * A watch of ReplicaSets (chunked HTTP, one JSON line per event): they are derived, so every batch of
     * deployment or pod changes recomputes the namespace's ReplicaSets and sends what changed (ADDED,
     * MODIFIED, DELETED). Without a resourceVersion it starts with ADDED for the current ones; with one
     * (list-then-watch) it sends only later changes. A derived object's history is not kept: resuming
     * cannot replay what was missed while disconnected.
     */
    private void watchReplicaSets(RoutingContext ctx, String namespace) {
        Predicate<JsonNode> filter = ReadApi.filter(ctx);
        String from = ctx.queryParams().get("resourceVersion");
        boolean replay = from == null || from.isEmpty() || from.equals("0");
        io.vertx.core.Context context = vertx.getOrCreateContext();
        io.vertx.core.http.HttpServerResponse response = ctx.response();
        Map<String, ObjectNode> sent = new java.util.LinkedHashMap<>();
        boolean[] first = {true};
        Runnable[] stop = new Runnable[1];
        Runnable refresh = () -> {
            if (response.closed() || response.ended()) return;
            if (response.writeQueueFull()) {
                // it did not read what it was sent: dropped with an ERROR event, never buffered for without bound
                stop[0].run();
                caps.watcherDropped();
                response.end(new String(Caps.droppedEvent("replicasets.apps"), java.nio.charset.StandardCharsets.UTF_8) + "\n");
                return;
            }
            Map<String, ObjectNode> now = new java.util.LinkedHashMap<>();
            for (ObjectNode rs : replicaSets(namespace)) {
                if (filter.test(rs)) now.put(rs.path("metadata").path("namespace").asText() + "/" + rs.path("metadata").path("name").asText(), rs);
            }
            StringBuilder out = new StringBuilder();
            boolean emit = !first[0] || replay;
            now.forEach((k, rs) -> {
                ObjectNode before = sent.get(k);
                if (before == null || !before.equals(rs)) {
                    if (emit) out.append(ViewCache.eventLine(before == null ? "ADDED" : "MODIFIED", ViewCache.toJson(rs))).append('\n');
                }
            });
            for (Map.Entry<String, ObjectNode> e : sent.entrySet()) {
                if (!now.containsKey(e.getKey()) && emit) out.append(ViewCache.eventLine("DELETED", ViewCache.toJson(e.getValue()))).append('\n');
            }
            sent.clear();
            sent.putAll(now);
            first[0] = false;
            response.write(out.toString());
        };
        response.setChunked(true).putHeader("content-type", "application/json").setStatusCode(200);
        response.setWriteQueueMaxSize(caps.watchQueueBytes);
        Runnable release = caps.acquireWatch(ReadApi.principal(ctx)); // a watch like any other: capped, long-running
        ReadApi.longRunning(ctx);
        ViewCache.Registration workloads = cache.watch(Topics.WORKLOADS, null, context, batch -> refresh.run());
        ViewCache.Registration pods = cache.watch(Topics.TASKS, null, context, batch -> refresh.run());
        Runnable cancel = () -> {
            workloads.cancel().run();
            pods.cancel().run();
            release.run();
        };
        stop[0] = cancel;
        refresh.run();
        response.closeHandler(v -> cancel.run());
        ctx.request().connection().closeHandler(v -> cancel.run());
        String timeout = ctx.queryParams().get("timeoutSeconds");
        if (timeout != null && timeout.matches("[0-9]+")) {
            vertx.setTimer(Math.max(1, Long.parseLong(timeout)) * 1000, id -> {
                cancel.run();
                if (!response.ended() && !response.closed()) response.end();
            });
        }
    }

    private void handleGetReplicaSet(RoutingContext ctx) {
        refusePast(ctx);
        String name = ctx.pathParam("name");
        ObjectNode rs = replicaSets(ctx.pathParam("ns")).stream().filter(o -> o.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> Status.notFound("replicasets.apps", name));
        ReadApi.read(ctx, "replicasets", true, rs);
    }

    // ---- controller revisions ----

    /** The ControllerRevisions of the namespace's daemon sets (all namespaces when null), by namespace and name. */
    private List<ObjectNode> controllerRevisions(String namespace) {
        List<ObjectNode> out = new ArrayList<>();
        for (String kind : List.of("DaemonSet", "StatefulSet")) {
            for (ViewCache.Entry e : cache.list(Topics.WORKLOADS, kind, namespace).items()) {
                String rv = e.object().path("metadata").path("resourceVersion").asText("");
                for (ObjectNode cr : KubeObjects.controllerRevisions((WorkloadView) e.value())) {
                    ((ObjectNode) cr.path("metadata")).put("resourceVersion", rv);
                    out.add(cr);
                }
            }
        }
        out.sort(Comparator.comparing((ObjectNode o) -> o.path("metadata").path("namespace").asText())
                .thenComparing(o -> o.path("metadata").path("name").asText()));
        return out;
    }

    // ---- persistent volume claims ----

    /**
     * The PersistentVolumeClaims of the namespace's stateful sets (all namespaces when null), and those deleted sets
     * retained, by namespace and name.
     */
    private List<ObjectNode> claims(String namespace) {
        List<ObjectNode> out = new ArrayList<>();
        for (ViewCache.Entry e : cache.list(Topics.WORKLOADS, "StatefulSet", namespace).items()) {
            out.addAll(KubeObjects.persistentVolumeClaims((WorkloadView) e.value()));
        }
        for (WorkloadView deleted : cache.retainedClaims(namespace)) out.addAll(KubeObjects.persistentVolumeClaims(deleted)); // Retain
        out.sort(Comparator.comparing((ObjectNode o) -> o.path("metadata").path("namespace").asText())
                .thenComparing(o -> o.path("metadata").path("name").asText()));
        return out;
    }

    private void handleListClaims(RoutingContext ctx, String namespace) {
        listDerived(ctx, "persistentvolumeclaims", "stateful set", "PersistentVolumeClaimList", "v1", claims(namespace));
    }

    private void handleGetClaim(RoutingContext ctx) {
        getDerived(ctx, "persistentvolumeclaims", "persistentvolumeclaims", "stateful set", claims(ctx.pathParam("ns")));
    }

    private void handleListControllerRevisions(RoutingContext ctx, String namespace) {
        listDerived(ctx, "controllerrevisions", "daemon set", "ControllerRevisionList", "apps/v1", controllerRevisions(namespace));
    }

    private void handleGetControllerRevision(RoutingContext ctx) {
        getDerived(ctx, "controllerrevisions", "controllerrevisions.apps", "daemon set", controllerRevisions(ctx.pathParam("ns")));
    }

    /**
     * A list of objects derived from the workload views (claims, controller revisions): no watch and no time travel
     * (their owners' views are what the past is rebuilt from), a Table when asked for.
     */
    private void listDerived(RoutingContext ctx, String plural, String owner, String listKind, String apiVersion, List<ObjectNode> all) {
        refusePast(ctx, plural, owner);
        if (ReadApi.isWatch(ctx)) throw Status.methodNotAllowed("watch is not supported on " + plural + " by Berth; list them again");
        Predicate<JsonNode> filter = ReadApi.filter(ctx);
        String rv = ResourceVersions.encode(cache.position(Topics.WORKLOADS));
        List<JsonNode> items = all.stream().filter(filter).map(o -> (JsonNode) o).toList();
        if (io.berth.gateway.view.ServerTables.wanted(ctx.request().getHeader("Accept"))) {
            ReadApi.table(ctx, plural, true, items, rv);
            return;
        }
        ObjectNode list = ReadApi.MAPPER.createObjectNode().put("kind", listKind).put("apiVersion", apiVersion);
        list.putObject("metadata").put("resourceVersion", rv);
        list.putArray("items").addAll(items);
        ReadApi.json(ctx, 200, list);
    }

    /** One derived object by name ({@code qualified}: the resource as a NotFound names it). */
    private void getDerived(RoutingContext ctx, String plural, String qualified, String owner, List<ObjectNode> all) {
        refusePast(ctx, plural, owner);
        String name = ctx.pathParam("name");
        ObjectNode o = all.stream().filter(x -> x.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> Status.notFound(qualified, name));
        ReadApi.read(ctx, plural, true, o);
    }

    /**
     * ReplicaSets are derived from a deployment's revisions, which time travel does not rebuild:
     * an {@code at} query is refused rather than silently answered with the present.
     */
    private static void refusePast(RoutingContext ctx) {
        refusePast(ctx, "replicasets", "deployment");
    }

    private static void refusePast(RoutingContext ctx, String derived, String owner) {
        if (ctx.queryParams().contains("at")) {
            throw Status.badRequest("at: time travel is not served for " + derived + "; ask for the " + owner
                    + " at that time (its revisions are in berth history)");
        }
    }
}
