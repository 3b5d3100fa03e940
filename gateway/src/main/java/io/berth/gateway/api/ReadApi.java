package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.view.KubeObjects;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.websocket.WebSocketFrameImpl;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Lists, gets and watches at Kubernetes' paths, served from the {@link ViewCache} only. A watch is
 * chunked HTTP (one JSON line per event) or, when the request asks to upgrade, a WebSocket (one text
 * frame per event).
 */
public final class ReadApi {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private final Vertx vertx;
    private final ViewCache cache;
    private final PastReads past;
    private Caps caps = Caps.DEFAULT;

    /** Answers list and get with {@code ?at=}: the objects as they were then (time travel, rebuilt from berth.audit). */
    public interface PastReads {
        void list(RoutingContext ctx, Resource r, String namespace);

        void get(RoutingContext ctx, Resource r, String namespace, String name);
    }

    public ReadApi(Vertx vertx, ViewCache cache) {
        this(vertx, cache, null);
    }

    public ReadApi(Vertx vertx, ViewCache cache, PastReads past) {
        this.vertx = vertx;
        this.cache = cache;
        this.past = past;
    }

    /** The caps on watches (in all, per principal, queued bytes per watcher). */
    public ReadApi withCaps(Caps caps) {
        this.caps = caps;
        return this;
    }

    public void mount(Router router) {
        router.get("/api/v1/namespaces").handler(this::handleListNamespaces);
        router.get("/api/v1/namespaces/:ns").handler(this::handleGetNamespace);
        for (Resource r : Resource.values()) {
            for (Served v : Served.of(r)) {
                router.get(v.prefix() + "/" + r.plural).handler(ctx -> handleList(ctx, v, null));
                if (r.namespaced) {
                    router.get(v.prefix() + "/namespaces/:ns/" + r.plural).handler(ctx -> handleList(ctx, v, ctx.pathParam("ns")));
                    router.get(v.prefix() + "/namespaces/:ns/" + r.plural + "/:name").handler(ctx -> handleGet(ctx, v, ctx.pathParam("ns")));
                } else {
                    router.get(v.prefix() + "/" + r.plural + "/:name").handler(ctx -> handleGet(ctx, v, null));
                }
            }
        }
    }

    // ---- list / get ----

    private void handleList(RoutingContext ctx, Served v, String namespace) {
        Resource r = v.resource();
        if (past != null && ctx.queryParams().contains("at")) {
            pastAtOwnVersion(v);
            past.list(ctx, r, namespace);
            return;
        }
        if (isWatch(ctx)) {
            handleWatch(ctx, v, namespace);
            return;
        }
        Predicate<JsonNode> filter = filter(ctx);
        // the index narrows to the namespace and the selector's label equalities, sorted; the rest of the selector filters those
        ViewCache.Snapshot snap = cache.list(r.topic, r.kind, namespace, Selectors.labelEqualities(ctx.queryParams().get("labelSelector")));
        if (io.berth.gateway.view.ServerTables.wanted(ctx.request().getHeader("Accept"))) {
            java.util.List<JsonNode> items = snap.items().stream().filter(entryFilter(ctx, filter)).map(e -> (JsonNode) e.object()).toList();
            table(ctx, v, items, String.valueOf(snap.resourceVersion()));
            return;
        }
        String head = "{\"kind\":\"" + r.kind + "List\",\"apiVersion\":\"" + v.apiVersion()
                + "\",\"metadata\":{\"resourceVersion\":\"" + snap.resourceVersion() + "\"},\"items\":[";
        java.util.stream.Stream<ViewCache.Entry> items = snap.items().stream().filter(entryFilter(ctx, filter));
        ListWriter.write(ctx.response().setStatusCode(200).putHeader("content-type", "application/json"), head,
                v.converted() ? items.map(e -> bytes(v.out(e.object()))).iterator() : items.map(ViewCache.Entry::bytes).iterator());
    }

    /** Time travel rebuilds objects at their own version only. */
    private static void pastAtOwnVersion(Served v) {
        if (v.converted()) {
            throw Status.badRequest("?at= reads " + v.resource().plural + " at " + v.resource().apiVersion + " only, not " + v.apiVersion());
        }
    }

    private static byte[] bytes(JsonNode o) {
        try {
            return MAPPER.writeValueAsBytes(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handleGet(RoutingContext ctx, Served v, String namespace) {
        Resource r = v.resource();
        String name = ctx.pathParam("name");
        if (past != null && ctx.queryParams().contains("at")) {
            pastAtOwnVersion(v);
            past.get(ctx, r, namespace, name);
            return;
        }
        ViewCache.Entry e = cache.get(r.topic, r.kind, namespace, name).orElseThrow(() -> Status.notFound(r.qualified(), name));
        read(ctx, v, e.object());
    }

    private void handleListNamespaces(RoutingContext ctx) {
        Predicate<JsonNode> filter = filter(ctx);
        ObjectNode list = MAPPER.createObjectNode().put("kind", "NamespaceList").put("apiVersion", "v1");
        list.putObject("metadata").put("resourceVersion", "");
        ArrayNode items = list.putArray("items");
        cache.namespaces().stream().map(n -> (JsonNode) cache.namespace(n).orElseGet(() -> KubeObjects.namespace(n))).filter(filter).forEach(items::add);
        read(ctx, "namespaces", false, list);
    }

    private void handleGetNamespace(RoutingContext ctx) {
        String ns = ctx.pathParam("ns");
        read(ctx, "namespaces", false, cache.namespace(ns).orElseThrow(() -> Status.notFound("namespaces", ns)));
    }

    /**
     * The selectors on a cached object: none → everything; labels only → on its metadata (no parse);
     * a field selector → on the whole object, parsed from its bytes.
     */
    static Predicate<ViewCache.Entry> entryFilter(RoutingContext ctx, Predicate<JsonNode> filter) {
        return selecting(ctx, filter, ViewCache.Entry::metadataOnly, ViewCache.Entry::object);
    }

    /** The same for a watch's changes. */
    static Predicate<ViewCache.Change> changeFilter(RoutingContext ctx, Predicate<JsonNode> filter) {
        return selecting(ctx, filter, ViewCache.Change::metadataOnly, ViewCache.Change::object);
    }

    private static <T> Predicate<T> selecting(RoutingContext ctx, Predicate<JsonNode> filter,
                                              java.util.function.Function<T, JsonNode> metadata, java.util.function.Function<T, JsonNode> whole) {
        String labels = ctx.queryParams().get("labelSelector"), fields = ctx.queryParams().get("fieldSelector");
        boolean noLabels = labels == null || labels.isBlank(), noFields = fields == null || fields.isBlank();
        if (noLabels && noFields) return t -> true;
        if (noFields) return t -> filter.test(metadata.apply(t));
        return t -> filter.test(whole.apply(t));
    }

    public static Predicate<JsonNode> filter(RoutingContext ctx) {
        return Selectors.labels(ctx.queryParams().get("labelSelector")).and(Selectors.fields(ctx.queryParams().get("fieldSelector")));
    }

    public static boolean isWatch(RoutingContext ctx) {
        String w = ctx.queryParams().get("watch");
        return "true".equals(w) || "1".equals(w);
    }

    // ---- watch ----

    private void handleWatch(RoutingContext ctx, Served v, String namespace) {
        Resource r = v.resource();
        Predicate<JsonNode> selected = filter(ctx);
        Predicate<ViewCache.Change> changeSelected = changeFilter(ctx, selected);
        long[] from = ResourceVersions.decode(ctx.queryParams().get("resourceVersion"), cache.partitions(r.topic));
        // the cache routes only this kind and namespace to the watch; the selector is checked here
        Predicate<ViewCache.Change> mine = c -> c.kind().equals(r.kind)
                && (namespace == null || namespace.equals(c.namespace()))
                && changeSelected.test(c);
        Runnable release = caps.acquireWatch(principal(ctx));
        try {
            String upgrade = ctx.request().getHeader("Upgrade");
            if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
                watchOverWebSocket(ctx, v, namespace, from, mine, release);
            } else {
                watchOverHttp(ctx, v, namespace, from, mine, release);
            }
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
    }

    static String principal(RoutingContext ctx) {
        io.berth.schemas.auth.User u = ctx.get("berth.user");
        return u == null ? "system:anonymous" : u.name();
    }

    /**
     * A watch's connection is a long-running request, as in kube-apiserver: the idle timeout does not
     * end it (it may see no event for hours); the watch caps bound how many there are, the write queue
     * how much each may have waiting, and the connection is closed when the watch ends.
     */
    /** For a long-running stream (exec, port-forward): no connection idle timeout; the stream keeps its own. */
    public static void noIdleTimeout(RoutingContext ctx) {
        longRunning(ctx);
    }

    static void longRunning(RoutingContext ctx) {
        if (ctx.request().connection() instanceof io.vertx.core.net.impl.ConnectionBase c) {
            var pipeline = c.channel().pipeline();
            if (pipeline.get("idle") != null) pipeline.remove("idle");
        }
    }

    /** The bytes of a batch's frames this watcher gets (one line end each), to size its write queue over its start. */
    private static int bytes(List<ViewCache.Change> changes) {
        long n = 0;
        for (ViewCache.Change c : changes) n += c.frame().length + 1;
        return (int) Math.min(Integer.MAX_VALUE / 2, n);
    }

    private void watchOverHttp(RoutingContext ctx, Served served, String namespace, long[] from, Predicate<ViewCache.Change> mine, Runnable release) {
        Resource r = served.resource();
        Context context = vertx.getOrCreateContext();
        java.util.function.Function<ViewCache.Change, byte[]> encode = tableEvents(ctx, served);
        HttpServerResponse response = ctx.response();
        // register first: an Expired answer must still be a plain 410, not a started stream
        ViewCache.Registration[] self = new ViewCache.Registration[1];
        ViewCache.Registration reg = cache.watch(r.topic, r.kind, namespace, from, context, batch -> {
            if (response.closed() || response.ended()) return;
            // a watcher that cannot keep up is dropped, as the API server does, with an ERROR event; it lists again
            if (!send(batch, mine, encode, response)) {
                self[0].cancel().run();
                release.run();
                caps.watcherDropped();
                response.write(Buffer.buffer(Caps.droppedEvent(r.qualified())).appendByte((byte) '\n'));
                response.end();
                // a client that reads nothing would keep even that pending: the connection goes after a grace period
                vertx.setTimer(5000, id -> ctx.request().connection().close());
            }
        });
        self[0] = reg;
        longRunning(ctx);
        // what it may have waiting: its start (already in memory, as the view) and then the cap
        response.setWriteQueueMaxSize(caps.watchQueueBytes + bytes(reg.initial()));
        response.setChunked(true).putHeader("content-type", "application/json").setStatusCode(200);
        if (ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) response.putHeader("Connection", "close"); // HTTP/2 has no such header
        Runnable done = () -> {
            reg.cancel().run();
            release.run();
        };
        send(reg.initial(), mine, encode, response);
        if (reg.initial().isEmpty()) response.write(""); // flush the headers so the client knows the watch is open
        response.closeHandler(v -> done.run());
        response.endHandler(v -> done.run());
        ctx.request().connection().closeHandler(v -> done.run());
        String timeout = ctx.queryParams().get("timeoutSeconds");
        if (timeout != null && timeout.matches("[0-9]+")) {
            vertx.setTimer(Math.max(1, Long.parseLong(timeout)) * 1000, id -> {
                done.run();
                if (!response.ended() && !response.closed()) response.end();
            });
        }
    }

    private void watchOverWebSocket(RoutingContext ctx, Served served, String namespace, long[] from, Predicate<ViewCache.Change> mine, Runnable release) {
        Resource r = served.resource();
        Context context = vertx.getOrCreateContext();
        // events as every watcher shares them, or converted per watcher (another version than the cache renders)
        java.util.function.Function<ViewCache.Change, byte[]> encode = served.converted() ? tableEvents(ctx, served) : null;
        // check the version before the upgrade, so a too-old one is a 410 the client can read
        cache.checkVersion(r.topic, from);
        longRunning(ctx);
        ctx.request().toWebSocket().onSuccess(ws -> {
            ViewCache.Registration[] self = new ViewCache.Registration[1];
            ViewCache.Registration reg = cache.watch(r.topic, r.kind, namespace, from, context, batch -> {
                if (ws.isClosed()) return;
                if (!send(batch, mine, encode, ws)) {
                    self[0].cancel().run();
                    release.run();
                    caps.watcherDropped();
                    ws.writeFinalTextFrame(new String(Caps.droppedEvent(r.qualified()), java.nio.charset.StandardCharsets.UTF_8));
                    ws.close((short) 1008, "watcher too slow; list again");
                }
            });
            self[0] = reg;
            ws.setWriteQueueMaxSize(caps.watchQueueBytes + bytes(reg.initial()));
            send(reg.initial(), mine, encode, ws);
            ws.closeHandler(v -> {
                reg.cancel().run();
                release.run();
            });
        }).onFailure(err -> {
            release.run();
            if (!ctx.response().ended()) ctx.response().setStatusCode(400).end();
        });
    }

    /**
     * Chunked HTTP: one line per event. False, having written nothing more, when the watcher's write
     * queue is full: it did not read what it had, and is dropped rather than buffered without bound.
     */
    private static boolean send(List<ViewCache.Change> batch, Predicate<ViewCache.Change> mine,
                                java.util.function.Function<ViewCache.Change, byte[]> encode, HttpServerResponse out) {
        for (ViewCache.Change c : batch) {
            if (!mine.test(c)) continue;
            if (out.writeQueueFull()) return false;
            byte[] frame = encode.apply(c);
            out.write(Buffer.buffer(frame.length + 1).appendBytes(frame).appendByte((byte) '\n'));
        }
        return true;
    }

    /**
     * How a watch's events are written: as they were encoded once for every watcher, or — when the client asks for
     * {@code as=Table} ({@code kubectl get -w}) — each object as a one-row {@code meta.k8s.io/v1 Table} with the
     * column definitions and the request's {@code includeObject}, as kube-apiserver does (encoded per watcher).
     */
    static java.util.function.Function<ViewCache.Change, byte[]> tableEvents(RoutingContext ctx, Served v) {
        boolean tables = io.berth.gateway.view.ServerTables.wanted(ctx.request().getHeader("Accept"));
        if (!tables && !v.converted()) return ViewCache.Change::frame;
        var include = io.berth.gateway.view.ServerTables.include(ctx.queryParams().get("includeObject"));
        return c -> {
            ObjectNode object = c.object();
            if (object == null || !"ADDED MODIFIED DELETED".contains(c.type())) return c.frame(); // ERROR, BOOKMARK: as they are
            ObjectNode event = MAPPER.createObjectNode().put("type", c.type());
            event.set("object", !tables ? v.out(object) : table(v, List.of(object), object.path("metadata").path("resourceVersion").asText(null), include));
            try {
                return MAPPER.writeValueAsBytes(event);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /**
     * WebSocket: one text frame per event, made of the change's bytes as they were encoded once for every
     * watcher (no per-watcher encoding; {@code encode} null), or as {@code encode} makes them for this one;
     * an event larger than a frame is fragmented by Vert.x as before. False, as for HTTP, when the write queue is full.
     */
    private static boolean send(List<ViewCache.Change> batch, Predicate<ViewCache.Change> mine,
                                java.util.function.Function<ViewCache.Change, byte[]> encode, ServerWebSocket ws) {
        for (ViewCache.Change c : batch) {
            if (!mine.test(c)) continue;
            if (ws.writeQueueFull()) return false;
            byte[] frame = encode == null ? c.frame() : encode.apply(c);
            if (frame.length <= MAX_FRAME) ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, frame, true));
            else ws.writeTextMessage(new String(frame, java.nio.charset.StandardCharsets.UTF_8));
        }
        return true;
    }

    /** Vert.x's default maximum WebSocket frame size. */
    private static final int MAX_FRAME = 65536;

    /**
     * A read's answer: {@code body} (an object or a list) as JSON, or as a {@code meta.k8s.io/v1 Table}
     * when the client asks for one ({@code kubectl get}), with {@code plural}'s columns.
     */
    public static void read(RoutingContext ctx, String plural, boolean namespaced, JsonNode body) {
        if (!io.berth.gateway.view.ServerTables.wanted(ctx.request().getHeader("Accept"))) {
            json(ctx, 200, body);
            return;
        }
        java.util.List<JsonNode> items = new java.util.ArrayList<>();
        if (body.has("items") && body.path("kind").asText("").endsWith("List")) body.path("items").forEach(items::add);
        else items.add(body);
        table(ctx, plural, namespaced, items, body.path("metadata").path("resourceVersion").asText(null));
    }

    /**
     * A read's answer at a served version: the (rendered) object or list converted to it, or — for a Table — the columns
     * made from the rendered objects (kube-apiserver prints the internal object, whatever the version) and the rows'
     * objects converted.
     */
    static void read(RoutingContext ctx, Served v, JsonNode stored) {
        if (io.berth.gateway.view.ServerTables.wanted(ctx.request().getHeader("Accept"))) {
            json(ctx, 200, table(v, List.of(stored), stored.path("metadata").path("resourceVersion").asText(null),
                    io.berth.gateway.view.ServerTables.include(ctx.queryParams().get("includeObject"))));
            return;
        }
        json(ctx, 200, v.out(stored));
    }

    static void table(RoutingContext ctx, Served v, List<JsonNode> items, String resourceVersion) {
        json(ctx, 200, table(v, items, resourceVersion, io.berth.gateway.view.ServerTables.include(ctx.queryParams().get("includeObject"))));
    }

    private static ObjectNode table(Served v, List<JsonNode> items, String resourceVersion, io.berth.gateway.view.ServerTables.Include include) {
        ObjectNode t = io.berth.gateway.view.ServerTables.table(v.resource().plural, v.resource().namespaced, items, resourceVersion,
                include, System.currentTimeMillis());
        if (v.converted() && include == io.berth.gateway.view.ServerTables.Include.OBJECT) {
            for (JsonNode row : t.path("rows")) ((ObjectNode) row).set("object", v.out(row.path("object")));
        }
        return t;
    }

    /** {@code items} answered as a {@code meta.k8s.io/v1 Table} with {@code plural}'s columns and the request's {@code includeObject}. */
    public static void table(RoutingContext ctx, String plural, boolean namespaced, java.util.List<JsonNode> items, String resourceVersion) {
        json(ctx, 200, io.berth.gateway.view.ServerTables.table(plural, namespaced, items, resourceVersion,
                io.berth.gateway.view.ServerTables.include(ctx.queryParams().get("includeObject")), System.currentTimeMillis()));
    }

    public static void json(RoutingContext ctx, int code, JsonNode body) {
        try {
            ctx.response().setStatusCode(code).putHeader("content-type", "application/json").end(MAPPER.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Renders any failure of a route as a Kubernetes Status. */
    public static void handleFailure(RoutingContext ctx) {
        Throwable t = ctx.failure();
        ObjectNode status;
        if (t instanceof ApiException a) status = a.status();
        else if (ctx.statusCode() == 413) {
            // the body handler's limit (gateway-max-body-bytes / gateway-max-object-body-bytes)
            status = Status.failure(413, "RequestEntityTooLarge", "the request body is larger than the gateway accepts ("
                    + Caps.MAX_BODY_BYTES + " for an apply, " + Caps.MAX_OBJECT_BODY_BYTES + " for one object)", null, null);
        } else if (ctx.statusCode() == 404 || ctx.statusCode() == 405) {
            status = Status.failure(ctx.statusCode(), ctx.statusCode() == 404 ? "NotFound" : "MethodNotAllowed",
                    ctx.statusCode() == 404 ? "the server could not find the requested resource"
                            : "the server does not allow this method on the requested resource", null, null);
        } else {
            status = Status.failure(500, "InternalError", "Internal error occurred: " + (t == null ? "unknown" : t.toString()), null, null);
            org.slf4j.LoggerFactory.getLogger(ReadApi.class).warn("request failed", t);
        }
        if (ctx.response().headWritten()) {
            if (!ctx.response().ended()) ctx.response().end();
            return;
        }
        if (status.path("code").asInt() == 429) ctx.response().putHeader("Retry-After", Integer.toString(status.path("details").path("retryAfterSeconds").asInt(Caps.RETRY_AFTER_SECONDS)));
        json(ctx, status.path("code").asInt(500), status);
    }
}
