package io.berth.state.core;

import io.berth.schemas.avro.ServicePort;
import io.berth.schemas.avro.ServiceSpec;

import java.util.*;

/**
 * Cluster IPs and node ports for every service of the cluster, in one place (the endpoints
 * controller runs it on a single partition, so there is one writer). Pure: no Kafka; the caller
 * persists the results (in the EndpointsView) and {@link #restore}s them after a restart.
 *
 * <ul>
 *   <li>Cluster IP from {@code 10.96.0.0/16}, never {@code .0.0}, {@code .0.1} (the API server's
 *       own in Kubernetes) nor the broadcast {@code .255.255}. Stable for the service's life: once
 *       given, kept on every update. A requested free IP is honoured; {@code None} = headless.</li>
 *   <li>Node ports from 30000–32767 for {@code NodePort} and {@code LoadBalancer} services: a
 *       requested free port is honoured, otherwise the port's previous one is kept, otherwise a new
 *       one is picked. A port the service no longer uses is released.</li>
 *   <li>New values are picked by probing linearly from a hash of the service key (and port), so a
 *       replay, or a service deleted and created again, tends to get the same values.</li>
 * </ul>
 */
public final class ServiceAllocator {
    public static final int IP_BASE = (10 << 24) | (96 << 16);
    public static final int IP_FIRST = 2;            // 10.96.0.2
    public static final int IP_LAST = 65534;          // 10.96.255.254
    public static final int NODE_PORT_MIN = 30000;
    public static final int NODE_PORT_MAX = 32767;
    public static final String HEADLESS = "None";

    /** What one service holds; {@code warnings} say what could not be honoured (e.g. a clash). */
    public record Allocation(String clusterIP, List<ServicePort> ports, List<String> warnings) {}

    private final Map<Integer, String> ipOwner = new HashMap<>();
    private final Map<Integer, String> portOwner = new HashMap<>();
    private final Map<String, Integer> ipOf = new HashMap<>();
    private final Map<String, Map<String, Integer>> portsOf = new HashMap<>();  // key → port identity → node port

    /** Re-registers what a service held before a restart (from its last EndpointsView). */
    public void restore(String key, String clusterIP, List<ServicePort> ports) {
        Integer ip = ipOffset(clusterIP);
        if (ip != null && !ipOwner.containsKey(ip)) {
            ipOwner.put(ip, key);
            ipOf.put(key, ip);
        }
        for (ServicePort p : ports) {
            if (validNodePort(p.getNodePort()) && !portOwner.containsKey(p.getNodePort())) {
                portOwner.put(p.getNodePort(), key);
                portsOf.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(identity(p), p.getNodePort());
            }
        }
    }

    /** Allocates (or confirms) what {@code spec} needs for service {@code key}; idempotent for an unchanged spec. */
    public Allocation allocate(String key, ServiceSpec spec) {
        List<String> warnings = new ArrayList<>();
        String ip = clusterIP(key, spec.getClusterIP(), warnings);
        boolean nodePorts = needsNodePorts(spec.getType());
        Map<String, Integer> before = portsOf.getOrDefault(key, Map.of());
        Map<String, Integer> now = new LinkedHashMap<>();
        Set<Integer> mine = new HashSet<>();
        List<ServicePort> ports = new ArrayList<>();
        for (int i = 0; i < spec.getPorts().size(); i++) {
            ServicePort p = spec.getPorts().get(i);
            int nodePort = 0;
            if (nodePorts) {
                int wanted = p.getNodePort();
                if (wanted != 0 && validNodePort(wanted) && !mine.contains(wanted) && ownedByOrFree(portOwner.get(wanted), key)) {
                    nodePort = wanted;
                } else {
                    if (wanted != 0) {
                        warnings.add("spec.ports[" + i + "].nodePort: Invalid value: " + wanted + ": "
                                + (validNodePort(wanted) ? "provided port is already allocated"
                                : "provided port is not in the valid range. The range of valid ports is 30000-32767"));
                    }
                    Integer previous = before.get(identity(p));
                    if (previous != null && !mine.contains(previous) && key.equals(portOwner.get(previous))) nodePort = previous;
                    else nodePort = probePort(key + "/" + identity(p), mine);
                    if (nodePort == 0) warnings.add("spec.ports[" + i + "].nodePort: no free node port left in 30000-32767");
                }
            }
            if (nodePort != 0) {
                mine.add(nodePort);
                now.put(identity(p), nodePort);
            }
            ports.add(ServicePort.newBuilder(p).setNodePort(nodePort).build());
        }
        // release what the service no longer uses, then take the new set
        for (int old : before.values()) if (!mine.contains(old) && key.equals(portOwner.get(old))) portOwner.remove(old);
        for (int n : mine) portOwner.put(n, key);
        if (now.isEmpty()) portsOf.remove(key);
        else portsOf.put(key, now);
        return new Allocation(ip, List.copyOf(ports), List.copyOf(warnings));
    }

    /** Frees everything the service held. */
    public void release(String key) {
        Integer ip = ipOf.remove(key);
        if (ip != null && key.equals(ipOwner.get(ip))) ipOwner.remove(ip);
        Map<String, Integer> ports = portsOf.remove(key);
        if (ports != null) for (int p : ports.values()) if (key.equals(portOwner.get(p))) portOwner.remove(p);
    }

    /** Which service holds a node port, if any. */
    public Optional<String> nodePortOwner(int nodePort) {
        return Optional.ofNullable(portOwner.get(nodePort));
    }

    /** Which service holds a cluster IP, if any. */
    public Optional<String> clusterIPOwner(String ip) {
        Integer o = ipOffset(ip);
        return o == null ? Optional.empty() : Optional.ofNullable(ipOwner.get(o));
    }

    /** Every node port held, with its service (a copy). */
    public Map<Integer, String> nodePorts() {
        return Map.copyOf(portOwner);
    }

    /** Every cluster IP held, with its service (a copy). */
    public Map<String, String> clusterIPs() {
        Map<String, String> out = new HashMap<>();
        ipOwner.forEach((o, k) -> out.put(format(o), k));
        return out;
    }

    public static boolean needsNodePorts(String type) {
        return "NodePort".equals(type) || "LoadBalancer".equals(type);
    }

    public static boolean validNodePort(int p) {
        return p >= NODE_PORT_MIN && p <= NODE_PORT_MAX;
    }

    // ---- internals ----

    private String clusterIP(String key, String requested, List<String> warnings) {
        Integer held = ipOf.get(key);
        if (held != null) return format(held);  // stable: never changes while the service lives
        if (HEADLESS.equals(requested)) return HEADLESS;
        Integer wanted = requested == null || requested.isEmpty() ? null : ipOffset(requested);
        int ip;
        if (wanted != null && ownedByOrFree(ipOwner.get(wanted), key)) {
            ip = wanted;
        } else {
            if (requested != null && !requested.isEmpty()) {
                warnings.add("spec.clusterIP: Invalid value: \"" + requested + "\": "
                        + (wanted == null ? "provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/16"
                        : "provided IP is already allocated"));
            }
            ip = probeIP(key);
            if (ip == 0) {
                warnings.add("spec.clusterIP: no free cluster IP left in 10.96.0.0/16");
                return "";
            }
        }
        ipOwner.put(ip, key);
        ipOf.put(key, ip);
        return format(ip);
    }

    private int probeIP(String key) {
        int size = IP_LAST - IP_FIRST + 1;
        int start = Math.floorMod(key.hashCode() * 31 + 7, size);
        for (int i = 0; i < size; i++) {
            int candidate = IP_FIRST + (start + i) % size;
            if (!ipOwner.containsKey(candidate)) return candidate;
        }
        return 0;
    }

    private int probePort(String seed, Set<Integer> taken) {
        int size = NODE_PORT_MAX - NODE_PORT_MIN + 1;
        int start = Math.floorMod(seed.hashCode(), size);
        for (int i = 0; i < size; i++) {
            int candidate = NODE_PORT_MIN + (start + i) % size;
            if (!portOwner.containsKey(candidate) && !taken.contains(candidate)) return candidate;
        }
        return 0;
    }

    private static boolean ownedByOrFree(String owner, String key) {
        return owner == null || owner.equals(key);
    }

    /** A port is the same port across updates when its name, number and protocol are. */
    private static String identity(ServicePort p) {
        return p.getName() + ":" + p.getPort() + "/" + p.getProtocol();
    }

    /** The offset of {@code ip} in 10.96.0.0/16 if it is an allocatable address there, else null. */
    static Integer ipOffset(String ip) {
        if (ip == null) return null;
        String[] parts = ip.split("\\.");
        if (parts.length != 4) return null;
        int v = 0;
        for (String s : parts) {
            if (!s.matches("[0-9]{1,3}")) return null;
            int b = Integer.parseInt(s);
            if (b > 255) return null;
            v = (v << 8) | b;
        }
        int offset = v - IP_BASE;
        return offset >= IP_FIRST && offset <= IP_LAST ? offset : null;
    }

    static String format(int offset) {
        int v = IP_BASE + offset;
        return ((v >>> 24) & 255) + "." + ((v >>> 16) & 255) + "." + ((v >>> 8) & 255) + "." + (v & 255);
    }
}
