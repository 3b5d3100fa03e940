package io.berth.gateway.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.api.ReadApi;
import io.berth.gateway.api.Selectors;
import io.berth.gateway.api.Status;
import io.berth.gateway.api.ViewCache;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.NodeStats;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.PodStats;
import io.berth.schemas.avro.TaskView;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * {@code metrics.k8s.io/v1beta1} as metrics-server serves it (what {@code kubectl top} and autoscalers read):
 * node and pod metrics, got and listed (all namespaces or one, {@code labelSelector}, {@code fieldSelector}).
 * The objects come from the nodes and pods of the {@link ViewCache} (so names, namespaces and labels are the
 * API's, and a deleted pod has no metrics), their usage from the {@link MetricsStore}; an object without a fresh
 * window is left out of lists and answers 404 to a get, as metrics-server's do. Guarded and authorized like
 * every route (resources {@code nodes} and {@code pods} of group {@code metrics.k8s.io}).
 */
public final class MetricsApi {
    static final String PREFIX = "/apis/" + MetricsObjects.API_VERSION;
    private final ViewCache cache;
    private final MetricsStore store;
    private final LongSupplier clock;

    public MetricsApi(ViewCache cache, MetricsStore store, LongSupplier clock) {
        this.cache = cache;
        this.store = store;
        this.clock = clock;
    }

    public void mount(Router router) {
        router.get(PREFIX + "/nodes").handler(this::handleListNodes);
        router.get(PREFIX + "/nodes/:name").handler(this::handleGetNode);
        router.get(PREFIX + "/pods").handler(ctx -> handleListPods(ctx, null));
        router.get(PREFIX + "/namespaces/:ns/pods").handler(ctx -> handleListPods(ctx, ctx.pathParam("ns")));
        router.get(PREFIX + "/namespaces/:ns/pods/:name").handler(this::handleGetPod);
    }

    private void handleListNodes(RoutingContext ctx) {
        Predicate<ViewCache.Entry> selected = selected(ctx);
        long now = clock.getAsLong();
        List<ObjectNode> items = new ArrayList<>();
        for (ViewCache.Entry e : cache.list(Topics.NODES, "Node", null, labels(ctx)).items()) {
            if (!selected.test(e)) continue;
            nodeMetrics(e, now).ifPresent(items::add);
        }
        json(ctx, MetricsObjects.list("NodeMetricsList", items));
    }

    private void handleGetNode(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        json(ctx, cache.get(Topics.NODES, "Node", null, name).flatMap(e -> nodeMetrics(e, clock.getAsLong()))
                .orElseThrow(() -> Status.notFound("nodemetrics.metrics.k8s.io", name)));
    }

    private void handleListPods(RoutingContext ctx, String namespace) {
        Predicate<ViewCache.Entry> selected = selected(ctx);
        Map<String, Window> byTask = podWindows();
        long now = clock.getAsLong();
        List<ObjectNode> items = new ArrayList<>();
        for (ViewCache.Entry e : cache.list(Topics.TASKS, "Pod", namespace, labels(ctx)).items()) {
            if (!selected.test(e)) continue;
            podMetrics(e, byTask, now).ifPresent(items::add);
        }
        json(ctx, MetricsObjects.list("PodMetricsList", items));
    }

    private void handleGetPod(RoutingContext ctx) {
        String ns = ctx.pathParam("ns"), name = ctx.pathParam("name");
        json(ctx, cache.get(Topics.TASKS, "Pod", ns, name).flatMap(e -> podMetrics(e, podWindows(), clock.getAsLong()))
                .orElseThrow(() -> Status.notFound("podmetrics.metrics.k8s.io", ns + "/" + name)));
    }

    private Optional<ObjectNode> nodeMetrics(ViewCache.Entry e, long now) {
        if (!(e.value() instanceof NodeView n)) return Optional.empty();
        return store.node(n.getNodeId()).map(s -> MetricsObjects.nodeMetrics(e.name(), e.labels(), s, now));
    }

    private static Optional<ObjectNode> podMetrics(ViewCache.Entry e, Map<String, Window> byTask, long now) {
        if (!(e.value() instanceof TaskView t)) return Optional.empty();
        Window w = byTask.get(t.getTaskId());
        if (w == null) return Optional.empty();
        return Optional.of(MetricsObjects.podMetrics(e.namespace(), e.name(), e.labels(), w.pod(), w.node(), now));
    }

    /** A pod's containers in its node's latest window. */
    private record Window(PodStats pod, NodeStats node) {}

    /** Every pod with a fresh window, by task id (a task id is one run of a pod: a replaced pod's old usage is not the new one's). */
    private Map<String, Window> podWindows() {
        Map<String, Window> out = new HashMap<>();
        for (NodeStats s : store.fresh()) for (PodStats p : s.getPods()) out.put(p.getTaskId(), new Window(p, s));
        return out;
    }

    private static Map<String, String> labels(RoutingContext ctx) {
        return Selectors.labelEqualities(ctx.queryParams().get("labelSelector"));
    }

    /** labelSelector and fieldSelector ({@code metadata.name}, {@code metadata.namespace}) on the object's metadata. */
    private static Predicate<ViewCache.Entry> selected(RoutingContext ctx) {
        String l = ctx.queryParams().get("labelSelector"), f = ctx.queryParams().get("fieldSelector");
        if ((l == null || l.isBlank()) && (f == null || f.isBlank())) return e -> true;
        Predicate<JsonNode> filter = ReadApi.filter(ctx);
        return e -> filter.test(e.metadataOnly());
    }

    private static void json(RoutingContext ctx, ObjectNode body) {
        ctx.response().putHeader("content-type", "application/json").end(body.toString());
    }
}
