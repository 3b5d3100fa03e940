package io.berth.gateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.audit.AuditCursor;
import io.berth.gateway.audit.AuditQuery;
import io.berth.gateway.audit.AuditReader;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /apis/berth.io/v1/audit}: who changed what, read from {@code berth.audit} (see
 * {@link AuditReader}). Lists and watches run on two bounded pools ({@code gateway-audit-readers}
 * threads with a queue of 64 for lists, {@code gateway-audit-watches} threads for watches); a request
 * that finds its pool full is answered 429 TooManyRequests, so audit reads cannot exhaust the
 * gateway's threads nor touch the event loop.
 */
public final class AuditApi implements AutoCloseable {
    public static final String PATH = "/apis/berth.io/v1/audit";
    private final Vertx vertx;
    private final AuditReader reader;
    private final ThreadPoolExecutor lists;
    private final ThreadPoolExecutor watches;

    public AuditApi(Vertx vertx, BerthConfig config, SchemaRegistryClient registry) {
        this.vertx = vertx;
        this.reader = new AuditReader(config.clientProps("berth-gateway-audit"), new BerthSerdes(registry).value(AuditRecord.class),
                System::currentTimeMillis, Duration.ofSeconds(Long.parseLong(config.get("gateway-audit-deadline-seconds", "10"))));
        int readers = Integer.parseInt(config.get("gateway-audit-readers", "4"));
        int watchers = Integer.parseInt(config.get("gateway-audit-watches", "32"));
        this.lists = pool("gateway-audit-list", readers, new ArrayBlockingQueue<>(64));
        this.watches = pool("gateway-audit-watch", watchers, new SynchronousQueue<>());
    }

    private static ThreadPoolExecutor pool(String name, int threads, java.util.concurrent.BlockingQueue<Runnable> queue) {
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    public void mount(Router router) {
        router.get(PATH).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        AuditQuery q;
        try {
            q = AuditQuery.parse(ctx.queryParams()::get, System.currentTimeMillis());
        } catch (IllegalArgumentException e) {
            throw Status.badRequest(e.getMessage());
        }
        Context context = vertx.getOrCreateContext();
        try {
            if (q.watch()) watch(ctx, q, context);
            else lists.execute(() -> list(ctx, q, context));
        } catch (RejectedExecutionException e) {
            throw tooMany();
        }
    }

    private void list(RoutingContext ctx, AuditQuery q, Context context) {
        try {
            AuditReader.Page page = reader.list(q);
            ObjectNode out = ReadApi.MAPPER.createObjectNode().put("apiVersion", "berth.io/v1").put("kind", "AuditList");
            String next = AuditCursor.encode(page.next());
            ObjectNode meta = out.putObject("metadata");
            meta.put("resourceVersion", next);
            if (page.more()) meta.put("continue", next);
            ArrayNode items = out.putArray("items");
            page.items().forEach(items::add);
            context.runOnContext(v -> ReadApi.json(ctx, 200, out));
        } catch (RuntimeException e) {
            context.runOnContext(v -> ctx.fail(translate(e)));
        }
    }

    private void watch(RoutingContext ctx, AuditQuery q, Context context) {
        HttpServerResponse response = ctx.response();
        ReadApi.longRunning(ctx); // no idle timeout: its own pool caps audit watches
        AtomicBoolean stopped = new AtomicBoolean();
        response.closeHandler(v -> stopped.set(true));
        ctx.request().connection().closeHandler(v -> stopped.set(true));
        if (q.timeoutSeconds() > 0) vertx.setTimer(q.timeoutSeconds() * 1000, id -> stopped.set(true));
        watches.execute(() -> {
            try {
                reader.follow(q, () -> context.runOnContext(v -> {
                    if (response.closed()) return;
                    response.setChunked(true).putHeader("content-type", "application/json").setStatusCode(200);
                    response.write(""); // flush the headers: the watch is open
                }), item -> {
                    String line = "{\"type\":\"ADDED\",\"object\":" + item + "}\n";
                    context.runOnContext(v -> {
                        if (response.closed() || response.ended()) return;
                        response.write(line);
                        // a watcher that cannot keep up is closed; it resumes from its last resourceVersion
                        if (response.writeQueueFull()) {
                            stopped.set(true);
                            response.reset();
                        }
                    });
                }, stopped::get);
                context.runOnContext(v -> {
                    if (!response.ended() && !response.closed()) response.end();
                });
            } catch (RuntimeException e) {
                context.runOnContext(v -> {
                    if (!response.headWritten()) ctx.fail(translate(e));
                    else if (!response.ended() && !response.closed()) response.end();
                });
            }
        });
    }

    private static RuntimeException translate(RuntimeException e) {
        if (e instanceof IllegalArgumentException) return Status.badRequest(e.getMessage());
        if (e instanceof AuditReader.ExpiredException) return Status.expired(e.getMessage());
        return e;
    }

    private static ApiException tooMany() {
        return new ApiException(Status.failure(429, "TooManyRequests", "too many audit reads in progress, please try again later", null, null));
    }

    @Override
    public void close() {
        lists.shutdownNow();
        watches.shutdownNow();
    }
}
