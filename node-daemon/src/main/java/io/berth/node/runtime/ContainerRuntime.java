package io.berth.node.runtime;

import io.berth.node.docker.ContainerRequest;
import io.berth.node.docker.PodUnit;
import io.berth.node.reconcile.Observed;
import io.berth.node.reconcile.PodNetwork;
import io.berth.schemas.avro.Assignment;
import io.vertx.core.Deployable;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What the daemon above the container engine needs from it: the reconciler, the prober and the
 * event forwarding use only this. {@link io.berth.node.docker.DockerRuntime} drives a Docker engine;
 * {@link io.berth.node.sim.SimRuntime} simulates one in memory (benchmarks with thousands of nodes).
 * Every method is scoped to this node's containers and may BLOCK: call it from a worker, never from
 * an event loop.
 */
public interface ContainerRuntime extends AutoCloseable {

    /** What a {@code docker exec} (or its simulation) returned; {@code exitCode} null when it timed out. */
    record ExecResult(Integer exitCode, String output, boolean timedOut) {}

    /** The image (and command) of pods' infra containers. */
    ContainerRequest.Infra infra();

    /** This node's containers (running or not), by unit key ({@link PodUnit}; the task id for a pod's first app container). */
    Map<String, Observed> list();

    boolean imageExists(String image);

    /** Creates (never pulls) one container of the pod, joined to {@code infraId}'s network when not null; returns its id. */
    String create(Assignment a, PodUnit u, String infraId);

    void start(String containerId);

    /** Stops with SIGTERM and SIGKILL after the grace, leaving the container (liveness failure). */
    void stop(String containerId, int graceSeconds);

    /** Stops, waits up to the grace, then removes. A container already gone is fine. */
    void stopAndRemove(String containerId, int graceSeconds);

    /** Kills (SIGKILL, no grace) and removes, for a fence. A container already gone is fine. */
    default void killAndRemove(String containerId) {
        stopAndRemove(containerId, 0);
    }

    /** IP and published ports of a container; {@link PodNetwork#NONE} when it is gone. */
    PodNetwork network(String containerId);

    /** Runs a command in a running container, waiting at most {@code timeoutMs}. */
    ExecResult exec(String containerId, List<String> command, long timeoutMs) throws InterruptedException;

    /** Deletes a revoked pod's directory (its emptyDir volumes), if the runtime keeps one. */
    void deletePodDir(String taskId) throws IOException;

    /**
     * The source of this node's runtime events: a verticle that forwards start, die, destroy and oom
     * of this node's containers to the reconciler ({@link io.berth.node.bus.Addresses#containerEvents()}).
     */
    Deployable eventSource(String nodeId);

    /**
     * The name of the worker pool the reconciler runs this runtime's calls on (a shared Vert.x worker
     * executor: executors of one name share their threads). Docker: one per node, so a slow engine call
     * of one node never queues another's; the simulation: one for every node of the JVM.
     */
    default String workerPool(String nodeId) {
        return "berth-docker-" + nodeId;
    }

    /**
     * Writes the files of the pod's secret and configMap volumes (volume → relative path → contents)
     * where its containers mount them; a runtime without pod directories writes nothing.
     */
    default void writeConfigFiles(String taskId, Map<String, Map<String, byte[]>> files) throws IOException {}

    @Override
    void close();
}
