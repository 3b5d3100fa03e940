package io.berth.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.gateway.GatewayService;
import io.berth.ops.bench.report.BenchReport;
import io.berth.schemas.Topics;
import io.berth.schemas.service.BerthConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The API under load (issue 11, {@code ops/bench api}): one JVM holding an embedded broker, the real
 * state-streams, the real scheduler and the real gateway ({@link GatewayService} with its view cache),
 * and {@code nodes} fake node daemons ({@link ClusterLoad} with the real scheduler: heartbeats, and every
 * assignment answered RUNNING then READY). {@code deployments} × {@code replicas} pods are brought up
 * while {@code watchers} WebSocket watchers watch the pods of namespace {@code probe}, where one probe
 * pod's readiness is flipped every 250 ms by its node: per change, the delay from the view record's
 * timestamp (and from when a plain consumer of berth.state.tasks saw it) to its receipt at the last of
 * the watchers. The 100,000 pods' own changes go to no watcher, but the gateway still has to decide so
 * for each of them and each watcher. Then, with every pod Running, {@code clients} concurrent clients
 * (JDK HttpClient, one connection each) measure a namespaced pod list with a label selector (one
 * deployment's pods), a get of one pod, a deployment list, and a few full pod lists (size and time).
 * Not a test: it prints figures and writes them with {@link BenchReport} into {@code $BENCH_RESULTS/api}.
 *
 * <pre>ops/bench api [nodes=1000] [deployments=100] [replicas=1000] [watchers=1000] [clients=50] [requestsPerClient=40] [fullLists=6]</pre>
 */
public final class ApiLoadBenchmark {
    /** The bench clients\' bearer token, written to the gateway\'s token file. */
    static final String TOKEN = io.berth.schemas.auth.TokenFile.newToken();
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int nodes = arg(args, 0, 1000), deployments = arg(args, 1, 100), replicas = arg(args, 2, 1000);
        int watchers = arg(args, 3, 1000), clients = arg(args, 4, 50), requests = arg(args, 5, 40), fullLists = arg(args, 6, 6);
        int pods = deployments * replicas;
        BenchReport report = new BenchReport("api");
        report.parameter("nodes", nodes).parameter("pods", pods).parameter("deployments", deployments + " × " + replicas)
                .parameter("watchers", watchers + " WebSocket").parameter("clients", clients)
                .parameter("gateway caps raised", "watches per user " + (watchers + 10) + ", connections " + Math.max(1000, watchers + clients + 100))
                .parameter("heap", (ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax() >> 20) + " MiB max");
        report.progress("starting broker, state-streams, scheduler, %d nodes", nodes);
        try (ClusterLoad c = new ClusterLoad(nodes, true)) {
            io.berth.schemas.auth.TokenFile.write(c.dataDir().resolve(io.berth.schemas.auth.TokenFile.FILE_NAME),
                    List.of(new io.berth.schemas.auth.TokenFile.Entry(TOKEN, "bench", "1", List.of("system:masters"))));
            GatewayService gateway = new GatewayService(BerthConfig.of(c.bootstrapServers(), null, c.dataDir())
                    .with("gateway-port", "0").with("gateway-audit-snapshots", "false")
                    // the watchers and clients are one user here: the gateway's caps (500 watches per user, 1,000
                    // connections) would refuse the 501st watcher with a 429, as they should any one client
                    .with(io.berth.gateway.api.Caps.MAX_WATCHES_PER_USER, Integer.toString(watchers + 10))
                    .with(io.berth.gateway.api.Caps.MAX_WATCHES, Integer.toString(Math.max(5000, watchers + 10)))
                    .with(io.berth.gateway.api.Caps.MAX_CONNECTIONS, Integer.toString(Math.max(1000, watchers + clients + 100))), c.registry);
            gateway.start();
            String base = "http://127.0.0.1:" + gateway.port();
            report.progress("gateway on %s", base);
            try {
                run(c, base, report, deployments, replicas, watchers, clients, requests, fullLists);
            } finally {
                gateway.close();
            }
        }
        report.progress("written: %s", BenchReport.resultsDir().resolve("api").toAbsolutePath());
        System.out.println(report.write(BenchReport.resultsDir().resolve("api")));
        System.exit(0);
    }

    private static void run(ClusterLoad c, String base, BenchReport report, int deployments, int replicas, int watcherCount,
                            int clients, int requests, int fullLists) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
        int pods = deployments * replicas;

        // ---- the probe pod, its view records, and the watchers ----
        c.apply("probe", "probe", 1);
        String probe = waitFor(() -> c.placed.entrySet().stream().filter(e -> e.getValue()[0].startsWith("probe/"))
                .map(Map.Entry::getKey).findFirst().orElse(null), Duration.ofMinutes(2), "the probe pod");
        ProbeTail tail = new ProbeTail(c.bootstrapServers(), probe);
        tail.start();
        report.progress("probe pod %s placed; connecting %d WebSocket watchers", probe, watcherCount);
        HttpClient wsClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Deliveries deliveries = new Deliveries(tail);
        List<WebSocket> sockets = new ArrayList<>();
        long w0 = System.nanoTime();
        for (int i = 0; i < watcherCount; i += 50) {
            List<CompletableFuture<WebSocket>> batch = new ArrayList<>();
            for (int j = i; j < Math.min(watcherCount, i + 50); j++) {
                batch.add(wsClient.newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN).connectTimeout(Duration.ofSeconds(60))
                        .buildAsync(URI.create(base.replace("http:", "ws:") + "/api/v1/namespaces/probe/pods?watch=true"), deliveries.listener()));
            }
            for (CompletableFuture<WebSocket> f : batch) sockets.add(f.get(2, TimeUnit.MINUTES));
        }
        report.progress("%d watchers connected in %.1f s", sockets.size(), (System.nanoTime() - w0) / 1e9);
        report.figure("watchers connected", (System.nanoTime() - w0) / 1e9, "s", null);

        // ---- bring up the pods while the probe flips ----
        AtomicBoolean stopFlips = new AtomicBoolean();
        var tasksSerde = c.serdes.value(Topics.TASKS);
        try {
            waitFor(() -> tail.latest != null && tasksSerde.deserialize(Topics.TASKS.name(), tail.latest).getPhase() == io.berth.schemas.avro.TaskPhase.RUNNING
                    ? true : null, Duration.ofMinutes(2), "the probe pod Running");
        } catch (IllegalStateException slow) {
            // a busy state-streams (1,000 nodes registering) may not have run it yet: any view of it flips as well
            waitFor(() -> tail.latest != null ? true : null, Duration.ofMinutes(3), "a view of the probe pod");
            report.progress("the probe pod is not Running yet; flipping the view there is");
        }
        byte[] probeView = tail.latest;
        var viewProducer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(BerthConfig.of(c.bootstrapServers(), null, null).clientMap("bench-apiload",
                "linger.ms", "0"), new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
        Thread flips = new Thread(() -> {
            boolean ready = false;
            while (!stopFlips.get()) {
                // the probe's view changed straight on berth.state.tasks: what is measured is the gateway's fan-out, not state-streams' backlog
                io.berth.schemas.avro.TaskView t = tasksSerde.deserialize(Topics.TASKS.name(), probeView);
                t.setReady(ready);
                t.setUpdatedAt(System.currentTimeMillis());
                viewProducer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.TASKS.name(), probe, tasksSerde.serialize(Topics.TASKS.name(), t)));
                ready = !ready;
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-probe-flips");
        flips.setDaemon(true);
        Thread.sleep(2000);
        deliveries.reset(); // the probe's creation and first flips at idle are not the run's
        flips.start();
        long b0 = System.nanoTime();
        for (int d = 0; d < deployments; d++) c.apply("default", "app" + d, replicas);
        report.progress("applied %d deployments × %d replicas", deployments, replicas);
        long deadline = System.nanoTime() + Duration.ofMinutes(Integer.getInteger("bench.upMinutes", 15)).toNanos();
        int ready = 0;
        while (System.nanoTime() < deadline) {
            ready = readyReplicas(http, base);
            report.progress("%,d of %,d pods ready in the gateway's deployments (%,d answered by the nodes); probe changes %d, delivered to all %d watchers: %d",
                    ready, pods, c.answered.get(), tail.changes(), watcherCount, deliveries.complete(watcherCount));
            report.point("bring-up", "pods ready", "s", "pods", (System.nanoTime() - b0) / 1e9, ready);
            if (ready >= pods) break;
            Thread.sleep(5000);
        }
        double upSeconds = (System.nanoTime() - b0) / 1e9;
        report.figure("pods ready through the real pipeline (gateway's deployments)", ready, "pods", "= " + pods);
        report.figure("pods placed by the real scheduler and answered RUNNING, READY by their nodes", c.answered.get(), "pods", null);
        report.figure(ready >= pods ? "bring-up: apply to all pods ready in the gateway" : "real pipeline given (bench.upMinutes)", upSeconds, "s", null);
        if (ready < pods) {
            // the rest straight onto the view topic, as the gateway's own benchmarks do: the API is what is measured here
            long t0 = System.nanoTime();
            int added = topUp(c, deployments, replicas, report);
            int inView = 0;
            while (System.nanoTime() - t0 < Duration.ofMinutes(10).toNanos()) {
                inView = podsInView(http, base, deployments);
                report.progress("top-up: %,d pod views written; %,d pods in the gateway's view", added, inView);
                if (inView >= pods) break;
                Thread.sleep(5000);
            }
            report.figure("pods written straight to berth.state.tasks (READY TaskViews, cloned from real ones)", added, "pods", null);
            report.figure("top-up: written to all in the gateway's view", (System.nanoTime() - t0) / 1e9, "s", null);
        }
        stopFlips.set(true);
        flips.join();
        viewProducer.close();
        Thread.sleep(3000);
        report.figure("pods in the gateway's view (labelled lists summed)", podsInView(http, base, deployments), "pods", "= " + pods);
        watchFigures(report, deliveries, tail, watcherCount);
        for (WebSocket ws : sockets) ws.abort();

        // ---- lists and gets with every pod Running ----
        System.gc();
        report.figure("heap used after GC (whole JVM: broker, streams, scheduler, gateway)",
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0, "MiB", null);
        List<String> podNames = new ArrayList<>(c.placed.keySet());
        measure(report, http, "namespaced pod list, labelSelector app=appK (" + replicas + " pods)", clients, requests, "≤ 100 ms",
                () -> base + "/api/v1/namespaces/default/pods?labelSelector=app%3Dapp" + ThreadLocalRandom.current().nextInt(deployments));
        measure(report, http, "get one pod", clients, requests, null,
                () -> base + "/api/v1/namespaces/default/pods/" + podNames.get(ThreadLocalRandom.current().nextInt(podNames.size())));
        measure(report, http, "deployment list (" + (deployments + 1) + " deployments, all namespaces)", clients, requests, null,
                () -> base + "/apis/apps/v1/deployments");
        measure(report, http, "full pod list (" + (pods + 1) + " pods)", Math.min(clients, 2), Math.max(1, fullLists / 2), null,
                () -> base + "/api/v1/pods");
        // where the heap goes, for the README (a full GC: only after everything is measured)
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[]{new String[0]}, new String[]{String[].class.getName()});
        report.progress("heap histogram (top 25):%n%s", String.join("\n", histogram.lines().limit(28).toList()));
    }

    private static void watchFigures(BenchReport report, Deliveries d, ProbeTail tail, int watchers) {
        List<long[]> done = d.completed(watchers);
        report.figure("probe changes during the bring-up", tail.changes(), "changes", null);
        report.figure("of them received by all " + watchers + " watchers", done.size(), "changes", null);
        long[] fromRecord = done.stream().mapToLong(x -> x[0]).sorted().toArray();
        long[] fromSeen = done.stream().mapToLong(x -> x[1]).sorted().toArray();
        if (fromRecord.length == 0) return;
        report.figure("last of " + watchers + " watchers, from the view record's timestamp: p50", pct(fromRecord, 50), "ms", null);
        report.figure("last of " + watchers + " watchers, from the view record's timestamp: p99", pct(fromRecord, 99), "ms", null);
        report.figure("last of " + watchers + " watchers, from the view record's timestamp: max", fromRecord[fromRecord.length - 1], "ms", null);
        report.figure("last of " + watchers + " watchers, from a plain consumer seeing the record: p50", pct(fromSeen, 50), "ms", null);
        report.figure("last of " + watchers + " watchers, from a plain consumer seeing the record: p99", pct(fromSeen, 99), "ms", null);
        report.figure("last of " + watchers + " watchers, from a plain consumer seeing the record: max", fromSeen[fromSeen.length - 1], "ms", null);
        for (int p = 0; p <= 100; p += 5) report.point("watch-delay", "last watcher, from record timestamp", "percentile", "ms", p, pct(fromRecord, p));
    }

    // ---- clients ----

    private static void measure(BenchReport report, HttpClient http, String what, int clients, int requests, String goal,
                                Callable<String> url) throws Exception {
        report.progress("%s: %d clients × %d requests ...", what, clients, requests);
        get(http, url.call()); // warm-up
        long[] latencies = new long[clients * requests];
        AtomicInteger n = new AtomicInteger();
        AtomicLong bytes = new AtomicLong(), failures = new AtomicLong();
        long stopAt = System.nanoTime() + Duration.ofSeconds(Integer.getInteger("bench.scenarioSeconds", 90)).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            pool.submit(() -> {
                for (int r = 0; r < requests && System.nanoTime() < stopAt; r++) {
                    long s = System.nanoTime();
                    try {
                        long size = get(http, url.call());
                        latencies[n.getAndIncrement()] = System.nanoTime() - s;
                        bytes.addAndGet(size);
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.HOURS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long[] done = Arrays.copyOf(latencies, n.get());
        Arrays.sort(done);
        if (done.length == 0) {
            report.figure(what + ": failed requests", failures.get(), "requests", null);
            return;
        }
        report.figure(what + ": p50", pct(done, 50) / 1e6, "ms", null);
        report.figure(what + ": p99", pct(done, 99) / 1e6, "ms", goal);
        report.figure(what + ": max", done[done.length - 1] / 1e6, "ms", null);
        report.figure(what + ": throughput", done.length / seconds, "req/s", null);
        report.figure(what + ": response size", bytes.get() / (double) done.length / 1024, "KiB", null);
        if (failures.get() > 0) report.figure(what + ": failed requests", failures.get(), "requests", null);
        for (int p = 0; p <= 100; p += 5) report.point("latency-" + (what.startsWith("full") ? "full" : "small"), what.replaceAll(" \\(.*", ""), "percentile", "ms", p, pct(done, p) / 1e6);
    }

    /** GETs a URL, counting and discarding the body; fails on anything but 200. */
    private static long get(HttpClient http, String url) throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofMinutes(5)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long size = 0;
        byte[] buf = new byte[65536];
        try (InputStream in = r.body()) {
            for (int k; (k = in.read(buf)) >= 0; ) size += k;
        }
        if (r.statusCode() != 200) throw new IllegalStateException(url + ": " + r.statusCode());
        return size;
    }

    private static int podsInView(HttpClient http, String base, int deployments) {
        int n = 0;
        for (int d = 0; d < deployments; d++) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/default/pods?labelSelector=app%3Dapp" + d)).header("Authorization", "Bearer " + TOKEN)
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                n += JSON.readTree(r.body()).path("items").size();
            } catch (Exception e) {
                return -1;
            }
        }
        return n;
    }

    /**
     * Writes a READY TaskView for each pod the real pipeline has not brought up in time: a copy of one
     * real view of the same deployment (read back from berth.state.tasks) with a new task id, name,
     * node and address. State-streams does not know these pods; the gateway serves them like any other.
     */
    private static int topUp(ClusterLoad c, int deployments, int replicas, BenchReport report) throws Exception {
        Map<String, byte[]> sample = new HashMap<>();
        Map<String, Integer> have = new HashMap<>();
        Map<String, String> latestState = new HashMap<>();
        var serde = c.serdes.value(Topics.TASKS);
        try (KafkaConsumer<String, byte[]> k = new KafkaConsumer<>(BerthConfig.of(c.bootstrapServers(), null, null).clientMap("bench-apiload", "isolation.level", "read_committed",
                "enable.auto.commit", "false", "max.poll.records", "5000"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < Topics.TASKS.partitions(); p++) tps.add(new TopicPartition(Topics.TASKS.name(), p));
            k.assign(tps);
            k.seekToBeginning(tps);
            Map<TopicPartition, Long> end = k.endOffsets(tps);
            Map<String, byte[]> latest = new HashMap<>();
            while (tps.stream().anyMatch(tp -> k.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : k.poll(Duration.ofMillis(200))) latest.put(r.key(), r.value());
            }
            latest.forEach((key, v) -> {
                if (v == null) return;
                io.berth.schemas.avro.TaskView t = serde.deserialize(Topics.TASKS.name(), v);
                if (t.getReady()) sample.put(t.getWorkloadKey(), v); // the probe's too: any ready pod is a good copy
                if (!t.getNamespace().equals("default")) return;
                have.merge(t.getWorkloadKey(), 1, Integer::sum);
                latestState.put(t.getWorkloadKey(), t.getPhase().toString());
            });
        }
        report.progress("top-up: %d deployments have a ready pod to copy; %,d pods exist", sample.size(), have.values().stream().mapToInt(i -> i).sum());
        var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(BerthConfig.of(c.bootstrapServers(), null, null).clientMap("bench-apiload",
                "linger.ms", "20", "batch.size", "262144", "compression.type", "lz4"),
                new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
        int added = 0, nodeCount = c.nodeCount();
        try (producer) {
            for (int d = 0; d < deployments; d++) {
                String workload = "default/deployment/app" + d;
                byte[] v = sample.getOrDefault(workload, sample.values().stream().findFirst()
                        .orElseThrow(() -> new IllegalStateException("no ready pod to copy; raise bench.upMinutes")));
                for (int i = have.getOrDefault(workload, 0); i < replicas; i++) {
                    io.berth.schemas.avro.TaskView t = serde.deserialize(Topics.TASKS.name(), v);
                    t.setWorkloadKey(workload);
                    t.setNamespace("default");
                    Map<String, String> labels = new HashMap<>(t.getLabels());
                    labels.put("app", "app" + d);
                    t.setLabels(labels);
                    String id = "app" + d + "-" + t.getTemplateHash() + "-top" + i;
                    int node = 1 + (added % nodeCount);
                    t.setTaskId(id);
                    t.setPodName(id);
                    t.setNodeId("n" + node);
                    t.setPodIP("10.244." + (node % 250) + "." + (i % 250));
                    t.setContainerId("c-" + id);
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.TASKS.name(), id, serde.serialize(Topics.TASKS.name(), t)));
                    added++;
                }
            }
        }
        return added;
    }

    private static int readyReplicas(HttpClient http, String base) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/apis/apps/v1/namespaces/default/deployments")).header("Authorization", "Bearer " + TOKEN).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            int ready = 0;
            for (JsonNode d : JSON.readTree(r.body()).path("items")) ready += d.path("status").path("readyReplicas").asInt(0);
            return ready;
        } catch (Exception e) {
            return -1;
        }
    }

    // ---- the probe's view records and their receipt by the watchers ----

    /** A plain read_committed consumer of berth.state.tasks noting, per record of the probe pod, its timestamp and when it was seen. */
    static final class ProbeTail {
        final Map<Long, long[]> records = new ConcurrentHashMap<>(); // offset → {record timestamp ms, seen at ms}
        volatile byte[] latest;
        volatile int partition = -1;
        private final String bootstrap, probe;

        ProbeTail(String bootstrap, String probe) {
            this.bootstrap = bootstrap;
            this.probe = probe;
        }

        void start() {
            Thread t = new Thread(() -> {
                try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(BerthConfig.of(bootstrap, null, null).clientMap("bench-apiload", "isolation.level", "read_committed",
                        "enable.auto.commit", "false"), new StringDeserializer(), new ByteArrayDeserializer())) {
                    List<TopicPartition> tps = new ArrayList<>();
                    for (int p = 0; p < Topics.TASKS.partitions(); p++) tps.add(new TopicPartition(Topics.TASKS.name(), p));
                    c.assign(tps);
                    c.seekToBeginning(tps);
                    while (true) {
                        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(50))) {
                            if (!probe.equals(r.key())) continue;
                            partition = r.partition();
                            if (r.value() != null) latest = r.value();
                            records.put(r.offset(), new long[]{r.timestamp(), System.currentTimeMillis()});
                        }
                    }
                }
            }, "bench-probe-tail");
            t.setDaemon(true);
            t.start();
        }

        long changes() {
            return records.size();
        }
    }

    /** Per probe change (its offset): how many watchers received it and when the last one did. */
    static final class Deliveries {
        final Map<Long, long[]> received = new ConcurrentHashMap<>(); // offset → {count, last receipt ms}
        private final ProbeTail tail;
        private volatile long since = Long.MAX_VALUE;

        Deliveries(ProbeTail tail) {
            this.tail = tail;
        }

        void reset() {
            since = System.currentTimeMillis();
            received.clear();
        }

        WebSocket.Listener listener() {
            return new WebSocket.Listener() {
                final StringBuilder frame = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    frame.append(data);
                    if (last) {
                        received(frame, System.currentTimeMillis());
                        frame.setLength(0);
                    }
                    ws.request(1);
                    return null;
                }
            };
        }

        private void received(CharSequence frame, long now) {
            int p = tail.partition;
            String s = frame.toString();
            int at = s.indexOf("\"resourceVersion\":\"");
            if (p < 0 || at < 0) return;
            int from = at + 19, to = s.indexOf('"', from);
            String[] vector = s.substring(from, to).split("\\.");
            if (p >= vector.length) return;
            long offset = Long.parseLong(vector[p]) - 1;
            received.compute(offset, (k, v) -> v == null ? new long[]{1, now} : new long[]{v[0] + 1, Math.max(v[1], now)});
        }

        long complete(int watchers) {
            return received.values().stream().filter(v -> v[0] >= watchers).count();
        }

        /** {delay from record timestamp, delay from seen} in ms, for the changes after {@link #reset} every watcher received. */
        List<long[]> completed(int watchers) {
            List<long[]> out = new ArrayList<>();
            received.forEach((offset, v) -> {
                long[] rec = tail.records.get(offset);
                if (rec == null || rec[1] < since || v[0] < watchers) return;
                out.add(new long[]{v[1] - rec[0], v[1] - rec[1]});
            });
            return out;
        }
    }

    // ---- helpers ----

    static long pct(long[] sorted, int p) {
        if (sorted.length == 0) return 0;
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static <T> T waitFor(Callable<T> what, Duration timeout, String name) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            T t = what.call();
            if (t != null) return t;
            Thread.sleep(100);
        }
        throw new IllegalStateException("timed out waiting for " + name);
    }

    private static int arg(String[] args, int i, int dflt) {
        return args.length > i ? Integer.parseInt(args[i]) : dflt;
    }
}
