package io.berth.node.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.berth.node.bus.Addresses;
import io.berth.node.bus.ContainerEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.util.Map;

/**
 * Follows Docker's event stream for this node's containers and forwards start, die, destroy and
 * oom to the reconciler at once, so a transition is reported without waiting for the next tick.
 * If the stream breaks it reconnects with back-off; the reconciler's periodic listing covers
 * whatever was missed meanwhile.
 */
public final class DockerEventsVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(DockerEventsVerticle.class);
    private static final long MAX_RETRY_MS = 10_000;

    private final DockerRuntime docker;
    private final String nodeId;
    private final Addresses addr;
    private volatile boolean stopping;
    private volatile Closeable stream;
    private long retryMs = 250;

    public DockerEventsVerticle(DockerRuntime docker, String nodeId) {
        this.docker = docker;
        this.nodeId = nodeId;
        this.addr = new Addresses(nodeId);
    }

    @Override
    public Future<?> start() {
        Promise<Void> started = Promise.promise();
        subscribe(started);
        return started.future();
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        Closeable s = stream;
        if (s == null) return Future.succeededFuture();
        // closing the HTTP stream can block briefly
        return vertx.executeBlocking(() -> {
            s.close();
            return null;
        });
    }

    private void subscribe(Promise<Void> started) {
        var context = vertx.getOrCreateContext();
        ResultCallback.Adapter<Event> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onStart(Closeable c) {
                super.onStart(c);
                stream = c;
                context.runOnContext(v -> {
                    retryMs = 250;
                    if (started != null) started.tryComplete();
                });
            }

            @Override
            public void onNext(Event e) {
                ContainerEvent ce = toContainerEvent(e);
                if (ce == null) return;
                if (ce.action() == ContainerEvent.Action.START) {
                    // on docker-java's stream thread (never an event loop), in event order: the
                    // RUNNING report carries the pod IP and published ports read back from inspect
                    try {
                        ce = ce.withNetwork(docker.network(ce.containerId()));
                    } catch (RuntimeException err) {
                        log.debug("node {}: inspect of {} failed: {}", nodeId, ce.containerId(), err.toString());
                    }
                }
                vertx.eventBus().send(addr.containerEvents(), ce);
            }

            @Override
            public void onError(Throwable t) {
                context.runOnContext(v -> lost(t, started));
            }

            @Override
            public void onComplete() {
                context.runOnContext(v -> lost(null, started));
            }
        };
        docker.streams().eventsCmd()
                .withEventTypeFilter(EventType.CONTAINER)
                .withEventFilter("start", "die", "destroy", "oom")
                .withLabelFilter(Map.of(Labels.NODE, nodeId))
                .exec(cb); // asynchronous: docker-java reads the stream on its own thread
    }

    private void lost(Throwable t, Promise<Void> started) {
        if (stopping) return;
        log.warn("node {}: docker event stream ended ({}); reconnecting in {} ms", nodeId, t, retryMs);
        if (started != null) started.tryComplete(); // the periodic listing keeps the node converging meanwhile
        long delay = retryMs;
        retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
        vertx.setTimer(delay, id -> {
            if (!stopping) subscribe(null);
        });
    }

    static ContainerEvent toContainerEvent(Event e) {
        String action = e.getAction() != null ? e.getAction() : e.getStatus();
        Map<String, String> attrs = e.getActor() == null || e.getActor().getAttributes() == null
                ? Map.of() : e.getActor().getAttributes();
        String task = attrs.get(Labels.TASK);
        if (action == null || task == null) return null;
        task = attrs.getOrDefault(Labels.UNIT, task); // the reconciler's key: the unit (= task id for a pod's first container)
        ContainerEvent.Action a = switch (action) {
            case "start" -> ContainerEvent.Action.START;
            case "die" -> ContainerEvent.Action.DIE;
            case "destroy" -> ContainerEvent.Action.DESTROY;
            case "oom" -> ContainerEvent.Action.OOM;
            default -> null;
        };
        if (a == null) return null;
        Integer exit = null;
        try {
            if (attrs.get("exitCode") != null) exit = Integer.valueOf(attrs.get("exitCode"));
        } catch (NumberFormatException ignored) {
            // leave unknown
        }
        String id = e.getId() != null ? e.getId() : e.getActor().getId();
        return new ContainerEvent(a, id, task, exit);
    }
}
