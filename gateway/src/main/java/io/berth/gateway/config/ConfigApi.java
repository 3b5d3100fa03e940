package io.berth.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.gateway.api.Guard;
import io.berth.gateway.api.Patches;
import io.berth.gateway.api.ReadApi;
import io.berth.gateway.api.Status;
import io.berth.gateway.api.WriteApi;
import io.berth.gateway.manifest.RolloutTriggers;
import io.berth.gateway.rbac.Attributes;
import io.berth.gateway.rbac.Authorizer;
import io.berth.gateway.rbac.NodeAuthorizer;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.ConfigObject;
import io.berth.schemas.secrets.ConfigsFollower;
import io.berth.schemas.secrets.SecretBox;
import io.berth.schemas.serde.BerthSerdes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * v1 Secrets and ConfigMaps: list, get, create, replace, merge patch, delete under
 * {@code /api/v1[/namespaces/NS]/secrets|configmaps}, and in {@code berth apply}. Objects live on the
 * compacted {@code berth.configs} (read by every gateway through a {@link ConfigsFollower}); a Secret's
 * values are encrypted before they leave this process and decrypted only to answer a request the
 * {@link Authorizer} let through (get or list {@code secrets}), or a node's get the {@link NodeAuthorizer}
 * let through (only the keys its pod references). The audit record of a Secret carries its
 * keys, never its values.
 */
public final class ConfigApi implements AutoCloseable {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final Vertx vertx;
    private final ConfigsFollower store;
    private final SecretBox box;
    private final Authorizer authorizer;
    private final LongSupplier clock;
    private final KafkaProducer<String, byte[]> producer;
    private final Serializer<ConfigObject> objectSerializer;
    private final Serializer<AuditRecord> auditSerializer;

    /** @param box the encryption keys; null: Secrets are refused (503) rather than stored in plain text */
    public ConfigApi(Vertx vertx, Properties clientProps, BerthSerdes serdes, SecretBox box, Authorizer authorizer, LongSupplier clock) {
        this.vertx = vertx;
        this.box = box;
        this.authorizer = authorizer;
        this.clock = clock;
        this.objectSerializer = serdes.value(Topics.CONFIGS).serializer();
        this.auditSerializer = serdes.value(Topics.AUDIT).serializer();
        producer = io.berth.gateway.ObjectWriter.producer(clientProps, "configs", Topics.CONFIGS.name(), Topics.AUDIT.name());
        store = new ConfigsFollower(clientProps, serdes.value(Topics.CONFIGS).deserializer()).start("berth-gateway-configs");
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return store.awaitCaughtUp(timeout);
    }

    private io.berth.gateway.api.Caps caps = io.berth.gateway.api.Caps.DEFAULT;

    /** The body limit its routes take ({@code gateway-max-object-body-bytes}). */
    public void withCaps(io.berth.gateway.api.Caps caps) {
        this.caps = caps;
    }

    public void mount(Router router) {
        BodyHandler body = caps.objectBody(); // no uploads to disk; gateway-max-object-body-bytes
        for (ConfigObjects.Kind k : ConfigObjects.Kind.values()) {
            String collection = "/api/v1/namespaces/:ns/" + k.plural;
            router.get("/api/v1/" + k.plural).handler(ctx -> handleList(ctx, k, null));
            router.get(collection).handler(ctx -> handleList(ctx, k, ctx.pathParam("ns")));
            router.get(collection + "/:name").handler(ctx -> handleGet(ctx, k));
            router.post(collection).handler(body).handler(ctx -> handleWrite(ctx, k, false));
            router.put(collection + "/:name").handler(body).handler(ctx -> handleWrite(ctx, k, true));
            router.patch(collection + "/:name").handler(body).handler(ctx -> handlePatch(ctx, k));
            router.delete(collection + "/:name").handler(ctx -> handleDelete(ctx, k));
        }
    }

    // ---- apply ----

    /** The Secrets and ConfigMaps of a multi-document manifest, and the rest (for the manifest parser). */
    public record Split(List<JsonNode> configs, String rest) {}

    public static Split split(String text) {
        io.berth.gateway.manifest.ManifestSplit.Split s = io.berth.gateway.manifest.ManifestSplit.split(text, ConfigObjects::isConfig);
        return new Split(s.picked(), s.rest());
    }

    /** Checks and authorizes ({@code create} new, {@code patch} existing) an applied document before anything is written. */
    public ConfigObjects.Parsed prepareApply(RoutingContext ctx, JsonNode doc, String namespace) {
        ConfigObjects.Parsed p = parse(ctx, doc, namespace);
        boolean exists = store.get(p.kind().kind, p.namespace(), p.name()).isPresent();
        authorizer.check(Attributes.resource(Guard.user(ctx), exists ? "patch" : "create", "", p.kind().plural, "", p.namespace(), exists ? p.name() : ""));
        return p;
    }

    /** Writes a prepared object; the result is the object as the apply answers it (a Secret's values redacted). */
    public Future<JsonNode> applyPrepared(RoutingContext ctx, ConfigObjects.Parsed p) {
        return write(p, Guard.actor(ctx)).map(s -> ConfigObjects.render(s.object(), s.offset(), box, false));
    }

    // ---- REST ----

    private void handleList(RoutingContext ctx, ConfigObjects.Kind k, String namespace) {
        if (ReadApi.isWatch(ctx)) throw Status.methodNotAllowed("watch is not supported on " + k.plural + "; list instead");
        ObjectNode list = YAML.createObjectNode().put("kind", k.kind + "List").put("apiVersion", "v1");
        list.putObject("metadata").put("resourceVersion", "");
        ArrayNode items = list.putArray("items");
        for (ConfigsFollower.Stored s : store.all()) {
            ConfigObject o = s.object();
            if (o.getKind().equals(k.kind) && (namespace == null || o.getNamespace().equals(namespace))) items.add(render(s));
        }
        ReadApi.read(ctx, k.plural, true, list);
    }

    private void handleGet(RoutingContext ctx, ConfigObjects.Kind k) {
        io.berth.schemas.auth.User user = Guard.user(ctx);
        if (k == ConfigObjects.Kind.SECRET && user.isNode()) {
            nodeGet(ctx, user);
            return;
        }
        ReadApi.read(ctx, k.plural, true, render(existing(k, ctx.pathParam("ns"), ctx.pathParam("name"))));
    }

    /**
     * A node daemon's get of a Secret for one of its pods ({@code ?pod=<task id>}): the {@link NodeAuthorizer}
     * decides, and the answer holds only the keys that pod references; when it says no, RBAC still may (a
     * binding for the node or {@code system:nodes}: the whole Secret), else 403 in the Node authorizer's words.
     */
    private void nodeGet(RoutingContext ctx, io.berth.schemas.auth.User node) {
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name"), pod = ctx.request().getParam("pod");
        if (pod == null || pod.isBlank()) throw NodeAuthorizer.noPod();
        Future<SecretRefs> allowed = nodes == null ? Future.failedFuture(NodeAuthorizer.forbidden(node, ns, name))
                : nodes.authorize(node, ns, name, pod, vertx.getOrCreateContext());
        allowed.recover(err -> authorizer.policy().allows(Attributes.resource(node, "get", "", "secrets", "", ns, name))
                        ? Future.succeededFuture(SecretRefs.ALL) : Future.failedFuture(err))
                .map(refs -> {
                    ConfigsFollower.Stored s = existing(ConfigObjects.Kind.SECRET, ns, name);
                    ConfigObject only = ConfigObject.newBuilder(s.object()).setData(refs.filter(s.object().getData())).build();
                    return render(new ConfigsFollower.Stored(only, s.offset()));
                })
                .onSuccess(json -> ReadApi.json(ctx, 200, json))
                .onFailure(ctx::fail);
    }

    private NodeAuthorizer nodes;

    /** Told when a write changes an object's content: (trigger, namespace, new resourceVersion, detail) → its rollouts. */
    public interface ContentChange {
        Future<?> changed(RolloutTriggers.Trigger trigger, String namespace, String version, String detail);
    }

    private ContentChange contentChange = (t, ns, v, d) -> Future.succeededFuture();

    /** Who rolls out the workloads annotated {@code berth.io/rollout-on} with a changed object ({@link WriteApi}). */
    public ConfigApi onContentChange(ContentChange c) {
        this.contentChange = c;
        return this;
    }

    /** Who decides a node's get of a Secret (none: RBAC alone, which grants nodes nothing by default). */
    public ConfigApi withNodeAuthorizer(NodeAuthorizer nodes) {
        this.nodes = nodes;
        return this;
    }

    private void handleWrite(RoutingContext ctx, ConfigObjects.Kind k, boolean replace) {
        io.berth.gateway.api.WriteApi.refuseDryRun(ctx, "Secrets and ConfigMaps");
        ConfigObjects.Parsed p = parse(ctx, document(ctx.body().asString()), ctx.pathParam("ns"));
        if (p.kind() != k) throw Status.badRequest("the body is a " + p.kind().kind + ", but the URL names " + k.plural);
        if (!p.namespace().equals(ctx.pathParam("ns"))) {
            throw Status.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        if (replace && !p.name().equals(ctx.pathParam("name"))) {
            throw Status.badRequest("the name of the object (" + p.name() + ") does not match the name on the URL (" + ctx.pathParam("name") + ")");
        }
        boolean exists = store.get(k.kind, p.namespace(), p.name()).isPresent();
        if (!replace && exists) throw Status.alreadyExists(k.plural, p.name());
        if (replace && !exists) throw Status.notFound(k.plural, p.name());
        respond(ctx, replace ? 200 : 201, write(p, Guard.actor(ctx)));
    }

    /** A merge patch onto the current object (decrypted for the merge, encrypted again), or an apply patch (the whole object). */
    private void handlePatch(RoutingContext ctx, ConfigObjects.Kind k) {
        io.berth.gateway.api.WriteApi.refuseDryRun(ctx, "Secrets and ConfigMaps");
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name");
        JsonNode patch = document(ctx.body().asString());
        JsonNode doc;
        if (String.valueOf(ctx.request().getHeader("content-type")).contains("apply-patch")) {
            doc = patch;
        } else {
            ObjectNode merged = ConfigObjects.render(existing(k, ns, name).object(), -1, box, true);
            doc = Patches.apply(merged, ctx.request().getHeader("content-type"), patch);
        }
        ConfigObjects.Parsed p = parse(ctx, doc, ns);
        if (!p.name().equals(name) || p.kind() != k) throw Status.badRequest("the patch may not change the kind or name");
        respond(ctx, 200, write(p, Guard.actor(ctx)));
    }

    private void handleDelete(RoutingContext ctx, ConfigObjects.Kind k) {
        io.berth.gateway.api.WriteApi.refuseDryRun(ctx, "Secrets and ConfigMaps");
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name");
        ConfigsFollower.Stored s = existing(k, ns, name);
        String actor = Guard.actor(ctx);
        Future<Void> f = send(Topics.CONFIGS.name(), 0, k.key(ns, name), null)
                .compose(offset -> audit(s.object(), "Deleted", actor, offset, s, null).map(offset))
                .compose(offset -> Future.fromCompletionStage(store.awaitRead(offset), vertx.getOrCreateContext()));
        f.onSuccess(v -> {
            ObjectNode st = Status.success(k.plural + " \"" + name + "\" deleted");
            st.putObject("details").put("name", name).put("kind", k.plural);
            ReadApi.json(ctx, 200, st);
        }).onFailure(ctx::fail);
    }

    // ---- helpers ----

    private ConfigObjects.Parsed parse(RoutingContext ctx, JsonNode doc, String namespace) {
        if (ConfigObjects.Kind.of(doc.path("kind").asText()) == ConfigObjects.Kind.SECRET && box == null) {
            throw new io.berth.gateway.api.ApiException(Status.failure(503, "ServiceUnavailable",
                    "Secrets are disabled: this gateway has no encryption key (" + SecretBox.CONFIG_KEY + ")", "secrets", doc.path("metadata").path("name").asText()));
        }
        ConfigObjects.Parsed p = ConfigObjects.parse(doc, namespace, box, Guard.actor(ctx), clock.getAsLong());
        if (!p.valid()) throw Status.invalid(p.kind() == null ? doc.path("kind").asText(null) : p.kind().kind, p.name(), p.problems());
        return p;
    }

    private ConfigsFollower.Stored existing(ConfigObjects.Kind k, String ns, String name) {
        return store.get(k.kind, ns, name).orElseThrow(() -> Status.notFound(k.plural, name));
    }

    /** Decrypted: the authorizer let this request get or list secrets. */
    private ObjectNode render(ConfigsFollower.Stored s) {
        if (box == null && ConfigObjects.Kind.of(s.object().getKind()) == ConfigObjects.Kind.SECRET) {
            throw new io.berth.gateway.api.ApiException(Status.failure(503, "ServiceUnavailable",
                    "Secrets are disabled: this gateway has no encryption key (" + SecretBox.CONFIG_KEY + ")", "secrets", s.object().getName()));
        }
        return withStatus(ConfigObjects.render(s.object(), s.offset(), box, true), s.object());
    }

    /** A quota's {@code status} (hard and used in its namespace, now). */
    private ObjectNode withStatus(ObjectNode out, ConfigObject o) {
        if (ConfigObjects.Kind.of(o.getKind()) == ConfigObjects.Kind.RESOURCE_QUOTA) {
            out.set("status", io.berth.gateway.quota.QuotaObjects.quotaStatus(o, usage.apply(o.getNamespace())));
        }
        return out;
    }

    private java.util.function.Function<String, java.util.Map<String, Long>> usage = ns -> java.util.Map.of();
    private java.util.function.Function<String, java.util.Optional<Long>> terminating = ns -> java.util.Optional.empty();

    /** What a quota's status shows as used in a namespace, and which namespaces are being terminated (no new objects there). */
    public ConfigApi withNamespaces(java.util.function.Function<String, java.util.Map<String, Long>> usage,
                                    java.util.function.Function<String, java.util.Optional<Long>> terminating) {
        this.usage = usage;
        this.terminating = terminating;
        return this;
    }

    /** The stored objects of a kind in a namespace. */
    public List<ConfigObject> objects(ConfigObjects.Kind k, String namespace) {
        List<ConfigObject> out = new ArrayList<>();
        for (ConfigsFollower.Stored s : store.all()) {
            if (s.object().getKind().equals(k.kind) && s.object().getNamespace().equals(namespace)) out.add(s.object());
        }
        return out;
    }

    /** How many objects (of any kind here) a namespace still holds. */
    public int countIn(String namespace) {
        int n = 0;
        for (ConfigsFollower.Stored s : store.all()) if (s.object().getNamespace().equals(namespace)) n++;
        return n;
    }

    /** Deletes every object of a namespace (its namespace being terminated): a tombstone and an audit record each, as one delete. */
    public Future<Void> deleteAllIn(String namespace, String actor) {
        List<Future<Void>> all = new ArrayList<>();
        for (ConfigsFollower.Stored s : store.all()) {
            ConfigObject o = s.object();
            if (!o.getNamespace().equals(namespace)) continue;
            all.add(send(Topics.CONFIGS.name(), 0, o.getKind() + "/" + o.getNamespace() + "/" + o.getName(), null)
                    .compose(offset -> audit(o, "Deleted", actor, offset, s, null)));
        }
        return Future.join(all).mapEmpty();
    }

    /** Kubernetes' NamespaceLifecycle refusal: nothing new in a namespace being terminated. */
    private void refuseTerminating(ConfigObjects.Kind k, String namespace, String name) {
        if (terminating.apply(namespace).isPresent()) {
            throw new io.berth.gateway.api.ApiException(Status.failure(403, "Forbidden", k.plural + " \"" + name
                    + "\" is forbidden: unable to create new content in namespace " + namespace + " because it is being terminated", k.plural, name));
        }
    }

    /** Writes the object (keeping the uid and creation time of the one it replaces) and its audit record; completes once read back. */
    private Future<ConfigsFollower.Stored> write(ConfigObjects.Parsed p, String actor) {
        ConfigsFollower.Stored before = store.get(p.kind().kind, p.namespace(), p.name()).orElse(null);
        if (before == null) refuseTerminating(p.kind(), p.namespace(), p.name());
        ObjectNode metadata;
        try {
            metadata = (ObjectNode) YAML.readTree(p.object().getMetadata());
        } catch (Exception e) {
            metadata = YAML.createObjectNode();
        }
        JsonNode old = null;
        if (before != null) {
            try {
                old = YAML.readTree(before.object().getMetadata());
            } catch (Exception ignored) {
                // keep new values
            }
        }
        long now = clock.getAsLong();
        metadata.put("uid", old != null && old.has("uid") ? old.path("uid").asText() : UUID.randomUUID().toString());
        metadata.put("creationTimestamp", old != null && old.has("creationTimestamp") ? old.path("creationTimestamp").asText()
                : Instant.ofEpochMilli(now).toString().replaceFirst("\\.\\d+Z$", "Z"));
        if (before != null && before.object().getImmutable()) {
            throw Status.invalid(p.kind().kind, p.name(), List.of(new io.berth.gateway.manifest.ManifestProblem("", 1, "", "data",
                    "Forbidden: field is immutable when `immutable` is set")));
        }
        ConfigObject value = ConfigObject.newBuilder(p.object()).setMetadata(metadata.toString()).setTimestamp(now).setActor(actor).build();
        String key = p.kind().key(p.namespace(), p.name());
        return send(Topics.CONFIGS.name(), 0, key, objectSerializer.serialize(Topics.CONFIGS.name(), value))
                .compose(offset -> audit(value, before == null ? "Created" : "Updated", actor, offset, before, value).map(offset))
                .compose(offset -> Future.fromCompletionStage(store.awaitRead(offset), vertx.getOrCreateContext()).map(x -> offset))
                .map(offset -> store.get(p.kind().kind, p.namespace(), p.name()).orElse(new ConfigsFollower.Stored(value, offset)))
                .compose(stored -> rolloutsOn(before, stored).map(stored));
    }

    /**
     * When a write changed an object's decoded content (not a re-apply of the same values, nor a Secret's fresh
     * ciphertext of them), the workloads annotated {@code berth.io/rollout-on} with it roll out; a failure to
     * produce those intents is logged, never fails the write (the object is stored).
     */
    private Future<Void> rolloutsOn(ConfigsFollower.Stored before, ConfigsFollower.Stored after) {
        if (before == null || contentHash(before.object()).equals(contentHash(after.object()))) return Future.succeededFuture();
        ConfigObject o = after.object();
        RolloutTriggers.Trigger t = RolloutTriggers.forConfig(o.getKind(), o.getName()).orElseThrow();
        return contentChange.changed(t, o.getNamespace(), Long.toString(after.offset()), null)
                .<Void>mapEmpty()
                .recover(err -> {
                    LoggerFactory.getLogger(ConfigApi.class).warn("rollout-on {} in {}: {}", t.text(), o.getNamespace(), err.toString());
                    return Future.succeededFuture();
                });
    }

    /** The digest of the decoded values (a Secret's decrypted; one that no longer decrypts counts as its ciphertext). */
    private String contentHash(ConfigObject o) {
        Map<String, byte[]> data = new java.util.TreeMap<>();
        boolean secret = ConfigObjects.Kind.of(o.getKind()) == ConfigObjects.Kind.SECRET;
        o.getData().forEach((k, v) -> {
            byte[] plain = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (secret && box != null) {
                try {
                    plain = box.decrypt(v, SecretBox.context(o.getNamespace(), o.getName(), k));
                } catch (RuntimeException e) {
                    // keep the ciphertext: a value this gateway cannot read counts as changed
                }
            }
            data.put(k, plain);
        });
        return RolloutTriggers.contentHash(data, o.getBinaryData());
    }

    /** The audit record: before and after as the API renders them without revealing (a Secret's values redacted). */
    private Future<Void> audit(ConfigObject o, String change, String actor, long offset, ConfigsFollower.Stored before, ConfigObject after) {
        String key = o.getNamespace() + "/" + o.getKind().toLowerCase(Locale.ROOT) + "/" + o.getName();
        AuditRecord r = AuditRecord.newBuilder().setKey(key).setKind(o.getKind()).setChange(o.getKind() + change).setActor(actor)
                .setCause(Topics.CONFIGS.name() + "/0/" + offset).setCauseTopic(Topics.CONFIGS.name()).setCausePartition(0).setCauseOffset(offset)
                .setMessage(o.getKind() + " " + o.getNamespace() + "/" + o.getName() + " " + change.toLowerCase(Locale.ROOT))
                .setTimestamp(clock.getAsLong())
                .setBefore(before == null ? null : ConfigObjects.render(before.object(), before.offset(), box, false).toString())
                .setAfter(after == null ? null : ConfigObjects.render(after, offset, box, false).toString())
                .setNamespace(o.getNamespace()).setName(o.getName()).build();
        return send(Topics.AUDIT.name(), null, key, auditSerializer.serialize(Topics.AUDIT.name(), r)).mapEmpty();
    }

    private Future<Long> send(String topic, Integer partition, String key, byte[] value) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, partition, key, value), (md, err) -> {
            if (err != null) f.completeExceptionally(err);
            else f.complete(md.offset());
        });
        return Future.fromCompletionStage(f, vertx.getOrCreateContext());
    }

    private static JsonNode document(String text) {
        try {
            JsonNode n = YAML.readTree(text == null ? "" : text);
            if (n == null || !n.isObject()) throw Status.badRequest("the body must be one object");
            return n;
        } catch (io.berth.gateway.api.ApiException e) {
            throw e;
        } catch (Exception e) {
            throw Status.badRequest("cannot parse the body: " + e.getMessage());
        }
    }

    private static void respond(RoutingContext ctx, int code, Future<ConfigsFollower.Stored> f) {
        f.onSuccess(s -> ReadApi.json(ctx, code, ConfigObjects.render(s.object(), s.offset(), null, false))).onFailure(ctx::fail);
    }

    @Override
    public void close() {
        store.close();
        producer.close(io.berth.schemas.service.Shutdown.CLIENT_CLOSE);
    }
}
