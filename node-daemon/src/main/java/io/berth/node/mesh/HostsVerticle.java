package io.berth.node.mesh;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.berth.node.bus.Addresses;
import io.berth.node.bus.TaskRunning;
import io.berth.node.docker.Labels;
import io.berth.schemas.avro.EndpointsView;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Service names for containers: rewrites the /etc/hosts Docker bind-mounts into each container of this
 * node ({@code HostsPath} from inspect) so {@code NAME}, {@code NAME.NS}, {@code NAME.NS.svc} and
 * {@code NAME.NS.svc.cluster.local} resolve to the service's cluster IP. Docker's own lines are kept; a
 * marked Berth block is replaced. The file is rewritten IN PLACE (same inode): a rename would leave the
 * container's bind mount on the old file.
 * <p>
 * Triggers: a container start (the reconciler's {@code task-running} publication, or the
 * {@link MeshAddresses#containerStarted()} hook with a container id) rewrites that container at once;
 * a service-table change rewrites every running container of the node (coalesced: one pass at a time,
 * another right after if changes arrived meanwhile); a slow periodic pass catches anything missed.
 * Docker and file calls run on a worker.
 */
public final class HostsVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(HostsVerticle.class);

    private final DockerClient docker;
    private final String nodeId;
    private final ServiceTable table;
    private final long periodMs;
    private final MeshAddresses addr;
    private final Set<String> pendingContainers = new LinkedHashSet<>();
    private boolean passAll;
    private boolean running;
    private volatile boolean warned;

    public HostsVerticle(DockerClient docker, String nodeId, ServiceTable table, long periodMs) {
        this.docker = docker;
        this.nodeId = nodeId;
        this.table = table;
        this.periodMs = periodMs;
        this.addr = new MeshAddresses(nodeId);
    }

    @Override
    public Future<?> start() {
        vertx.eventBus().<ServiceChange>localConsumer(addr.services(), m -> {
            passAll = true; // a name appears or goes (or a cluster IP changes): every container
            schedule();
        });
        vertx.eventBus().<TaskRunning>localConsumer(new Addresses(nodeId).taskRunning(), m -> container(m.body().containerId()));
        vertx.eventBus().<String>localConsumer(addr.containerStarted(), m -> container(m.body()));
        vertx.setPeriodic(periodMs, id -> {
            passAll = true;
            schedule();
        });
        return Future.succeededFuture();
    }

    private void container(String containerId) {
        if (containerId == null || containerId.isEmpty()) return;
        pendingContainers.add(containerId);
        schedule();
    }

    /** Runs one pass on a worker unless one is running; whatever arrives meanwhile makes the next pass. */
    private void schedule() {
        if (running || (!passAll && pendingContainers.isEmpty())) return;
        running = true;
        boolean all = passAll;
        List<String> ids = new ArrayList<>(pendingContainers);
        passAll = false;
        pendingContainers.clear();
        Map<String, EndpointsView> services = table.snapshot();
        vertx.executeBlocking(() -> {
            if (all) {
                for (Container c : docker.listContainersCmd().withLabelFilter(Map.of(Labels.NODE, nodeId)).exec()) {
                    rewrite(c.getId(), services.values());
                }
            } else {
                for (String id : ids) rewrite(id, services.values());
            }
            return null;
        }, false).onComplete(ar -> {
            running = false;
            if (ar.failed()) log.warn("node {}: hosts pass failed: {}", nodeId, ar.cause().toString());
            schedule();
        });
    }

    /** Blocking: inspect, then rewrite the container's hosts file if its Berth block differs. */
    private void rewrite(String containerId, Collection<EndpointsView> services) {
        InspectContainerResponse c;
        try {
            c = docker.inspectContainerCmd(containerId).exec();
        } catch (NotFoundException e) {
            return; // gone meanwhile
        }
        Map<String, String> labels = c.getConfig() == null || c.getConfig().getLabels() == null ? Map.of() : c.getConfig().getLabels();
        if (!nodeId.equals(labels.get(Labels.NODE))) return; // never touch another node's containers
        String hostsPath = c.getHostsPath();
        if (hostsPath == null || hostsPath.isEmpty()) return; // not started yet (or host network)
        Path p = Path.of(hostsPath);
        try {
            String before = Files.readString(p, StandardCharsets.UTF_8);
            String after = HostsFile.merge(before, HostsFile.block(services, labels.getOrDefault(Labels.NAMESPACE, "default")));
            if (after.equals(before)) return;
            Files.writeString(p, after, StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            log.debug("node {}: hosts of {} rewritten ({} services)", nodeId, containerId, services.size());
        } catch (IOException e) {
            if (!warned) {
                warned = true; // e.g. the daemon does not run on the engine's host or not as root
                log.warn("node {}: cannot rewrite {} ({}); service names will not resolve in containers", nodeId, hostsPath, e.toString());
            }
        }
    }
}
