package io.berth.schemas;

/** Labels every node carries without being given them, as on a Kubernetes node. */
public final class NodeLabels {
    /**
     * {@code kubernetes.io/hostname}: the node's id (Berth's node name). A pod's nodeSelector may name it to run
     * on one node; the DaemonSet controller pins each of its pods to its node this way, as Kubernetes' does
     * with a node affinity on the node's name.
     */
    public static final String HOSTNAME = "kubernetes.io/hostname";

    private NodeLabels() {}
}
