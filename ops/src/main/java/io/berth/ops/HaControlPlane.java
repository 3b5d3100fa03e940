package io.berth.ops;

import io.berth.ops.kafka.LocalCluster;
import io.berth.ops.kubectl.Kubeconfig;
import io.berth.schemas.TopicAdmin;
import io.berth.schemas.Topics;
import io.berth.schemas.service.BerthConfig;
import org.apache.kafka.clients.admin.Admin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code berth up --ha}: the control plane as separate OS processes that each survive the loss of any
 * one of them, on Kafka's own machinery.
 * <pre>
 *   3 brokers (LocalCluster)   KRaft quorum of 3; Berth's topics replication 3, min.insync.replicas 2
 *   registry-1, registry-2     leader elected through a Kafka group; a follower forwards writes
 *   state-streams-1, -2        one Streams app, tasks split, num.standby.replicas=1, replication.factor=3
 *   scheduler-1, -2            the same
 *   gateway-1, gateway-2       two ports; the CLI (kubeconfig, berth.json) fails over between them
 *   node-1 (optional)          a node daemon (--set runtime=sim: simulated containers)
 * </pre>
 * Every process runs in its own session and outlives {@code berth up --ha}; its pid is in
 * {@code <data-dir>/ha/<name>.pid} (brokers: {@code <data-dir>/cluster/cluster.properties}), which is
 * what {@link #stop} ({@code berth down}) stops. Logs: {@code <data-dir>/ha/<name>.log}.
 */
public final class HaControlPlane {
    public static final String DIR = "ha";
    public static final int BROKERS = 3;
    /**
     * Settings of every service in HA mode: warm standbys, replicated internal topics, and group session
     * timeouts short enough that a {@code kill -9}ed instance's work moves in seconds, not Kafka's 45 s.
     * A (re)started Streams instance waits up to 10 min for RUNNING instead of exiting after 60 s: here no
     * supervisor starts it again, and a rebalance while a broker is down on a loaded machine took longer
     * ({@code ops/chaos}, seed 2026: state-streams-2 exited, REBALANCING after 60 s, at load 70).
     */
    static final Map<String, String> HA_SETTINGS = Map.of(
            "replication-factor", "3",
            "streams-standby-replicas", "1",
            "streams-session-timeout-ms", "6000",
            "streams-start-timeout-ms", "600000",
            "registry-session-timeout-ms", "6000");

    /**
     * @param kafkaPort      first broker port (the others follow); controllers on {@code controllerPort}, +1, +2
     * @param registryPort   first registry port, the second is +1; gateways likewise from {@code gatewayPort}
     * @param extra          settings for every service ({@code --set}), e.g. {@code runtime=sim}
     */
    public record Options(Path dataDir, int kafkaPort, int controllerPort, int registryPort, int gatewayPort,
                          boolean node, String nodeName, Map<String, String> extra, String serviceHeap) {
    }

    private final Options opt;
    private final Consumer<String> progress;
    private LocalCluster cluster;
    private ServiceProcesses services;

    public HaControlPlane(Options opt, Consumer<String> progress) {
        this.opt = opt;
        this.progress = progress;
    }

    public static Path servicesDir(Path dataDir) {
        return dataDir.resolve(DIR);
    }

    public static Path clusterDir(Path dataDir) {
        return dataDir.resolve("cluster");
    }

    /**
     * Starts the brokers, creates Berth's topics, then the registries, state-streams, schedulers,
     * gateways and the node, each group together, each waited for; writes the kubeconfig (both gateways)
     * and {@code berth.json}. On failure stops everything it started and throws.
     */
    public BerthState start(long timeoutMs) throws Exception {
        long t0 = System.currentTimeMillis();
        Path dir = opt.dataDir();
        try {
            cluster = new LocalCluster(clusterDir(dir), BROKERS, ports(opt.kafkaPort(), BROKERS), ports(opt.controllerPort(), BROKERS),
                    System.getProperty("java.class.path"), "-Xmx384m");
            progress.accept("starting " + BROKERS + " brokers on " + cluster.bootstrapServers() + " …");
            cluster.start(timeoutMs);
            String bs = cluster.bootstrapServers();
            progress.accept("brokers up (pids " + cluster.pids() + ")");
            Map<String, String> settings = new LinkedHashMap<>(HA_SETTINGS);
            settings.putAll(opt.extra());
            String adminToken = AllInOne.credentials(dir, settings);
            try (Admin admin = Admin.create(new BerthConfig(bs, null, dir, settings).clientProps("berth-up-ha-admin"))) {
                TopicAdmin.ensureTopics(admin); // replication 3, min.insync.replicas 2 on three brokers
                String schemas = settings.getOrDefault("registry-topic", Topics.SCHEMAS_TOPIC);
                AllInOne.ensureWithRetry(admin, schemas);
                AllInOne.ensureWithRetry(admin, schemas + "_leader");
            }
            services = new ServiceProcesses(servicesDir(dir), io.berth.ops.Processes.withGc(opt.serviceHeap()), progress);
            List<String> registries = List.of(url(opt.registryPort()), url(opt.registryPort() + 1));
            String registryUrls = String.join(",", registries);
            List<String> gateways = List.of(url(opt.gatewayPort()), url(opt.gatewayPort() + 1));
            // the kubeconfig first: the services' registry clients take the admin token from it, so no
            // token travels on a command line (where any local user's ps would show it)
            Kubeconfig.write(AdminCredential.kubeconfig(dir), gateways, AdminCredential.USER, adminToken, null);
            if (!opt.extra().containsKey("registry-basic-auth-user-info")) settings.remove("registry-basic-auth-user-info");
            settings.putIfAbsent("kubeconfig", AdminCredential.kubeconfig(dir).toString());
            List<String> sets = new ArrayList<>();
            settings.forEach((k, v) -> sets.addAll(List.of("--set", k + "=" + v)));
            services.startAndAwait(List.of("registry-1", "registry-2"), n -> concat(List.of("registry", "--bootstrap-servers", bs,
                    "--port", String.valueOf(opt.registryPort() + index(n))), sets), timeoutMs);
            List<String> common = concat(List.of("--bootstrap-servers", bs, "--registry-url", registryUrls), sets);
            services.startAndAwait(List.of("state-streams-1", "state-streams-2"), n -> concat(List.of("state-streams"), common), timeoutMs);
            services.startAndAwait(List.of("scheduler-1", "scheduler-2"), n -> concat(List.of("scheduler"), common), timeoutMs);
            services.startAndAwait(List.of("gateway-1", "gateway-2"), n -> concat(List.of("gateway",
                    "--port", String.valueOf(opt.gatewayPort() + index(n))), common), timeoutMs);
            if (opt.node()) {
                // the node reads its pods' Secret values from a gateway (the Node authorizer), never from the key
                services.startAndAwait(List.of("node-1"), n -> concat(List.of("node", "--name", opt.nodeName(),
                        "--set", "gateway-url=" + gateways.get(0)), common), timeoutMs);
            }
            List<Long> pids = services.processes().values().stream().map(Process::pid).toList();
            BerthState st = new BerthState(services.processes().get("gateway-1").pid(), true, bs, registryUrls, gateways.get(0),
                    opt.kafkaPort(), false, opt.registryPort(), opt.gatewayPort(), opt.node() ? opt.nodeName() : "",
                    dir.toString(), t0, System.currentTimeMillis(), gateways, pids);
            st.write(dir);
            return st;
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** The processes started (name → process), brokers excluded. */
    public Map<String, Process> processes() {
        return services == null ? Map.of() : services.processes();
    }

    public List<Long> brokerPids() {
        return cluster == null ? List.of() : cluster.pids();
    }

    /** Stops what {@link #start} started, services first, brokers last. */
    public void close() {
        if (services != null) services.stopAll(20_000);
        try {
            LocalCluster.stop(clusterDir(opt.dataDir()), 20_000);
        } catch (Exception e) {
            progress.accept("stopping the brokers: " + e);
        }
        if (cluster != null) { // a start that failed before cluster.properties was written
            for (long pid : cluster.pids()) ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
        }
        BerthState.delete(opt.dataDir());
    }

    /** True when an HA control plane was started from {@code dataDir} and a process of it still runs. */
    public static boolean running(Path dataDir) throws Exception {
        if (!ServiceProcesses.recorded(servicesDir(dataDir)).isEmpty()) return true;
        return LocalCluster.readState(clusterDir(dataDir)).map(LocalCluster::anyAlive).orElse(false)
                && BerthState.read(dataDir).map(BerthState::ha).orElse(false);
    }

    /**
     * {@code berth down} of an HA control plane: every recorded service process (SIGTERM, SIGKILL after
     * {@code timeoutMs}), then the brokers. Returns how many processes were stopped.
     */
    public static int stop(Path dataDir, long timeoutMs) throws Exception {
        int n = ServiceProcesses.stopRecorded(servicesDir(dataDir), timeoutMs).size();
        n += LocalCluster.stop(clusterDir(dataDir), timeoutMs);
        BerthState.delete(dataDir);
        return n;
    }

    static List<Integer> ports(int first, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(first + i);
        return out;
    }

    /** 0 for {@code x-1}, 1 for {@code x-2}. */
    private static int index(String name) {
        return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1)) - 1;
    }

    private static String url(int port) {
        return "http://127.0.0.1:" + port;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
