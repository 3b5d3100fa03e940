package io.berth.ops.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A local multi-broker KRaft cluster: each broker is its own {@code java … kafka.Kafka} process on
 * loopback, in combined mode (broker and controller) with static voters. Layout:
 * <pre>
 *   &lt;dir&gt;/cluster.properties       bootstrap servers, ports, pids
 *   &lt;dir&gt;/broker-N/server.properties
 *   &lt;dir&gt;/broker-N/data/             log dirs (formatted on the first start, reused after)
 *   &lt;dir&gt;/broker-N/broker.log
 * </pre>
 * default.replication.factor = min(3, brokers), min.insync.replicas = 2 when there are 3+ brokers.
 */
public final class LocalCluster {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
    public static final String FILE = "cluster.properties";

    private final Path dir;
    private final int brokers;
    private final List<Integer> brokerPorts;
    private final List<Integer> controllerPorts;
    private final String classpath;
    private final String heap;
    private final List<Long> pids = new ArrayList<>();

    public LocalCluster(Path dir, int brokers, List<Integer> brokerPorts, List<Integer> controllerPorts, String classpath, String heap) {
        if (brokers < 1) throw new IllegalArgumentException("brokers must be >= 1");
        if (brokerPorts.size() != brokers || controllerPorts.size() != brokers) {
            throw new IllegalArgumentException("need one broker and one controller port per broker");
        }
        this.dir = dir;
        this.brokers = brokers;
        this.brokerPorts = List.copyOf(brokerPorts);
        this.controllerPorts = List.copyOf(controllerPorts);
        this.classpath = classpath;
        this.heap = heap;
    }

    /** Ports basePort, basePort+1, … for brokers and controllerBasePort, … for controllers. */
    public static LocalCluster withPorts(Path dir, int brokers, int basePort, int controllerBasePort, String classpath) {
        List<Integer> b = new ArrayList<>(), c = new ArrayList<>();
        for (int i = 0; i < brokers; i++) {
            b.add(basePort + i);
            c.add(controllerBasePort + i);
        }
        return new LocalCluster(dir, brokers, b, c, classpath, "-Xmx384m");
    }

    public String bootstrapServers() {
        return brokerPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    public List<Long> pids() {
        return List.copyOf(pids);
    }

    public Path dir() {
        return dir;
    }

    public Path brokerDir(int nodeId) {
        return dir.resolve("broker-" + nodeId);
    }

    /**
     * Formats (first start only) and starts every broker process, then waits until all brokers
     * are registered. Writes {@code cluster.properties}.
     */
    public void start(long timeoutMs) throws Exception {
        Optional<Properties> running = readState(dir).filter(LocalCluster::anyAlive);
        if (running.isPresent()) {
            throw new IllegalStateException("a cluster already runs from " + dir + " (pids " + running.get().getProperty("pids") + "); stop it first");
        }
        for (int i = 0; i < brokers; i++) {
            if (!EmbeddedKafka.isFree("127.0.0.1", brokerPorts.get(i)) || !EmbeddedKafka.isFree("127.0.0.1", controllerPorts.get(i))) {
                throw new IllegalStateException("port " + brokerPorts.get(i) + " or " + controllerPorts.get(i) + " is in use");
            }
        }
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        String clusterId = null;
        Path idFile = dir.resolve("cluster.id");
        if (Files.exists(idFile)) clusterId = Files.readString(idFile).trim();
        if (clusterId == null || clusterId.isEmpty()) {
            clusterId = Uuid.randomUuid().toString();
            Files.writeString(idFile, clusterId + "\n");
        }
        String voters = "";
        for (int i = 0; i < brokers; i++) {
            voters += (i == 0 ? "" : ",") + (i + 1) + "@127.0.0.1:" + controllerPorts.get(i);
        }
        List<Path> configs = new ArrayList<>();
        for (int i = 0; i < brokers; i++) {
            int nodeId = i + 1;
            Path bdir = brokerDir(nodeId);
            Path data = bdir.resolve("data");
            Files.createDirectories(data);
            Properties p = brokerProps(nodeId, voters, data);
            Path cfg = bdir.resolve("server.properties");
            try (Writer w = Files.newBufferedWriter(cfg)) {
                p.store(w, "Berth local cluster broker " + nodeId);
            }
            configs.add(cfg);
            if (!Files.exists(data.resolve("meta.properties"))) {
                format(bdir, cfg, clusterId);
            }
        }
        pids.clear();
        for (int i = 0; i < brokers; i++) {
            pids.add(launch(brokerDir(i + 1), configs.get(i)));
        }
        writeState();
        try {
            awaitRegistered(timeoutMs);
        } catch (Exception e) {
            stop(dir, 10_000);
            throw e;
        }
        LOG.info("{} brokers registered in {} ms: {}", brokers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), bootstrapServers());
    }

    private Properties brokerProps(int nodeId, String voters, Path data) {
        int i = nodeId - 1;
        short rf = (short) Math.min(3, brokers);
        String minIsr = brokers >= 3 ? "2" : "1";
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPorts.get(i) + ",CONTROLLER://127.0.0.1:" + controllerPorts.get(i));
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPorts.get(i));
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", data.toAbsolutePath().toString());
        p.put("default.replication.factor", String.valueOf(rf));
        p.put("min.insync.replicas", minIsr);
        p.put("offsets.topic.replication.factor", String.valueOf(rf));
        p.put("offsets.topic.num.partitions", "10");
        p.put("transaction.state.log.replication.factor", String.valueOf(rf));
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "10");
        p.put("share.coordinator.state.topic.replication.factor", String.valueOf(rf));
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        p.put("num.partitions", "3");
        // Berth creates its topics itself with the cleanup policy each needs (TopicAdmin); a producer
        // or consumer left over from another cluster must not create them first with the defaults
        p.put("auto.create.topics.enable", "false");
        p.put("unclean.leader.election.enable", "false");
        return p;
    }

    private void format(Path bdir, Path cfg, String clusterId) throws Exception {
        Process p = new ProcessBuilder(javaBin(), "-Xmx256m", "-cp", classpath, "kafka.tools.StorageTool",
                "format", "-t", clusterId, "-c", cfg.toString())
                .redirectErrorStream(true)
                .redirectOutput(bdir.resolve("format.log").toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("formatting " + bdir + " failed: " + Files.readString(bdir.resolve("format.log")));
        }
    }

    private long launch(Path bdir, Path cfg) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add("/usr/bin/setsid");
        cmd.add(javaBin());
        cmd.addAll(io.berth.ops.Processes.withGc(heap));
        cmd.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info",
                "-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory",
                "-cp", classpath, "kafka.Kafka", cfg.toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(bdir.resolve("broker.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        Files.writeString(bdir.resolve("broker.pid"), p.pid() + "\n");
        return p.pid();
    }

    private void awaitRegistered(long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        Exception last = null;
        try (Admin admin = Admin.create(io.berth.schemas.service.BerthConfig.of(bootstrapServers(), null, dir)
                .clientMap("berth-kafka-start", "request.timeout.ms", "3000", "default.api.timeout.ms", "5000"))) {
            while (System.currentTimeMillis() < deadline) {
                for (long pid : pids) {
                    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        throw new IllegalStateException("broker process " + pid + " exited; see " + dir + "/broker-*/broker.log");
                    }
                }
                try {
                    if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= brokers) return;
                } catch (Exception e) {
                    last = e;
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("not all " + brokers + " brokers registered within " + timeoutMs + " ms", last);
    }

    private void writeState() throws IOException {
        Properties p = new Properties();
        p.setProperty("brokers", String.valueOf(brokers));
        p.setProperty("bootstrap.servers", bootstrapServers());
        p.setProperty("pids", pids.stream().map(String::valueOf).collect(Collectors.joining(",")));
        p.setProperty("broker.ports", brokerPorts.stream().map(String::valueOf).collect(Collectors.joining(",")));
        p.setProperty("controller.ports", controllerPorts.stream().map(String::valueOf).collect(Collectors.joining(",")));
        try (Writer w = Files.newBufferedWriter(dir.resolve(FILE))) {
            p.store(w, "Berth local Kafka cluster");
        }
    }

    /**
     * Records that broker {@code index} (1…) now runs as {@code pid} (restarted by a supervisor, e.g. the
     * chaos suite): its {@code broker.pid} and the {@code pids} of {@code cluster.properties}, which
     * {@link #stop} ({@code berth down}) stops.
     */
    public static synchronized void recordPid(Path dir, int index, long pid) throws IOException {
        Files.writeString(dir.resolve("broker-" + index).resolve("broker.pid"), pid + "\n");
        Properties p = readState(dir).orElseThrow(() -> new IllegalStateException("no " + FILE + " in " + dir));
        List<Long> pids = new ArrayList<>(pids(p));
        if (index < 1 || index > pids.size()) throw new IllegalArgumentException("index: broker " + index + " of " + pids.size());
        pids.set(index - 1, pid);
        p.setProperty("pids", pids.stream().map(String::valueOf).collect(Collectors.joining(",")));
        Path tmp = dir.resolve(FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "Berth local Kafka cluster");
        }
        Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The recorded state of a cluster started from {@code dir}, if any. */
    public static Optional<Properties> readState(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) return Optional.empty();
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        }
        return Optional.of(p);
    }

    public static List<Long> pids(Properties state) {
        List<Long> out = new ArrayList<>();
        for (String s : state.getProperty("pids", "").split(",")) {
            if (!s.isBlank()) out.add(Long.parseLong(s.trim()));
        }
        return out;
    }

    public static boolean anyAlive(Properties state) {
        return pids(state).stream().anyMatch(LocalCluster::alive);
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Stops every broker of the cluster recorded in {@code dir}: SIGTERM to all, wait up to
     * {@code timeoutMs}, then SIGKILL what remains. Returns the number of processes stopped.
     */
    public static int stop(Path dir, long timeoutMs) throws Exception {
        Optional<Properties> st = readState(dir);
        if (st.isEmpty()) return 0;
        List<ProcessHandle> live = new ArrayList<>();
        for (long pid : pids(st.get())) {
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(LocalCluster::isKafka).ifPresent(live::add);
        }
        live.forEach(ProcessHandle::destroy);
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (ProcessHandle h : live) {
            long left = Math.max(1, deadline - System.currentTimeMillis());
            try {
                h.onExit().get(left, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                LOG.warn("broker {} did not stop in time, killing it", h.pid());
                h.destroyForcibly();
                h.onExit().get(10, TimeUnit.SECONDS);
            }
        }
        Files.deleteIfExists(dir.resolve(FILE));
        return live.size();
    }

    private static boolean isKafka(ProcessHandle h) {
        return h.info().arguments().map(a -> List.of(a).contains("kafka.Kafka")).orElse(true);
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
