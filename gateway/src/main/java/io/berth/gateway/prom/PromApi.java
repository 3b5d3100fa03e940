package io.berth.gateway.prom;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.api.Caps;
import io.berth.gateway.api.Resource;
import io.berth.gateway.api.ViewCache;
import io.berth.schemas.metrics.ProcessMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The gateway's Prometheus metrics: {@code GET /metrics} (behind the bearer token and RBAC, like
 * kube-apiserver's: {@code nonResourceURLs: ["/metrics"], verbs: ["get"]}) serving this process's registry
 * ({@link ProcessMetrics}: in {@code berth up} every component's), and what it records:
 * <ul>
 *   <li>{@code apiserver_request_total{verb,resource,code}} and {@code apiserver_request_duration_seconds{verb,resource}}
 *       for every request, kube-apiserver's names (watches are long-running: counted, not timed);</li>
 *   <li>{@code apiserver_longrunning_requests{verb="WATCH"}}: the watches open now;</li>
 *   <li>{@code berth_intents_total{result,kind}} ({@link #intent}): intents appended to the bus, or refused;</li>
 *   <li>kube-state-metrics' series from the view cache, at scrape time ({@link KubeStateMetrics}).</li>
 * </ul>
 */
public final class PromApi implements AutoCloseable {
    /** The view caches of the gateways of this process, newest last; the kube-state series come from the newest. */
    private static final List<ViewCache> SOURCES = new CopyOnWriteArrayList<>();
    private static final MultiCollector KUBE_STATE = PromApi::collectKubeState;
    private static boolean kubeStateRegistered;

    private final ViewCache cache;
    private final Gauge watches;

    public PromApi(ViewCache cache, Caps caps) {
        this.cache = cache;
        MeterRegistry r = ProcessMetrics.meters();
        this.watches = Gauge.builder("apiserver.longrunning.requests", caps, Caps::watches)
                .description("Gauge of all active long-running apiserver requests broken out by verb")
                .tag("verb", "WATCH").strongReference(true).register(r);
        synchronized (PromApi.class) {
            SOURCES.add(cache);
            if (!kubeStateRegistered) {
                ProcessMetrics.register(KUBE_STATE); // once per process: two collectors would repeat every name
                kubeStateRegistered = true;
            }
        }
    }

    /** Instruments every request (before authentication, so 401s count) and serves {@code /metrics} after the guards. */
    public void mount(Router router) {
        router.route().order(Integer.MIN_VALUE).handler(PromApi::instrument);
        router.get("/metrics").handler(PromApi::handleMetrics);
    }

    /** The kinds an intent label names (Kubernetes' spelling); anything else a manifest says is {@code Other}. */
    private static final java.util.Set<String> KINDS = java.util.stream.Stream.concat(java.util.Arrays.stream(Resource.values()).map(r -> r.kind),
            java.util.stream.Stream.of("Namespace")).collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** {@code berth_intents_total{result="accepted|rejected",kind}}: an intent appended to the bus, or refused before it. */
    public static void intent(boolean accepted, String kind) {
        Counter.builder("berth.intents").description("Intents the gateway appended to the bus (accepted) or refused with a 4xx (rejected)")
                .tag("result", accepted ? "accepted" : "rejected").tag("kind", kind != null && KINDS.contains(kind) ? kind : "Other")
                .register(ProcessMetrics.meters()).increment();
    }

    /** The same for a Berth intent's kind. */
    public static void intent(boolean accepted, io.berth.schemas.avro.ResourceKind kind) {
        intent(accepted, switch (kind) {
            case NAMESPACE -> "Namespace";
            case OTHER -> "Other";
            default -> Resource.of(kind).kind;
        });
    }

    private static void instrument(RoutingContext ctx) {
        long t0 = System.nanoTime();
        ctx.addEndHandler(done -> {
            var req = ctx.request();
            RequestLabels l = RequestLabels.of(req.method().name(), req.path(), io.berth.gateway.api.ReadApi.isWatch(ctx),
                    req.getHeader("Content-Type"));
            String code = Integer.toString(ctx.response().getStatusCode());
            MeterRegistry r = ProcessMetrics.meters();
            Counter.builder("apiserver.request").description("Counter of apiserver requests broken out for each verb, API resource and HTTP response code.")
                    .tags("verb", l.verb(), "resource", l.resource(), "subresource", l.subresource(), "code", code).register(r).increment();
            if (!l.verb().equals("WATCH")) {
                Timer.builder("apiserver.request.duration").description("Response latency distribution in seconds for each verb and resource.")
                        .tags("verb", l.verb(), "resource", l.resource(), "subresource", l.subresource())
                        .serviceLevelObjectives(ProcessMetrics.LATENCY_BUCKETS.toArray(java.time.Duration[]::new))
                        .register(r).record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        });
        ctx.next();
    }

    private static void handleMetrics(RoutingContext ctx) {
        // collecting walks every pod: off the event loop
        ctx.vertx().<ProcessMetrics.Scrape>executeBlocking(() -> ProcessMetrics.scrape(ctx.request().getHeader("Accept")), false)
                .onSuccess(s -> ctx.response().putHeader("content-type", s.contentType()).end(s.body()))
                .onFailure(ctx::fail);
    }

    private static MetricSnapshots collectKubeState() {
        if (SOURCES.isEmpty()) return new MetricSnapshots(List.of());
        ViewCache c = SOURCES.get(SOURCES.size() - 1);
        return new MetricSnapshots(KubeStateMetrics.snapshots(objects(c, Resource.PODS), objects(c, Resource.DEPLOYMENTS), objects(c, Resource.NODES)));
    }

    private static List<JsonNode> objects(ViewCache c, Resource r) {
        return c.list(r.topic, r.kind, null).items().stream().map(e -> (JsonNode) e.object()).toList();
    }

    @Override
    public void close() {
        ProcessMetrics.meters().remove(watches);
        SOURCES.remove(cache);
    }
}
