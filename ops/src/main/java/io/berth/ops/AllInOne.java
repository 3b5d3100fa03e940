package io.berth.ops;

import io.berth.gateway.GatewayService;
import io.berth.node.NodeDaemonService;
import io.berth.ops.kafka.EmbeddedKafka;
import io.berth.ops.kubectl.Kubeconfig;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.registry.server.RegistryServer;
import io.berth.scheduler.SchedulerService;
import io.berth.registry.storage.SchemasTopic;
import io.berth.schemas.TopicAdmin;
import io.berth.schemas.Topics;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import java.util.concurrent.ExecutionException;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.BerthService;
import io.berth.schemas.service.KafkaClientConfig;
import io.berth.state.StateStreamsService;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Berth in one process: embedded Kafka → topics → schema registry → state-streams → scheduler →
 * gateway → node daemon. {@link #start()} returns once every part is ready; {@link #close()}
 * stops them in reverse order (Kafka last). The admin credential ({@link AdminCredential}) is made on
 * the first start; {@code <data-dir>/kubeconfig} is written once the gateway listens.
 */
public final class AllInOne implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AllInOne.class);

    /** What to run; {@code bootstrapServers} non-null means an existing cluster instead of the embedded broker. */
    public record Options(Path dataDir, String host, int kafkaPort, int registryPort, int gatewayPort,
                          String bootstrapServers, boolean node, String nodeName, Map<String, String> extra) {
    }

    private final Options opt;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private EmbeddedKafka kafka;
    private String bootstrap;
    private String registryUrl;
    private SchemaRegistryClient registryClient;
    private long readyMillis;
    private String adminToken;
    private GatewayService gateway;
    private boolean tls;
    private Path caFile;

    public AllInOne(Options opt) {
        this.opt = opt;
    }

    public synchronized void start() throws Exception {
        long t0 = System.nanoTime();
        try {
            if (opt.bootstrapServers() == null || opt.bootstrapServers().isBlank()) {
                if (opt.extra().get(KafkaClientConfig.SETTING) != null) {
                    throw new IllegalArgumentException("--kafka-config is for an existing Kafka cluster (--bootstrap-servers): "
                            + "the embedded broker listens in PLAINTEXT on " + opt.host());
                }
                kafka = EmbeddedKafka.start(opt.dataDir(), opt.host(), opt.kafkaPort(), Map.of());
                started.push(kafka);
                bootstrap = kafka.bootstrapServers();
            } else {
                bootstrap = opt.bootstrapServers();
            }
            try (Admin admin = Admin.create(new BerthConfig(bootstrap, null, opt.dataDir(), opt.extra()).clientProps("berth-up-admin"))) {
                TopicAdmin.ensureTopics(admin);
                String schemasTopic = opt.extra().getOrDefault("registry-topic", Topics.SCHEMAS_TOPIC);
                ensureWithRetry(admin, schemasTopic);
                ensureWithRetry(admin, schemasTopic + "_leader");
            }
            LOG.info("Berth topics ready on {}", bootstrap);

            Map<String, String> extra = new java.util.HashMap<>(opt.extra());
            // a broker formatted just now is a new cluster, and this data dir is its: the services' state dirs adopt it
            if (kafka != null && kafka.formattedOnStart()) extra.put(io.berth.schemas.service.ClusterIdentity.ADOPT, "true");
            adminToken = credentials(opt.dataDir(), extra);
            // HTTPS for the gateway and the registry when asked (--tls) and always off the loopback: a CA and a serving certificate in <data-dir>/tls
            tls = Boolean.parseBoolean(extra.getOrDefault("tls", "false")) || !io.berth.schemas.tls.Tls.isLoopback(opt.host());
            if (tls) {
                java.util.List<String> names = new java.util.ArrayList<>();
                if (!"0.0.0.0".equals(opt.host()) && !"::".equals(opt.host())) names.add(opt.host());
                else names.add(java.net.InetAddress.getLocalHost().getHostName());
                io.berth.schemas.tls.Tls.Files3 f = io.berth.schemas.tls.Tls.ensure(opt.dataDir().resolve("tls"), names);
                extra.putIfAbsent("tls-cert-file", f.cert().toString());
                extra.putIfAbsent("tls-private-key-file", f.key().toString());
                extra.putIfAbsent("client-ca-file", f.ca().toString());
                extra.putIfAbsent(io.berth.schemas.tls.Tls.REGISTRY_CA_FILE, f.ca().toString()); // the registry serves HTTPS with the same certificate
                caFile = Path.of(extra.get("client-ca-file"));
            } else if (!"-1".equals(extra.get(GatewayService.SECURE_PORT))) {
                // plain HTTP on the loopback for the berth CLI, and kube-apiserver's secure port for kubectl and
                // client-go, which send a bearer token only over TLS: same CA and certificates as --tls
                io.berth.schemas.tls.Tls.Files3 f = io.berth.schemas.tls.Tls.ensure(opt.dataDir().resolve("tls"), java.util.List.of(opt.host()));
                extra.putIfAbsent(GatewayService.SECURE_PORT, "0");
                extra.putIfAbsent(GatewayService.SECURE_CERT_FILE, f.cert().toString());
                extra.putIfAbsent(GatewayService.SECURE_KEY_FILE, f.key().toString());
                extra.putIfAbsent("client-ca-file", f.ca().toString());
                caFile = f.ca();
            }
            BerthConfig base = new BerthConfig(bootstrap, null, opt.dataDir(), extra);
            RegistryServer registry = new RegistryServer(base, opt.host(), opt.registryPort());
            startService(registry);
            registryUrl = registry.url();
            registryClient = RegistryClients.forUrl(registryUrl, base);
            started.push(registryClient);

            BerthConfig cfg = new BerthConfig(bootstrap, registryUrl, opt.dataDir(), extra)
                    .with("gateway-host", opt.host())
                    .with("gateway-port", String.valueOf(opt.gatewayPort()))
                    .with("node-name", opt.nodeName())
                    .with("node-id", opt.nodeName());
            StateStreamsService stateStreams = new StateStreamsService(cfg, registryClient);
            startService(stateStreams);
            SchedulerService scheduler = new SchedulerService(cfg, registryClient);
            startService(scheduler);
            gateway = new GatewayService(cfg, registryClient);
            // /readyz of the all-in-one tells the truth about its Streams services too
            gateway.readinessCheck("state-streams", () -> streamsProblem(stateStreams.streams()));
            gateway.readinessCheck("scheduler", () -> streamsProblem(scheduler.streams()));
            startService(gateway);
            if (opt.node()) {
                // the local node reads its pods' Secrets from this gateway, as any node does (trusting registry-ca-file's CA when TLS)
                startService(new NodeDaemonService(cfg.get("gateway-url", null) != null ? cfg : cfg.with("gateway-url", gatewayUrl()), registryClient));
            }
            // kubectl's cluster is the HTTPS endpoint; a plain-HTTP gateway is a second context the berth CLI finds its token by
            Kubeconfig.write(AdminCredential.kubeconfig(opt.dataDir()), kubernetesUrl(), AdminCredential.USER, adminToken,
                    caFile == null ? null : io.berth.schemas.tls.Tls.base64(caFile), tls ? null : gatewayUrl());
            readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            LOG.info("Berth ready in {} ms", readyMillis);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /**
     * The credentials every control-plane service of {@code dataDir} shares, made on the first start and
     * put into {@code extra} as settings (unless already set): the admin token ({@code auth-token-file},
     * and {@code registry-basic-auth-user-info} for the registry's writes), the cluster secret node keys
     * derive from, and the key Secret values are encrypted with. Returns the admin's token.
     */
    static String credentials(Path dataDir, Map<String, String> extra) throws java.io.IOException {
        // the gateway and the registry's writes need a token: the admin's is made on the first start
        extra.putIfAbsent("auth-token-file", AdminCredential.tokenFile(dataDir).toString());
        String adminToken = AdminCredential.ensure(Path.of(extra.get("auth-token-file")));
        extra.putIfAbsent("registry-basic-auth-user-info", AdminCredential.USER + ":" + adminToken);
        // node identity: the secret node keys derive from (state-streams checks node records, the gateway issues
        // keys at join, the local node derives its own); made on the first start, never on the bus
        extra.putIfAbsent(io.berth.schemas.auth.ClusterSecret.CONFIG_KEY,
                dataDir.resolve(io.berth.schemas.auth.ClusterSecret.FILE_NAME).toString());
        io.berth.schemas.auth.ClusterSecret.readOrCreate(Path.of(extra.get(io.berth.schemas.auth.ClusterSecret.CONFIG_KEY)));
        // Secret values: encrypted with this key on every topic; only the gateway reads it (nodes, the local one
        // too, ask the gateway for their own pods' values); made on the first start, mode 600, never on the bus
        extra.putIfAbsent(io.berth.schemas.secrets.SecretBox.CONFIG_KEY,
                dataDir.resolve(io.berth.schemas.secrets.SecretBox.FILE_NAME).toString());
        io.berth.schemas.secrets.SecretBox.readOrCreate(Path.of(extra.get(io.berth.schemas.secrets.SecretBox.CONFIG_KEY)));
        return adminToken;
    }

    /** Why a Streams client should not get traffic: not RUNNING (REBALANCING is a normal pause). */
    static java.util.Optional<String> streamsProblem(org.apache.kafka.streams.KafkaStreams ks) {
        if (ks == null) return java.util.Optional.of("not started");
        org.apache.kafka.streams.KafkaStreams.State s = ks.state();
        return s == org.apache.kafka.streams.KafkaStreams.State.RUNNING || s == org.apache.kafka.streams.KafkaStreams.State.REBALANCING
                ? java.util.Optional.empty() : java.util.Optional.of("Kafka Streams is " + s);
    }

    /** Creates a registry topic and waits until the broker describes it (metadata propagates after create). */
    static void ensureWithRetry(Admin admin, String topic) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                SchemasTopic.ensure(admin, topic);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt >= 50) throw e;
                Thread.sleep(100);
            }
        }
    }

    private void startService(BerthService s) throws Exception {
        long t0 = System.nanoTime();
        s.start();
        started.push(s);
        LOG.info("{} started in {} ms", s.name(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public String registryUrl() {
        return registryUrl;
    }

    public String gatewayUrl() {
        int port = gateway != null && gateway.port() > 0 ? gateway.port() : opt.gatewayPort();
        return (tls ? "https://" : "http://") + ("0.0.0.0".equals(opt.host()) ? "localhost" : opt.host()) + ":" + port;
    }

    /**
     * The URL Kubernetes clients use (the kubeconfig's cluster): the gateway itself with TLS, else its
     * secure port; the plain gateway URL when the secure port is off ({@code gateway-secure-port=-1}).
     */
    public String kubernetesUrl() {
        if (tls || gateway == null || gateway.securePort() < 0) return gatewayUrl();
        return "https://" + ("0.0.0.0".equals(opt.host()) ? "localhost" : opt.host()) + ":" + gateway.securePort();
    }

    /** The admin's bearer token (in the token file and the kubeconfig), once started. */
    public String adminToken() {
        return adminToken;
    }

    public boolean embeddedKafka() {
        return kafka != null;
    }

    public long readyMillis() {
        return readyMillis;
    }

    /** Stops everything, the services together (at most 2.5 s), then the embedded broker; idempotent. */
    @Override
    public synchronized void close() {
        // the services together (each bounded, each waiting on the broker on its own), then the broker they need
        java.util.List<AutoCloseable> services = new java.util.ArrayList<>();
        while (!started.isEmpty() && started.peek() != kafka) services.add(started.pop());
        io.berth.schemas.service.Shutdown.closeAll("berth", java.time.Duration.ofMillis(2500), services);
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", c, e.toString());
            }
        }
    }
}
