package io.berth.node.mesh;

import io.berth.node.mesh.Routes.Backend;
import io.berth.node.mesh.Routes.Listen;
import io.berth.node.mesh.Routes.Route;
import io.berth.schemas.avro.EndpointsView;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.Pipe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's L4 proxy (userspace, like kube-proxy's old userspace mode and Swarm's VIP, pure Vert.x):
 * listens on {@code clusterIP:port} of every service and on {@code nodeAddress:nodePort} of NodePort /
 * LoadBalancer services, and pipes each accepted TCP connection, with back-pressure, to the next ready
 * endpoint (round-robin over all nodes' endpoints). A failed connect tries the next endpoint (at most
 * {@link #MAX_ATTEMPTS}), then the client is closed.
 * <p>
 * All state lives on this verticle's event loop; table changes arrive as {@link ServiceChange}s and take
 * effect for the next accepted connection (connections already piped are left alone). A port another
 * daemon on this host already holds is retried every {@code retryMs}: one daemon serves it, another
 * takes over when it dies. The cluster IPs are kept on the {@link Vips} interface by blocking {@code ip}
 * calls on a worker.
 */
public final class ProxyVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(ProxyVerticle.class);
    static final int MAX_ATTEMPTS = 3;

    private final String nodeId;
    private final String nodeAddress;
    private final Vips vips; // null: VIPs disabled by configuration
    private final long retryMs;
    private final MeshAddresses addr;
    private final Map<String, EndpointsView> services = new HashMap<>();
    private final Map<Listen, Listener> listeners = new HashMap<>();
    private final Set<String> vipsHeld = new HashSet<>();
    private final AtomicLong accepted = new AtomicLong();
    private volatile Set<Listen> bound = Set.of();
    private volatile Map<Listen, Route> routes = Map.of();
    private volatile String vipsDisabledReason;
    private boolean vipsReady;
    private boolean vipWork;
    private boolean vipDirty;
    private NetClient client;
    private long timer = -1;

    /** One listen address: its route (replaced on table changes), its server once bound, its rotation. */
    private static final class Listener {
        final Listen at;
        Route route;
        NetServer server;
        boolean binding;
        boolean closed;
        int next;
        boolean warnedHeld;

        Listener(Listen at, Route route) {
            this.at = at;
            this.route = route;
        }
    }

    public ProxyVerticle(String nodeId, String nodeAddress, Vips vips, long retryMs) {
        this.nodeId = nodeId;
        this.nodeAddress = nodeAddress;
        this.vips = vips;
        this.retryMs = retryMs;
        this.addr = new MeshAddresses(nodeId);
        if (vips == null) vipsDisabledReason = "disabled by configuration";
    }

    /** The listen addresses this daemon holds right now (any thread). */
    public Set<Listen> bound() {
        return bound;
    }

    /** The routes in effect now, bound or not (any thread). */
    public Map<Listen, Route> routes() {
        return routes;
    }

    /** Null when cluster IPs are served, else why not (any thread). */
    public String vipsDisabledReason() {
        return vipsDisabledReason;
    }

    /** Connections accepted so far (any thread). */
    public long accepted() {
        return accepted.get();
    }

    @Override
    public Future<?> start() {
        client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2000).setTcpNoDelay(true));
        vertx.eventBus().<ServiceChange>localConsumer(addr.services(), m -> {
            ServiceTable.fold(services, m.body());
            reconcile();
            if (log.isDebugEnabled()) {
                log.debug("node {}: {} applied {} µs after it was read", nodeId, m.body().key(),
                        (System.nanoTime() - m.body().receivedAtNanos()) / 1000);
            }
        });
        timer = vertx.setPeriodic(retryMs, id -> tick());
        if (vips == null) {
            vipsReady = false;
            return Future.succeededFuture();
        }
        return vertx.executeBlocking(vips::ensureInterface, false).map(reason -> {
            if (reason == null) {
                vipsReady = true;
                log.info("node {}: cluster IPs on interface {}", nodeId, vips.device());
            } else {
                vipsDisabledReason = reason;
                log.warn("node {}: CLUSTER IPs DISABLED, serving node ports only: {} (needs root and iproute2)", nodeId, reason);
            }
            reconcile();
            return null;
        });
    }

    @Override
    public Future<?> stop() {
        if (timer >= 0) vertx.cancelTimer(timer);
        List<Future<?>> closing = new ArrayList<>();
        for (Listener l : listeners.values()) {
            l.closed = true;
            if (l.server != null) closing.add(l.server.close());
        }
        listeners.clear();
        bound = Set.of();
        if (client != null) closing.add(client.close());
        // VIPs stay: other daemons on this host may serve them, and the next incarnation reuses them
        return Future.join(closing);
    }

    /** Brings listeners (and VIPs) to what the table wants. Idempotent; on the event loop. */
    private void reconcile() {
        Map<Listen, Route> want = Routes.compute(services.values(), nodeAddress, vipsReady);
        for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!want.containsKey(e.getKey())) {
                close(e.getValue());
                it.remove();
            }
        }
        for (var e : want.entrySet()) {
            Listener l = listeners.get(e.getKey());
            if (l == null) {
                l = new Listener(e.getKey(), e.getValue());
                listeners.put(e.getKey(), l);
                log.info("node {}: proxy {} -> {} {}", nodeId, l.at, l.route.serviceKey(), l.route.backends());
            } else if (!l.route.equals(e.getValue())) {
                l.route = e.getValue(); // takes effect for the next connection
                log.info("node {}: proxy {} -> {} {}", nodeId, l.at, l.route.serviceKey(), l.route.backends());
            }
        }
        routes = Map.copyOf(want);
        syncVips();
        listeners.values().forEach(this::bind);
        publishBound();
    }

    private void tick() {
        listeners.values().forEach(this::bind);
        if (vipsReady && !(vipsHeld.isEmpty() && Routes.vips(services.values()).isEmpty())) {
            vipDirty = true; // re-check the interface: another daemon on this host may have removed a VIP we serve
            syncVips();
        }
    }

    /** One {@code ip} batch at a time on a worker: add the wanted VIPs, remove the ones whose service went. */
    private void syncVips() {
        if (!vipsReady) return;
        if (vipWork) {
            vipDirty = true;
            return;
        }
        vipWork = true;
        vipDirty = false;
        Set<String> want = Routes.vips(services.values());
        Set<String> held = new TreeSet<>(vipsHeld);
        vertx.executeBlocking(() -> {
            Set<String> present = vips.list();
            Set<String> now = new TreeSet<>();
            for (String ip : want) if (present.contains(ip) || vips.add(ip)) now.add(ip);
            for (String ip : held) if (!want.contains(ip)) vips.remove(ip); // only what this daemon served
            return now;
        }, false).onComplete(ar -> {
            vipWork = false;
            if (ar.succeeded()) {
                Set<String> added = new TreeSet<>(ar.result());
                added.removeAll(vipsHeld);
                vipsHeld.clear();
                vipsHeld.addAll(ar.result());
                if (!added.isEmpty()) log.info("node {}: VIPs {} on {}", nodeId, added, vips.device());
                listeners.values().forEach(this::bind);
            } else {
                log.warn("node {}: VIP update failed: {}", nodeId, ar.cause().toString());
            }
            if (vipDirty) syncVips();
        });
    }

    private void bind(Listener l) {
        if (l.server != null || l.binding || l.closed) return;
        if (!l.at.host().equals(nodeAddress) && !vipsHeld.contains(l.at.host())) return; // VIP not on the interface yet
        l.binding = true;
        NetServer s = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true));
        s.connectHandler(so -> accept(l, so));
        s.listen(l.at.port(), l.at.host()).onComplete(ar -> {
            l.binding = false;
            if (ar.succeeded()) {
                if (l.closed) {
                    s.close();
                    return;
                }
                l.server = s;
                log.info("node {}: listening on {} for {}", nodeId, l.at, l.route.serviceKey());
                publishBound();
            } else if (!l.warnedHeld) {
                l.warnedHeld = true; // e.g. another daemon on this host holds it: retried every tick
                log.info("node {}: cannot listen on {} yet ({}); retrying every {} ms", nodeId, l.at, ar.cause().getMessage(), retryMs);
            }
        });
    }

    private void close(Listener l) {
        l.closed = true;
        if (l.server != null) {
            l.server.close();
            l.server = null;
            log.info("node {}: stopped listening on {}", nodeId, l.at);
        }
    }

    private void publishBound() {
        Set<Listen> b = new TreeSet<>();
        for (Listener l : listeners.values()) if (l.server != null) b.add(l.at);
        bound = Set.copyOf(b);
    }

    /** A new client connection: hold its bytes (the pipe pauses it) until a backend is connected. */
    private void accept(Listener l, NetSocket in) {
        accepted.incrementAndGet();
        Pipe<Buffer> pipe = in.pipe();
        int backends = l.route.backends().size();
        if (backends == 0 || l.closed) {
            pipe.close();
            in.close();
            return;
        }
        connect(l, in, pipe, 0, Math.min(backends, MAX_ATTEMPTS));
    }

    private void connect(Listener l, NetSocket in, Pipe<Buffer> pipe, int attempt, int maxAttempts) {
        List<Backend> bs = l.route.backends(); // re-read: the table may have changed during a failed attempt
        if (bs.isEmpty() || attempt >= maxAttempts || l.closed) {
            pipe.close();
            in.close();
            return;
        }
        Backend b = bs.get(Math.floorMod(l.next++, bs.size()));
        client.connect(b.port(), b.host()).onComplete(ar -> {
            if (ar.failed()) {
                log.debug("node {}: {} -> {} failed: {}", nodeId, l.at, b, ar.cause().toString());
                connect(l, in, pipe, attempt + 1, maxAttempts);
                return;
            }
            NetSocket out = ar.result();
            pipe.to(out);     // client -> backend; ends the backend connection when the client ends
            out.pipeTo(in);   // backend -> client; ends the client connection when the backend ends
        });
    }
}
