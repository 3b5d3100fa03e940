package io.berth.gateway.timetravel;

import io.berth.gateway.api.ReadApi;
import io.berth.gateway.api.Resource;
import io.berth.gateway.api.Status;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The REST side of time travel: {@code ?at=} on the list and get paths (called by {@link ReadApi}),
 * and {@code GET /apis/berth.io/v1/diff?from=&to=}. Queries read Kafka, so they run on a worker
 * thread, never on the event loop. A past answer has the live shapes (same rendering, same label
 * and field selectors) without resourceVersions, and the header {@code X-Berth-At} with the instant
 * it shows (RFC 3339, UTC).
 */
public final class TimeTravelApi implements ReadApi.PastReads {
    public static final String DIFF_PATH = "/apis/berth.io/v1/diff";
    private final Vertx vertx;
    private final TimeMachine machine;
    private final LongSupplier clock;

    public TimeTravelApi(Vertx vertx, TimeMachine machine, LongSupplier clock) {
        this.vertx = vertx;
        this.machine = machine;
        this.clock = clock;
    }

    public void mount(Router router) {
        router.get(DIFF_PATH).handler(this::handleDiff);
    }

    /** The instant named by query parameter {@code param}; 400 naming the parameter when invalid or in the future. */
    long instant(RoutingContext ctx, String param, String dflt) {
        String value = ctx.queryParams().get(param);
        if (value == null && dflt != null) value = dflt;
        try {
            return Instants.parse(value, clock.getAsLong());
        } catch (IllegalArgumentException e) {
            throw Status.badRequest("invalid value for parameter \"" + param + "\": " + e.getMessage());
        }
    }

    private void check(Resource r) {
        if (r == Resource.EVENTS) {
            throw Status.badRequest("parameter \"at\" is not supported for events: events are not part of the audit");
        }
    }

    @Override
    public void list(RoutingContext ctx, Resource r, String namespace) {
        check(r);
        if (ReadApi.isWatch(ctx)) throw Status.badRequest("parameters \"at\" and \"watch\" cannot be combined");
        var filter = ReadApi.filter(ctx);
        long at = instant(ctx, "at", null);
        vertx.<TimeMachine.Result>executeBlocking(() -> machine.stateAt(at), false).onSuccess(res -> {
            Buffer out = Buffer.buffer();
            out.appendString("{\"kind\":\"" + r.kind + "List\",\"apiVersion\":\"" + r.apiVersion
                    + "\",\"metadata\":{\"resourceVersion\":\"\"},\"items\":[");
            boolean first = true;
            for (PastState.Item i : res.state().list(r.kind, namespace)) {
                if (!filter.test(i.object())) continue;
                if (!first) out.appendString(",");
                first = false;
                out.appendString(i.json());
            }
            out.appendString("]}");
            ctx.response().setStatusCode(200).putHeader("content-type", "application/json")
                    .putHeader("X-Berth-At", Instant.ofEpochMilli(at).toString()).end(out);
        }).onFailure(ctx::fail);
    }

    @Override
    public void get(RoutingContext ctx, Resource r, String namespace, String name) {
        check(r);
        long at = instant(ctx, "at", null);
        vertx.<TimeMachine.Result>executeBlocking(() -> machine.stateAt(at), false).onSuccess(res -> {
            PastState.Item item = res.state().get(r.kind, namespace, name).orElse(null);
            if (item == null) {
                ctx.fail(Status.notFound(r.qualified(), name));
                return;
            }
            ctx.response().setStatusCode(200).putHeader("content-type", "application/json")
                    .putHeader("X-Berth-At", Instant.ofEpochMilli(at).toString()).end(item.json());
        }).onFailure(ctx::fail);
    }

    private void handleDiff(RoutingContext ctx) {
        if (ctx.queryParams().get("from") == null) throw Status.badRequest("parameter \"from\" is required (RFC 3339 or relative, e.g. -10m)");
        long from = instant(ctx, "from", null);
        long to = instant(ctx, "to", "now");
        if (to < from) throw Status.badRequest("invalid value for parameter \"to\": it is before \"from\"");
        vertx.<List<ClusterDiff.Change>>executeBlocking(() -> ClusterDiff.between(machine.stateAt(from).state(), machine.stateAt(to).state()), false)
                .onSuccess(changes -> ReadApi.json(ctx, 200,
                        ClusterDiff.toJson(Instant.ofEpochMilli(from).toString(), Instant.ofEpochMilli(to).toString(), changes)))
                .onFailure(ctx::fail);
    }
}
