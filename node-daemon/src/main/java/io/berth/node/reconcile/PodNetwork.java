package io.berth.node.reconcile;

import java.util.List;

/**
 * Where a running container can be reached: its IP on its Docker network and the host ports its
 * container ports are published on, as Docker reports them (inspect or listing).
 */
public record PodNetwork(String ip, List<Binding> bindings) {
    public static final PodNetwork NONE = new PodNetwork("", List.of());

    public PodNetwork {
        ip = ip == null ? "" : ip;
        bindings = List.copyOf(bindings);
    }

    /** {@code containerPort/protocol} published on {@code hostIp:hostPort}; protocol upper case (TCP, UDP). */
    public record Binding(int containerPort, String protocol, String hostIp, int hostPort) {}

    /** The host port of a container port, 0 when it is not published. IPv4 bindings are preferred. */
    public int hostPort(int containerPort, String protocol) {
        int any = 0;
        for (Binding b : bindings) {
            if (b.containerPort() != containerPort || !b.protocol().equalsIgnoreCase(protocol == null || protocol.isEmpty() ? "TCP" : protocol)) continue;
            if (!b.hostIp().contains(":")) return b.hostPort();
            if (any == 0) any = b.hostPort();
        }
        return any;
    }
}
