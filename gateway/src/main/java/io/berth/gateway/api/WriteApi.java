package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.gateway.manifest.Intents;
import io.berth.gateway.manifest.ManifestOptions;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.gateway.manifest.ManifestProblem;
import io.berth.gateway.manifest.ManifestResult;
import io.berth.gateway.manifest.SecurityContextRules;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.policy.PodSecurity;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes are intents: validate with the manifest parser, append to {@code berth.intents} (idempotent,
 * acks=all), then — unless {@code ?wait=false} — answer once the view shows the change
 * (read-your-writes). The wait is a predicate over the view entry, checked by the {@link ViewCache}.
 */
public final class WriteApi implements AutoCloseable {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern RESOURCE = Pattern.compile("(\\w+) \"([^\"]*)\"");
    private final Vertx vertx;
    private final ViewCache cache;
    private final KafkaProducer<String, Intent> producer;
    private final long waitMs;
    private io.berth.gateway.rbac.Authorizer authorizer;
    private io.berth.gateway.rbac.RbacApi rbac;
    /** The admission policy's hostPath allow-list ({@code admission.host-paths}). */
    private final List<String> hostPaths;

    /** The sizes every intent must keep to ({@code max-replicas}); state-streams checks the same again. */
    private final io.berth.schemas.limits.Limits limits;
    private final Caps caps;
    /** Sends intents off the event loop, in order: the first send of a subject asks the schema registry over HTTP. */
    private final java.util.concurrent.ExecutorService sender = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gateway-intent-sender");
        t.setDaemon(true);
        return t;
    });

    public WriteApi(Vertx vertx, ViewCache cache, BerthConfig config, SchemaRegistryClient registry) {
        this.vertx = vertx;
        this.cache = cache;
        this.waitMs = config.getLong("gateway-write-wait-ms", 10_000);
        this.hostPaths = PodSecurity.hostPaths(config.get(PodSecurity.HOST_PATHS_KEY, ""));
        this.limits = io.berth.schemas.limits.Limits.from(config);
        this.caps = new Caps(config);
        Properties p = config.clientProps("berth-gateway-intents");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        producer = new KafkaProducer<>(p, new StringSerializer(), new BerthSerdes(registry).value(Intent.class).serializer());
        producer.partitionsFor(Topics.INTENTS.name()); // fetch metadata now, so send() never blocks the event loop
    }

    /** Authorizes each object of an apply ({@code create} or {@code patch}) and takes RBAC objects in applies to {@code rbac}. */
    public void authorizeWith(io.berth.gateway.rbac.Authorizer authorizer, io.berth.gateway.rbac.RbacApi rbac) {
        this.authorizer = authorizer;
        this.rbac = rbac;
    }

    private io.berth.gateway.config.ConfigApi configs;

    /** Takes Secrets and ConfigMaps in applies to {@code configs}. */
    public void configsWith(io.berth.gateway.config.ConfigApi configs) {
        this.configs = configs;
        configs.onContentChange(this::rollOutOn);
    }

    /**
     * Rolls out every Deployment and DaemonSet of {@code namespace} annotated {@code berth.io/rollout-on} with
     * {@code trigger} (a ConfigMap or Secret whose content changed at resourceVersion {@code version}): the
     * restart {@code kubectl rollout restart} makes, stamped {@code berth.io/triggered-by: TRIGGER@VERSION}, with a
     * change-cause and an actor ({@code rollout-on/TRIGGER}) naming the trigger. One intent per workload and change
     * (a deterministic id, so a retry is applied once); a workload already stamped with this change is skipped.
     * Completes with the number of intents produced, once the broker has them.
     */
    public Future<Integer> rollOutOn(io.berth.gateway.manifest.RolloutTriggers.Trigger trigger, String namespace, String version, String detail) {
        return rollOut(trigger, namespace, io.berth.gateway.manifest.RolloutTriggers.stamp(trigger, version), detail, e -> true);
    }

    /**
     * Rolls out the Deployments and DaemonSets of {@code namespace} annotated {@code berth.io/rollout-on: image} whose
     * template runs {@code ref}, which a node reported now resolves to {@code imageId} (ImageTagMoved): once per
     * workload and image id, with change-cause {@code rollout-on: image app:latest changed to sha256:0123456789ab}.
     */
    public Future<Integer> rollOutOnImage(String namespace, String ref, String imageId) {
        var t = io.berth.gateway.manifest.RolloutTriggers.Trigger.of(io.berth.gateway.manifest.RolloutTriggers.Trigger.IMAGE, "");
        String shortId = imageId.length() > 19 ? imageId.substring(0, 19) : imageId;
        return rollOut(t, namespace, "image/" + ref + "@" + imageId, ref + " changed to " + shortId,
                e -> io.berth.gateway.manifest.RolloutTriggers.runs(e.object(), ref));
    }

    private Future<Integer> rollOut(io.berth.gateway.manifest.RolloutTriggers.Trigger trigger, String namespace, String stamp, String detail,
                                    Predicate<ViewCache.Entry> which) {
        String cause = io.berth.gateway.manifest.RolloutTriggers.changeCause(trigger, detail);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (String kind : List.of("Deployment", "DaemonSet")) {
            for (ViewCache.Entry e : cache.list(Topics.WORKLOADS, kind, namespace).items()) {
                Intent i = which.test(e) ? triggered(e, trigger, stamp, cause) : null;
                if (i != null) sent.add(produce(i));
            }
        }
        return Future.all(sent).map(all -> sent.size());
    }

    /** The restart intent of one workload for one change, or null when it did not ask for the trigger or already has it. */
    private Intent triggered(ViewCache.Entry e, io.berth.gateway.manifest.RolloutTriggers.Trigger trigger, String stamp, String cause) {
        if (!io.berth.gateway.manifest.RolloutTriggers.asks(io.berth.gateway.manifest.RolloutTriggers.annotations(e.object()), trigger)
                || io.berth.gateway.manifest.RolloutTriggers.alreadyTriggered(e.object(), stamp)) {
            return null;
        }
        JsonNode restarted = io.berth.gateway.manifest.RolloutTriggers.restarted(e.object(), stamp, cause, java.time.Instant.now());
        String id = io.berth.gateway.manifest.RolloutTriggers.intentId(e.key(), stamp);
        ManifestOptions o = ManifestOptions.defaults().withNamespace(e.namespace(), true).withActor("rollout-on/" + trigger.text())
                .withLimits(limits).withClock(java.time.Clock.systemUTC(), () -> id);
        ManifestResult r = new ManifestParser(o).parse("", restarted.toString());
        if (!r.ok() || r.intents().size() != 1) {
            org.slf4j.LoggerFactory.getLogger(WriteApi.class).warn("rollout-on {}: cannot restart {}: {}", trigger.text(), e.key(), r.errors());
            return null;
        }
        return r.intents().get(0);
    }

    public void mount(Router router) {
        // no uploads to disk; an apply up to gateway-max-body-bytes, one object up to gateway-max-object-body-bytes
        BodyHandler body = caps.objectBody();
        router.post("/apis/berth.io/v1/apply").handler(caps.applyBody()).handler(this::handleApply);
        router.post("/apis/berth.io/v1/nodes/:name/drain").handler(body).handler(this::handleDrain);
        router.patch("/api/v1/nodes/:name").handler(body).handler(this::handleNodePatch);
        router.get("/apis/apps/v1/namespaces/:ns/deployments/:name/scale").handler(this::handleGetScale);
        router.put("/apis/apps/v1/namespaces/:ns/deployments/:name/scale").handler(body).handler(this::handlePutScale);
        router.patch("/apis/apps/v1/namespaces/:ns/deployments/:name/scale").handler(body).handler(this::handlePutScale);
        router.get("/apis/apps/v1/namespaces/:ns/statefulsets/:name/scale").handler(this::handleGetScale);
        router.put("/apis/apps/v1/namespaces/:ns/statefulsets/:name/scale").handler(body).handler(this::handlePutScale);
        router.patch("/apis/apps/v1/namespaces/:ns/statefulsets/:name/scale").handler(body).handler(this::handlePutScale);
        for (Resource r : List.of(Resource.PODS, Resource.SERVICES, Resource.DEPLOYMENTS, Resource.DAEMONSETS, Resource.STATEFULSETS,
                Resource.JOBS, Resource.CRONJOBS, Resource.HORIZONTALPODAUTOSCALERS)) {
            for (Served v : Served.of(r)) {
                String base = v.prefix() + "/namespaces/:ns/" + r.plural;
                router.post(base).handler(body).handler(ctx -> handleCreate(ctx, v));
                router.put(base + "/:name").handler(body).handler(ctx -> handleReplace(ctx, v));
                router.patch(base + "/:name").handler(body).handler(ctx -> handlePatch(ctx, v));
                router.delete(base + "/:name").handler(body).handler(ctx -> handleDelete(ctx, r));
            }
        }
        router.post("/api/v1/namespaces/:ns/pods/:name/eviction").handler(body).handler(this::handleEvict);
        router.post("/api/v1/namespaces").handler(body).handler(this::handleCreateNamespace);
        router.put("/api/v1/namespaces/:name").handler(body).handler(this::handleReplaceNamespace);
        router.patch("/api/v1/namespaces/:name").handler(body).handler(this::handlePatchNamespace);
        router.delete("/api/v1/namespaces/:name").handler(body).handler(this::handleDeleteNamespace);
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(io.berth.schemas.service.Shutdown.CLIENT_CLOSE);
    }

    // ---- handlers ----

    /**
     * Every object is checked and authorized before any is written: one the user may not create (or
     * patch, when it exists) refuses the whole apply with 403. RBAC objects go to the RBAC store.
     */
    private void handleApply(RoutingContext ctx) {
        refuseDryRun(ctx, "the berth.io apply");
        String ns = ctx.queryParams().get("namespace");
        io.berth.gateway.rbac.RbacApi.Split split = rbac == null ? new io.berth.gateway.rbac.RbacApi.Split(List.of(), ctx.body().asString())
                : io.berth.gateway.rbac.RbacApi.split(ctx.body().asString());
        // Secrets and ConfigMaps never reach the manifest parser (nor berth.intents): they go to berth.configs
        io.berth.gateway.config.ConfigApi.Split configSplit = configs == null ? new io.berth.gateway.config.ConfigApi.Split(List.of(), split.rest())
                : io.berth.gateway.config.ConfigApi.split(split.rest());
        boolean others = split.rbac().isEmpty() && configSplit.configs().isEmpty() || !configSplit.rest().isBlank();
        // ResourceQuotas and LimitRanges of the same apply count for its workloads, as when kubectl applies them in order
        List<io.berth.gateway.config.ConfigObjects.Parsed> configObjects = new ArrayList<>();
        for (JsonNode d : configSplit.configs()) configObjects.add(configs.prepareApply(ctx, d, ns));
        List<Intent> intents = others ? parse(ctx, configSplit.rest(), ns, false,
                configObjects.stream().map(io.berth.gateway.config.ConfigObjects.Parsed::object).toList()).intents() : List.of();
        for (Intent i : intents) authorize(ctx, i);
        List<io.berth.gateway.rbac.RbacObjects.Parsed> rbacObjects = new ArrayList<>();
        for (JsonNode d : split.rbac()) rbacObjects.add(rbac.prepareApply(ctx, d, ns));
        List<Future<JsonNode>> results = new ArrayList<>();
        for (io.berth.gateway.rbac.RbacObjects.Parsed p : rbacObjects) results.add(rbac.applyPrepared(ctx, p));
        // configs before the pods that use them: a pod's node finds them when it starts the container
        List<Future<JsonNode>> configsWritten = new ArrayList<>();
        for (io.berth.gateway.config.ConfigObjects.Parsed p : configObjects) configsWritten.add(configs.applyPrepared(ctx, p));
        results.addAll(configsWritten);
        // Namespaces first, and the rest once they are applied: a pod admitted at its namespace's new
        // level then reaches state-streams after the namespace's view (which it admits by, too).
        List<Future<JsonNode>> namespaces = new ArrayList<>();
        for (Intent i : intents) if (i.getKind() == ResourceKind.NAMESPACE) namespaces.add(applyOne(ctx, i).map(Outcome::body));
        List<Future<JsonNode>> firsts = new ArrayList<>(namespaces);
        firsts.addAll(configsWritten);
        Future<?> namespacesDone = firsts.isEmpty() ? Future.succeededFuture() : Future.join(firsts).otherwiseEmpty();
        java.util.Iterator<Future<JsonNode>> nsDone = namespaces.iterator();
        for (Intent i : intents) {
            results.add(i.getKind() == ResourceKind.NAMESPACE ? nsDone.next() : namespacesDone.compose(v -> applyOne(ctx, i).map(Outcome::body)));
        }
        Future.join(results).onComplete(ar -> {
            ObjectNode list = ReadApi.MAPPER.createObjectNode().put("kind", "List").put("apiVersion", "v1");
            list.putObject("metadata").put("resourceVersion", "");
            ArrayNode items = list.putArray("items");
            for (Future<JsonNode> f : results) items.add(f.succeeded() ? f.result() : failureBody(f.cause()));
            ReadApi.json(ctx, waits(ctx) ? 200 : 202, list);
        });
    }

    private void handleCreate(RoutingContext ctx, Served v) {
        Resource r = v.resource();
        String ns = ctx.pathParam("ns");
        String text = KubeProtobuf.bodyText(ctx); // JSON or YAML; protobuf where KubeProtobuf accepts it (kubectl autoscale)
        Intent i = single(parse(ctx, text, ns, true), r);
        if (existing(r, ns, i.getName()) != null) throw Status.alreadyExists(r.qualified(), i.getName());
        if (dryRun(ctx)) {
            ObjectNode o = (ObjectNode) firstDocument(text).deepCopy();
            ((ObjectNode) o.with("metadata")).put("namespace", i.getNamespace());
            respond(ctx, Future.succeededFuture(new Outcome(201, o)));
            return;
        }
        respond(ctx, applyOne(ctx, i).map(o -> o.at(v)));
    }

    private void handleCreateNamespace(RoutingContext ctx) {
        refuseDryRun(ctx, "namespaces");
        ManifestResult parsed = parse(ctx, KubeProtobuf.bodyText(ctx), null, false);
        if (parsed.intents().size() != 1 || parsed.intents().get(0).getKind() != ResourceKind.NAMESPACE) {
            throw Status.badRequest("the body must be one v1 Namespace");
        }
        Intent i = parsed.intents().get(0);
        if (cache.namespaces().contains(i.getName())) throw Status.alreadyExists("namespaces", i.getName());
        respond(ctx, applyOne(ctx, i));
    }

    private void handleReplaceNamespace(RoutingContext ctx) {
        refuseDryRun(ctx, "namespaces");
        Intent i = namespaceIntent(parse(ctx, ctx.body().asString(), null, false), ctx.pathParam("name"));
        respond(ctx, applyOne(ctx, i));
    }

    /** {@code kubectl label ns}: a merge patch of the namespace (labels, annotations), applied as the whole namespace. */
    private void handlePatchNamespace(RoutingContext ctx) {
        refuseDryRun(ctx, "namespaces");
        String name = ctx.pathParam("name");
        String type = String.valueOf(ctx.request().getHeader("content-type"));
        String manifest;
        if (type.contains("apply-patch")) {
            manifest = ctx.body().asString();
        } else {
            ObjectNode merged = cache.namespace(name).orElseThrow(() -> Status.notFound("namespaces", name)).deepCopy();
            merged.remove("status");
            merged.remove("spec");
            ObjectNode md = (ObjectNode) merged.path("metadata");
            for (String server : List.of("uid", "resourceVersion", "creationTimestamp")) md.remove(server);
            if (md.get("labels") instanceof ObjectNode labels) labels.remove("kubernetes.io/metadata.name");
            manifest = Patches.apply(merged, type, firstDocument(ctx.body().asString())).toString();
        }
        respond(ctx, applyOne(ctx, namespaceIntent(parse(ctx, manifest, null, false), name)));
    }

    /**
     * {@code kubectl delete namespace}: the namespace is marked Terminating (its deletion time stored on its
     * view, so any gateway, also after a restart, carries on) and answered 200 with the namespace as it
     * is now; the {@link #sweepNamespaces sweep} then deletes what it holds and, once it is empty, the
     * namespace. The built-in namespaces may not be deleted, as kube-apiserver refuses.
     */
    private void handleDeleteNamespace(RoutingContext ctx) {
        refuseDryRun(ctx, "namespaces");
        String name = ctx.pathParam("name");
        if (ViewCache.BUILT_IN_NAMESPACES.contains(name)) {
            throw new ApiException(Status.failure(403, "Forbidden", "namespaces \"" + name + "\" is forbidden: this namespace may not be deleted", "namespaces", name));
        }
        ObjectNode current = cache.namespace(name).orElseThrow(() -> Status.notFound("namespaces", name));
        if (authorizer != null) {
            authorizer.check(io.berth.gateway.rbac.Attributes.resource(Guard.user(ctx), "delete", "", "namespaces", "", "", name));
        }
        if (cache.terminating(name).isPresent()) {
            ReadApi.json(ctx, 200, current);
            return;
        }
        ViewCache.Entry view = cache.byKey(Topics.WORKLOADS, ViewCache.namespaceKey(name)).orElse(null);
        Map<String, String> labels = view != null && view.value() instanceof WorkloadView w ? w.getLabels() : Map.of();
        Map<String, String> annotations = new java.util.TreeMap<>(view != null && view.value() instanceof WorkloadView w ? w.getAnnotations() : Map.of());
        annotations.put(io.berth.gateway.view.KubeObjects.DELETION_ANNOTATION, Long.toString(System.currentTimeMillis()));
        Intent i = Intents.forActor(actor(ctx)).apply(ResourceKind.NAMESPACE, "", name, labels, annotations, null);
        Predicate<ViewCache.Entry> marked = now -> now == null || now.object().path("metadata").has("deletionTimestamp");
        respond(ctx, produce(i).compose(md -> cache.await(Topics.WORKLOADS, ViewCache.namespaceKey(name), marked, vertx.getOrCreateContext(), waitMs)
                .map(now -> new Outcome(200, now == null ? current : now.object()))
                .recover(err -> Future.succeededFuture(timedOut(ctx, i, md)))));
    }

    /** What the quotas of a namespace count as used now (a quota's {@code status.used}). */
    public Map<String, Long> quotaUsed(String namespace) {
        return configs == null ? Map.of() : new ResourceAdmission(cache, configs).used(namespace, "");
    }

    /** Who deletes a terminating namespace's objects, in the audit (Kubernetes' namespace controller). */
    static final String NAMESPACE_CONTROLLER = "system:serviceaccount:kube-system:namespace-controller";

    /** Keys whose delete intent this gateway sent, and when: sent again only after a while (the sweep runs every second). */
    private final Map<String, Long> sweptAt = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * One pass of the namespace sweep (every gateway runs it; the deletes are idempotent): for each namespace
     * being terminated, delete intents for its workloads (their pods go with them) and their autoscalers, tombstones for its
     * ConfigMaps, Secrets, ResourceQuotas, LimitRanges, Roles and RoleBindings; once nothing is left (no pod
     * either), the namespace's own delete intent.
     */
    public void sweepNamespaces() {
        long now = System.currentTimeMillis();
        for (String ns : cache.terminatingNamespaces()) {
            Intents intents = Intents.forActor(NAMESPACE_CONTROLLER);
            List<WorkloadView> workloads = cache.workloadsIn(ns);
            for (WorkloadView w : workloads) {
                if (now - sweptAt.getOrDefault(w.getKey(), 0L) < 10_000) continue;
                sweptAt.put(w.getKey(), now);
                if (w.getAutoscaler() != null) { // its HPA, routed to it by the spec it carries (state-streams keeps an orphan HPA)
                    produce(Intent.newBuilder(intents.delete(ResourceKind.HORIZONTALPODAUTOSCALER, ns, w.getAutoscaler().getName()))
                            .setHpa(w.getAutoscaler().getSpec()).build());
                }
                produce(intents.delete(w.getKind(), ns, w.getName()));
            }
            int configsLeft = configs == null ? 0 : configs.countIn(ns);
            int rbacLeft = rbac == null ? 0 : rbac.countIn(ns);
            String sweepKey = "configs/" + ns;
            if ((configsLeft > 0 || rbacLeft > 0) && now - sweptAt.getOrDefault(sweepKey, 0L) >= 10_000) {
                sweptAt.put(sweepKey, now);
                if (configs != null) configs.deleteAllIn(ns, NAMESPACE_CONTROLLER);
                if (rbac != null) rbac.deleteAllIn(ns, NAMESPACE_CONTROLLER);
            }
            String nsKey = ViewCache.namespaceKey(ns);
            if (workloads.isEmpty() && configsLeft == 0 && rbacLeft == 0 && cache.podsIn(ns) == 0
                    && now - sweptAt.getOrDefault(nsKey, 0L) >= 10_000) {
                sweptAt.put(nsKey, now);
                produce(intents.delete(ResourceKind.NAMESPACE, "", ns));
            }
        }
        sweptAt.entrySet().removeIf(e -> now - e.getValue() > 60_000);
    }

    private static Intent namespaceIntent(ManifestResult parsed, String name) {
        if (parsed.intents().size() != 1 || parsed.intents().get(0).getKind() != ResourceKind.NAMESPACE) {
            throw Status.badRequest("the body must be one v1 Namespace");
        }
        Intent i = parsed.intents().get(0);
        if (!i.getName().equals(name)) {
            throw Status.badRequest("the name of the object (" + i.getName() + ") does not match the name on the URL (" + name + ")");
        }
        return i;
    }

    private void handleReplace(RoutingContext ctx, Served v) {
        Resource r = v.resource();
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name");
        String text = ctx.body().asString();
        Intent i = single(parse(ctx, text, ns, true), r);
        if (!i.getName().equals(name)) {
            throw Status.badRequest("the name of the object (" + i.getName() + ") does not match the name on the URL (" + name + ")");
        }
        checkResourceVersion(r, ns, name, firstDocument(text).path("metadata").path("resourceVersion").asText(""));
        if (dryRun(ctx)) {
            ViewCache.Entry e = existing(r, ns, name);
            if (e == null) throw Status.notFound(r.qualified(), name);
            respond(ctx, Future.succeededFuture(new Outcome(200, dryRunResult(v.out(e.object()), firstDocument(text)))));
            return;
        }
        respond(ctx, applyOne(ctx, i).map(o -> o.at(v)));
    }

    /** apply-patch+yaml is a full manifest; a merge patch is merged into the current object first. Both then apply. */
    private void handlePatch(RoutingContext ctx, Served v) {
        Resource r = v.resource();
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name");
        String type = String.valueOf(ctx.request().getHeader("content-type"));
        JsonNode patch = firstDocument(ctx.body().asString());
        String manifest;
        ViewCache.Entry e = existing(r, ns, name);
        if (type.contains("apply-patch")) {
            manifest = ctx.body().asString();
        } else {
            if (e == null) throw Status.notFound(r.qualified(), name);
            // the patch is of the object as the URL's version shows it (a v1 HPA's round-trip annotations keep its v2 fields)
            ObjectNode merged = v.converted() ? (ObjectNode) v.out(e.object()) : e.object().deepCopy();
            merged.remove("status");
            manifest = Patches.apply(merged, type, patch).toString();
        }
        checkResourceVersion(r, ns, name, patch.path("metadata").path("resourceVersion").asText(""));
        Intent i = single(parse(ctx, manifest, ns, true), r);
        if (dryRun(ctx)) {
            if (e == null) throw Status.notFound(r.qualified(), name);
            respond(ctx, Future.succeededFuture(new Outcome(200, dryRunResult(v.out(e.object()), firstDocument(manifest)))));
            return;
        }
        respond(ctx, applyOne(ctx, i).map(o -> o.at(v)));
    }

    private void handleDelete(RoutingContext ctx, Resource r) {
        String name = ctx.pathParam("name");
        String text = KubeProtobuf.bodyText(ctx);
        JsonNode options = text.isBlank() ? null : firstDocument(text);
        propagation(r, options, ctx.request().getParam("propagationPolicy"), ctx.request().getParam("orphanDependents"));
        JsonNode pre = preconditions(options);
        delete(ctx, r, pre, e -> {
            ObjectNode s = Status.success(r.qualified() + " \"" + name + "\" deleted");
            s.putObject("details").put("name", name).put("kind", r.plural).put("uid", e.object().path("metadata").path("uid").asText());
            return new Outcome(200, s);
        });
    }

    /**
     * The eviction subresource ({@code policy/v1} Eviction, what {@code kubectl drain} posts): Berth has
     * no PodDisruptionBudgets, so as on Kubernetes without one the pod is deleted (its controller
     * replaces it) and the answer is 201 with a Success Status. The body's name must be the URL's.
     */
    private void handleEvict(RoutingContext ctx) {
        refuseDryRun(ctx, "eviction");
        String name = ctx.pathParam("name");
        String text = KubeProtobuf.bodyText(ctx);
        JsonNode pre = null;
        if (!text.isBlank()) {
            JsonNode eviction = firstDocument(text);
            String named = eviction.path("metadata").path("name").asText("");
            if (!named.isEmpty() && !named.equals(name)) {
                throw Status.badRequest("name in URL does not match name in Eviction object");
            }
            pre = preconditions(eviction.path("deleteOptions"));
        }
        delete(ctx, Resource.PODS, pre, e -> new Outcome(201, Status.success("").put("code", 201)));
    }

    /**
     * The DeleteOptions' {@code propagationPolicy} (body or query; {@code orphanDependents}, its deprecated
     * form): Background (kubectl's default) and Foreground delete a Deployment's pods with it, as Berth
     * always does; Orphan would leave them running without an owner, which Berth's control loop cannot
     * (a task lives only under its workload), so it is refused for a Deployment instead of being ignored.
     * A pod has no dependents: any policy is accepted. Another value is invalid, as kube-apiserver says.
     */
    static void propagation(Resource r, JsonNode options, String queryPolicy, String queryOrphan) {
        String policy = queryPolicy;
        if (options != null && options.hasNonNull("propagationPolicy")) policy = options.get("propagationPolicy").asText();
        boolean orphan = "true".equals(queryOrphan) || options != null && options.path("orphanDependents").asBoolean(false);
        if (policy != null && !List.of("Background", "Foreground", "Orphan").contains(policy)) {
            throw Status.invalid("DeleteOptions", "", List.of(new ManifestProblem("", 1, "", "propagationPolicy",
                    "Unsupported value: \"" + policy + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"")));
        }
        if ((orphan || "Orphan".equals(policy)) && (r == Resource.DEPLOYMENTS || r == Resource.DAEMONSETS || r == Resource.STATEFULSETS
                || r == Resource.JOBS || r == Resource.CRONJOBS)) {
            throw Status.badRequest("propagationPolicy Orphan is not supported by Berth: a " + r.kind + "'s "
                    + (r == Resource.CRONJOBS ? "jobs and their pods are" : "pods are") + " deleted with it "
                    + "(use Background or Foreground, e.g. kubectl delete --cascade=background)");
        }
    }

    /** The preconditions of the DeleteOptions a client sent (null or missing: none), checked against the object by {@link #delete}; dry run is refused (not supported). */
    private static JsonNode preconditions(JsonNode o) {
        if (o == null) return null;
        if (o.path("dryRun").isArray() && !o.path("dryRun").isEmpty()) {
            throw Status.badRequest("dryRun is not supported on delete by Berth");
        }
        return o.path("preconditions");
    }

    /** Deletes the object of the URL: a delete intent, then (unless the client will not wait) the answer once it is terminating or gone. */
    private void delete(RoutingContext ctx, Resource r, JsonNode pre, java.util.function.Function<ViewCache.Entry, Outcome> done) {
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name");
        ViewCache.Entry e = existing(r, ns, name);
        if (e == null) throw Status.notFound(r.qualified(), name);
        if (pre != null && !pre.isMissingNode()) {
            String uid = pre.path("uid").asText(""), rv = pre.path("resourceVersion").asText("");
            JsonNode meta = e.object().path("metadata");
            if (!uid.isEmpty() && !uid.equals(meta.path("uid").asText())) {
                throw Status.conflict(r.qualified(), name, "Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + meta.path("uid").asText());
            }
            if (!rv.isEmpty() && !rv.equals(meta.path("resourceVersion").asText())) {
                throw Status.conflict(r.qualified(), name, "Precondition failed: ResourceVersion in precondition: " + rv
                        + ", ResourceVersion in object meta: " + meta.path("resourceVersion").asText());
            }
        }
        Intent asked = Intents.forActor(actor(ctx)).delete(r.berthKind, ns, intentName(r, e, ns, name));
        Intent i = r == Resource.HORIZONTALPODAUTOSCALERS && e.value() instanceof WorkloadView target && target.getAutoscaler() != null
                ? Intent.newBuilder(asked).setHpa(target.getAutoscaler().getSpec()).build()  // state-streams routes it to its target
                : asked;
        ownedPod(r, e).ifPresent(owner -> {
            // a controller's pod is deleted by its task id (state-streams routes it to the owner the annotation names)
            i.setName(((TaskView) e.value()).getTaskId());
            i.setAnnotations(Map.of(Topics.POD_OWNER_KIND_ANNOTATION, owner));
        });
        Predicate<ViewCache.Entry> gone = now -> now == null || now.object().path("metadata").has("deletionTimestamp");
        Future<Outcome> f = produce(i).compose(md -> !waits(ctx) ? Future.succeededFuture(receipt(i, md))
                : cache.await(r.topic, e.key(), gone, vertx.getOrCreateContext(), waitMs)
                .map(now -> done.apply(e)).recover(err -> Future.succeededFuture(timedOut(ctx, i, md))));
        respond(ctx, f);
    }

    /**
     * The name a delete intent carries: a bare pod is deleted by its own (manifest) name, which is
     * its workload's; a deployment's pod by its pod name (state-streams routes it to the owner).
     */
    private static String intentName(Resource r, ViewCache.Entry e, String ns, String name) {
        String workload = e.object().path("metadata").path("annotations").path("berth.io/workload").asText("");
        String barePrefix = ns + "/pod/";
        return r == Resource.PODS && workload.startsWith(barePrefix) ? workload.substring(barePrefix.length()) : name;
    }

    /** The kind of the controller a pod's delete is routed to (Job, DaemonSet, StatefulSet), or empty (a bare or a Deployment's pod). */
    private static java.util.Optional<String> ownedPod(Resource r, ViewCache.Entry e) {
        if (r != Resource.PODS || !(e.value() instanceof TaskView t)) return java.util.Optional.empty();
        String[] owner = t.getWorkloadKey().split("/", 3);
        if (owner.length < 3) return java.util.Optional.empty();
        return switch (owner[1]) {
            case "job" -> java.util.Optional.of("Job");
            case "daemonset" -> java.util.Optional.of("DaemonSet");
            case "statefulset" -> java.util.Optional.of("StatefulSet");
            default -> java.util.Optional.empty();
        };
    }

    /** The scale subresource's owner: a deployment or a stateful set, by the URL. */
    private static Resource scaled(RoutingContext ctx) {
        return ctx.request().path().contains("/statefulsets/") ? Resource.STATEFULSETS : Resource.DEPLOYMENTS;
    }

    private void handleGetScale(RoutingContext ctx) {
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name");
        Resource r = scaled(ctx);
        ViewCache.Entry e = existing(r, ns, name);
        if (e == null) throw Status.notFound(r.qualified(), name);
        ReadApi.json(ctx, 200, scale(e));
    }

    private void handlePutScale(RoutingContext ctx) {
        refuseDryRun(ctx, "the scale subresource");
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name");
        Resource r = scaled(ctx);
        ViewCache.Entry e = existing(r, ns, name);
        if (e == null) throw Status.notFound(r.qualified(), name);
        JsonNode body = firstDocument(ctx.body().asString());
        if (ctx.request().method() == io.vertx.core.http.HttpMethod.PATCH) {
            // kubectl scale patches the Scale: {"spec":{"replicas":N}} onto the current one
            body = Patches.apply(scale(e), ctx.request().getHeader("content-type"), body);
        }
        JsonNode replicas = body.path("spec").path("replicas");
        if (!replicas.isIntegralNumber() || replicas.canConvertToLong() && replicas.asLong() < 0) {
            throw Status.invalid("Scale", name, List.of(new ManifestProblem("", 1, "", "spec.replicas",
                    "Invalid value: " + replicas + ": must be greater than or equal to 0")));
        }
        if (!replicas.isInt()) {
            throw Status.invalid("Scale", name, List.of(new ManifestProblem("", 1, "", "spec.replicas",
                    "Invalid value: " + replicas + ": must be less than or equal to " + limits.maxReplicas())));
        }
        checkResourceVersion(r, ns, name, body.path("metadata").path("resourceVersion").asText(""));
        int n = replicas.asInt();
        Intent i = Intents.forActor(actor(ctx)).scale(r.berthKind, ns, name, n);
        List<io.berth.schemas.limits.Limits.Violation> beyond = limits.checkAll(i);
        if (!beyond.isEmpty()) {
            throw Status.invalid("Scale", name, beyond.stream().map(v -> new ManifestProblem("", 1, "", v.field(), v.detail())).toList());
        }
        if (configs != null) new ResourceAdmission(cache, configs).admitScale((WorkloadView) e.value(), n);
        long[] before = cache.position(Topics.WORKLOADS);
        Predicate<ViewCache.Entry> applied = now -> now != null && (stamped(now, i)
                || (unstamped(now) && newer(now, before) && now.object().path("spec").path("replicas").asInt(-1) == n));
        respond(ctx, produce(i).compose(md -> !waits(ctx) ? Future.succeededFuture(receipt(i, md))
                : cache.await(Topics.WORKLOADS, Intents.key(i), applied, vertx.getOrCreateContext(), waitMs)
                .map(now -> new Outcome(200, scale(now))).recover(err -> Future.succeededFuture(timedOut(ctx, i, md)))));
    }

    private void handleNodePatch(RoutingContext ctx) {
        refuseDryRun(ctx, "nodes");
        String name = ctx.pathParam("name");
        ViewCache.Entry e = cache.get(Topics.NODES, "Node", null, name).orElseThrow(() -> Status.notFound("nodes", name));
        JsonNode unschedulable = firstDocument(ctx.body().asString()).path("spec").path("unschedulable");
        // kubectl uncordon sends null (the field deleted: the default, schedulable)
        if (unschedulable.isNull()) unschedulable = com.fasterxml.jackson.databind.node.BooleanNode.FALSE;
        if (!unschedulable.isBoolean()) {
            throw Status.invalid("Node", name, List.of(new ManifestProblem("", 1, "", "spec.unschedulable",
                    "Invalid value: " + unschedulable + ": Berth patches only spec.unschedulable (true or false)")));
        }
        boolean cordon = unschedulable.asBoolean();
        Intent i = nodeIntent(ctx, cordon ? IntentAction.CORDON : IntentAction.UNCORDON, e.key());
        Predicate<ViewCache.Entry> applied = now -> now != null && now.object().path("spec").path("unschedulable").asBoolean() == cordon;
        respond(ctx, produce(i).compose(md -> !waits(ctx) ? Future.succeededFuture(receipt(i, md))
                : cache.await(Topics.NODES, e.key(), applied, vertx.getOrCreateContext(), waitMs)
                .map(now -> new Outcome(200, now.object())).recover(err -> Future.succeededFuture(timedOut(ctx, i, md)))));
    }

    private void handleDrain(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        ViewCache.Entry e = cache.get(Topics.NODES, "Node", null, name).orElseThrow(() -> Status.notFound("nodes", name));
        Intent i = nodeIntent(ctx, IntentAction.DRAIN, e.key());
        respond(ctx, produce(i).map(md -> new Outcome(202, receipt(i, md).body())));
    }

    // ---- applying one intent ----

    record Outcome(int code, JsonNode body) {
        /** The answer at the URL's version: an object of the resource converted to it; a receipt or a Status as it is. */
        Outcome at(Served v) {
            return v.converted() && v.resource().kind.equals(body.path("kind").asText()) ? new Outcome(code, v.out(body)) : this;
        }
    }

    /** Produces the intent and, unless {@code wait=false}, waits for the workload view to show it. */
    private Future<Outcome> applyOne(RoutingContext ctx, Intent i) {
        String key = Intents.key(i);
        ApiException clash = serviceClash(i, key);
        if (clash != null) return Future.failedFuture(clash);
        ViewCache.Entry before = cache.byKey(Topics.WORKLOADS, key).orElse(null);
        ApiException podSpec = podSpecChange(i, before);
        if (podSpec == null) podSpec = JobUpdates.immutable(i, before == null ? null : before.value());
        if (podSpec == null && before == null) podSpec = managedPod(i);
        if (podSpec != null) return Future.failedFuture(podSpec);
        long[] position = cache.position(Topics.WORKLOADS);
        long beforeGeneration = before == null ? -1 : ((WorkloadView) before.value()).getGeneration();
        boolean unchanged = before != null && unchanged(i, (WorkloadView) before.value());
        if (i.getKind() == ResourceKind.HORIZONTALPODAUTOSCALER) return applyHpa(ctx, i, key, before, position);
        Predicate<ViewCache.Entry> applied = now -> now != null && (unchanged || stamped(now, i) || (unstamped(now) && newer(now, position)
                && (i.getKind() != ResourceKind.DEPLOYMENT && i.getKind() != ResourceKind.DAEMONSET && i.getKind() != ResourceKind.STATEFULSET
                || ((WorkloadView) now.value()).getGeneration() > beforeGeneration)));
        int code = before == null ? 201 : 200;
        return produce(i).compose(md -> !waits(ctx) ? Future.succeededFuture(receipt(i, md))
                : cache.await(Topics.WORKLOADS, key, applied, vertx.getOrCreateContext(), waitMs)
                .map(now -> new Outcome(code, resultObject(i, now))).recover(err -> Future.succeededFuture(timedOut(ctx, i, md))));
    }

    /**
     * An HPA is shown in its target's view, which state-streams writes without stamping the HPA's intent: applied once
     * the HPA's entry shows its spec, labels and annotations from a record newer than the send (at once when it
     * already shows them: nothing to change).
     */
    private Future<Outcome> applyHpa(RoutingContext ctx, Intent i, String key, ViewCache.Entry before, long[] position) {
        Predicate<ViewCache.Entry> shows = e -> e != null && e.value() instanceof WorkloadView w && w.getAutoscaler() != null
                && w.getAutoscaler().getName().equals(i.getName()) && w.getAutoscaler().getSpec().equals(i.getHpa())
                && w.getAutoscaler().getLabels().equals(i.getLabels()) && w.getAutoscaler().getAnnotations().equals(i.getAnnotations());
        boolean unchanged = shows.test(before);
        Predicate<ViewCache.Entry> applied = now -> unchanged ? now != null : shows.test(now) && newer(now, position);
        return produce(i).compose(md -> !waits(ctx) ? Future.succeededFuture(receipt(i, md))
                : cache.await(Topics.WORKLOADS, key, applied, vertx.getOrCreateContext(), waitMs)
                .map(now -> new Outcome(before == null ? 201 : 200, now.object())).recover(err -> Future.succeededFuture(timedOut(ctx, i, md))));
    }

    /**
     * Produces an intent and, unless {@code wait=false}, answers with {@code answer} once the view
     * entry of {@code key} satisfies {@code applied} (read-your-writes); 202 with the receipt when the
     * wait times out. For the rollout subresources ({@link RolloutApi}).
     */
    Future<Outcome> submit(RoutingContext ctx, Intent i, io.berth.schemas.Topic<?> topic, String key,
                           Predicate<ViewCache.Entry> applied, java.util.function.Function<ViewCache.Entry, Outcome> answer) {
        return produce(i).compose(md -> !waits(ctx) ? Future.succeededFuture(receipt(i, md))
                : cache.await(topic, key, applied, vertx.getOrCreateContext(), waitMs)
                .map(answer).recover(err -> Future.succeededFuture(timedOut(ctx, i, md))));
    }

    /** The object to answer with: the rendered view, or for pods and namespaces (whose view is elsewhere) their identity. */
    private static JsonNode resultObject(Intent i, ViewCache.Entry now) {
        if (i.getKind() == ResourceKind.DEPLOYMENT || i.getKind() == ResourceKind.DAEMONSET || i.getKind() == ResourceKind.STATEFULSET
                || i.getKind() == ResourceKind.JOB || i.getKind() == ResourceKind.CRONJOB
                || i.getKind() == ResourceKind.SERVICE || i.getKind() == ResourceKind.HORIZONTALPODAUTOSCALER
                || i.getKind() == ResourceKind.NAMESPACE) {
            return now.object();
        }
        ObjectNode o = ReadApi.MAPPER.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        o.putObject("metadata").put("name", i.getName()).put("namespace", i.getNamespace())
                .put("resourceVersion", now.object().path("metadata").path("resourceVersion").asText());
        return o;
    }

    /**
     * A pod of a Deployment, a DaemonSet or a Job is its controller's: an apply, replace or patch of it (kubectl label pod web-…) would
     * otherwise become a second, bare pod of the same name. Refused with 422, naming what to change instead.
     */
    private ApiException managedPod(Intent i) {
        if (i.getKind() != ResourceKind.POD || i.getAction() != IntentAction.APPLY) return null;
        ViewCache.Entry pod = existing(Resource.PODS, i.getNamespace(), i.getName());
        if (pod == null || !(pod.value() instanceof TaskView t) || t.getWorkloadKey().isEmpty()) return null;
        io.berth.schemas.audit.ResourceKey owner = io.berth.schemas.audit.ResourceKey.parse(t.getWorkloadKey());
        if (owner.kind().equals("job")) {
            // a Job's template is immutable: its pods are changed by running another Job
            return Status.invalid("Pod", i.getName(), List.of(new ManifestProblem("", 1, "", "metadata.ownerReferences",
                    "Forbidden: pod " + i.getName() + " is managed by job " + owner.name() + "; delete the Job and create it again with the "
                            + "changed template (a Job's spec.template is immutable)")));
        }
        if (owner.kind().equals("daemonset")) {
            return Status.invalid("Pod", i.getName(), List.of(new ManifestProblem("", 1, "", "metadata.ownerReferences",
                    "Forbidden: pod " + i.getName() + " is managed by daemonset " + owner.name() + "; change the DaemonSet's template "
                            + "(kubectl edit daemonset " + owner.name() + ") or delete the pod to have it replaced")));
        }
        if (owner.kind().equals("statefulset")) {
            return Status.invalid("Pod", i.getName(), List.of(new ManifestProblem("", 1, "", "metadata.ownerReferences",
                    "Forbidden: pod " + i.getName() + " is managed by statefulset " + owner.name() + "; change the StatefulSet's template "
                            + "(kubectl edit statefulset " + owner.name() + ") or delete the pod to have it recreated")));
        }
        if (!owner.kind().equals("deployment")) return null;
        return Status.invalid("Pod", i.getName(), List.of(new ManifestProblem("", 1, "", "metadata.ownerReferences",
                "Forbidden: pod " + i.getName() + " is managed by deployment " + owner.name() + "; change the Deployment's template "
                        + "(kubectl edit deployment " + owner.name() + ") or delete the pod to have it replaced")));
    }

    /** A running bare pod's spec cannot change (its metadata can: kubectl label / annotate); 422 as kube-apiserver answers. */
    static ApiException podSpecChange(Intent i, ViewCache.Entry before) {
        if (i.getKind() != ResourceKind.POD || i.getAction() != IntentAction.APPLY || before == null) return null;
        if (!(before.value() instanceof WorkloadView w) || w.getDeleted() || !(i.getPayload() instanceof io.berth.schemas.avro.PodSpec p)) return null;
        if (io.berth.schemas.PodUpdates.onlyMetadata(w.getDeployment().getTemplate(), p.getTemplate())) return null;
        return Status.invalid("Pod", i.getName(), List.of(new ManifestProblem("", 1, "", "spec", io.berth.schemas.PodUpdates.FORBIDDEN)));
    }

    /**
     * An apply that changes nothing (kubectl's "unchanged"): the view already shows what was asked, so
     * the reader already reads its write; no need to wait for a record state-streams may not emit.
     */
    static boolean unchanged(Intent i, WorkloadView w) {
        if (w.getDeleted() || !i.getLabels().equals(w.getLabels())) return false;
        return switch (i.getKind()) {
            case DEPLOYMENT, DAEMONSET -> i.getPayload() instanceof DeploymentSpec d && d.equals(w.getDeployment())
                    && i.getAnnotations().equals(w.getAnnotations());
            case STATEFULSET -> i.getPayload() instanceof DeploymentSpec d && d.equals(w.getDeployment())
                    && java.util.Objects.equals(i.getStatefulSet(), w.getStatefulSet()) && i.getAnnotations().equals(w.getAnnotations());
            case JOB -> i.getPayload() instanceof DeploymentSpec d && d.equals(w.getDeployment()) && java.util.Objects.equals(i.getJob(), w.getJob())
                    && i.getAnnotations().equals(w.getAnnotations());
            case CRONJOB -> i.getPayload() instanceof DeploymentSpec d && d.equals(w.getDeployment())
                    && java.util.Objects.equals(i.getCronJob(), w.getCronJob()) && i.getAnnotations().equals(w.getAnnotations());
            case SERVICE -> i.getPayload() instanceof ServiceSpec svc && svc.equals(w.getService());
            // a pod's spec cannot change (podSpecChange), its metadata can: unchanged when the metadata is
            case POD -> i.getAnnotations().equals(w.getAnnotations());
            case NAMESPACE -> true; // a namespace has no spec
            default -> false;
        };
    }

    private static boolean stamped(ViewCache.Entry e, Intent i) {
        return e.value() instanceof WorkloadView w && i.getIntentId().equals(w.getLastIntentId());
    }

    /** Until state-streams stamps lastIntentId, a newer record of the key is taken as the intent applied. */
    private static boolean unstamped(ViewCache.Entry e) {
        return !(e.value() instanceof WorkloadView w) || w.getLastIntentId() == null || w.getLastIntentId().isEmpty();
    }

    private static boolean newer(ViewCache.Entry e, long[] position) {
        return e.offset() >= position[e.partition()];
    }

    private Future<RecordMetadata> produce(Intent i) {
        Context context = vertx.getOrCreateContext();
        Promise<RecordMetadata> promise = Promise.promise();
        // serializing may call the registry (HTTP) and send may wait for metadata or buffer space: not on the loop
        try {
            sender.execute(() -> {
                try {
                    producer.send(new ProducerRecord<>(Topics.INTENTS.name(), Intents.key(i), i), (md, err) -> context.runOnContext(v -> {
                        if (err != null) promise.fail(err);
                        else promise.complete(md);
                        if (err == null) io.berth.gateway.prom.PromApi.intent(true, i.getKind());
                    }));
                } catch (RuntimeException e) {
                    context.runOnContext(v -> promise.fail(e));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            promise.fail(e);
        }
        return promise.future();
    }

    private static Outcome receipt(Intent i, RecordMetadata md) {
        ObjectNode o = ReadApi.MAPPER.createObjectNode().put("kind", "IntentReceipt").put("apiVersion", "berth.io/v1")
                .put("intentId", i.getIntentId()).put("action", i.getAction().name()).put("key", Intents.key(i))
                .put("partition", md.partition()).put("offset", md.offset());
        return new Outcome(202, o);
    }

    private static Outcome timedOut(RoutingContext ctx, Intent i, RecordMetadata md) {
        ctx.response().headers().add("Warning", "299 - \"accepted but not yet applied: timed out waiting for " + Intents.key(i) + "\"");
        return receipt(i, md);
    }

    // ---- helpers ----

    /** As kubectl apply: {@code create} a new object, {@code patch} an existing one (by name). */
    private void authorize(RoutingContext ctx, Intent i) {
        if (authorizer == null) return;
        String ns = i.getNamespace(), name = i.getName();
        boolean exists;
        String group = "", resource;
        boolean namespaced = true;
        switch (i.getKind()) {
            case DEPLOYMENT, DAEMONSET, STATEFULSET, JOB, CRONJOB -> {
                Resource r = Resource.of(i.getKind());
                group = r.group();
                resource = r.plural;
                exists = existing(r, ns, name) != null;
            }
            case SERVICE -> {
                resource = "services";
                exists = existing(Resource.SERVICES, ns, name) != null;
            }
            case POD -> {
                resource = "pods";
                exists = existing(Resource.PODS, ns, name) != null;
            }
            case NODE -> {
                resource = "nodes";
                namespaced = false;
                exists = existing(Resource.NODES, null, name) != null;
            }
            case NAMESPACE -> {
                resource = "namespaces";
                namespaced = false;
                exists = cache.namespaces().contains(name);
            }
            default -> {
                group = "berth.io";
                resource = i.getKind().name().toLowerCase(java.util.Locale.ROOT);
                exists = false;
            }
        }
        boolean delete = i.getAction() == IntentAction.DELETE;
        String verb = delete ? "delete" : exists ? "patch" : "create";
        authorizer.check(io.berth.gateway.rbac.Attributes.resource(Guard.user(ctx), verb, group, resource, "",
                namespaced ? ns : "", exists || delete ? name : ""));
    }

    private ManifestResult parse(RoutingContext ctx, String text, String namespace, boolean enforce) {
        return parse(ctx, text, namespace, enforce, List.of());
    }

    /** @param pending ResourceQuotas and LimitRanges written by the same request, before its workloads */
    private ManifestResult parse(RoutingContext ctx, String text, String namespace, boolean enforce, List<ConfigObject> pending) {
        String validation = String.valueOf(ctx.queryParams().get("fieldValidation"));
        ManifestOptions o = ManifestOptions.defaults().withStrict(validation.equalsIgnoreCase("Strict"))
                .withNamespace(namespace == null ? "default" : namespace, enforce && namespace != null).withActor(actor(ctx)).withLimits(limits);
        ManifestResult r = new ManifestParser(o).parse("", text == null ? "" : text);
        if (!r.ok()) {
            String kind = null, name = null;
            Matcher m = RESOURCE.matcher(r.errors().get(0).resource());
            if (m.find()) {
                kind = m.group(1);
                name = m.group(2);
            }
            io.berth.gateway.prom.PromApi.intent(false, kind);
            // kube-apiserver qualifies a kind of a named group: Job.batch "pi" is invalid, DaemonSet.apps "agent" is invalid
            throw Status.invalid(kind, "Job".equals(kind) || "CronJob".equals(kind) ? "batch" : "DaemonSet".equals(kind) || "StatefulSet".equals(kind) ? "apps"
                    : "HorizontalPodAutoscaler".equals(kind) ? "autoscaling" : "", name, r.errors());
        }
        try {
            admit(r.intents(), text, namespace == null ? "default" : namespace);
            if (configs != null) r = new ManifestResult(new ResourceAdmission(cache, configs).admit(r.intents(), pending), r.warnings(), r.errors());
        } catch (RuntimeException refused) {
            for (Intent i : r.intents()) io.berth.gateway.prom.PromApi.intent(false, i.getKind()); // admission (PodSecurity, quota) refused them
            throw refused;
        }
        if (!validation.equalsIgnoreCase("Ignore")) {
            for (ManifestProblem w : r.warnings()) {
                ctx.response().headers().add("Warning", "299 - \"" + w.message().replace("\"", "\\\"") + "\"");
            }
        }
        return r;
    }

    /**
     * The admission policy ({@link PodSecurity}) on every intent that would run a pod: refused at its
     * namespace's level is 403 Forbidden in Kubernetes' words, and nothing of the request is written.
     * A namespace applied in the same request counts with its new labels.
     */
    private void admit(List<Intent> intents, String text, String defaultNamespace) {
        // what the manifest asks for that the pod spec cannot carry (privileged, capabilities, host namespaces)
        Map<String, com.fasterxml.jackson.databind.JsonNode> asked = new java.util.HashMap<>();
        Map<String, String> askedPath = new java.util.HashMap<>();
        for (SecurityContextRules.PodManifest p : SecurityContextRules.pods(text)) {
            String key = SecurityContextRules.key(p.kind().toUpperCase(java.util.Locale.ROOT),
                    p.namespace() == null ? defaultNamespace : p.namespace(), p.name());
            asked.put(key, p.spec());
            askedPath.put(key, p.specPath());
        }
        Map<String, Map<String, String>> declared = new java.util.HashMap<>();
        for (Intent i : intents) if (i.getKind() == ResourceKind.NAMESPACE && i.getAction() == IntentAction.APPLY) declared.put(i.getName(), i.getLabels());
        for (Intent i : intents) {
            PodSecurity.template(i).ifPresent(t -> {
                Map<String, String> labels = declared.containsKey(i.getNamespace()) ? declared.get(i.getNamespace()) : cache.namespaceLabels(i.getNamespace());
                PodSecurity.Level level = PodSecurity.Level.of(labels);
                // PodSecurity.specPath knows a Deployment's and a Pod's path; a CronJob's template sits under its jobTemplate
                String specPath = i.getKind() == ResourceKind.CRONJOB ? SecurityContextRules.CRON_JOB_SPEC_PATH : PodSecurity.specPath(i);
                List<PodSecurity.Violation> v = new ArrayList<>(PodSecurity.check(level, t, hostPaths, specPath));
                String key = SecurityContextRules.key(i.getKind().name(), i.getNamespace(), i.getName());
                if (asked.containsKey(key)) v.addAll(SecurityContextRules.check(level, asked.get(key), askedPath.get(key)));
                if (v.isEmpty()) return;
                Resource r = Resource.of(i.getKind());
                ObjectNode status = Status.failure(403, "Forbidden", PodSecurity.message(r.qualified(), i.getName(), level, v),
                        r.plural, i.getName());
                if (!r.group().isEmpty()) ((ObjectNode) status.path("details")).put("group", r.group());
                throw new ApiException(status);
            });
        }
    }

    private static Intent single(ManifestResult r, Resource expected) {
        if (r.intents().size() != 1) throw Status.badRequest("expected exactly one object, got " + r.intents().size());
        Intent i = r.intents().get(0);
        if (i.getKind() != expected.berthKind) {
            throw Status.badRequest("the body is a " + i.getKind().name().toLowerCase() + ", but the URL names " + expected.plural);
        }
        return i;
    }

    private ViewCache.Entry existing(Resource r, String ns, String name) {
        return cache.get(r.topic, r.kind, ns, name).orElse(null);
    }

    /** Kubernetes' optimistic concurrency: a given resourceVersion must be the current one. */
    private void checkResourceVersion(Resource r, String ns, String name, String given) {
        if (given.isEmpty()) return;
        ViewCache.Entry e = existing(r, ns, name);
        if (e == null) throw Status.notFound(r.qualified(), name);
        if (!given.equals(e.object().path("metadata").path("resourceVersion").asText())) {
            throw Status.conflict(r.qualified(), name, "the object has been modified; please apply your changes to the latest version and try again");
        }
    }

    private static JsonNode firstDocument(String text) {
        try {
            JsonNode n = YAML.readTree(text == null ? "" : text);
            return n == null ? ReadApi.MAPPER.createObjectNode() : n;
        } catch (Exception e) {
            throw Status.badRequest("cannot parse the body: " + e.getMessage());
        }
    }

    private Intent nodeIntent(RoutingContext ctx, IntentAction action, String nodeId) {
        return Intent.newBuilder().setIntentId(java.util.UUID.randomUUID().toString()).setAction(action)
                .setKind(ResourceKind.NODE).setNamespace("").setName(nodeId).setActor(actor(ctx))
                .setTimestamp(System.currentTimeMillis()).build();
    }

    private static ObjectNode scale(ViewCache.Entry e) {
        JsonNode d = e.object();
        ObjectNode s = ReadApi.MAPPER.createObjectNode().put("kind", "Scale").put("apiVersion", "autoscaling/v1");
        s.putObject("metadata").put("name", d.path("metadata").path("name").asText())
                .put("namespace", d.path("metadata").path("namespace").asText())
                .put("uid", d.path("metadata").path("uid").asText())
                .put("resourceVersion", d.path("metadata").path("resourceVersion").asText())
                .put("creationTimestamp", d.path("metadata").path("creationTimestamp").asText());
        s.putObject("spec").put("replicas", d.path("spec").path("replicas").asInt());
        StringBuilder selector = new StringBuilder();
        d.path("spec").path("selector").path("matchLabels").fields()
                .forEachRemaining(f -> selector.append(selector.length() > 0 ? "," : "").append(f.getKey()).append('=').append(f.getValue().asText()));
        s.putObject("status").put("replicas", d.path("status").path("replicas").asInt()).put("selector", selector.toString());
        return s;
    }

    /**
     * {@code dryRun=All} (kubectl diff, {@code --dry-run=server}): validated and authorized as the write, nothing
     * appended. Any other value is refused as kube-apiserver does.
     */
    static boolean dryRun(RoutingContext ctx) {
        List<String> values = ctx.queryParams().getAll("dryRun");
        for (String v : values) {
            if (!v.equals("All")) throw Status.badRequest("dryRun: Unsupported value: \"" + v + "\": supported values: \"All\"");
        }
        return !values.isEmpty();
    }

    /** A write route that cannot dry-run refuses it rather than writing. */
    public static void refuseDryRun(RoutingContext ctx, String what) {
        if (!ctx.queryParams().getAll("dryRun").isEmpty()) throw Status.badRequest("dryRun is not supported on " + what + " by Berth");
    }

    /**
     * What a dry-run write answers: the live object with the written one's labels, annotations and spec (the server's
     * own metadata and the status kept). Defaults the server would add to the spec are not filled in.
     */
    private static JsonNode dryRunResult(JsonNode live, JsonNode written) {
        ObjectNode o = live.deepCopy();
        ObjectNode md = (ObjectNode) o.with("metadata");
        JsonNode wmd = written.path("metadata");
        for (String f : List.of("labels", "annotations")) {
            if (wmd.has(f)) md.set(f, wmd.get(f));
            else md.remove(f);
        }
        if (written.has("spec")) o.set("spec", written.get("spec"));
        for (String f : List.of("data", "stringData", "binaryData")) if (written.has(f)) o.set(f, written.get(f));
        return o;
    }

    private static boolean waits(RoutingContext ctx) {
        return !"false".equals(ctx.queryParams().get("wait"));
    }

    /** The authenticated principal (never a header the client writes). */
    private static String actor(RoutingContext ctx) {
        return Guard.actor(ctx);
    }

    /**
     * A Service naming a node port or cluster IP another service holds is refused as the API server
     * does (422, {@code provided port is already allocated}); checked against the view cache, the
     * endpoints controller (the single allocator) refuses a clash that races past this check.
     */
    private ApiException serviceClash(Intent i, String key) {
        if (i.getKind() != ResourceKind.SERVICE || !(i.getPayload() instanceof ServiceSpec spec)) return null;
        List<ManifestProblem> problems = new ArrayList<>();
        for (int n = 0; n < spec.getPorts().size(); n++) {
            int nodePort = spec.getPorts().get(n).getNodePort();
            if (nodePort == 0) continue;
            String holder = cache.nodePortHolder(nodePort).orElse(key);
            if (!holder.equals(key)) {
                problems.add(new ManifestProblem("", 1, "", "spec.ports[" + n + "].nodePort",
                        "Invalid value: " + nodePort + ": provided port is already allocated"));
            }
        }
        String ip = spec.getClusterIP();
        if (!ip.isEmpty() && !ip.equals("None")) {
            String current = cache.byKey(Topics.ENDPOINTS, key).map(e -> ((EndpointsView) e.value()).getClusterIP()).orElse("");
            if (!current.isEmpty() && !current.equals(ip)) {
                problems.add(new ManifestProblem("", 1, "", "spec.clusterIP", "Invalid value: \"" + ip + "\": field is immutable"));
            } else if (current.isEmpty() && !cache.clusterIPHolder(ip).orElse(key).equals(key)) {
                problems.add(new ManifestProblem("", 1, "", "spec.clusterIP", "Invalid value: \"" + ip + "\": provided IP is already allocated"));
            }
        }
        return problems.isEmpty() ? null : Status.invalid("Service", i.getName(), problems);
    }

    private static JsonNode failureBody(Throwable t) {
        return t instanceof ApiException a ? a.status() : Status.failure(500, "InternalError", t.toString(), null, null);
    }

    private static void respond(RoutingContext ctx, Future<Outcome> f) {
        f.onSuccess(o -> ReadApi.json(ctx, o.code(), o.body())).onFailure(ctx::fail);
    }
}
