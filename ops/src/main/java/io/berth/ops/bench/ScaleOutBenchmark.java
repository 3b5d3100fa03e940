package io.berth.ops.bench;

import io.berth.node.sim.SimCluster;
import io.berth.ops.Berth;
import io.berth.ops.Processes;
import io.berth.ops.ServiceProcesses;
import io.berth.ops.bench.report.BenchReport;
import io.berth.ops.kafka.EmbeddedKafka;
import io.berth.ops.kafka.LocalCluster;
import io.berth.registry.client.CachedSchemaRegistryClient;
import io.berth.schemas.auth.TokenFile;
import io.berth.scheduler.SchedulerService;
import io.berth.schemas.TopicAdmin;
import io.berth.schemas.service.BerthConfig;
import io.berth.state.StateStreamsTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.*;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code ops/bench scaleout}: the placement scenario of {@code ops/bench sim} against a three-broker
 * {@link LocalCluster}, with the control plane as separate processes ({@code berth registry},
 * {@code berth state-streams}, {@code berth scheduler}, as an operator runs them), twice: layout
 * {@code 1x} (one state-streams, one scheduler) and {@code 2x} (two of each, same application ids, so
 * Kafka Streams splits their tasks). Each layout gets a fresh cluster. The simulated nodes run in this
 * JVM ({@link SimCluster}); the Deployments go straight onto berth.intents, as in {@code sim} (no
 * gateway: nothing here reads through it). Besides the placement figures it records what could cap the
 * 2x layout: the partition count of every topic, which partitions each Streams member holds, and the
 * CPU seconds each process used during the placement.
 * <pre>ScaleOutBenchmark [nodes=200] [deployments=20] [replicas=500] [timeoutSeconds=900]</pre>
 */
public final class ScaleOutBenchmark {
    private static final long HEARTBEAT_MS = 1000, GRACE_MS = 3000;
    private static final String START_DELAY = "200ms";
    private static final String SERVICE_HEAP = "-Xmx1g";
    /**
     * {@code -Dberth.bench.jstack=true}: a jstack of every stream thread at each progress line. Off by
     * default: on a starved machine an attach can stall a service past its 10 s transaction timeout.
     */
    private static final boolean JSTACK = Boolean.getBoolean("berth.bench.jstack");

    public static void main(String[] args) throws Exception {
        int nodes = Placement.arg(args, 0, 200), deployments = Placement.arg(args, 1, 20), replicas = Placement.arg(args, 2, 500), timeoutS = Placement.arg(args, 3, 900);
        BenchReport report = new BenchReport("scaleout").parameter("nodes", nodes).parameter("deployments", deployments)
                .parameter("replicas", replicas).parameter("tasks", deployments * replicas).parameter("brokers", 3)
                .parameter("start delay", START_DELAY).parameter("heartbeat", HEARTBEAT_MS + " ms")
                .parameter("service heap", SERVICE_HEAP + " " + String.join(" ", io.berth.ops.Processes.SERVICE_GC) + ", one stream thread each");
        Map<Integer, Placement.Result> results = new LinkedHashMap<>();
        try {
            for (int instances : List.of(1, 2)) {
                Layout layout = new Layout(instances, report);
                Thread hook = new Thread(layout::close, "scaleout-cleanup");
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    layout.start();
                    results.put(instances, layout.place(nodes, deployments, replicas, timeoutS));
                } catch (Exception e) {
                    report.progress("[%dx] failed: %s", instances, e.getMessage());
                    report.figure(new BenchReport.Figure("[" + instances + "x] did not finish", 0, "", null, null, null,
                            e.getMessage().lines().findFirst().orElse("") ));
                } finally {
                    layout.close();
                    Runtime.getRuntime().removeShutdownHook(hook);
                }
            }
            Placement.Result one = results.get(1), two = results.get(2);
            if (one == null || two == null) return;
            report.figure("placements/s, 2x over 1x", two.perSecond(), "/s", "2 × the 1x figure",
                    "1x (one state-streams, one scheduler)", one.perSecond());
            report.figure("time until all Running, 2x over 1x", two.allRunningS(), "s", "half the 1x figure",
                    "1x (one state-streams, one scheduler)", one.allRunningS());
        } finally {
            String md = report.write(BenchReport.resultsDir().resolve("scaleout"));
            System.out.println(md);
        }
    }

    /** One control-plane layout: a fresh 3-broker cluster, a registry, n state-streams and n schedulers, each its own process. */
    private static final class Layout {
        private final int instances;
        private final String name;
        private final BenchReport report;
        private final Path dir;
        private final ServiceProcesses services;
        private LocalCluster cluster;
        private SimScenario sim;
        private CachedSchemaRegistryClient registryClient;
        private final String token = TokenFile.newToken();
        private String registryUrl;
        private boolean closed;

        Layout(int instances, BenchReport report) throws Exception {
            this.instances = instances;
            this.name = instances + "x";
            this.report = report;
            this.dir = Files.createTempDirectory("berth-bench-scaleout-" + name);
            this.services = new ServiceProcesses(dir, io.berth.ops.Processes.withGc(SERVICE_HEAP,
                    "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.streams.processor.internals.TaskManager=info"),
                    line -> report.progress("[%s] %s", name, line));
        }

        void start() throws Exception {
            report.progress("[%s] starting a 3-broker local KRaft cluster in %s …", name, dir);
            cluster = new LocalCluster(dir.resolve("cluster"), 3, freePorts(3), freePorts(3), System.getProperty("java.class.path"), "-Xmx384m");
            cluster.start(180_000);
            String bs = cluster.bootstrapServers();
            report.progress("[%s] brokers %s up (pids %s)", name, bs, cluster.pids());
            try (Admin admin = Admin.create(BerthConfig.of(bs, null, null).clientMap("bench-scaleout"))) {
                TopicAdmin.ensureTopics(admin);
            }
            int registryPort = EmbeddedKafka.freePort("127.0.0.1");
            // schema writes need a credential: the bench's own token file, its admin token for every writer
            Path tokens = dir.resolve(TokenFile.FILE_NAME);
            TokenFile.write(tokens, List.of(new TokenFile.Entry(token, "bench", "1", List.of("system:masters"))));
            spawnAndAwait(List.of("registry-1"), n -> List.of("registry", "--bootstrap-servers", bs, "--port", "" + registryPort,
                    "--set", "auth-token-file=" + tokens));
            registryUrl = "http://127.0.0.1:" + registryPort;
            List<String> common = List.of("--bootstrap-servers", bs, "--registry-url", registryUrl, "--set", "node-grace-ms=" + GRACE_MS,
                    "--set", "registry-basic-auth-user-info=bench:" + token);
            // all instances of one service start together: one rebalance instead of one per joiner
            spawnAndAwait(names("state-streams", instances), n -> concat(List.of("state-streams"), common));
            spawnAndAwait(names("scheduler", instances), n -> concat(List.of("scheduler"), common));
            try (Admin admin = Admin.create(BerthConfig.of(bs, null, null).clientMap("bench-scaleout"))) {
                for (String group : List.of(StateStreamsTopology.APPLICATION_ID, SchedulerService.APPLICATION_ID)) {
                    Placement.await(report, 120, () -> stable(admin, group), () -> "[" + name + "] waiting for group " + group
                            + " to be Stable with " + instances + " member(s)", true);
                }
                recordTopology(admin);
            }
        }

        Placement.Result place(int nodes, int deployments, int replicas, int timeoutS) throws Exception {
            BerthConfig cfg = BerthConfig.of(cluster.bootstrapServers(), registryUrl, dir.resolve("nodes"))
                    .with("heartbeat-ms", "" + HEARTBEAT_MS).with("node-cpu-millis", "64000")
                    .with("node-memory-bytes", String.valueOf(256L << 30)).with("sim-start-delay", START_DELAY);
            registryClient = new CachedSchemaRegistryClient(registryUrl, Duration.ofSeconds(30), "Bearer " + token);
            sim = new SimScenario(cfg, registryClient, true);
            long n0 = System.nanoTime();
            sim.cluster().start("sim-", nodes);
            report.progress("[%s] %d simulated nodes registered in %.1f s", name, nodes, (System.nanoTime() - n0) / 1e9);
            Placement.await(report, 120, () -> sim.lastHeartbeats().size() >= nodes,
                    () -> "[" + name + "] heartbeats seen from " + sim.lastHeartbeats().size() + " / " + nodes + " nodes", true);
            Thread.sleep(2 * HEARTBEAT_MS); // as in sim: every node has heartbeated twice, the scheduler sees them all ready
            Map<String, Long> cpu0 = cpuTicks();
            Map<String, Long> refused0 = refusedTransactions();
            Map<String, Long> maxLag = new TreeMap<>();
            Map<String, Map<String, Integer>> samples = new TreeMap<>();
            long t0 = System.currentTimeMillis();
            Placement.Result r;
            try (Admin admin = Admin.create(BerthConfig.of(cluster.bootstrapServers(), null, null).clientMap("bench-scaleout"))) {
                r = Placement.measure(report, sim, "sim", deployments, replicas, timeoutS, "running", name, () -> {
                    failIfAServiceStopped();
                    if (JSTACK) sampleStreamThreads(samples);
                    return " [" + name + "], input lag " + lag(admin, (System.currentTimeMillis() - t0) / 1000.0, maxLag);
                });
            }
            Map<String, Long> cpu1 = cpuTicks();
            String what = "[" + name + "] ";
            report.figure(what + "time until all " + String.format(Locale.ROOT, "%,d", r.tasks()) + " tasks Running", r.allRunningS(), "s", null);
            report.figure(what + "placements/s", r.perSecond(), "/s", null);
            report.figure(what + "intent→Running p50", r.p50S(), "s", null);
            report.figure(what + "intent→Running p99", r.p99S(), "s", null);
            report.figure(what + "first intent → first task Running", r.firstRunningS(), "s", null);
            maxLag.forEach((g, l) -> report.figure(what + "largest input lag seen, " + g, l, "records", null));
            // CPU each process used from the first intent until all ran: which one did the work, which one idled
            for (String p : cpu1.keySet()) {
                double s = (cpu1.get(p) - cpu0.getOrDefault(p, 0L)) / 100.0;
                report.figure(what + "CPU during the placement: " + p, s, "s", null);
            }
            logAssignments();
            samples.forEach((n, byWhat) -> {
                int all = byWhat.values().stream().mapToInt(Integer::intValue).sum();
                String top = byWhat.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(4)
                        .map(e -> String.format(Locale.ROOT, "%s %.0f %%", e.getKey(), 100.0 * e.getValue() / all)).collect(Collectors.joining(", "));
                report.progress("[%s] %s stream thread, %d jstack samples: %s", name, n, all, top);
                report.parameter(name + " " + n + " stream thread (" + all + " jstack samples)", top);
            });
            // a transactional producer's next write waits while its last commit's markers are still being written
            refusedTransactions().forEach((n, c) -> report.figure(what + n + ": produce requests refused with CONCURRENT_TRANSACTIONS during the placement (retried)",
                    c - refused0.getOrDefault(n, 0L), "requests", null));
            return r;
        }

        /** Throws, naming the service and its error, when a service process exited or its Streams client stopped on an error. */
        private void failIfAServiceStopped() {
            services.processes().forEach((n, p) -> {
                if (!p.isAlive()) throw new IllegalStateException(n + " (pid " + p.pid() + ") exited with code " + p.exitValue() + ":\n" + Processes.tail(log(n), 20));
                try (var lines = Files.lines(log(n))) {
                    List<String> err = lines.filter(l -> l.contains("ERROR") || l.startsWith("Caused by")).toList();
                    if (err.stream().anyMatch(l -> l.contains("will now close to ERROR") || l.contains("opted to SHUTDOWN_CLIENT"))) {
                        throw new IllegalStateException(n + " (pid " + p.pid() + ") stopped processing: "
                                + String.join(" / ", err.subList(0, Math.min(4, err.size()))));
                    }
                } catch (java.io.IOException ignored) {
                    // no log yet
                }
            });
        }

        /** One jstack of each Streams service: what its stream thread is doing, counted per process. */
        private void sampleStreamThreads(Map<String, Map<String, Integer>> samples) {
            services.processes().forEach((n, p) -> {
                if (n.startsWith("registry")) return;
                try {
                    Process j = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(), "" + p.pid())
                            .redirectErrorStream(true).start();
                    String dump = new String(j.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    j.waitFor(10, TimeUnit.SECONDS);
                    String what = streamThreadActivity(dump);
                    if (what != null) samples.computeIfAbsent(n, k -> new TreeMap<>()).merge(what, 1, Integer::sum);
                } catch (Exception ignored) {
                    // no jstack: no samples
                }
            });
        }

        /** Per Streams service process: warnings in its log of a produce request refused with CONCURRENT_TRANSACTIONS. */
        private Map<String, Long> refusedTransactions() {
            Map<String, Long> out = new LinkedHashMap<>();
            for (String n : services.processes().keySet()) if (!n.startsWith("registry")) out.put(n, count(log(n), "CONCURRENT_TRANSACTIONS"));
            return out;
        }

        /** Every process of this layout (brokers summed), as name → utime+stime in clock ticks (USER_HZ 100). */
        private Map<String, Long> cpuTicks() {
            Map<String, Long> out = new LinkedHashMap<>();
            services.processes().forEach((n, p) -> out.put(n, ticks(p.pid())));
            out.put("3 brokers", cluster.pids().stream().mapToLong(ScaleOutBenchmark::ticks).sum());
            out.put("simulated nodes (this JVM)", ticks(ProcessHandle.current().pid()));
            return out;
        }

        /**
         * Records not yet consumed (end offset − committed offset) per group and input topic, as text for the
         * progress line; adds a chart point per group and keeps each group's largest total.
         */
        private String lag(Admin admin, double atS, Map<String, Long> maxLag) {
            StringJoiner out = new StringJoiner("; ");
            try {
                for (String group : List.of(StateStreamsTopology.APPLICATION_ID, SchedulerService.APPLICATION_ID)) {
                    Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                    Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
                    committed.keySet().forEach(tp -> latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
                    var ends = admin.listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(
                            org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS);
                    Map<String, Long> byTopic = new TreeMap<>();
                    committed.forEach((tp, om) -> {
                        if (om == null || ends.get(tp) == null) return;
                        String topic = tp.topic().replace(group + "-", "").replace("-repartition", "");
                        byTopic.merge(topic, Math.max(0, ends.get(tp).offset() - om.offset()), Long::sum);
                    });
                    long total = byTopic.values().stream().mapToLong(Long::longValue).sum();
                    maxLag.merge(group, total, Math::max);
                    report.point("input-lag", name + " " + group, "seconds since the Deployments were applied", "records not yet consumed", atS, total);
                    out.add(group + " " + byTopic.entrySet().stream().filter(e -> e.getValue() > 0)
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ", "{", "}")));
                }
            } catch (Exception e) {
                out.add("(not readable: " + e + ")");
            }
            return out.toString();
        }

        /** Partition counts of every topic and the partitions each Streams member holds, as parameters and progress. */
        private void recordTopology(Admin admin) throws Exception {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            Map<String, TopicDescription> d = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
            String counts = new TreeMap<>(d).entrySet().stream()
                    .filter(e -> e.getKey().startsWith("berth"))
                    .map(e -> e.getKey() + " " + e.getValue().partitions().size())
                    .collect(Collectors.joining(", "));
            report.progress("[%s] topic partitions: %s", name, counts);
            if (instances == 1) report.parameter("topic partitions", counts);
            Map<String, ConsumerGroupDescription> groups = admin.describeConsumerGroups(
                    List.of(StateStreamsTopology.APPLICATION_ID, SchedulerService.APPLICATION_ID)).all().get(30, TimeUnit.SECONDS);
            for (ConsumerGroupDescription g : groups.values()) {
                List<String> members = new ArrayList<>();
                char label = 'A';
                for (MemberDescription m : g.members().stream().sorted(Comparator.comparing(MemberDescription::consumerId)).toList()) {
                    members.add("member " + (label++) + ": " + partitions(m.assignment().topicPartitions()));
                }
                String s = String.join("; ", members);
                report.progress("[%s] group %s: %s", name, g.groupId(), s);
                report.parameter(name + " " + g.groupId() + " partitions", s);
            }
        }

        private boolean stable(Admin admin, String group) {
            try {
                ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
                return g.groupState() == GroupState.STABLE && g.members().size() == instances;
            } catch (Exception e) {
                return false;
            }
        }

        /** The Streams task assignment each service process logged last (TaskManager's "Handle new assignment"). */
        private void logAssignments() {
            services.processes().forEach((n, p) -> {
                if (n.startsWith("registry")) return;
                try {
                    List<String> lines = Files.readAllLines(log(n));
                    int at = -1;
                    for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains("Handle new assignment with")) at = i;
                    if (at < 0) return;
                    String tasks = lines.subList(at + 1, Math.min(lines.size(), at + 5)).stream().map(String::trim)
                            .filter(l -> l.startsWith("New active tasks")).collect(Collectors.joining("; "));
                    report.progress("[%s] %s (pid %d) last assignment: %s", name, n, p.pid(), tasks);
                } catch (Exception ignored) {
                    // no log
                }
            });
        }

        private void spawnAndAwait(List<String> names, java.util.function.Function<String, List<String>> args) throws Exception {
            services.startAndAwait(names, args, 240_000);
        }

        private Path log(String n) {
            return services.log(n);
        }

        /** Stops the nodes, every service process by pid (last started first), then the brokers; keeps the logs in the temp dir. */
        synchronized void close() {
            if (closed) return;
            closed = true;
            if (sim != null) {
                try {
                    sim.close();
                } catch (Exception e) {
                    report.progress("[%s] closing the simulated nodes: %s", name, e);
                }
            }
            if (registryClient != null) registryClient.close();
            services.stopAll(30_000);
            if (cluster != null) {
                try {
                    LocalCluster.stop(cluster.dir(), 30_000);
                } catch (Exception e) {
                    report.progress("[%s] stopping the brokers: %s", name, e);
                }
                for (long pid : cluster.pids()) { // the ones stop() did not know of (a start that failed half-way)
                    ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            Path keep = Path.of(System.getProperty("java.io.tmpdir"), "berth-bench-scaleout-" + name + "-logs");
            try {
                Files.createDirectories(keep);
                for (String n : services.processes().keySet()) Files.copy(log(n), keep.resolve(n + ".log"), StandardCopyOption.REPLACE_EXISTING);
                report.progress("[%s] stopped; service logs kept in %s", name, keep);
            } catch (Exception ignored) {
                // no logs
            }
            Placement.deleteTree(dir.toFile());
        }
    }

    /**
     * What the stream thread of a jstack dump does, from its frames top-down: the first Berth frame
     * (Class.method; a serde names its caller), else waiting on a transaction, flushing the producer, polling, or the top frame.
     */
    static String streamThreadActivity(String dump) {
        int at = dump.indexOf("-StreamThread-1\"");
        if (at < 0) return null;
        int end = dump.indexOf("\n\n", at);
        String[] lines = dump.substring(at, end < 0 ? dump.length() : end).split("\n");
        String top = null;
        for (String l : lines) {
            String f = l.trim();
            if (!f.startsWith("at ")) continue;
            f = f.substring(3).replaceAll("\\(.*", "");
            if (top == null) top = f;
            if (f.startsWith("io.berth.") && !f.startsWith("io.berth.schemas.serde.")) { // serdes: name their caller
                String[] parts = f.split("\\.");
                return "Berth " + parts[parts.length - 2] + "." + parts[parts.length - 1];
            }
            if (f.contains("commitTransaction") || f.contains("TransactionalRequestResult.await")) return "committing the transaction";
            if (f.contains("KafkaProducer.flush")) return "flushing the producer";
            if (f.contains("KafkaProducer.send") || f.contains("waitOnMetadata")) return "producer send";
            if (f.endsWith("Consumer.poll") || f.contains("ConsumerNetworkClient.poll")) return "polling for input";
            if (f.contains("maybeCommit") || f.contains("commitOffsetsOrTransaction")) return "committing the transaction";
        }
        return top == null ? null : "other: " + top;
    }

    /** Lines of a file that contain {@code what}. */
    static long count(Path file, String what) {
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> l.contains(what)).count();
        } catch (Exception e) {
            return -1;
        }
    }

    /** topic[partitions], one entry per topic, sorted. */
    static String partitions(Collection<TopicPartition> tps) {
        Map<String, SortedSet<Integer>> byTopic = new TreeMap<>();
        for (TopicPartition tp : tps) byTopic.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition());
        return byTopic.entrySet().stream().map(e -> e.getKey() + e.getValue()).collect(Collectors.joining(" "));
    }

    /** utime + stime of a process in clock ticks (/proc/&lt;pid&gt;/stat fields 14 and 15), 0 when unreadable. */
    static long ticks(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return 0;
        }
    }

    private static List<Integer> freePorts(int n) throws Exception {
        Set<Integer> ports = new LinkedHashSet<>();
        while (ports.size() < n) ports.add(EmbeddedKafka.freePort("127.0.0.1"));
        return new ArrayList<>(ports);
    }

    private static List<String> names(String service, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) out.add(service + "-" + i);
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
