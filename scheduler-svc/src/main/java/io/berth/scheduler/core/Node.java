package io.berth.scheduler.core;

import java.util.Map;

/**
 * What the scheduler knows of one node: identity, labels for selectors, capacity, and the two
 * flags that make it a candidate at all (Ready from heartbeats, cordoned by an operator).
 * A capacity of 0 for a resource means "unknown": only tasks requesting none of it fit.
 * {@code maxPods} is the node's pod capacity (its daemon's {@code --max-pods}, Kubernetes'
 * {@code capacity.pods}); 0 = not said (an older daemon): no limit.
 */
public record Node(String id, Map<String, String> labels, Quantity capacity, boolean ready, boolean cordoned, int maxPods) {
    public Node {
        labels = Map.copyOf(labels);
    }

    /** A node without a pod limit. */
    public Node(String id, Map<String, String> labels, Quantity capacity, boolean ready, boolean cordoned) {
        this(id, labels, capacity, ready, cordoned, 0);
    }

    /** A Ready, uncordoned, unlabelled node: the common case in tests and benchmarks. */
    public static Node ready(String id, Quantity capacity) {
        return new Node(id, Map.of(), capacity, true, false);
    }
}
