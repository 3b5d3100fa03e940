package io.berth.node.runtime;

import io.berth.node.reconcile.Creation;
import io.berth.schemas.avro.Assignment;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Callable;

/**
 * The reconciler's Docker calls, run on the node's worker pool (never on the event loop). A call for a
 * unit marks its {@link TaskRecord} busy until it returns (the reconciler plans nothing for a busy unit)
 * and, whatever its outcome, then tells the reconciler ({@code afterCall}: its listing running meanwhile
 * is stale, and another pass). The only writer of {@link TaskRecord#busy}.
 */
final class ContainerOps {
    private static final Logger log = LoggerFactory.getLogger(ContainerOps.class);

    private final String nodeId;
    private final ContainerRuntime docker;
    private final WorkerExecutor workers;
    private final ContainerCreator creator;
    private final Runnable afterCall;

    ContainerOps(String nodeId, ContainerRuntime docker, WorkerExecutor workers, ContainerCreator creator, Runnable afterCall) {
        this.nodeId = nodeId;
        this.docker = docker;
        this.workers = workers;
        this.creator = creator;
        this.afterCall = afterCall;
    }

    /** Checks the image, resolves configs and creates the unit's container ({@link ContainerCreator}); its id. */
    Future<String> create(TaskRecord r, Assignment a, Creation.Launch launch) {
        return busy(r, () -> creator.create(a, launch));
    }

    Future<Void> start(TaskRecord r, String containerId) {
        return busy(r, () -> docker.start(containerId));
    }

    /** SIGTERM, SIGKILL after the grace; the container stays (a failed probe: its restart policy decides). */
    Future<Void> stop(TaskRecord r, String containerId, int grace) {
        return busy(r, () -> docker.stop(containerId, grace));
    }

    /** Stops within the grace and removes; {@code podGone}: the pod's directory (its emptyDir volumes) goes too. */
    Future<Void> remove(TaskRecord r, String containerId, int grace, boolean podGone) {
        return busy(r, () -> {
            docker.stopAndRemove(containerId, grace);
            if (podGone) deletePodDir(r.taskId);
        });
    }

    /** SIGKILL and remove, no grace (a fence). */
    Future<Void> kill(TaskRecord r, String containerId) {
        return busy(r, () -> docker.killAndRemove(containerId));
    }

    /** Deletes a revoked pod's directory, on a worker; a failure is logged (the pod is gone either way). */
    void deletePodDirLater(String taskId) {
        blocking(() -> {
            deletePodDir(taskId);
            return null;
        });
    }

    /** Runs a blocking call on the worker pool, not tied to a unit (listings, warm-up). */
    <T> Future<T> blocking(Callable<T> call) {
        return workers.executeBlocking(call, false);
    }

    Future<Void> close() {
        return workers.close();
    }

    private interface Call {
        void run() throws Exception;
    }

    private Future<Void> busy(TaskRecord r, Call call) {
        return busy(r, () -> {
            call.run();
            return null;
        });
    }

    private <T> Future<T> busy(TaskRecord r, Callable<T> call) {
        r.busy = true;
        return blocking(call).andThen(ar -> {
            r.busy = false;
            afterCall.run();
        });
    }

    private void deletePodDir(String taskId) {
        try {
            docker.deletePodDir(taskId);
        } catch (Exception e) {
            log.warn("node {} task {}: pod directory not deleted: {}", nodeId, taskId, e.toString());
        }
    }
}
