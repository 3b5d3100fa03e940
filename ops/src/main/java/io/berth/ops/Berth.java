package io.berth.ops;

import io.berth.schemas.auth.ClusterSecret;

import io.berth.gateway.GatewayService;
import io.berth.node.NodeDaemonService;
import io.berth.ops.kafka.LocalCluster;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.registry.server.RegistryServer;
import io.berth.scheduler.SchedulerService;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.BerthService;
import io.berth.schemas.service.KafkaClientConfig;
import io.berth.state.StateStreamsService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;

/** The {@code berth} command line. */
@Command(name = "berth", mixinStandardHelpOptions = true, version = "berth 0.1.0-SNAPSHOT",
        description = "Berth: a container orchestrator where every intent and status is an event on Kafka.",
        subcommands = {Berth.Up.class, Berth.Down.class, Berth.Status.class, Berth.KafkaCmd.class,
                Berth.StateStreamsCmd.class, Berth.SchedulerCmd.class, Berth.NodeCmd.class, Berth.GatewayCmd.class,
                Berth.RegistryCmd.class, TokenCommand.class, io.berth.ops.replay.ReplayCommand.class, CommandLine.HelpCommand.class})
public final class Berth implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static {
        // Avro reads its trusted packages once, at first use: trust Berth's generated classes before anything runs.
        io.berth.schemas.AvroTrust.ensure();
        // log4j-api comes with Kafka but no implementation: use its simple context, no warning at start.
        if (System.getProperty("log4j2.loggerContextFactory") == null) {
            System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command tree, every subcommand with {@code -h/--help} (and {@code -V/--version}) as kubectl's have. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Berth());
        io.berth.ops.kubectl.KubectlCommands.ALL.forEach(cl::addSubcommand); // kubectl's verbs, in one list
        cl.addSubcommand(io.berth.ops.stack.StackCommand.class); // docker stack deploy|ls|ps|services|rm
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // an option's value may begin with '-' (a token "-lbG…", a field selector "-x"): after --token it is the
        // token, as kubectl reads it, never the -l flag it resembles
        cl.setAllowOptionsAsOptionParameters(true);
        withHelp(cl);
        return cl;
    }

    private static void withHelp(CommandLine cl) {
        CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
        if (!spec.mixinStandardHelpOptions() && spec.findOption("--help") == null && spec.findOption("-h") == null) {
            spec.mixinStandardHelpOptions(true);
        }
        cl.getSubcommands().values().forEach(Berth::withHelp);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 0;
    }

    /** {@code --data-dir}, default {@code $BERTH_DATA_DIR} or {@code ~/.berth}. */
    public static final class DataDir {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "Where Berth keeps its data and state (default: $BERTH_HOME, $BERTH_DATA_DIR or ~/.berth).")
        Path dataDir;

        public Path get() {
            if (dataDir != null) return dataDir.toAbsolutePath();
            for (String var : List.of("BERTH_HOME", "BERTH_DATA_DIR")) {
                String env = System.getenv(var);
                if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath();
            }
            return Path.of(System.getProperty("user.home"), ".berth");
        }
    }

    // ---------------------------------------------------------------- up / down / status

    @Command(name = "up", description = "Run Berth all-in-one: embedded Kafka, schema registry, state-streams, scheduler, gateway and a node daemon.")
    static final class Up implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Mixin DataDir dataDir;
        @Option(names = {"-d", "--detach"}, description = "Run in the background; return once ready.") boolean detach;
        @Option(names = "--no-node", description = "Do not run a local node daemon.") boolean noNode;
        @Option(names = "--tls", description = "Serve the gateway over HTTPS with a CA and certificates made in <data-dir>/tls (always on off the loopback).") boolean tls;
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).") String host;
        @Option(names = "--kafka-port", defaultValue = "9092", description = "Embedded Kafka port (default: ${DEFAULT-VALUE}).") int kafkaPort;
        @Option(names = "--registry-port", defaultValue = "8081", description = "Schema registry port (default: ${DEFAULT-VALUE}).") int registryPort;
        @Option(names = "--gateway-port", defaultValue = "7070", description = "Gateway port (default: ${DEFAULT-VALUE}).") int gatewayPort;
        @Option(names = "--secure-port", paramLabel = "PORT", description = "Without --tls, the gateway also serves HTTPS here for kubectl and other "
                + "Kubernetes clients (they send credentials only over TLS); the kubeconfig points at it (default: 6443 with the default "
                + "--gateway-port, else any free port; -1: off).") Integer securePort;
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,…", description = "Use an existing Kafka cluster instead of the embedded broker.") String bootstrapServers;
        @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client settings (security.protocol, sasl.*, ssl.* …) for every Kafka client of every service; with --bootstrap-servers. Setting: kafka-config.") Path kafkaConfig;
        @Option(names = "--node-name", description = "Name (and id) of the local node (default: the host name).") String nodeName;
        @Option(names = "--max-pods", description = "Pod capacity of the local node (default: 110, as Kubernetes).") Integer maxPods;
        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Extra service setting, e.g. --set node-grace-ms=3000.") Map<String, String> extra = new HashMap<>();
        @Option(names = "--ready-timeout", defaultValue = "180", description = "With -d: seconds to wait for readiness (default: ${DEFAULT-VALUE}).") int readyTimeout;
        @Option(names = "--ha", description = "Highly available: 3 brokers, registry, state-streams, scheduler and gateway twice each, as separate "
                + "processes in the background (brokers on --kafka-port and the next two, registries and gateways on their port and the next).") boolean ha;
        @Option(names = "--controller-port", description = "With --ha: KRaft controller port of the first broker, the others follow (default: --kafka-port + 3).") Integer controllerPort;
        @Option(names = "--service-heap", defaultValue = "-Xmx384m", description = "With --ha: JVM heap flag of each service process (default: ${DEFAULT-VALUE}).") String serviceHeap;

        @Override
        public Integer call() throws Exception {
            if (maxPods != null) extra.put("max-pods", maxPods.toString());
            if (ha) return upHa();
            if (tls) extra.put("tls", "true");
            if (!tls) extra.putIfAbsent(GatewayService.SECURE_PORT, String.valueOf(securePort != null ? securePort : gatewayPort == 7070 ? 6443 : 0));
            putKafkaConfig(spec, extra, kafkaConfig);
            if (extra.containsKey(KafkaClientConfig.SETTING) && bootstrapServers == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--kafka-config: is for an existing Kafka cluster; give --bootstrap-servers too "
                        + "(the embedded broker listens in PLAINTEXT)");
            }
            Path dir = dataDir.get();
            Files.createDirectories(dir);
            Optional<Long> running = runningPid(dir);
            if (running.isPresent()) {
                System.err.println("Berth already runs from " + dir + " (pid " + running.get() + "); use 'berth down' first");
                return 1;
            }
            return detach ? detached(dir) : foreground(dir);
        }

        /** {@code --ha}: every part its own process; returns once all are ready, leaving them running. */
        private int upHa() throws Exception {
            if (tls || bootstrapServers != null || kafkaConfig != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--ha: runs its own three local brokers on the loopback; "
                        + "it does not combine with --tls, --bootstrap-servers or --kafka-config");
            }
            if (!io.berth.schemas.tls.Tls.isLoopback(host)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--host: --ha serves on the loopback only (was " + host + ")");
            }
            Path dir = dataDir.get();
            Files.createDirectories(dir);
            Optional<Long> running = runningPid(dir);
            if (running.isPresent() || HaControlPlane.running(dir)) {
                System.err.println("Berth already runs from " + dir + "; use 'berth down' first");
                return 1;
            }
            String name = nodeName != null ? nodeName : hostName();
            HaControlPlane cp = new HaControlPlane(new HaControlPlane.Options(dir, kafkaPort, controllerPort != null ? controllerPort : kafkaPort + 3,
                    registryPort, gatewayPort, !noNode, name, extra, serviceHeap), line -> System.out.println("  " + line));
            Thread hook = new Thread(cp::close, "berth-up-ha-abort"); // Ctrl-C during the start stops what started
            Runtime.getRuntime().addShutdownHook(hook);
            BerthState st;
            try {
                st = cp.start(readyTimeout * 1000L);
            } catch (Exception e) {
                System.err.println("berth up --ha failed: " + e.getMessage());
                return 1;
            } finally {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            printUpHa(st, cp);
            return 0;
        }

        private List<String> childArgs(Path dir) {
            List<String> a = new ArrayList<>(List.of("up", "--data-dir", dir.toString(), "--host", host,
                    "--kafka-port", String.valueOf(kafkaPort), "--registry-port", String.valueOf(registryPort),
                    "--gateway-port", String.valueOf(gatewayPort)));
            if (noNode) a.add("--no-node");
            if (bootstrapServers != null) a.addAll(List.of("--bootstrap-servers", bootstrapServers));
            if (nodeName != null) a.addAll(List.of("--node-name", nodeName));
            extra.forEach((k, v) -> a.addAll(List.of("--set", k + "=" + v)));
            return a;
        }

        private int detached(Path dir) throws Exception {
            BerthState.delete(dir);
            Path log = dir.resolve(BerthState.LOG_FILE);
            long t0 = System.currentTimeMillis();
            Process p = Processes.spawnBerth(childArgs(dir), log);
            long deadline = t0 + readyTimeout * 1000L;
            while (System.currentTimeMillis() < deadline) {
                Optional<BerthState> st = BerthState.read(dir);
                if (st.isPresent() && st.get().pid() == p.pid() && st.get().ready()) {
                    printUp(st.get(), System.currentTimeMillis() - t0);
                    System.out.println("log: " + log + "   stop with: berth down");
                    return 0;
                }
                if (!p.isAlive()) {
                    System.err.println("Berth exited during start (code " + p.exitValue() + "); last lines of " + log + ":");
                    System.err.println(Processes.tail(log, 30));
                    return 1;
                }
                Thread.sleep(100);
            }
            System.err.println("Berth not ready after " + readyTimeout + " s; stopping it. Last lines of " + log + ":");
            System.err.println(Processes.tail(log, 30));
            Processes.stop(p.pid(), 30_000);
            return 1;
        }

        private int foreground(Path dir) throws Exception {
            long pid = ProcessHandle.current().pid();
            Files.writeString(dir.resolve(BerthState.PID_FILE), pid + "\n");
            long started = System.currentTimeMillis();
            String name = nodeName != null ? nodeName : hostName();
            AllInOne stack = new AllInOne(new AllInOne.Options(dir, host, kafkaPort, registryPort, gatewayPort,
                    bootstrapServers, !noNode, name, extra));
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                io.berth.schemas.service.Shutdown.watchdog("berth"); // SIGTERM stops the process within 5 s, broker or not
                System.err.println("berth: stopping");
                stack.close();
                BerthState.delete(dir);
                deletePidFile(dir, pid);
                stopped.countDown();
            }, "berth-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            exitOnFatal();
            try {
                stack.start();
            } catch (io.berth.schemas.service.ClusterIdentity.Mismatch e) {
                System.err.println(e.getMessage());
                return io.berth.schemas.service.ClusterIdentity.EXIT_STATUS; // the hook stops what started
            } catch (Exception e) {
                System.err.println("berth up failed: " + e);
                e.printStackTrace();
                return 1; // the hook stops what started
            }
            BerthState st = new BerthState(pid, true, stack.bootstrapServers(), stack.registryUrl(), stack.gatewayUrl(),
                    stack.embeddedKafka() ? kafkaPort : 0, stack.embeddedKafka(), registryPort, gatewayPort,
                    noNode ? "" : name, dir.toString(), started, System.currentTimeMillis());
            st.write(dir);
            printUp(st, st.readyAt() - started);
            System.out.flush();
            stopped.await();
            return 0;
        }
    }

    static void printUp(BerthState st, long millis) {
        System.out.printf("Berth is up (pid %d, ready in %.1f s)%n", st.pid(), millis / 1000.0);
        System.out.println("  kafka     " + st.bootstrapServers() + (st.embeddedKafka() ? "  (embedded)" : "  (external)"));
        System.out.println("  registry  " + (st.registryUrl() == null ? "(not running)" : st.registryUrl()));
        System.out.println("  gateway   " + st.gatewayUrl());
        System.out.println("  metrics   " + st.gatewayUrl() + "/metrics  (Prometheus, every component of this process; bearer token, as the API)");
        System.out.println("  node      " + (st.node() == null || st.node().isEmpty() ? "(none)" : st.node()));
        System.out.println("  data      " + st.dataDir());
        Path dir = Path.of(st.dataDir());
        String kube = io.berth.ops.kubectl.Kubeconfig.server(AdminCredential.kubeconfig(dir)).orElse(st.gatewayUrl());
        if (!kube.equals(st.gatewayUrl())) System.out.println("  kubectl   " + kube + "  (HTTPS, the secure port: kubectl --kubeconfig " + AdminCredential.kubeconfig(dir) + " get pods)");
        System.out.println("  kubeconfig " + AdminCredential.kubeconfig(dir) + "  (user admin; the berth CLI uses it by itself; kubectl --kubeconfig " + AdminCredential.kubeconfig(dir) + ")");
        System.out.println("  tokens    " + AdminCredential.tokenFile(dir) + "  (berth token create|list|revoke)");
        System.out.println("  nodes     join with a token: berth token create --node, then berth node start --name NAME --token TOKEN --gateway " + st.gatewayUrl()
                + "  (node identity: " + dir.resolve(ClusterSecret.FILE_NAME) + ")");
        System.out.println("  secrets   encrypted on the bus with " + dir.resolve(io.berth.schemas.secrets.SecretBox.FILE_NAME) + "  (AES-256-GCM; keep it, and back it up)");
    }

    static void printUpHa(BerthState st, HaControlPlane cp) {
        Path dir = Path.of(st.dataDir());
        System.out.printf("Berth is up, highly available (ready in %.1f s)%n", (st.readyAt() - st.startedAt()) / 1000.0);
        System.out.println("  kafka     " + st.bootstrapServers() + "  (3 brokers, pids " + cp.brokerPids() + "; topics replicated 3, min.insync.replicas 2)");
        cp.processes().forEach((n, p) -> {
            String what = n.startsWith("registry") ? st.registryUrl().split(",")[Integer.parseInt(n.substring(n.length() - 1)) - 1]
                    : n.startsWith("gateway") ? st.gatewayUrls().get(Integer.parseInt(n.substring(n.length() - 1)) - 1)
                    : n.startsWith("node") ? "node " + st.node()
                    : "num.standby.replicas=1, replication.factor=3";
            System.out.printf("  %-16s pid %-8d %s%n", n, p.pid(), what);
        });
        System.out.println("  gateways  " + String.join("  ", st.gatewayUrls()) + "  (the berth CLI fails over between them)");
        System.out.println("  metrics   " + String.join("  ", st.gatewayUrls().stream().map(u -> u + "/metrics").toList())
                + "  (each other service process prints its own /metrics URL in its log)");
        System.out.println("  data      " + st.dataDir() + "  (logs and pids in " + HaControlPlane.servicesDir(dir) + ")");
        System.out.println("  kubeconfig " + AdminCredential.kubeconfig(dir) + "  (user admin; lists both gateways; kubectl uses the first)");
        System.out.println("stop with: berth down");
    }

    /** The pid of a running {@code berth up} for this data dir, if any. */
    static Optional<Long> runningPid(Path dir) {
        Optional<BerthState> st = BerthState.read(dir);
        if (st.isPresent() && st.get().alive()) return Optional.of(st.get().pid());
        long pid = Processes.readPid(dir.resolve(BerthState.PID_FILE));
        if (pid > 0 && Processes.alive(pid) && pid != ProcessHandle.current().pid()) return Optional.of(pid);
        return Optional.empty();
    }

    static void deletePidFile(Path dir, long pid) {
        try {
            if (Processes.readPid(dir.resolve(BerthState.PID_FILE)) == pid) Files.deleteIfExists(dir.resolve(BerthState.PID_FILE));
        } catch (Exception ignored) {
        }
    }

    static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "local";
        }
    }

    @Command(name = "down", description = "Stop the Berth started with 'berth up' (waits until it has exited).")
    static final class Down implements Callable<Integer> {
        @Mixin DataDir dataDir;
        @Option(names = "--timeout", defaultValue = "60", description = "Seconds to wait before killing it (default: ${DEFAULT-VALUE}).") int timeout;

        @Override
        public Integer call() throws Exception {
            Path dir = dataDir.get();
            if (HaControlPlane.running(dir)) {
                long t0 = System.currentTimeMillis();
                int n = HaControlPlane.stop(dir, timeout * 1000L);
                System.out.printf("Berth stopped (%d processes, %.1f s)%n", n, (System.currentTimeMillis() - t0) / 1000.0);
                return 0;
            }
            Optional<Long> pid = runningPid(dir);
            if (pid.isEmpty()) {
                System.out.println("Berth is not running (" + dir + ")");
                BerthState.delete(dir);
                return 0;
            }
            long t0 = System.currentTimeMillis();
            Processes.stop(pid.get(), timeout * 1000L);
            BerthState.delete(dir);
            deletePidFile(dir, pid.get());
            System.out.printf("Berth stopped (pid %d, %.1f s)%n", pid.get(), (System.currentTimeMillis() - t0) / 1000.0);
            return 0;
        }
    }

    @Command(name = "status", description = "Show what runs: pid, addresses, whether each service answers, the gateway's readiness checks and each node's last heartbeat and conditions. Exit code 3 if Berth is not running, 1 if it is not ready.")
    static final class Status implements Callable<Integer> {
        @Mixin DataDir dataDir;

        @Override
        public Integer call() {
            Path dir = dataDir.get();
            Optional<BerthState> st = BerthState.read(dir);
            if (st.map(BerthState::ha).orElse(false)) return haStatus(dir, st.get());
            Optional<Long> pid = runningPid(dir);
            if (pid.isEmpty()) {
                System.out.println("Berth: not running (" + dir + ")");
                detachedNodes(dir).forEach((n, p) -> System.out.printf("  %-9s %-28s %s%n", "node", n, "running (pid " + p + ")"));
                clusterStatus(dir);
                return 3;
            }
            if (st.isEmpty() || st.get().pid() != pid.get() || !st.get().ready()) {
                System.out.println("Berth: starting (pid " + pid.get() + ")");
                return 0;
            }
            BerthState s = st.get();
            System.out.println("Berth: running (pid " + s.pid() + ", data " + s.dataDir() + ")");
            System.out.printf("  %-9s %-28s %s%n", "kafka", s.bootstrapServers(), reachable(firstHostPort(s.bootstrapServers())) ? "reachable" : "NOT reachable");
            if (s.registryUrl() != null) {
                System.out.printf("  %-9s %-28s %s%n", "registry", s.registryUrl(), httpOk(s.registryUrl() + "/subjects") ? "reachable" : "NOT reachable");
            } else {
                System.out.printf("  %-9s %-28s %s%n", "registry", "-", "not running");
            }
            String gw = s.gatewayUrl().replaceFirst("^https?://", "");
            System.out.printf("  %-9s %-28s %s%n", "gateway", s.gatewayUrl(), reachable(gw) ? "reachable" : "NOT reachable");
            System.out.printf("  %-9s %-28s %s%n", "node", s.node().isEmpty() ? "-" : s.node(), s.node().isEmpty() ? "not running" : "running in-process");
            detachedNodes(dir).forEach((n, p) -> System.out.printf("  %-9s %-28s %s%n", "node", n, "running (pid " + p + ")"));
            clusterStatus(dir);
            // the truth, as the gateway's /readyz and the nodes' heartbeats tell it (issue 13): not ready is exit 1
            ClusterHealth.Report health = ClusterHealth.fetch(s.gatewayUrl(), dir, System.currentTimeMillis());
            health.lines().forEach(l -> System.out.println("  " + l));
            return health.ready() ? 0 : 1;
        }

        /** {@code berth up --ha}: every recorded process, running or not, and whether each gateway and registry answers. */
        private int haStatus(Path dir, BerthState s) {
            Map<String, Long> live = ServiceProcesses.recorded(HaControlPlane.servicesDir(dir));
            System.out.println("Berth: " + (live.isEmpty() ? "not running" : "running, highly available") + " (data " + s.dataDir() + ")");
            for (String url : s.registryUrl().split(",")) {
                System.out.printf("  %-9s %-28s %s%n", "registry", url, httpOk(url + "/subjects") ? "reachable" : "NOT reachable");
            }
            for (String url : s.gatewayUrls()) {
                System.out.printf("  %-9s %-28s %s%n", "gateway", url, reachable(url.replaceFirst("^https?://", "")) ? "reachable" : "NOT reachable");
            }
            try (var files = Files.list(HaControlPlane.servicesDir(dir))) {
                files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".pid")).sorted().forEach(f -> {
                    String n = f.substring(0, f.length() - 4);
                    long pid = Processes.readPid(HaControlPlane.servicesDir(dir).resolve(f));
                    System.out.printf("  %-16s pid %-8d %s%n", n, pid, live.containsKey(n) ? "running" : "NOT running");
                });
            } catch (Exception ignored) {
                // no services dir
            }
            clusterStatus(dir);
            return live.isEmpty() ? 3 : 0;
        }

        private void clusterStatus(Path dir) {
            try {
                Optional<java.util.Properties> c = LocalCluster.readState(dir.resolve("cluster"));
                if (c.isPresent()) {
                    boolean alive = LocalCluster.anyAlive(c.get());
                    System.out.println("local Kafka cluster: " + (alive ? "running" : "not running") + " ("
                            + c.get().getProperty("bootstrap.servers") + ", pids " + c.get().getProperty("pids") + ")");
                }
            } catch (Exception ignored) {
            }
        }
    }

    static String firstHostPort(String bootstrap) {
        return bootstrap.split(",")[0].trim();
    }

    static boolean reachable(String hostPort) {
        int i = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, i);
        int port = Integer.parseInt(hostPort.substring(i + 1).replaceAll("/.*$", ""));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static boolean httpOk(String url) {
        try {
            HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() / 100 == 2;
        } catch (Exception e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- kafka start|stop

    @Command(name = "kafka", description = "A local multi-broker Kafka cluster (separate processes on loopback).",
            subcommands = {KafkaStart.class, KafkaStop.class, KafkaAcls.class})
    static final class KafkaCmd implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(System.out);
            return 0;
        }
    }

    @Command(name = "start", description = "Start a local KRaft cluster (combined broker+controller per process); returns once every broker is registered.")
    static final class KafkaStart implements Callable<Integer> {
        @Mixin DataDir dataDir;
        @Option(names = "--brokers", defaultValue = "3", description = "Number of brokers (default: ${DEFAULT-VALUE}).") int brokers;
        @Option(names = "--port", defaultValue = "19092", description = "Port of the first broker; the others follow (default: ${DEFAULT-VALUE}).") int port;
        @Option(names = "--controller-port", defaultValue = "19192", description = "Controller port of the first broker (default: ${DEFAULT-VALUE}).") int controllerPort;
        @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for registration (default: ${DEFAULT-VALUE}).") int timeout;

        @Override
        public Integer call() throws Exception {
            Path dir = dataDir.get().resolve("cluster");
            LocalCluster c = LocalCluster.withPorts(dir, brokers, port, controllerPort, System.getProperty("java.class.path"));
            c.start(timeout * 1000L);
            System.out.println("Kafka cluster of " + brokers + " brokers is up (pids " + c.pids() + ", data " + dir + ")");
            System.out.println("stop with: berth kafka stop");
            System.out.println("bootstrap servers: " + c.bootstrapServers());
            return 0;
        }
    }

    @Command(name = "stop", description = "Stop the local Kafka cluster (waits until every broker has exited).")
    static final class KafkaStop implements Callable<Integer> {
        @Mixin DataDir dataDir;
        @Option(names = "--timeout", defaultValue = "30", description = "Seconds before brokers are killed (default: ${DEFAULT-VALUE}).") int timeout;

        @Override
        public Integer call() throws Exception {
            int n = LocalCluster.stop(dataDir.get().resolve("cluster"), timeout * 1000L);
            System.out.println(n == 0 ? "no local Kafka cluster is running" : "stopped " + n + " broker(s)");
            return 0;
        }
    }

    @Command(name = "acls", description = "The Kafka ACLs for Berth's services and node daemons as their own principals: printed as kafka-acls.sh commands, or created with --apply.")
    static final class KafkaAcls implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--registry", defaultValue = "User:berth-registry", description = "Principal of the schema registry (default: ${DEFAULT-VALUE}).") String registry;
        @Option(names = "--state-streams", defaultValue = "User:berth-state-streams", description = "Principal of state-streams (default: ${DEFAULT-VALUE}).") String stateStreams;
        @Option(names = "--scheduler", defaultValue = "User:berth-scheduler", description = "Principal of the scheduler (default: ${DEFAULT-VALUE}).") String scheduler;
        @Option(names = "--gateway", defaultValue = "User:berth-gateway", description = "Principal of the gateway, the only one that may write berth.intents (default: ${DEFAULT-VALUE}).") String gateway;
        @Option(names = "--node", paramLabel = "PRINCIPAL", description = "Principal of node daemons; repeat for one per node (default: User:berth-node).") List<String> nodes;
        @Option(names = "--apply", description = "Create the ACLs (as an administrator: --bootstrap-servers and --kafka-config of a super user).") boolean apply;
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,…", defaultValue = "HOST:PORT", description = "Kafka to apply to / to name in the commands.") String bootstrapServers;
        @Option(names = "--kafka-config", paramLabel = "FILE", description = "The administrator's Kafka client settings.") Path kafkaConfig;

        @Override
        public Integer call() throws Exception {
            for (String p : principals()) {
                if (!p.matches("[A-Za-z]+:.+")) throw new CommandLine.ParameterException(spec.commandLine(), "principal \"" + p + "\" is not TYPE:NAME (e.g. User:berth-gateway)");
            }
            var bindings = io.berth.ops.kafka.BerthAcls.bindings(new io.berth.ops.kafka.BerthAcls.Principals(registry, stateStreams, scheduler, gateway,
                    nodes == null || nodes.isEmpty() ? List.of("User:berth-node") : nodes));
            if (!apply) {
                io.berth.ops.kafka.BerthAcls.commands(bindings, bootstrapServers, kafkaConfig == null ? "admin.properties" : kafkaConfig.toString())
                        .forEach(System.out::println);
                return 0;
            }
            if ("HOST:PORT".equals(bootstrapServers)) throw new CommandLine.ParameterException(spec.commandLine(), "--apply needs --bootstrap-servers");
            Map<String, String> extra = new HashMap<>();
            putKafkaConfig(spec, extra, kafkaConfig);
            BerthConfig cfg = new BerthConfig(bootstrapServers, null, Path.of("."), extra);
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(cfg.clientProps("berth-acls"))) {
                admin.createAcls(bindings).all().get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            System.out.println("created " + bindings.size() + " ACLs on " + bootstrapServers);
            return 0;
        }

        private List<String> principals() {
            List<String> a = new ArrayList<>(List.of(registry, stateStreams, scheduler, gateway));
            if (nodes != null) a.addAll(nodes);
            return a;
        }
    }

    // ---------------------------------------------------------------- single services

    /** Common options of the per-service commands; the cluster comes from berth.json when not given. */
    abstract static class ServiceCmd implements Callable<Integer> {
        @Mixin DataDir dataDir;
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,…", description = "Kafka to use (default: the one of the running 'berth up').") String bootstrapServers;
        @Option(names = "--registry-url", description = "Schema registry URL (default: the one of the running 'berth up', else http://localhost:8081).") String registryUrl;
        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Extra service setting.") Map<String, String> extra = new HashMap<>();
        @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client settings (security.protocol, sasl.*, ssl.* …) for every Kafka client of this process. Setting: kafka-config.") Path kafkaConfig;
        @Option(names = "--ready-file", hidden = true) Path readyFile;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        abstract BerthService create(BerthConfig cfg, SchemaRegistryClient client);

        BerthConfig config() {
            Path dir = dataDir.get();
            Optional<BerthState> st = BerthState.read(dir).filter(BerthState::alive);
            String bs = bootstrapServers != null ? bootstrapServers : st.map(BerthState::bootstrapServers).orElse(null);
            if (bs == null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--bootstrap-servers is required (no running 'berth up' found in " + dir + ")");
            }
            String reg = registryUrl != null ? registryUrl : st.map(BerthState::registryUrl).orElse("http://localhost:8081");
            putKafkaConfig(spec, extra, kafkaConfig);
            return new BerthConfig(bs, reg, dir, extra);
        }

        @Override
        public Integer call() throws Exception {
            return runForeground(config(), this::create, readyFile);
        }
    }

    /**
     * {@code --kafka-config FILE} (or {@code --set kafka-config=FILE}) into the settings as an absolute path, checked
     * now: a bad key is a usage error naming the key, before anything starts.
     */
    static void putKafkaConfig(CommandLine.Model.CommandSpec spec, Map<String, String> extra, Path file) {
        if (file != null) extra.put(KafkaClientConfig.SETTING, file.toAbsolutePath().toString());
        String f = extra.get(KafkaClientConfig.SETTING);
        if (f == null) return;
        extra.put(KafkaClientConfig.SETTING, Path.of(f).toAbsolutePath().toString());
        try {
            KafkaClientConfig.load(Path.of(f));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
    }

    /** A service that cannot go on ({@link io.berth.schemas.service.Fatal}) stops this process, non-zero, through its shutdown hooks. */
    static void exitOnFatal() {
        io.berth.schemas.service.Fatal.handler((why, status) -> {
            System.err.println("berth: " + why + "; exiting with status " + status);
            io.berth.schemas.service.Shutdown.exitStatus(status);
            System.exit(status);
        });
    }

    static int runForeground(BerthConfig cfg, BiFunction<BerthConfig, SchemaRegistryClient, BerthService> factory, Path readyFile) throws Exception {
        exitOnFatal();
        Files.createDirectories(cfg.dataDir());
        SchemaRegistryClient client = RegistryClients.forUrl(cfg.registryUrl(), cfg);
        BerthService svc = factory.apply(cfg, client);
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<io.berth.schemas.metrics.MetricsServer> metrics = new java.util.concurrent.atomic.AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            io.berth.schemas.service.Shutdown.watchdog(svc.name()); // SIGTERM stops the process within 5 s, broker or not
            if (metrics.get() != null) metrics.get().close();
            svc.close();
            client.close();
            try {
                if (readyFile != null) Files.deleteIfExists(readyFile);
            } catch (Exception ignored) {
            }
            stopped.countDown();
        }, "berth-shutdown"));
        try {
            svc.start();
        } catch (io.berth.schemas.service.ClusterIdentity.Mismatch e) {
            System.err.println(e.getMessage()); // one line says it all
            return io.berth.schemas.service.ClusterIdentity.EXIT_STATUS;
        } catch (Exception e) {
            System.err.println(svc.name() + " failed to start: " + e);
            e.printStackTrace();
            return 1;
        }
        String scrape;
        try {
            metrics.set(metricsServer(cfg, svc));
            scrape = metrics.get() != null ? metrics.get().url() : svc instanceof GatewayService g ? "the gateway's /metrics (port " + g.port() + ")" : "off";
        } catch (java.io.IOException e) {
            System.err.println(svc.name() + ": cannot serve /metrics on " + cfg.get(io.berth.schemas.metrics.MetricsServer.HOST, "127.0.0.1") + ":"
                    + cfg.get(io.berth.schemas.metrics.MetricsServer.PORT, "0") + " (" + e.getMessage() + "); set " + io.berth.schemas.metrics.MetricsServer.PORT);
            return 1; // the hook stops the service
        }
        System.out.println(svc.name() + " running against " + cfg.bootstrapServers() + " (pid " + ProcessHandle.current().pid() + "); metrics: "
                + scrape + "; Ctrl-C stops it");
        if (readyFile != null) Files.writeString(readyFile, ProcessHandle.current().pid() + "\n");
        stopped.await();
        return 0;
    }

    /**
     * The {@code /metrics} listener of a service process that has no HTTP server of its own (all but the gateway, which
     * serves {@code /metrics} itself): {@code metrics-host} (default the loopback) and {@code metrics-port} (default 0, any
     * free port; -1 none).
     */
    static io.berth.schemas.metrics.MetricsServer metricsServer(BerthConfig cfg, BerthService svc) throws java.io.IOException {
        int port = Integer.parseInt(cfg.get(io.berth.schemas.metrics.MetricsServer.PORT, "0").strip());
        if (svc instanceof GatewayService || port < 0) return null;
        return io.berth.schemas.metrics.MetricsServer.start(cfg.get(io.berth.schemas.metrics.MetricsServer.HOST, "127.0.0.1"), port);
    }

    @Command(name = "state-streams", description = "Run the state-streams service in the foreground.")
    static final class StateStreamsCmd extends ServiceCmd {
        BerthService create(BerthConfig cfg, SchemaRegistryClient c) {
            return new StateStreamsService(cfg, c);
        }
    }

    @Command(name = "scheduler", description = "Run the scheduler service in the foreground.")
    static final class SchedulerCmd extends ServiceCmd {
        BerthService create(BerthConfig cfg, SchemaRegistryClient c) {
            return new SchedulerService(cfg, c);
        }
    }

    @Command(name = "gateway", description = "Run the gateway in the foreground.")
    static final class GatewayCmd extends ServiceCmd {
        @Option(names = "--port", defaultValue = "7070", description = "HTTP port (default: ${DEFAULT-VALUE}).") int port;
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).") String host;

        BerthService create(BerthConfig cfg, SchemaRegistryClient c) {
            return new GatewayService(cfg.with("gateway-port", String.valueOf(port)).with("gateway-host", host), c);
        }
    }

    @Command(name = "registry", description = "Run the schema registry in the foreground.")
    static final class RegistryCmd extends ServiceCmd {
        @Option(names = "--port", defaultValue = "8081", description = "HTTP port (default: ${DEFAULT-VALUE}).") int port;
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).") String host;

        BerthService create(BerthConfig cfg, SchemaRegistryClient c) {
            return new RegistryServer(cfg, host, port);
        }

        @Override
        public Integer call() throws Exception {
            BerthConfig cfg = config();
            // create the registry topics first and wait for their metadata (a describe right after a create can miss them)
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(cfg.clientProps("berth-registry-prepare"))) {
                String topic = cfg.get("registry-topic", io.berth.schemas.Topics.SCHEMAS_TOPIC);
                AllInOne.ensureWithRetry(admin, topic);
                AllInOne.ensureWithRetry(admin, topic + "_leader");
            }
            // the registry itself needs no registry client; its writes need a token of the data dir's token file
            BerthConfig reg = new BerthConfig(cfg.bootstrapServers(), null, cfg.dataDir(), cfg.extra());
            if (reg.get("auth-token-file", null) == null) reg = reg.with("auth-token-file", AdminCredential.tokenFile(cfg.dataDir()).toString());
            return runForeground(reg, this::create, readyFile);
        }
    }

    /** What a node daemon says of its machine; unset values are read from the machine. */
    static final class NodeOptions {
        @Option(names = "--cpu-millis", description = "CPU capacity in millicores (default: cores x 1000).") Long cpuMillis;
        @Option(names = "--memory-bytes", description = "Memory capacity in bytes (default: the machine's).") Long memoryBytes;
        @Option(names = "--labels", paramLabel = "K=V,…", description = "Node labels, e.g. zone=a,disk=ssd.") String labels;
        @Option(names = "--address", description = "The address other nodes reach this one at (default: 127.0.0.1).") String address;
        @Option(names = "--max-pods", description = "Pods this node runs at most, its pod capacity (default: 110, as Kubernetes).") Integer maxPods;

        BerthConfig apply(BerthConfig cfg, String name) {
            BerthConfig c = cfg.with("node-name", name).with("node-id", name);
            if (cpuMillis != null) c = c.with("node-cpu-millis", cpuMillis.toString());
            if (memoryBytes != null) c = c.with("node-memory-bytes", memoryBytes.toString());
            if (labels != null) c = c.with("node-labels", labels);
            if (address != null) c = c.with("node-address", address);
            if (maxPods != null) c = c.with("max-pods", maxPods.toString());
            return c;
        }

        List<String> args() {
            List<String> a = new ArrayList<>();
            if (cpuMillis != null) a.addAll(List.of("--cpu-millis", cpuMillis.toString()));
            if (memoryBytes != null) a.addAll(List.of("--memory-bytes", memoryBytes.toString()));
            if (labels != null) a.addAll(List.of("--labels", labels));
            if (address != null) a.addAll(List.of("--address", address));
            if (maxPods != null) a.addAll(List.of("--max-pods", maxPods.toString()));
            return a;
        }
    }

    /**
     * How a node proves who it is: a join token ({@code --token}, from {@code berth token create --node}, or
     * {@code --set join-token=…}) that the gateway exchanges for the node's key, or, on the control plane's own
     * machine, the cluster secret of the data dir. Without either the daemon is refused before it starts.
     */
    static final class JoinOptions {
        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE) CommandLine.Model.CommandSpec mixee;
        @Option(names = "--token", paramLabel = "TOKEN", description = "Node join token (berth token create --node); the node joins through the gateway with it.") String token;
        @Option(names = "--gateway", paramLabel = "URL", description = "The gateway to join through (default: the one of the running 'berth up', else http://127.0.0.1:7070).") String gateway;

        BerthConfig apply(BerthConfig cfg, String name) {
            if (token != null) cfg = cfg.with("join-token", token);
            String gw = gateway != null ? gateway : BerthState.read(cfg.dataDir()).filter(BerthState::alive).map(BerthState::gatewayUrl).orElse(null);
            if (gw != null && cfg.get("gateway-url", null) == null) cfg = cfg.with("gateway-url", gw);
            // the node reads its pods' Secrets from that gateway (it never holds their key); on the control plane's own
            // machine it trusts the CA berth up --tls made there
            Path ca = cfg.dataDir().resolve("tls").resolve(io.berth.schemas.tls.Tls.CA_CERT);
            if (token == null && cfg.get("gateway-ca-file", null) == null && cfg.get(io.berth.schemas.tls.Tls.REGISTRY_CA_FILE, null) == null
                    && Files.isReadable(ca)) {
                cfg = cfg.with("gateway-ca-file", ca.toString());
            }
            if (cfg.get("join-token", null) != null || cfg.get("node-key", null) != null || cfg.get(ClusterSecret.CONFIG_KEY, null) != null) return cfg;
            Path secret = cfg.dataDir().resolve(ClusterSecret.FILE_NAME);
            if (Files.isReadable(secret)) return cfg.with(ClusterSecret.CONFIG_KEY, secret.toString()); // the control plane's own machine
            throw new CommandLine.ParameterException(mixee.commandLine(), "--token: node " + name + " has no credential: create a node join token "
                    + "on the control plane with 'berth token create --node' and pass it with --token (there is no " + secret + " here)");
        }

        List<String> args() {
            List<String> a = new ArrayList<>();
            if (token != null) a.addAll(List.of("--token", token));
            if (gateway != null) a.addAll(List.of("--gateway", gateway));
            return a;
        }
    }

    @Command(name = "node", description = "Run a node daemon in the foreground (see also 'node start').", subcommands = {NodeStart.class, NodeStop.class})
    static final class NodeCmd extends ServiceCmd {
        @Option(names = "--name", description = "Node name and id (default: the host name).") String name;
        @Mixin NodeOptions node;
        @Mixin JoinOptions join;

        BerthService create(BerthConfig cfg, SchemaRegistryClient c) {
            String n = name != null ? name : hostName();
            return new NodeDaemonService(join.apply(node.apply(cfg, n), n), c);
        }
    }

    @Command(name = "start", description = "Start another node daemon; with -d in the background (prints its pid as the last line).")
    static final class NodeStart extends ServiceCmd {
        @Option(names = "--name", required = true, description = "Node name and id.") String name;
        @Option(names = {"-d", "--detach"}, description = "Run in the background; return once it is ready.") boolean detach;
        @Option(names = "--ready-timeout", defaultValue = "120", description = "With -d: seconds to wait (default: ${DEFAULT-VALUE}).") int readyTimeout;
        @Mixin NodeOptions node;
        @Mixin JoinOptions join;

        BerthService create(BerthConfig cfg, SchemaRegistryClient c) {
            return new NodeDaemonService(join.apply(node.apply(cfg, name), name), c);
        }

        @Override
        public Integer call() throws Exception {
            BerthConfig cfg = config();
            join.apply(cfg, name); // refused here, before anything starts, when the node has no credential
            if (!detach) return runForeground(cfg, this::create, readyFile);
            Path dir = cfg.dataDir();
            Files.createDirectories(dir);
            Path ready = dir.resolve("node-" + name + ".pid");
            Files.deleteIfExists(ready);
            Path log = dir.resolve("node-" + name + ".log");
            List<String> args = new ArrayList<>(List.of("node", "start", "--name", name, "--data-dir", dir.toString(),
                    "--bootstrap-servers", cfg.bootstrapServers(), "--ready-file", ready.toString()));
            if (cfg.registryUrl() != null) args.addAll(List.of("--registry-url", cfg.registryUrl()));
            args.addAll(node.args());
            args.addAll(join.args());
            extra.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
            Process p = Processes.spawnBerth(args, log);
            long deadline = System.currentTimeMillis() + readyTimeout * 1000L;
            while (System.currentTimeMillis() < deadline) {
                if (Processes.readPid(ready) == p.pid()) {
                    System.out.println("node " + name + " running against " + cfg.bootstrapServers() + ", log " + log + ", stop with: berth node stop --name " + name);
                    System.out.println(p.pid());
                    return 0;
                }
                if (!p.isAlive()) {
                    System.err.println("node " + name + " exited during start; last lines of " + log + ":");
                    System.err.println(Processes.tail(log, 30));
                    return 1;
                }
                Thread.sleep(100);
            }
            System.err.println("node " + name + " not ready after " + readyTimeout + " s");
            Processes.stop(p.pid(), 10_000);
            return 1;
        }
    }

    @Command(name = "stop", description = "Stop a node daemon started with 'node start -d' (waits until it has exited).")
    static final class NodeStop implements Callable<Integer> {
        @Mixin DataDir dataDir;
        @Option(names = "--name", required = true, description = "Node name.") String name;

        @Override
        public Integer call() throws Exception {
            Path pidFile = dataDir.get().resolve("node-" + name + ".pid");
            long pid = Processes.readPid(pidFile);
            if (pid <= 0 || !Processes.alive(pid) || !Processes.stop(pid, 30_000)) {
                System.out.println("node " + name + " is not running");
                return 0;
            }
            Files.deleteIfExists(pidFile);
            System.out.println("node " + name + " stopped (pid " + pid + ")");
            return 0;
        }
    }

    /** Node daemons started with {@code node start -d} from this data dir: name → pid (live ones). */
    static Map<String, Long> detachedNodes(Path dir) {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (var s = Files.list(dir)) {
            s.forEach(f -> {
                String n = f.getFileName().toString();
                if (n.startsWith("node-") && n.endsWith(".pid")) {
                    long pid = Processes.readPid(f);
                    if (pid > 0 && Processes.alive(pid)) out.put(n.substring(5, n.length() - 4), pid);
                }
            });
        } catch (Exception ignored) {
        }
        return out;
    }

    static PrintWriter out() {
        return new PrintWriter(System.out, true);
    }
}
