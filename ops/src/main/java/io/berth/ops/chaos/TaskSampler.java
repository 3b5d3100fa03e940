package io.berth.ops.chaos;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.berth.node.docker.Labels;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads what the Docker engine runs every {@code periodMs} (100 ms: {@code docker ps} over the API) and
 * records every moment one task's container (one pod unit) runs twice — on two nodes, or twice on one.
 * Only containers of the run's own nodes count ({@code berth.node} label), so other Berth clusters on the
 * same engine are ignored.
 */
public final class TaskSampler implements Runnable {
    /** A unit seen running in more than one container in one sample. */
    public record Duplicate(long atMs, String unit, String task, List<String> nodes) {}

    private final DockerClient docker;
    private final Set<String> nodes;
    private final long periodMs;
    /** unit → its first duplicate sighting */
    private final Map<String, Duplicate> duplicates = new java.util.LinkedHashMap<>();
    private long duplicateSamples;
    private Map<String, Integer> runningPerWorkload = Map.of();
    private long samples;
    private long failedSamples;
    private long slowestMs;
    private volatile boolean stop;

    public TaskSampler(DockerClient docker, Set<String> nodes, long periodMs) {
        this.docker = docker;
        this.nodes = Set.copyOf(nodes);
        this.periodMs = periodMs;
    }

    public void stop() {
        stop = true;
    }

    @Override
    public void run() {
        long next = System.nanoTime();
        while (!stop) {
            long t0 = System.nanoTime();
            try {
                sample(docker.listContainersCmd().withLabelFilter(List.of(Labels.TASK)).withStatusFilter(List.of("running")).exec());
            } catch (RuntimeException e) {
                synchronized (this) {
                    failedSamples++;
                }
            }
            synchronized (this) {
                slowestMs = Math.max(slowestMs, (System.nanoTime() - t0) / 1_000_000);
            }
            next += TimeUnit.MILLISECONDS.toNanos(periodMs);
            long wait = next - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait); // the sampling period
            else next = System.nanoTime(); // a slow sample: no burst to catch up
        }
    }

    /** One sample: duplicates and the running (non-infra) containers per workload name. */
    synchronized void sample(List<Container> running) {
        samples++;
        Map<String, List<String>> nodesOfUnit = new HashMap<>();
        Map<String, String> taskOfUnit = new HashMap<>();
        Map<String, Integer> perWorkload = new TreeMap<>();
        for (Container c : running) {
            Map<String, String> l = c.getLabels() == null ? Map.of() : c.getLabels();
            String node = l.getOrDefault(Labels.NODE, "");
            if (!nodes.contains(node)) continue;
            String task = l.getOrDefault(Labels.TASK, "");
            String unit = l.getOrDefault(Labels.UNIT, task);
            nodesOfUnit.computeIfAbsent(unit, u -> new ArrayList<>()).add(node);
            taskOfUnit.put(unit, task);
            if (!"infra".equals(l.get(Labels.ROLE))) {
                String wl = l.getOrDefault(Labels.WORKLOAD, "");
                perWorkload.merge(wl.substring(wl.lastIndexOf('/') + 1), 1, Integer::sum);
            }
        }
        long now = System.currentTimeMillis();
        nodesOfUnit.forEach((unit, on) -> {
            if (on.size() > 1) {
                duplicateSamples++;
                duplicates.putIfAbsent(unit, new Duplicate(now, unit, taskOfUnit.get(unit), List.copyOf(on)));
            }
        });
        runningPerWorkload = perWorkload;
    }

    /** Each unit seen running twice, at its first sighting. */
    public synchronized List<Duplicate> duplicates() {
        return List.copyOf(duplicates.values());
    }

    /** Unit-samples that showed a duplicate (a duplicate lasting 1 s counts about 10). */
    public synchronized long duplicateSamples() {
        return duplicateSamples;
    }

    /** Running containers per workload name in the latest sample. */
    public synchronized Map<String, Integer> runningPerWorkload() {
        return runningPerWorkload;
    }

    public synchronized long samples() {
        return samples;
    }

    public synchronized long failedSamples() {
        return failedSamples;
    }

    public synchronized long slowestMs() {
        return slowestMs;
    }
}
