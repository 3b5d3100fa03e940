package io.berth.node.mesh;

import io.berth.schemas.avro.Endpoint;
import io.berth.schemas.avro.EndpointsView;
import io.berth.schemas.avro.ServicePort;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pure: what a node proxy must listen on and where each listener sends connections, from the
 * service table. No Vert.x, no Kafka, no sockets.
 */
public final class Routes {
    private Routes() {}

    /** A socket address the proxy listens on ({@code clusterIP:port} or {@code nodeAddress:nodePort}). */
    public record Listen(String host, int port) implements Comparable<Listen> {
        @Override
        public int compareTo(Listen o) {
            int c = host.compareTo(o.host);
            return c != 0 ? c : Integer.compare(port, o.port);
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** A ready backend: a node address and the pod's published host port. */
    public record Backend(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** Where one listener sends its connections: a service port and its ready backends, in table order. */
    public record Route(String serviceKey, String portName, int servicePort, List<Backend> backends) {
        public Route {
            backends = List.copyOf(backends);
        }
    }

    /** True if the type has node ports (Kubernetes serves LoadBalancer as NodePort when there is no cloud). */
    public static boolean hasNodePorts(String type) {
        return "NodePort".equalsIgnoreCase(type) || "LoadBalancer".equalsIgnoreCase(type);
    }

    /** A clusterIP the node can put on its VIP interface: a dotted IPv4 address, not "None"/empty. */
    public static boolean isVip(String ip) {
        if (ip == null || ip.isEmpty() || "None".equals(ip)) return false;
        String[] parts = ip.split("\\.");
        if (parts.length != 4) return false;
        for (String p : parts) {
            try {
                int n = Integer.parseInt(p);
                if (n < 0 || n > 255) return false;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }

    /** The cluster IPs the node must hold (every service that has one). */
    public static Set<String> vips(Collection<EndpointsView> services) {
        Set<String> out = new TreeSet<>();
        for (EndpointsView v : services) if (isVip(v.getClusterIP())) out.add(v.getClusterIP());
        return out;
    }

    /**
     * Every listener the node wants: {@code clusterIP:port} for each TCP port of each service (only if
     * {@code withVips}), and {@code nodeAddress:nodePort} for NodePort/LoadBalancer services. If two
     * services claim the same address (a transient of the allocator, or a foreign cluster on this host),
     * the first in key order wins.
     */
    public static Map<Listen, Route> compute(Collection<EndpointsView> services, String nodeAddress, boolean withVips) {
        Map<Listen, Route> out = new TreeMap<>();
        List<EndpointsView> sorted = new ArrayList<>(services);
        sorted.sort((a, b) -> a.getKey().compareTo(b.getKey()));
        for (EndpointsView v : sorted) {
            for (ServicePort sp : v.getPorts()) {
                if (sp.getProtocol() != null && !"TCP".equalsIgnoreCase(sp.getProtocol())) continue;
                Route r = new Route(v.getKey(), sp.getName(), sp.getPort(), backends(v, sp));
                if (withVips && isVip(v.getClusterIP()) && sp.getPort() > 0) {
                    out.putIfAbsent(new Listen(v.getClusterIP(), sp.getPort()), r);
                }
                if (hasNodePorts(v.getType()) && sp.getNodePort() > 0 && nodeAddress != null && !nodeAddress.isEmpty()) {
                    out.putIfAbsent(new Listen(nodeAddress, sp.getNodePort()), r);
                }
            }
        }
        return out;
    }

    /**
     * The ready backends of one service port, de-duplicated, in table order. An endpoint belongs to the
     * port when the service has a single port, or its portName equals the port's name, or (unnamed)
     * its targetPort equals the port's targetPort (the port itself when targetPort is 0).
     */
    public static List<Backend> backends(EndpointsView v, ServicePort sp) {
        boolean single = v.getPorts().size() <= 1;
        int target = sp.getTargetPort() > 0 ? sp.getTargetPort() : sp.getPort();
        Set<Backend> out = new LinkedHashSet<>();
        for (Endpoint e : v.getEndpoints()) {
            if (!e.getReady() || e.getPort() <= 0 || e.getAddress() == null || e.getAddress().isEmpty()) continue;
            boolean match = single
                    || (!e.getPortName().isEmpty() && e.getPortName().equals(sp.getName()))
                    || (e.getPortName().isEmpty() && e.getTargetPort() == target);
            if (match) out.add(new Backend(e.getAddress(), e.getPort()));
        }
        return List.copyOf(out);
    }
}
