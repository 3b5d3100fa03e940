package io.berth.gateway.api;

import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.LogLine;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Pod logs from {@code berth.logs} (key = task id = pod name), so a dead node's pods stay readable.
 * Each request reads the one partition the default partitioner chose for the key, on its own thread.
 *
 * <p>Bounded (issue 13): at most {@code gateway-max-log-readers} readers at once (429 beyond); what a
 * read sends of the log so far is at most {@code limitBytes} (the query parameter, kubectl's
 * {@code --limit-bytes}, default and ceiling {@code gateway-log-limit-bytes}, 10 MiB): the newest
 * lines that fit, after {@code tailLines}, so the reader never holds more than that; a follower waits
 * for its client to drain what it was sent before it reads on.
 */
public final class LogsApi {
    private final Vertx vertx;
    private final ViewCache cache;
    private final BerthConfig config;
    private final AvroSerde<LogLine> serde;
    private Caps caps = Caps.DEFAULT;
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "gateway-log-reader");
        t.setDaemon(true);
        return t;
    });

    public LogsApi(Vertx vertx, ViewCache cache, BerthConfig config, SchemaRegistryClient registry) {
        this.vertx = vertx;
        this.cache = cache;
        this.config = config;
        this.serde = new BerthSerdes(registry).value(LogLine.class);
    }

    /** The caps on log readers and on the bytes of a log read. */
    public LogsApi withCaps(Caps caps) {
        this.caps = caps;
        return this;
    }

    public void mount(Router router) {
        router.get("/api/v1/namespaces/:ns/pods/:name/log").handler(this::handleLog);
    }

    /** The partition Kafka's default partitioner picks for a keyed record. */
    public static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private void handleLog(RoutingContext ctx) {
        String ns = ctx.pathParam("ns"), pod = ctx.pathParam("name");
        String container = ctx.queryParams().get("container");
        boolean follow = "true".equals(ctx.queryParams().get("follow")) || "1".equals(ctx.queryParams().get("follow"));
        String tail = ctx.queryParams().get("tailLines");
        int tailLines = tail == null || !tail.matches("[0-9]+") ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, Long.parseLong(tail));
        String limit = ctx.queryParams().get("limitBytes");
        if (limit != null && !limit.matches("[1-9][0-9]{0,17}")) throw Status.badRequest("limitBytes: Invalid value: \"" + limit + "\": must be greater than 0");
        long limitBytes = limit == null ? caps.logLimitBytes : Math.min(caps.logLimitBytes, Long.parseLong(limit));
        // berth.logs is keyed by task id; a deployment's pod is named by its task id, a bare pod keeps
        // its own name, so the live pod's task id is looked up (a gone pod is found by its name)
        Optional<String> taskId = cache.get(Topics.TASKS, "Pod", ns, pod).map(e -> e.key());
        boolean known = taskId.isPresent();
        String key = taskId.orElse(pod);
        Context context = vertx.getOrCreateContext();
        HttpServerResponse response = ctx.response();
        Runnable release = caps.acquireLogReader();
        AtomicBoolean closed = new AtomicBoolean();
        response.closeHandler(v -> closed.set(true));
        if (follow) {
            ReadApi.longRunning(ctx); // no idle timeout while following; the reader cap bounds them
            if (ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) response.putHeader("Connection", "close");
        }
        response.setWriteQueueMaxSize((int) Math.min(Integer.MAX_VALUE / 2, limitBytes + 65536));
        try {
            readers.execute(() -> {
                try {
                    read(ns, pod, key, container, follow, tailLines, limitBytes, known, context, ctx, closed);
                } finally {
                    release.run();
                }
            });
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
    }

    private void read(String ns, String pod, String key, String container, boolean follow, int tailLines, long limitBytes, boolean known,
                      Context context, RoutingContext ctx, AtomicBoolean closed) {
        Properties p = config.clientProps("berth-gateway-logs");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            int partitions = c.partitionsFor(Topics.LOGS.name(), Duration.ofSeconds(10)).size();
            TopicPartition tp = new TopicPartition(Topics.LOGS.name(), partitionOf(key, partitions));
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            ArrayDeque<String> lines = new ArrayDeque<>();
            long held = 0; // bytes (as UTF-16 chars, an upper bound of what the reader holds) in lines
            boolean seen = false;
            while (c.position(tp) < end && !closed.get()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    String line = line(r, ns, key, container);
                    if (line == null) continue;
                    seen = true;
                    if (line.length() > limitBytes) line = line.substring((int) (line.length() - limitBytes));
                    lines.addLast(line);
                    held += line.length();
                    while (lines.size() > tailLines || held > limitBytes) held -= lines.removeFirst().length();
                }
            }
            if (!seen && !known) {
                context.runOnContext(v -> ctx.fail(Status.notFound("pods", pod)));
                return;
            }
            String head = String.join("", lines);
            lines.clear();
            java.util.concurrent.CompletableFuture<Void> started = new java.util.concurrent.CompletableFuture<>();
            context.runOnContext(v -> {
                ctx.response().putHeader("content-type", "text/plain; charset=utf-8");
                if (!follow) ctx.response().end(head);
                else writeThenDrain(ctx.response().setChunked(true), head, started);
            });
            if (follow) awaitWritten(started, closed);
            while (follow && !closed.get()) {
                StringBuilder more = new StringBuilder();
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    String line = line(r, ns, key, container);
                    if (line != null) more.append(line);
                }
                if (more.length() == 0) continue;
                // back-pressure: the next poll waits until the client has taken what it was sent
                java.util.concurrent.CompletableFuture<Void> written = new java.util.concurrent.CompletableFuture<>();
                context.runOnContext(v -> writeThenDrain(ctx.response(), more.toString(), written));
                awaitWritten(written, closed);
            }
        } catch (Exception e) {
            context.runOnContext(v -> {
                if (!ctx.response().headWritten()) ctx.fail(e);
                else if (!ctx.response().ended() && !ctx.response().closed()) ctx.response().end();
            });
        }
    }

    /** Writes {@code text}; completes once the response's write queue is below its maximum again (or it closed). */
    private static void writeThenDrain(HttpServerResponse response, String text, java.util.concurrent.CompletableFuture<Void> done) {
        if (response.closed() || response.ended()) {
            done.complete(null);
            return;
        }
        response.write(text);
        if (!response.writeQueueFull()) {
            done.complete(null);
            return;
        }
        response.drainHandler(v -> done.complete(null)); // a close is seen by the reader's own closed flag
    }

    private static void awaitWritten(java.util.concurrent.CompletableFuture<Void> written, AtomicBoolean closed) throws InterruptedException {
        while (!closed.get()) {
            try {
                written.get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.TimeoutException e) {
                // still full: look again whether the client went away
            } catch (java.util.concurrent.ExecutionException e) {
                return;
            }
        }
    }

    private String line(ConsumerRecord<String, byte[]> r, String ns, String key, String container) {
        if (!key.equals(r.key()) || r.value() == null) return null;
        LogLine l;
        try {
            l = serde.deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            return null;
        }
        if (!l.getNamespace().equals(ns)) return null;
        if (container != null && !container.isEmpty() && !container.equals(l.getContainer())) return null;
        String text = l.getLine();
        return text.endsWith("\n") ? text : text + "\n";
    }
}
