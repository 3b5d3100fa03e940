package io.berth.node.mesh;

import io.berth.node.NodeSettings;
import io.berth.node.bus.EventPublisher;
import io.berth.node.bus.LocalCodec;
import io.berth.node.docker.DockerRuntime;
import io.berth.schemas.avro.EndpointsView;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;

import java.util.List;

/**
 * The daemon's data plane for services (see README "Services"): service table, L4 proxy with cluster
 * IPs, and /etc/hosts names. Settings ({@link BerthConfig#extra()}): {@code mesh} (true),
 * {@code mesh-vips} (true: cluster IPs on {@code mesh-interface}, default berth0), {@code mesh-retry-ms}
 * (2000: retry of ports held elsewhere, VIP re-check), {@code mesh-hosts-ms} (10000: periodic hosts pass),
 * {@code mesh-ip} (the iproute2 binary, {@code ip}).
 */
public final class Mesh {
    private final ServiceTable table = new ServiceTable();
    private final BerthConfig config;
    private final NodeSettings node;
    private ProxyVerticle proxy;
    private Vertx vertx;

    public Mesh(BerthConfig config, NodeSettings node) {
        this.config = config;
        this.node = node;
    }

    public static boolean enabled(BerthConfig config) {
        return Boolean.parseBoolean(config.get("mesh", "true"));
    }

    /** The verticles in deployment order (consumers of the table first, the table's reader last). */
    public List<Deployable> verticles(Vertx vertx, DockerRuntime docker, EventPublisher publisher, BerthSerdes serdes) {
        this.vertx = vertx;
        vertx.eventBus().registerDefaultCodec(ServiceChange.class, new LocalCodec<>(ServiceChange.class));
        boolean withVips = Boolean.parseBoolean(config.get("mesh-vips", "true"));
        long retryMs = config.getLong("mesh-retry-ms", 2000);
        proxy = new ProxyVerticle(node.nodeId(), node.address(),
                withVips ? new Vips(config.get("mesh-interface", Vips.DEFAULT_INTERFACE), config.get("mesh-ip", "ip")) : null, retryMs);
        return List.of(
                proxy,
                new HostsVerticle(docker.client(), node.nodeId(), table, config.getLong("mesh-hosts-ms", 10_000)),
                new ServiceTableVerticle(config, node.nodeId(), serdes.value(EndpointsView.class), publisher, table));
    }

    /**
     * The runtime's hook: call right after a container of this node started (any thread); its /etc/hosts
     * gets the service names at once. Same as sending the id to {@link MeshAddresses#containerStarted()}.
     */
    public void containerStarted(String containerId) {
        if (vertx != null) vertx.eventBus().send(addresses().containerStarted(), containerId);
    }

    public ServiceTable table() {
        return table;
    }

    public ProxyVerticle proxy() {
        return proxy;
    }

    public MeshAddresses addresses() {
        return new MeshAddresses(node.nodeId());
    }
}
