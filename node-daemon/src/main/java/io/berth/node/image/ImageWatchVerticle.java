package io.berth.node.image;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.berth.node.bus.EventPublisher;
import io.berth.node.docker.Labels;
import io.berth.schemas.ImageTagMoved;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.ClusterEvent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Every {@code image-watch-period-ms} (on a worker: docker-java blocks), compares the image each running pod container
 * of this node was created from with the image its tag resolves to now: one container list and one image inspect per
 * distinct reference. A moved tag ({@link ImageDrift}) is reported as a {@code berth.events} ClusterEvent
 * ({@link ImageTagMoved}) keyed by the workload; the gateway rolls out the workloads annotated
 * {@code berth.io/rollout-on: image}. Images are local (no registry): the new pod simply runs the tag's current image.
 */
public final class ImageWatchVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(ImageWatchVerticle.class);
    /** The default of {@code image-watch-period-ms}. */
    public static final long DEFAULT_PERIOD_MS = 10_000;

    private final String nodeId;
    private final DockerClient docker;
    private final EventPublisher publisher;
    private final long periodMs;
    private final LongSupplier clock;
    private final ImageDrift drift;
    private WorkerExecutor worker;
    private boolean checking;

    public ImageWatchVerticle(String nodeId, DockerClient docker, EventPublisher publisher, long periodMs, LongSupplier clock) {
        if (periodMs < 500) throw new IllegalArgumentException("image-watch-period-ms must be at least 500, got " + periodMs);
        this.nodeId = nodeId;
        this.docker = docker;
        this.publisher = publisher;
        this.periodMs = periodMs;
        this.clock = clock;
        this.drift = new ImageDrift(Math.max(60_000, 6 * periodMs));
    }

    @Override
    public Future<?> start() {
        worker = vertx.createSharedWorkerExecutor("berth-image-watch", 1);
        vertx.setPeriodic(periodMs, id -> tick());
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        return worker == null ? Future.succeededFuture() : worker.close();
    }

    private void tick() {
        if (checking) return; // the last check is still running (a slow engine): skip, never queue up
        checking = true;
        worker.executeBlocking(this::check, false).onComplete(ar -> {
            checking = false;
            if (ar.failed()) log.debug("node {}: image check failed: {}", nodeId, ar.cause().toString());
            else ar.result().forEach(this::report);
        });
    }

    /** One pass: the running containers, what their references resolve to now, the drifts to report. */
    List<ImageDrift.Drift> check() {
        List<ImageDrift.Running> running = running();
        Map<String, String> current = new HashMap<>();
        for (String ref : ImageDrift.refs(running)) {
            try {
                current.put(ref, docker.inspectImageCmd(ref).exec().getId());
            } catch (RuntimeException e) {
                // the tag is gone: nothing to roll out to
            }
        }
        return drift.detect(running, current, clock.getAsLong());
    }

    /**
     * This node's running pod containers (infra left out). A container's reference comes from the list; when its tag
     * moved, Docker lists the image id instead, and the reference is read from the container's config.
     */
    private List<ImageDrift.Running> running() {
        List<Container> cs = docker.listContainersCmd().withStatusFilter(List.of("running")).withLabelFilter(Map.of(Labels.NODE, nodeId)).exec();
        List<ImageDrift.Running> out = new ArrayList<>();
        for (Container c : cs) {
            Map<String, String> l = c.getLabels() == null ? Map.of() : c.getLabels();
            String task = l.get(Labels.TASK);
            if (task == null || !nodeId.equals(l.get(Labels.NODE)) || "infra".equals(l.get(Labels.ROLE))) continue;
            String ref = c.getImage() == null ? "" : c.getImage();
            if (ref.startsWith("sha256:") || ref.matches("[0-9a-f]{12,64}")) {
                try {
                    ref = docker.inspectContainerCmd(c.getId()).exec().getConfig().getImage();
                } catch (RuntimeException e) {
                    continue; // gone meanwhile
                }
            }
            out.add(new ImageDrift.Running(task, l.getOrDefault(Labels.WORKLOAD, ""), l.getOrDefault(Labels.NAMESPACE, "default"),
                    l.getOrDefault(Labels.POD, task), ref == null ? "" : ref, c.getImageId() == null ? "" : c.getImageId()));
        }
        return out;
    }

    private void report(ImageDrift.Drift d) {
        long now = clock.getAsLong();
        String seed = d.workloadKey() + "|" + d.ref() + "|" + d.currentId() + "|" + now;
        ClusterEvent e = ClusterEvent.newBuilder().setUid(UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString())
                .setNamespace(d.namespace()).setInvolvedKind("Pod").setInvolvedName(d.pod()).setInvolvedKey(d.workloadKey())
                .setType("Normal").setReason(ImageTagMoved.REASON).setMessage(ImageTagMoved.message(d.ref(), d.currentId(), d.runningId()))
                .setSource("kubelet/" + nodeId).setFirstTimestamp(now).setLastTimestamp(now).setCount(1).build();
        log.info("node {}: {} of {}: {}", nodeId, ImageTagMoved.REASON, d.workloadKey(), e.getMessage());
        publisher.publish(Topics.EVENTS, d.workloadKey(), e).whenComplete((md, err) -> {
            if (err != null) log.warn("node {}: {} not published: {}", nodeId, ImageTagMoved.REASON, err.toString());
        });
    }
}
