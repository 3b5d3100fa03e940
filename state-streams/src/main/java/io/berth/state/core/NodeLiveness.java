package io.berth.state.core;

import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.NodeRegistration;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.Resources;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Node liveness as in Kubernetes' node lifecycle controller: a node is Ready while it heartbeats;
 * when no heartbeat arrived for longer than the grace period it turns NotReady with reason
 * NodeStatusUnknown, and its tasks are then treated as lost. As with Kubernetes' node Leases, a
 * heartbeat renews a lease (kept apart from the view) and rewrites the view only when something
 * its readers need changed ({@link #mustWrite}); expiry reads the lease. Pure: time comes in as
 * arguments.
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
                            .setCapacity(r.getCapacity()).setIncarnation(r.getIncarnation()).setMaxPods(r.getMaxPods())
                            .setDaemonPort(r.getDaemonPort()).setLeaseMs(r.getLeaseMs());
                }
                next.setRegisteredAt(at);
                markReady(next, base, at, e.getConditions());
            }
            case HEARTBEAT -> markReady(next, base, at, e.getConditions());
            case LEAVE -> next.setReady(false).setConditions(withReady(base, "False", "NodeLeft", "The node daemon left the cluster.", at));
            default -> { return base; }
        }
        return next.build();
    }

    /**
     * The NotReady view if the node's lease was last renewed more than {@code graceMs} before
     * {@code now}. The lease ({@code renewedAt}: the latest REGISTER or HEARTBEAT the controller
     * read) is the truth; the view's own lastHeartbeat is only refreshed now and then
     * ({@link #mustWrite}), so it counts only when it is newer (a view written before leases
     * existed). The NotReady view carries the lease time as its last heartbeat. The grace is at least
     * the node's registered lease plus the kill margin ({@code NodeLease.effectiveGraceMs}).
     */
    public static Optional<NodeView> expire(NodeView v, long renewedAt, long now, long configuredGraceMs) {
        // never before the node's own lease must have run out and its containers be dead (NodeLease)
        long graceMs = io.berth.schemas.service.NodeLease.effectiveGraceMs(configuredGraceMs, v.getLeaseMs());
        long last = Math.max(renewedAt, v.getLastHeartbeat());
        if (!v.getReady() || now - last <= graceMs) return Optional.empty();
        return Optional.of(NodeView.newBuilder(v).setReady(false).setLastHeartbeat(last)
                .setConditions(withReady(v, "Unknown", "NodeStatusUnknown",
                        "Node stopped posting status: no heartbeat for " + (now - last) + " ms (grace " + graceMs + " ms).", now))
                .build());
    }

    /** No other node's lease to compare with. */
    public static final long NO_OTHER_LEASE = Long.MIN_VALUE;

    /**
     * Whether a node whose lease was last renewed at {@code renewedAt} is silent past its grace, as
     * far as this controller can tell. It reads a partition's heartbeats in order but possibly late
     * (it lags behind, or its idea of where the partition ends is stale while it works through other
     * inputs), and then every node of the partition looks silent at once although all heartbeat.
     * So, like Kubernetes' node lifecycle controller, which stops evicting when a whole zone turns
     * unhealthy at once ("full disruption"), it compares with the partition's other nodes:
     * <ul>
     *   <li>another node was heard after this one's deadline: this one is silent — NotReady after the grace;</li>
     *   <li>no other node was heard within {@code lagGraceMs}: nobody to compare with (it is alone
     *       in its partition, or the others left long ago) — NotReady after the grace;</li>
     *   <li>otherwise the whole partition went quiet together (this controller lags, or they all
     *       died at once): NotReady only after {@code lagGraceMs}.</li>
     * </ul>
     * Example (grace 3 s, lag grace 10 s): n1 last heard at 0; at 3.25 s n2 was heard at 3.1 s → n1
     * is NotReady; if n2 was last heard at 0.4 s, n1 and n2 wait until 10 s; if n2 was last heard
     * at -20 s (gone), n1 is NotReady at 3.25 s.
     *
     * @param newestOther the newest lease among the other nodes of the partition, or {@link #NO_OTHER_LEASE}
     */
    public static boolean overdue(long renewedAt, long newestOther, long now, long graceMs, long lagGraceMs) {
        if (now - renewedAt <= graceMs) return false;
        if (newestOther == NO_OTHER_LEASE || newestOther > renewedAt + graceMs || now - newestOther > lagGraceMs) return true;
        return now - renewedAt > lagGraceMs;
    }

    /**
     * Whether a heartbeat's view must be written, or the heartbeat only renews the node's lease
     * (as a kubelet renews its Lease every 10 s but posts its NodeStatus only when it changed or
     * once per report period). Written: a first view; any change a reader of the view needs
     * (readiness, registration, cordon, labels, capacity, a condition's status or reason); and,
     * when nothing else changed, once its last heartbeat is {@code refreshMs} old, so the view's
     * heartbeat time is never more than that stale. A condition's message alone (it moves with
     * time: "pleg was last seen active 3m10s ago") waits for the refresh.
     */
    public static boolean mustWrite(NodeView before, NodeView after, long refreshMs) {
        if (before == null || !withoutHeartbeat(before).equals(withoutHeartbeat(after))) return true;
        return after.getLastHeartbeat() - before.getLastHeartbeat() >= refreshMs;
    }

    /** The view without what moves on every heartbeat: its heartbeat time, resource version and condition messages. */
    static NodeView withoutHeartbeat(NodeView v) {
        return NodeView.newBuilder(v).setLastHeartbeat(0).setResourceVersion("")
                .setConditions(v.getConditions().stream().map(c -> Condition.newBuilder(c).setMessage("").build()).toList()).build();
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

    private static void markReady(NodeView.Builder next, NodeView base, long at, List<Condition> reported) {
        List<Condition> conditions = new ArrayList<>(ready(base, "True", "NodeReady", "The node daemon is posting ready status.", at));
        conditions.addAll(reported(base, reported, at));
        next.setReady(true).setLastHeartbeat(Math.max(base.getLastHeartbeat(), at)).setConditions(conditions);
    }

    /** Ready replaced, the daemon's own conditions kept as last reported (a lost heartbeat does not clear them). */
    private static List<Condition> withReady(NodeView base, String status, String reason, String message, long at) {
        List<Condition> conditions = new ArrayList<>(ready(base, status, reason, message, at));
        base.getConditions().stream().filter(c -> !READY.equals(c.getType())).forEach(conditions::add);
        return conditions;
    }

    /**
     * The conditions a daemon judges itself (e.g. ContainerRuntimeUnhealthy), as its REGISTER or
     * HEARTBEAT carries them, each keeping its transition time while its status stays; a type the
     * daemon no longer reports is dropped. An older daemon reports none.
     */
    private static List<Condition> reported(NodeView base, List<Condition> reported, long at) {
        List<Condition> out = new ArrayList<>();
        for (Condition c : reported) {
            if (READY.equals(c.getType())) continue; // Ready is the controller's
            long since = base.getConditions().stream().filter(o -> o.getType().equals(c.getType()) && o.getStatus().equals(c.getStatus()))
                    .map(Condition::getLastTransitionTime).findFirst().orElse(at);
            out.add(new Condition(c.getType(), c.getStatus(), c.getReason(), c.getMessage(), since));
        }
        return out;
    }

    /** A daemon-reported condition of the view, if any. */
    public static Optional<Condition> condition(NodeView v, String type) {
        return v == null ? Optional.empty() : v.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
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
