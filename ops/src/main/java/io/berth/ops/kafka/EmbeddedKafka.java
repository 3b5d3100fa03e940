package io.berth.ops.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kafka (KRaft, broker and controller in one) running inside this JVM.
 * <p>
 * Data lives in {@code <dataDir>/kafka}: the first start formats the storage (a new cluster id),
 * later starts reuse it, so records survive a restart. Internal topics use replication factor 1.
 * The controller port is chosen on the first start and remembered in
 * {@code <dataDir>/kafka/berth-kafka.properties}.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    public static final int DEFAULT_PORT = 9092;
    private static final String STATE_FILE = "berth-kafka.properties";
    /** The controller listener stays on loopback whatever address clients use. */
    private static final String CONTROLLER_HOST = "127.0.0.1";

    private final Path dir;
    private final Path logDir;
    private final String host;
    private final int port;
    private final Map<String, String> overrides;
    private final Properties clientProps;
    private final java.util.List<String> formatArgs;
    private KafkaRaftServer server;
    private boolean formattedNow;
    private int controllerPort;

    private EmbeddedKafka(Path dataDir, String host, int port, Map<String, String> overrides, Properties clientProps, java.util.List<String> formatArgs) {
        this.dir = dataDir.resolve("kafka");
        this.logDir = dir.resolve("data");
        this.host = host;
        this.port = port;
        this.overrides = Map.copyOf(overrides);
        this.clientProps = clientProps;
        this.formatArgs = java.util.List.copyOf(formatArgs);
    }

    /** Starts a broker on 127.0.0.1:{@code port} with data under {@code <dataDir>/kafka}; returns when it serves. */
    public static EmbeddedKafka start(Path dataDir, int port) {
        return start(dataDir, "127.0.0.1", port, Map.of());
    }

    public static EmbeddedKafka start(Path dataDir, String host, int port, Map<String, String> overrides) {
        return start(dataDir, host, port, overrides, new Properties(), java.util.List.of());
    }

    /**
     * A broker whose listeners the {@code overrides} may change (for example to SASL_SSL): {@code clientProps}
     * are the security settings of the client that waits for it to serve, {@code formatArgs} go to the storage
     * format of a first start (for example {@code --add-scram SCRAM-SHA-512=[name=admin,password=…]}, the
     * credential the broker itself authenticates with).
     */
    public static EmbeddedKafka start(Path dataDir, String host, int port, Map<String, String> overrides,
                                      Properties clientProps, java.util.List<String> formatArgs) {
        EmbeddedKafka k = new EmbeddedKafka(dataDir, host, port, overrides, clientProps, formatArgs);
        try {
            k.doStart();
            return k;
        } catch (Exception e) {
            k.close();
            throw new IllegalStateException("embedded Kafka did not start on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private void doStart() throws Exception {
        long t0 = System.nanoTime();
        Files.createDirectories(logDir);
        Properties state = loadState();
        controllerPort = Integer.parseInt(state.getProperty("controller.port", "0"));
        if (controllerPort == 0 || !isFree(CONTROLLER_HOST, controllerPort)) {
            controllerPort = freePort(CONTROLLER_HOST);
        }
        if (!isFree(host, port)) {
            throw new IllegalStateException("port " + port + " is already in use");
        }
        Properties props = brokerProps();
        Path cfgFile = dir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(cfgFile)) {
            props.store(w, "written by Berth's EmbeddedKafka on every start");
        }
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            String clusterId = Uuid.randomUuid().toString();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("format", "-t", clusterId, "-c", cfgFile.toString()));
            args.addAll(formatArgs);
            int rc = kafka.tools.StorageTool.execute(args.toArray(new String[0]),
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            if (rc != 0) {
                throw new IllegalStateException("formatting Kafka storage failed: " + out.toString(StandardCharsets.UTF_8));
            }
            formattedNow = true;
            LOG.info("formatted Kafka storage in {} (cluster id {})", logDir, clusterId);
        }
        state.setProperty("controller.port", String.valueOf(controllerPort));
        try (Writer w = Files.newBufferedWriter(dir.resolve(STATE_FILE))) {
            state.store(w, "Berth embedded Kafka");
        }
        server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
        server.startup();
        awaitReady(60_000);
        LOG.info("Kafka ready on {} in {} ms ({})", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), formattedNow ? "new storage" : "existing storage");
    }

    private Properties brokerProps() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + CONTROLLER_HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + CONTROLLER_HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + advertisedHost() + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("metadata.log.dir", logDir.toAbsolutePath().toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "10");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "10");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        p.put("num.partitions", "1");
        // Berth creates its topics itself with the cleanup policy each needs (TopicAdmin); a producer
        // or consumer left over from another cluster must not create them first with the defaults
        p.put("auto.create.topics.enable", "false");
        p.putAll(overrides);
        return p;
    }

    private String advertisedHost() {
        return "0.0.0.0".equals(host) ? "localhost" : host;
    }

    private void awaitReady(long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        Exception last = null;
        Properties p = new Properties();
        p.putAll(clientProps);
        p.put("bootstrap.servers", bootstrapServers());
        p.put("request.timeout.ms", "3000");
        p.put("default.api.timeout.ms", "5000");
        try (Admin admin = Admin.create(p)) {
            while (System.currentTimeMillis() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        admin.listTopics().names().get(5, TimeUnit.SECONDS);
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("broker not ready after " + timeoutMs + " ms", last);
    }

    private Properties loadState() throws IOException {
        Properties p = new Properties();
        Path f = dir.resolve(STATE_FILE);
        if (Files.exists(f)) {
            try (Reader r = Files.newBufferedReader(f)) {
                p.load(r);
            }
        }
        return p;
    }

    public String bootstrapServers() {
        return advertisedHost() + ":" + port;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    /** Where the broker keeps its data ({@code <dataDir>/kafka/data}). */
    public Path logDir() {
        return logDir;
    }

    /** True if this start formatted new storage (first start), false if it reused existing data. */
    public boolean formattedOnStart() {
        return formattedNow;
    }

    /** Stops the broker and waits until it has shut down; idempotent. */
    @Override
    public synchronized void close() {
        if (server == null) return;
        KafkaRaftServer s = server;
        server = null;
        long t0 = System.nanoTime();
        try {
            s.shutdown();
            s.awaitShutdown();
            LOG.info("Kafka stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } catch (Exception e) {
            LOG.warn("Kafka did not stop cleanly: {}", e.toString());
        }
    }

    static boolean isFree(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A currently free TCP port on {@code host}. */
    public static int freePort(String host) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
