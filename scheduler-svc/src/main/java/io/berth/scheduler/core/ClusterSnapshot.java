package io.berth.scheduler.core;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The immutable state a placement decision reads: the nodes and what is booked on each.
 * {@link #with(Placement)} returns a new snapshot including a decision, so a batch of placements
 * made one after the other never books the same capacity twice.
 */
public final class ClusterSnapshot {
    private final Map<String, Node> nodes;          // sorted by id: iteration order is part of replay
    private final Map<String, NodeUsage> usage;     // only nodes with something booked

    private ClusterSnapshot(Map<String, Node> nodes, Map<String, NodeUsage> usage) {
        this.nodes = nodes;
        this.usage = usage;
    }

    public static ClusterSnapshot of(Collection<Node> nodes) {
        Map<String, Node> byId = new TreeMap<>();
        nodes.forEach(n -> byId.put(n.id(), n));
        return new ClusterSnapshot(java.util.Collections.unmodifiableMap(byId), Map.of());
    }

    public Collection<Node> nodes() {
        return nodes.values();
    }

    public NodeUsage usage(String nodeId) {
        return usage.getOrDefault(nodeId, NodeUsage.EMPTY);
    }

    /** This snapshot plus a claim on a node, e.g. an assignment read from the ledger. */
    public ClusterSnapshot withClaim(String nodeId, Claim claim) {
        Map<String, NodeUsage> next = new HashMap<>(usage);
        next.put(nodeId, usage(nodeId).plus(claim));
        return new ClusterSnapshot(nodes, next);
    }

    /** This snapshot plus a decision; an unplaceable decision changes nothing. */
    public ClusterSnapshot with(Placement placement) {
        return placement instanceof Placement.Placed p ? withClaim(p.nodeId(), p.task().claim()) : this;
    }

    /** Builds a snapshot from many claims at once, without copying per claim. */
    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, Node> nodes = new TreeMap<>();
        private final Map<String, NodeUsage> usage = new HashMap<>();

        public Builder node(Node node) {
            nodes.put(node.id(), node);
            return this;
        }

        /** Claims on nodes that are not (or no longer) known still count, in case the node returns. */
        public Builder claim(String nodeId, Claim claim) {
            usage.merge(nodeId, NodeUsage.EMPTY.plus(claim), (a, b) -> a.plus(claim));
            return this;
        }

        public ClusterSnapshot build() {
            return new ClusterSnapshot(java.util.Collections.unmodifiableMap(new TreeMap<>(nodes)), Map.copyOf(usage));
        }
    }
}
