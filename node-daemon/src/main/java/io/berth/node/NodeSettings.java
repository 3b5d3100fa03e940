package io.berth.node;

import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.NodeLease;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The daemon's settings, read once from {@link BerthConfig#extra()} (keys as on the command line).
 * Capacity defaults to what this machine has, so a node advertises itself truthfully by default.
 * {@code leaseMs}: when no heartbeat sent within it was acknowledged, the node kills its containers (fencing, {@link NodeLease}).
 */
public record NodeSettings(String nodeId, String name, String address, Map<String, String> labels,
                           long cpuMillis, long memoryBytes, String dockerHost, long heartbeatMs,
                           long reconcileMs, int maxPods, long leaseMs) {
    /** Kubernetes' default {@code --max-pods}. */
    public static final int DEFAULT_MAX_PODS = 110;

    public NodeSettings {
        labels = Map.copyOf(labels);
        if (maxPods <= 0) throw new IllegalArgumentException("max-pods must be positive, got " + maxPods);
        if (leaseMs <= heartbeatMs) throw new IllegalArgumentException("node-lease-ms (" + leaseMs + ") must be longer than heartbeat-ms (" + heartbeatMs + ")");
    }

    /** With the default lease ({@link NodeLease#DEFAULT_LEASE_MS}, at least two heartbeats). */
    public NodeSettings(String nodeId, String name, String address, Map<String, String> labels, long cpuMillis,
                        long memoryBytes, String dockerHost, long heartbeatMs, long reconcileMs, int maxPods) {
        this(nodeId, name, address, labels, cpuMillis, memoryBytes, dockerHost, heartbeatMs, reconcileMs, maxPods,
                Math.max(NodeLease.DEFAULT_LEASE_MS, 2 * heartbeatMs));
    }

    /** With the default pod capacity ({@value #DEFAULT_MAX_PODS}). */
    public NodeSettings(String nodeId, String name, String address, Map<String, String> labels, long cpuMillis,
                        long memoryBytes, String dockerHost, long heartbeatMs, long reconcileMs) {
        this(nodeId, name, address, labels, cpuMillis, memoryBytes, dockerHost, heartbeatMs, reconcileMs, DEFAULT_MAX_PODS);
    }

    /** Throws naming the field when heartbeat-ms, node-lease-ms and node-grace-ms are not related as {@link NodeLease} requires. */
    public static NodeSettings from(BerthConfig c) {
        NodeLease lease = NodeLease.of(c);
        String name = c.get("node-name", hostname());
        return new NodeSettings(
                c.get("node-id", name),
                name,
                c.get("node-address", "127.0.0.1"),
                parseLabels(c.get("node-labels", "")),
                c.getLong("node-cpu-millis", Runtime.getRuntime().availableProcessors() * 1000L),
                c.getLong("node-memory-bytes", physicalMemory()),
                c.get("docker-host", "unix:///var/run/docker.sock"),
                lease.heartbeatMs(),
                c.getLong("reconcile-ms", 1000),
                (int) c.getLong("max-pods", DEFAULT_MAX_PODS),
                lease.leaseMs());
    }

    /** {@code k=v,k=v}; blanks ignored, a key without '=' gets an empty value. */
    static Map<String, String> parseLabels(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : s.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            if (eq < 0) m.put(p, "");
            else m.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        return m;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }
}
