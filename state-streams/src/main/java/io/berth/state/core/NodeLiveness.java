package io.berth.state.core;

import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.NodeRegistration;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.Resources;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Node liveness as in Kubernetes' node lifecycle controller: a node is Ready while it heartbeats;
 * when no heartbeat arrived for longer than the grace period it turns NotReady with reason
 * NodeStatusUnknown, and its tasks are then treated as lost. Pure: time comes in as arguments.
 */
public final class NodeLiveness {
    public static final String READY = "Ready";
    /**
     * Label a DRAIN intent puts on a node (kept across re-registrations, removed by uncordon): the
     * workload controllers move the node's tasks elsewhere while it is set. Level-triggered, so a
     * drain resumes after a restart.
     */
    public static final String DRAINING_LABEL = "berth.io/draining";

    private NodeLiveness() {}

    /** Folds a registration, heartbeat or leave (seen at {@code at}) into the node's view. */
    public static NodeView onEvent(NodeView prev, NodeEvent e, long at) {
        NodeView base = prev != null ? prev : empty(e.getNodeId());
        NodeView.Builder next = NodeView.newBuilder(base);
        switch (e.getType()) {
            case REGISTER -> {
                NodeRegistration r = e.getRegistration();
                if (r != null) {
                    next.setName(r.getName()).setAddress(r.getAddress()).setLabels(keepDraining(base, r.getLabels()))
                            .setCapacity(r.getCapacity()).setIncarnation(r.getIncarnation());
                }
                next.setRegisteredAt(at);
                markReady(next, base, at);
            }
            case HEARTBEAT -> markReady(next, base, at);
            case LEAVE -> next.setReady(false).setConditions(ready(base, "False", "NodeLeft", "The node daemon left the cluster.", at));
            default -> { return base; }
        }
        return next.build();
    }

    /** The NotReady view if the node missed its heartbeats for longer than {@code graceMs}. */
    public static Optional<NodeView> expire(NodeView v, long now, long graceMs) {
        if (!v.getReady() || now - v.getLastHeartbeat() <= graceMs) return Optional.empty();
        return Optional.of(NodeView.newBuilder(v).setReady(false)
                .setConditions(ready(v, "Unknown", "NodeStatusUnknown",
                        "Node stopped posting status: no heartbeat for " + (now - v.getLastHeartbeat()) + " ms (grace " + graceMs + " ms).", now))
                .build());
    }

    /** Cordon or uncordon; a node not seen yet is remembered so the cordon survives its registration. */
    public static NodeView cordon(NodeView prev, String nodeId, boolean cordoned) {
        NodeView base = prev != null ? prev : empty(nodeId);
        Map<String, String> labels = new HashMap<>(base.getLabels());
        if (!cordoned) labels.remove(DRAINING_LABEL);
        return NodeView.newBuilder(base).setCordoned(cordoned).setLabels(labels).build();
    }

    /** Drain = cordon + the draining label; it lasts until an uncordon. */
    public static NodeView drain(NodeView prev, String nodeId) {
        NodeView cordoned = cordon(prev, nodeId, true);
        Map<String, String> labels = new HashMap<>(cordoned.getLabels());
        labels.put(DRAINING_LABEL, "true");
        return NodeView.newBuilder(cordoned).setLabels(labels).build();
    }

    public static boolean draining(NodeView v) {
        return "true".equals(v.getLabels().get(DRAINING_LABEL));
    }

    private static Map<String, String> keepDraining(NodeView base, Map<String, String> registered) {
        if (!draining(base)) return registered;
        Map<String, String> labels = new HashMap<>(registered);
        labels.put(DRAINING_LABEL, "true");
        return labels;
    }

    private static void markReady(NodeView.Builder next, NodeView base, long at) {
        next.setReady(true).setLastHeartbeat(Math.max(base.getLastHeartbeat(), at))
                .setConditions(ready(base, "True", "NodeReady", "The node daemon is posting ready status.", at));
    }

    /** The Ready condition, keeping its transition time when its status did not change. */
    private static List<Condition> ready(NodeView base, String status, String reason, String message, long at) {
        Optional<Condition> old = base.getConditions().stream().filter(c -> READY.equals(c.getType())).findFirst();
        long since = old.filter(c -> c.getStatus().equals(status)).map(Condition::getLastTransitionTime).orElse(at);
        return List.of(new Condition(READY, status, reason, message, since));
    }

    private static NodeView empty(String nodeId) {
        return NodeView.newBuilder().setNodeId(nodeId).setName(nodeId).setCapacity(new Resources(0L, 0L)).build();
    }
}
