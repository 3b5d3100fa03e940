package io.berth.scheduler.core;

import java.util.Map;

/**
 * What the scheduler knows of one node: identity, labels for selectors, capacity, and the two
 * flags that make it a candidate at all (Ready from heartbeats, cordoned by an operator).
 * A capacity of 0 for a resource means "unknown": only tasks requesting none of it fit.
 */
public record Node(String id, Map<String, String> labels, Quantity capacity, boolean ready, boolean cordoned) {
    public Node {
        labels = Map.copyOf(labels);
    }

    /** A Ready, uncordoned, unlabelled node: the common case in tests and benchmarks. */
    public static Node ready(String id, Quantity capacity) {
        return new Node(id, Map.of(), capacity, true, false);
    }
}
