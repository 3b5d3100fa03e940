package io.berth.state.core;

import io.berth.schemas.avro.*;

import java.util.*;
import java.util.function.Function;

/**
 * Which pods back a service and how a proxy reaches them. Pure.
 *
 * <ul>
 *   <li>A pod is selected when it is in the service's namespace and its labels contain every
 *       selector pair; an empty selector selects nothing (as Kubernetes: such a service's endpoints
 *       are managed by hand).</li>
 *   <li>A selected pod is listed while it is SCHEDULED or RUNNING and not being stopped; it is
 *       {@code ready} when RUNNING, ready, not stopping, and reachable (has an address). Terminating,
 *       lost and finished pods are not listed.</li>
 *   <li>One {@link Endpoint} per (pod, service port). The container port is {@code targetPort}
 *       ({@code 0} = {@code port}). Address and port are the node's address and the host port the
 *       pod's container port is published on; while no host port is known yet, the pod IP and the
 *       container port (reachable from the pod's own node only); with neither, the endpoint is
 *       listed not ready with an empty address.</li>
 *   <li>Sorted by pod name, then by the service's port order, so an unchanged set compares equal.</li>
 * </ul>
 */
public final class ServiceEndpoints {
    private ServiceEndpoints() {}

    public static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        if (selector == null || selector.isEmpty()) return false;
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) return false;
        }
        return true;
    }

    /** Whether a pod in this state is listed at all (ready or not). */
    public static boolean listed(TaskView t) {
        return !t.getDesiredStop() && (t.getPhase() == TaskPhase.RUNNING || t.getPhase() == TaskPhase.SCHEDULED);
    }

    public static boolean podReady(TaskView t) {
        return t.getPhase() == TaskPhase.RUNNING && t.getReady() && !t.getDesiredStop();
    }

    /**
     * The endpoints of a service with these (allocated) ports over the given pods of its namespace.
     *
     * @param nodeAddress node id → address ("" or null when unknown)
     */
    public static List<Endpoint> build(Map<String, String> selector, List<ServicePort> ports, Collection<TaskView> pods,
                                       Function<String, String> nodeAddress) {
        List<TaskView> selected = new ArrayList<>();
        for (TaskView t : pods) if (listed(t) && selects(selector, t.getLabels())) selected.add(t);
        selected.sort(Comparator.comparing(TaskView::getTaskId));
        List<Endpoint> out = new ArrayList<>(selected.size() * Math.max(1, ports.size()));
        for (TaskView t : selected) {
            String node = nodeAddress.apply(t.getNodeId());
            for (ServicePort p : ports) out.add(endpoint(t, p, node == null ? "" : node));
        }
        return out;
    }

    static Endpoint endpoint(TaskView t, ServicePort p, String nodeAddress) {
        int target = p.getTargetPort() == 0 ? p.getPort() : p.getTargetPort();
        String address;
        int port;
        Optional<PublishedPort> published = t.getPublishedPorts().stream()
                .filter(pp -> pp.getContainerPort() == target && pp.getProtocol().equalsIgnoreCase(p.getProtocol()) && pp.getHostPort() > 0)
                .findFirst();
        if (published.isPresent() && !nodeAddress.isEmpty()) {
            address = nodeAddress;
            port = published.get().getHostPort();
        } else {
            address = t.getPodIP();  // not published (yet): the bridge address, reachable on the pod's node
            port = target;
        }
        boolean ready = podReady(t) && !address.isEmpty();
        return Endpoint.newBuilder().setTaskId(t.getTaskId()).setPodName(t.getPodName().isEmpty() ? t.getTaskId() : t.getPodName())
                .setNodeId(t.getNodeId()).setAddress(address).setPort(port).setReady(ready).setPodIP(t.getPodIP())
                .setTargetPort(target).setPortName(p.getName()).build();
    }
}
