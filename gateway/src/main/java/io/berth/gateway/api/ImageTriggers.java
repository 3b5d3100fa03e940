package io.berth.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.schemas.ImageTagMoved;
import io.berth.schemas.Topics;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code berth.io/rollout-on: image}: follows {@code berth.events} (through the view cache, from its position at start)
 * for the ImageTagMoved events node daemons report, and has {@link WriteApi#rollOutOnImage} roll out the workloads of
 * that namespace annotated {@code image} that run the moved reference. Every gateway follows; the rollout's intent id is
 * a function of (workload, reference, image id), so the copies two gateways (or a node's repeated report) produce are
 * applied once, and a workload already stamped with the image is skipped.
 */
public final class ImageTriggers {
    private static final Logger log = LoggerFactory.getLogger(ImageTriggers.class);

    private ImageTriggers() {}

    /** Starts following; the result stops it. */
    public static Runnable follow(Vertx vertx, ViewCache cache, WriteApi writes) {
        ViewCache.Registration r = cache.watch(Topics.EVENTS, null, null, cache.position(Topics.EVENTS), vertx.getOrCreateContext(), changes -> {
            for (ViewCache.Change c : changes) {
                if (!"ADDED".equals(c.type()) && !"MODIFIED".equals(c.type())) continue;
                ObjectNode e = c.object();
                ImageTagMoved.parse(e.path("reason").asText(), e.path("message").asText()).ifPresent(m -> {
                    String ns = e.path("involvedObject").path("namespace").asText(e.path("metadata").path("namespace").asText("default"));
                    writes.rollOutOnImage(ns, m.ref(), m.imageId())
                            .onSuccess(n -> { if (n > 0) log.info("rollout-on image {} -> {} in {}: {} rollout(s)", m.ref(), m.imageId(), ns, n); })
                            .onFailure(err -> log.warn("rollout-on image {} in {}: {}", m.ref(), ns, err.toString()));
                });
            }
        });
        return r.cancel();
    }
}
