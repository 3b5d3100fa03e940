package io.berth.node.sim;

import io.berth.node.NodeSettings;
import io.berth.node.assign.AssignmentConsumerVerticle;
import io.berth.node.bus.EventPublisher;
import io.berth.node.bus.LocalCodec;
import io.berth.node.heartbeat.HeartbeatVerticle;
import io.berth.node.runtime.ContainerReconcilerVerticle;
import io.berth.node.runtime.StatusSink;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.AvroTrust;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Hundreds to thousands of simulated node daemons in one JVM. Each node is the daemon's own code
 * above the runtime — its {@link ContainerReconcilerVerticle}, its {@link HeartbeatVerticle} (REGISTER
 * with its own incarnation, then a heartbeat every {@code heartbeat-ms} with its running tasks), its
 * assignment stream — over a {@link SimRuntime} instead of Docker. Shared, because sharing does not
 * change what a node decides or publishes:
 * <ul>
 *   <li>one Vert.x with {@code sim-event-loops} event loops, one per core by default (every address is prefixed by the node id);</li>
 *   <li>one producer ({@link EventPublisher}: one ordered thread; a node's records stay in its order);
 *       {@code sim-publishers=N} spreads the nodes over N (16 placed 30,000 tasks on 300 nodes in 88.6 s against
 *       67.7 s with one: more, smaller produce requests for the one broker);</li>
 *   <li>one worker pool for the runtime calls (each is a map update) and one timer thread;</li>
 *   <li>with {@code sharedAssignments} (the default for large clusters) one assignment consumer over
 *       every partition, dispatching by key to each node's reconciler ({@link SharedAssignmentConsumer});
 *       otherwise each node runs the daemon's own {@link AssignmentConsumerVerticle} (a thread and a
 *       fetch session each).</li>
 * </ul>
 * {@link #kill} makes a node fail as a crashed machine: no LEAVE, no more heartbeats, its containers gone.
 */
public final class SimCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SimCluster.class);
    private static final long DEPLOY_TIMEOUT_S = 120;

    static {
        AvroTrust.ensure();
    }

    /** One simulated node: its settings, runtime and deployed verticles. */
    public static final class Node {
        final NodeSettings settings;
        final SimRuntime runtime;
        final List<String> deployments = new ArrayList<>();
        volatile HeartbeatVerticle heartbeat;
        volatile boolean alive = true;

        Node(NodeSettings settings, SimRuntime runtime) {
            this.settings = settings;
            this.runtime = runtime;
        }

        public String id() {
            return settings.nodeId();
        }

        public SimRuntime runtime() {
            return runtime;
        }

        public boolean alive() {
            return alive;
        }

        /** How many times this node's lease ran out and it killed its containers. */
        public int fences() {
            HeartbeatVerticle h = heartbeat;
            return h == null ? 0 : h.fences();
        }
    }

    private final BerthConfig config;
    private final BerthSerdes serdes;
    private final boolean sharedAssignments;
    private final LongSupplier clock = System::currentTimeMillis;
    private final Vertx vertx;
    private final List<EventPublisher> publishers = new ArrayList<>();
    private final SharedAssignmentConsumer assignments;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private String assignmentsDeployment;

    /**
     * @param config            the daemons' settings (capacity, heartbeat-ms, sim-start-delay …); node-id/node-name are set per node
     * @param sharedAssignments one assignment consumer for all nodes instead of one per node
     */
    public SimCluster(BerthConfig config, SchemaRegistryClient registry, boolean sharedAssignments) {
        this.config = config.with("runtime", "sim").with("mesh", "false");
        this.serdes = new BerthSerdes(registry);
        this.sharedAssignments = sharedAssignments;
        // a few event loops serve every node (sim-event-loops, default one per core: 16 made the simulating JVM spend
        // more on wake-ups between loops than on the nodes, and placed 100,000 tasks several times slower); blocked-thread
        // warnings would only report the machine being busy
        int loops = Math.max(1, Integer.parseInt(this.config.get("sim-event-loops", "" + Math.max(2, Runtime.getRuntime().availableProcessors()))));
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops)
                .setBlockedThreadCheckInterval(10_000).setMaxEventLoopExecuteTime(5_000_000_000L));
        LocalCodec.registerAll(vertx.eventBus());
        int count = Math.max(1, Integer.parseInt(this.config.get("sim-publishers", "1")));
        io.berth.node.bus.NodeSigner signer = signer(this.config);
        for (int i = 0; i < count; i++) publishers.add(new EventPublisher(this.config, settings("sim-cluster-" + i), serdes, signer));
        this.assignments = sharedAssignments ? new SharedAssignmentConsumer(this.config, "sim-cluster", serdes.value(Assignment.class)) : null;
    }

    /** Every simulated node signs as itself with a key derived from the cluster secret ({@code cluster-secret-file}), if there is one. */
    private static io.berth.node.bus.NodeSigner signer(BerthConfig config) {
        String file = config.get(io.berth.schemas.auth.ClusterSecret.CONFIG_KEY, null);
        if (file == null) return io.berth.node.bus.NodeSigner.none();
        try {
            return io.berth.node.bus.NodeSigner.forSimulatedNodes(io.berth.schemas.auth.ClusterSecret.read(java.nio.file.Path.of(file))
                    .orElseThrow(() -> new IllegalStateException(io.berth.schemas.auth.ClusterSecret.CONFIG_KEY + ": " + file + " does not exist")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private NodeSettings settings(String id) {
        return NodeSettings.from(config.with("node-id", id).with("node-name", id));
    }

    /** Starts {@code count} nodes {@code <prefix>1 … <prefix><count>}; returns once every one registered. */
    public synchronized List<Node> start(String prefix, int count) throws Exception {
        if (assignments != null && assignmentsDeployment == null) assignmentsDeployment = await(vertx.deployVerticle(assignments));
        List<Node> started = new ArrayList<>();
        List<Future<?>> pending = new ArrayList<>();
        int first = nodes.size() + 1;
        for (int i = first; i < first + count; i++) {
            Node n = startNode(prefix + i, pending);
            started.add(n);
            if (pending.size() >= 200) { // bounded: thousands of REGISTERs in flight would only queue
                await(Future.all(pending));
                pending.clear();
            }
        }
        await(Future.all(pending));
        log.info("{} simulated nodes started ({} in all)", count, nodes.size());
        return started;
    }

    private Node startNode(String id, List<Future<?>> pending) {
        NodeSettings s = settings(id);
        SimRuntime rt = new SimRuntime(id, SimRuntime.startDelayMs(config), SimRuntime.sharedTimers());
        Node n = new Node(s, rt);
        EventPublisher publisher = publishers.get(nodes.size() % publishers.size());
        nodes.put(id, n);
        // the daemon's order: the reconciler listens before anything feeds it, the heartbeat registers last
        List<Deployable> vs = new ArrayList<>();
        vs.add(new ContainerReconcilerVerticle(s, rt, StatusSink.kafka(publisher), clock));
        vs.add(rt.eventSource(id));
        if (!sharedAssignments) vs.add(new AssignmentConsumerVerticle(config, id, serdes.value(Assignment.class), publisher));
        n.heartbeat = new HeartbeatVerticle(s, publisher, UUID.randomUUID().toString(), clock);
        vs.add(n.heartbeat);
        Future<?> chain = Future.succeededFuture();
        for (Deployable v : vs) {
            chain = chain.compose(x -> vertx.deployVerticle(v).onSuccess(n.deployments::add));
        }
        if (sharedAssignments) chain = chain.onSuccess(x -> assignments.add(id));
        pending.add(chain);
        return n;
    }

    /** Every node started, by id (killed ones included, with {@link Node#alive()} false). */
    public synchronized Map<String, Node> nodes() {
        return new LinkedHashMap<>(nodes);
    }

    /**
     * The nodes fail as crashed machines: their daemons stop without LEAVE (no more heartbeats,
     * assignments no longer read), their simulated containers vanish. Returns when they are down.
     */
    public void kill(Collection<String> ids) throws Exception {
        List<Future<?>> undeploys = new ArrayList<>();
        for (String id : ids) {
            Node n;
            synchronized (this) {
                n = nodes.get(id);
            }
            if (n == null || !n.alive) continue;
            n.alive = false;
            if (assignments != null) assignments.remove(id);
            n.runtime.kill();
            for (String d : n.deployments) undeploys.add(vertx.undeploy(d));
        }
        await(Future.join(undeploys));
    }

    /** Ground truth from the simulated engines: task id → the live nodes where a container of it runs now. */
    public Map<String, List<String>> running() {
        Map<String, List<String>> out = new HashMap<>();
        for (Node n : nodes().values()) {
            if (!n.alive) continue;
            for (String unit : n.runtime.running()) {
                out.computeIfAbsent(io.berth.node.docker.PodUnit.taskOf(unit), k -> new ArrayList<>(1)).add(n.id());
            }
        }
        return out;
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(DEPLOY_TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** Stops every node WITH a clean shutdown of the JVM's clients (no LEAVE: the cluster is being torn down). */
    @Override
    public void close() {
        try {
            await(vertx.close());
        } catch (Exception e) {
            log.warn("sim cluster: vert.x did not close cleanly: {}", e.toString());
        }
        publishers.forEach(EventPublisher::close);
        for (Node n : nodes().values()) n.runtime.close();
    }
}
