package io.berth.node;

import io.berth.node.assign.AssignmentConsumerVerticle;
import io.berth.schemas.AvroTrust;
import io.berth.node.bus.EventPublisher;
import io.berth.node.bus.LocalCodec;
import io.berth.node.logs.LogShipperVerticle;
import io.berth.node.mesh.Mesh;
import io.berth.node.docker.ContainerRequest;
import io.berth.node.docker.DockerRuntime;
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
        if (sim) {
            runtime = new SimRuntime(node.nodeId(), SimRuntime.startDelayMs(config), SimRuntime.sharedTimers());
        } else {
            docker = new DockerRuntime(DockerRuntime.connect(node.dockerHost()), node.nodeId(), node.address(),
                    config.dataDir() == null ? null : config.dataDir().resolve("node-" + node.nodeId()).resolve("pods"));
            docker.withInfra(new ContainerRequest.Infra(config.get("pod-infra-image", ContainerRequest.Infra.DEFAULT.image()),
                    words(config.get("pod-infra-command", String.join(" ", ContainerRequest.Infra.DEFAULT.command())))));
            docker.ping(); // fail fast with a clear cause when the engine is absent
            runtime = docker;
        }
        publisher = new EventPublisher(config, node, serdes);
        vertx = Vertx.vertx();
        LocalCodec.registerAll(vertx.eventBus());
        // order matters: the reconciler (and the log shipper it informs) must listen before anything feeds it
        if (!sim) deploy(new LogShipperVerticle(docker, publisher, node.nodeId())); // simulated containers write no output
        deploy(new ContainerReconcilerVerticle(node, runtime, StatusSink.kafka(publisher), clock));
        deploy(runtime.eventSource(node.nodeId()));
        if (!sim && Mesh.enabled(config)) { // services: table, proxy, VIPs, hosts names (package mesh)
            mesh = new Mesh(config, node);
            for (Deployable v : mesh.verticles(vertx, docker, publisher, serdes)) deploy(v);
        }
        deploy(new AssignmentConsumerVerticle(config, node.nodeId(), serdes.value(Assignment.class), publisher));
        heartbeat = new HeartbeatVerticle(node, publisher, incarnation, clock);
        deploy(heartbeat);
        log.info("node {} ({}) registered, incarnation {}, capacity {}m CPU / {} bytes",
                node.nodeId(), node.address(), incarnation, node.cpuMillis(), node.memoryBytes());
    }

    private void deploy(Deployable v) throws Exception {
        deployments.push(await(vertx.deployVerticle(v)));
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(DEPLOY_TIMEOUT_S, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (vertx != null) {
            while (!deployments.isEmpty()) {
                try {
                    await(vertx.undeploy(deployments.pop()));
                } catch (Exception e) {
                    log.warn("node {}: undeploy failed: {}", node.nodeId(), e.toString());
                }
            }
        }
        if (publisher != null) {
            long seq = heartbeat == null ? 0 : heartbeat.sequence() + 1;
            try {
                publisher.publish(Topics.NODE_EVENTS, node.nodeId(), HeartbeatVerticle.leave(node, seq, clock.getAsLong()))
                        .get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("node {}: LEAVE not published: {}", node.nodeId(), e.toString());
            }
            publisher.close();
        }
        if (vertx != null) {
            try {
                await(vertx.close());
            } catch (Exception e) {
                log.warn("node {}: vert.x did not close cleanly: {}", node.nodeId(), e.toString());
            }
        }
        if (runtime != null) runtime.close();
        log.info("{} {} stopped", name(), node.nodeId());
    }

    /** A command line split on blanks ("" = none: the image's own command). */
    static java.util.List<String> words(String s) {
        return s == null || s.isBlank() ? java.util.List.of() : java.util.List.of(s.trim().split("\\s+"));
    }
}
