package io.berth.node;

import io.berth.node.assign.AssignmentConsumerVerticle;
import io.berth.schemas.AvroTrust;
import io.berth.node.bus.EventPublisher;
import io.berth.node.bus.LocalCodec;
import io.berth.node.logs.LogShipperVerticle;
import io.berth.node.mesh.Mesh;
import io.berth.node.docker.ContainerRequest;
import io.berth.node.docker.DockerCallStats;
import io.berth.node.docker.DockerRuntime;
import io.berth.node.health.RuntimeHealth;
import io.berth.schemas.avro.Condition;
import java.util.List;
import io.berth.node.heartbeat.HeartbeatVerticle;
import io.berth.node.runtime.ContainerReconcilerVerticle;
import io.berth.node.runtime.ContainerRuntime;
import io.berth.node.runtime.StatusSink;
import io.berth.node.sim.SimRuntime;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.TopicCheckingService;
import io.vertx.core.Future;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The node daemon: one Vert.x instance with a verticle per concern (see README.md):
 * log shipper, container reconciler, Docker event listener, assignment consumer, registration + heartbeat.
 * {@link #start()} returns once the node has registered; {@link #close()} publishes LEAVE and
 * stops the daemon but leaves the containers running, for the next daemon to adopt.
 */
public final class NodeDaemonService extends TopicCheckingService {
    private static final long DEPLOY_TIMEOUT_S = 30;

    static {
        AvroTrust.ensure();
    }

    private final SchemaRegistryClient registry;
    private final NodeSettings node;
    private final LongSupplier clock = System::currentTimeMillis;
    private final String incarnation = UUID.randomUUID().toString();
    private final Deque<String> deployments = new ArrayDeque<>();
    private Vertx vertx;
    private DockerRuntime docker;
    /** what the reconciler drives: {@link #docker}, or a {@link SimRuntime} with {@code runtime=sim} */
    private ContainerRuntime runtime;
    private EventPublisher publisher;
    private HeartbeatVerticle heartbeat;
    private Mesh mesh;
    private boolean closed;
    private NodeMetrics nodeMetrics;
    private io.berth.node.config.NodeConfigs configs;
    private volatile boolean runtimeUnhealthy;
    private volatile io.berth.node.join.ClusterGuard guard = io.berth.node.join.ClusterGuard.none();
    /** Everything close() does, in all: well inside the launcher's {@link io.berth.schemas.service.Shutdown#BUDGET}. */
    private static final java.time.Duration CLOSE_BUDGET = java.time.Duration.ofMillis(2500);

    public NodeDaemonService(BerthConfig config, SchemaRegistryClient registry) {
        super(config);
        this.registry = registry;
        this.node = NodeSettings.from(config);
    }

    @Override
    public String name() {
        return "node-daemon";
    }

    public NodeSettings settings() {
        return node;
    }

    /** The services data plane, or null when disabled ({@code mesh=false}). */
    public Mesh mesh() {
        return mesh;
    }

    public String incarnation() {
        return incarnation;
    }

    /** The cluster id this node joined and stays on (issue 13): kept in {@code <data-dir>/node-<id>/cluster-id}. */
    @Override
    protected java.nio.file.Path clusterIdentityDir() {
        return config.dataDir() == null ? null : config.dataDir().resolve("node-" + node.nodeId());
    }

    /** A join with a token is the operator's word that this node now belongs to the cluster it joins. */
    @Override
    protected boolean adoptsCluster() {
        return super.adoptsCluster() || config.get("join-token", null) != null;
    }

    @Override
    protected String who() {
        return "node " + node.nodeId();
    }

    @Override
    protected String clusterMismatchRemedy(java.nio.file.Path dir) {
        return "rejoin with berth node start --name " + node.nodeId() + " --token TOKEN (a node join token of the new cluster: berth token create --node)";
    }

    /** Trips when a client of this daemon reconnects to another cluster; see {@link io.berth.node.join.ClusterGuard}. */
    public io.berth.node.join.ClusterGuard clusterGuard() {
        return guard;
    }

    /** When the broker last acknowledged this node's REGISTER or HEARTBEAT (epoch ms; 0 before). */
    public long lastHeartbeatAcknowledged() {
        return heartbeat == null ? 0 : heartbeat.lastAcknowledged();
    }

    /**
     * A client reconnected to a broker of another cluster (a leftover daemon finding a fresh {@code berth up}):
     * stop every Kafka client, leave the containers alone, say why and exit with
     * {@link io.berth.schemas.service.ClusterIdentity#EXIT_STATUS}.
     */
    private void foreignCluster(String otherId) {
        String why = io.berth.schemas.service.ClusterIdentity.message(who(), clusterId, config.bootstrapServers(), otherId,
                clusterMismatchRemedy(clusterIdentityDir()));
        if (publisher != null) publisher.abort(); // first: batches queued for the old cluster are dropped, not sent to this one
        log.error(why);
        System.err.println(why);
        close();
        io.berth.schemas.service.Fatal.report(why, io.berth.schemas.service.ClusterIdentity.EXIT_STATUS);
    }

    @Override
    protected void run() throws Exception {
        try {
            startDaemon();
        } catch (Exception e) {
            close(); // release what did start: a failed start must not leave threads or sockets behind
            throw e;
        }
    }

    private void startDaemon() throws Exception {
        BerthSerdes serdes = new BerthSerdes(registry);
        boolean sim = SimRuntime.enabled(config);
        DockerCallStats stats = null; // the Docker runtime's call counters, for the health check; none for sim
        if (sim) {
            runtime = new SimRuntime(node.nodeId(), SimRuntime.startDelayMs(config), SimRuntime.sharedTimers())
                    .withUsage(config.getLong("sim-cpu-millis", 5), config.getLong("sim-memory-bytes", 8L << 20));
        } else {
            // short calls: a bounded pool, a bounded wait for a connection, counted for the health check;
            // long-lived streams (events, log follows that cannot read the log file): their own pool, one per pod
            int pool = (int) config.getLong("docker-pool", 32);
            stats = new DockerCallStats(pool, config.getLong("docker-wait-ms", 10_000));
            docker = new DockerRuntime(DockerRuntime.connectGated(node.dockerHost(), pool, stats.snapshot().waitMs(), stats), node.nodeId(), node.address(),
                    config.dataDir() == null ? null : config.dataDir().resolve("node-" + node.nodeId()).resolve("pods"))
                    .withStats(stats).withStreams(DockerRuntime.connect(node.dockerHost(), node.maxPods() + 8));
            docker.withInfra(new ContainerRequest.Infra(config.get("pod-infra-image", ContainerRequest.Infra.DEFAULT.image()),
                    words(config.get("pod-infra-command", String.join(" ", ContainerRequest.Infra.DEFAULT.command())))));
            docker.withPidsLimit(config.getLong("container-pids-limit", ContainerRequest.DEFAULT_PIDS_LIMIT));
            docker.ping(); // fail fast with a clear cause when the engine is absent
            runtime = docker;
        }
        java.util.Optional<byte[]> nodeKey = io.berth.node.join.NodeJoin.nodeKey(config, node.nodeId()); // joins when given a token
        if (clusterId != null) guard = new io.berth.node.join.ClusterGuard(clusterId, this::foreignCluster);
        publisher = new EventPublisher(config, node, serdes, io.berth.node.join.NodeJoin.signer(node.nodeId(), nodeKey), guard);
        vertx = Vertx.vertx();
        LocalCodec.registerAll(vertx.eventBus());
        // order matters: the reconciler (and the log shipper it informs) must listen before anything feeds it
        if (!sim) deploy(new LogShipperVerticle(docker, publisher, node.nodeId())); // simulated containers write no output
        // Secrets: read from the gateway as this node, for its own pods only (it never holds the Secrets' key)
        io.berth.node.config.GatewaySecrets secrets = nodeKey.isEmpty() ? null : new io.berth.node.config.GatewaySecrets(
                io.berth.node.join.NodeJoin.gatewayUrl(config), node.nodeId(), nodeKey.get(), io.berth.node.join.NodeJoin.gatewayTrust(config), clock);
        configs = new io.berth.node.config.NodeConfigs(config.clientProps("berth-node-" + node.nodeId()), serdes, secrets);
        if (!configs.awaitCaughtUp(java.time.Duration.ofSeconds(30))) log.warn("node {}: Secrets and ConfigMaps not caught up after 30 s", node.nodeId());
        nodeMetrics = new NodeMetrics(node.nodeId(), this::lastHeartbeatAcknowledged, clock);
        deploy(new ContainerReconcilerVerticle(node, runtime, StatusSink.kafka(publisher), clock).withConfigs(configs::lookup)
                .withCounts(nodeMetrics::containers));
        deploy(runtime.eventSource(node.nodeId()));
        if (!sim && Mesh.enabled(config)) { // services: table, proxy, VIPs, hosts names (package mesh)
            mesh = new Mesh(config, node);
            for (Deployable v : mesh.verticles(vertx, docker, publisher, serdes)) deploy(v);
        }
        io.berth.node.stream.StreamServerVerticle streams = streamServer(sim, nodeKey);
        if (streams != null) deploy(streams);
        io.berth.node.stats.StatsVerticle usage = statsVerticle(sim);
        if (usage != null) deploy(usage);
        long imageWatch = config.getLong("image-watch-period-ms", io.berth.node.image.ImageWatchVerticle.DEFAULT_PERIOD_MS);
        if (!sim && imageWatch > 0) { // rollout-on: image (a moved tag is reported; the gateway rolls out)
            deploy(new io.berth.node.image.ImageWatchVerticle(node.nodeId(), docker.client(), publisher, imageWatch, clock));
        }
        deploy(new AssignmentConsumerVerticle(config, node.nodeId(), serdes.value(Assignment.class), publisher).withGuard(guard));
        long startedAt = clock.getAsLong();
        RuntimeHealth.Thresholds thresholds = new RuntimeHealth.Thresholds(config.getLong("runtime-relist-threshold-ms", 180_000),
                config.getLong("runtime-slow-call-ms", 120_000), config.getLong("runtime-window-ms", 60_000));
        DockerCallStats callStats = stats;
        heartbeat = new HeartbeatVerticle(node, publisher, incarnation, clock).withConditions(() -> {
            if (callStats == null) return List.of(); // a simulated runtime has no Docker to judge
            RuntimeHealth.Verdict v = RuntimeHealth.judge(callStats.snapshot(), clock.getAsLong(), startedAt, thresholds);
            if (v.unhealthy() != runtimeUnhealthy) {
                runtimeUnhealthy = v.unhealthy();
                if (v.unhealthy()) log.warn("node {}: {} {}: {}", node.nodeId(), v.type(), v.reason(), v.message());
                else log.info("node {}: container runtime healthy again", node.nodeId());
            }
            return List.of(new Condition(v.type(), v.status(), v.reason(), v.message(), 0L));
        });
        if (streams != null) heartbeat.withDaemonPort(streamPort = streams.port());
        deploy(heartbeat);
        log.info("node {} ({}) registered, incarnation {}, capacity {}m CPU / {} bytes / {} pods",
                node.nodeId(), node.address(), incarnation, node.cpuMillis(), node.memoryBytes(), node.maxPods());
    }

    /**
     * The stream server (exec, port-forward) on {@code node-stream-host}:{@code node-stream-port} (default: the node
     * address, any free port; {@code -1}: none), advertised in REGISTER. None for simulated containers, and none
     * without a node key: the gateway's requests are checked with it, so without one nobody could be let in.
     */
    private io.berth.node.stream.StreamServerVerticle streamServer(boolean sim, java.util.Optional<byte[]> nodeKey) {
        int port = (int) config.getLong("node-stream-port", 0);
        if (sim || port < 0) return null;
        if (nodeKey.isEmpty()) {
            log.warn("node {}: no node key: exec and port-forward are not served (the gateway's requests are verified with it)", node.nodeId());
            return null;
        }
        String host = config.get("node-stream-host", io.berth.node.stream.StreamServerVerticle.defaultHost(node.address()));
        return new io.berth.node.stream.StreamServerVerticle(node.nodeId(), docker,
                new io.berth.node.stream.GatewayRequests(node.nodeId(), nodeKey.get(), clock),
                new io.berth.node.stream.StreamServerVerticle.Settings(host, port, (int) config.getLong("node-stream-max-sessions", 64),
                        (int) config.getLong("node-stream-idle-seconds", 4 * 3600), node.dockerHost()));
    }

    /** The default of {@code stats-period-ms}: metrics-server's resolution is 15 s, the kubelet's housekeeping 10 s. */
    public static final long DEFAULT_STATS_PERIOD_MS = 10_000;

    /**
     * Usage sampling (kubectl top, the metrics API) every {@code stats-period-ms} (0: off): from the cgroup files
     * under {@code cgroup-root} and {@code proc-root}, or the sim runtime's synthetic usage.
     */
    private io.berth.node.stats.StatsVerticle statsVerticle(boolean sim) {
        long period = config.getLong("stats-period-ms", DEFAULT_STATS_PERIOD_MS);
        if (period == 0) return null;
        io.berth.node.stats.StatsSource source = sim ? ((SimRuntime) runtime).stats()
                : new io.berth.node.stats.CgroupStatsSource(docker::runningContainers, java.nio.file.Path.of(config.get("cgroup-root", "/sys/fs/cgroup")),
                        java.nio.file.Path.of(config.get("proc-root", "/proc")), System::nanoTime, clock);
        return new io.berth.node.stats.StatsVerticle(node.nodeId(), node.name(), source, publisher, period);
    }

    /** The port of the stream server (exec, port-forward), once started; 0 when none. */
    public int streamPort() {
        return streamPort;
    }

    private volatile int streamPort;

    private void deploy(Deployable v) throws Exception {
        deployments.push(await(vertx.deployVerticle(v)));
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(DEPLOY_TIMEOUT_S, TimeUnit.SECONDS);
    }

    /**
     * Publishes LEAVE (not when on another cluster) and stops the daemon, within {@link #CLOSE_BUDGET} in all,
     * broker or not: every step waits at most what is left of it. The containers keep running.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (nodeMetrics != null) nodeMetrics.close();
        long deadline = System.nanoTime() + CLOSE_BUDGET.toNanos();
        if (vertx != null) {
            long undeployBy = System.nanoTime() + CLOSE_BUDGET.toNanos() / 3;
            while (!deployments.isEmpty()) {
                try {
                    vertx.undeploy(deployments.pop()).toCompletionStage().toCompletableFuture().get(left(undeployBy, 1000), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    log.warn("node {}: undeploy failed: {}", node.nodeId(), e.toString());
                }
            }
        }
        if (publisher != null) {
            if (!guard.tripped()) {
                long seq = heartbeat == null ? 0 : heartbeat.sequence() + 1;
                try {
                    publisher.publish(Topics.NODE_EVENTS, node.nodeId(), HeartbeatVerticle.leave(node, seq, clock.getAsLong()))
                            .get(left(deadline, 700), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    log.warn("node {}: LEAVE not published: {}", node.nodeId(), e.toString());
                }
            }
            publisher.close(java.time.Duration.ofMillis(left(deadline, 1000)));
        }
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(left(deadline, 1000), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.warn("node {}: vert.x did not close cleanly: {}", node.nodeId(), e.toString());
            }
        }
        if (runtime != null) runtime.close();
        if (configs != null) configs.close();
        log.info("{} {} stopped", name(), node.nodeId());
    }

    /** Milliseconds until {@code deadlineNanos}, at most {@code capMs}, at least 1. */
    private static long left(long deadlineNanos, long capMs) {
        return Math.max(1, Math.min(capMs, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
    }

    /** A command line split on blanks ("" = none: the image's own command). */
    static java.util.List<String> words(String s) {
        return s == null || s.isBlank() ? java.util.List.of() : java.util.List.of(s.trim().split("\\s+"));
    }
}
