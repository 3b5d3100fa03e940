package io.berth.node.mesh;

/** Event-bus addresses of the service mesh (data plane), prefixed with the node id like {@code bus.Addresses}. */
public record MeshAddresses(String nodeId) {
    /** {@link ServiceChange}, published: a service appeared, changed or went. */
    public String services() {
        return "berth.node." + nodeId + ".services";
    }

    /** Empty message, published once: the endpoints topic was read up to the end seen at start. */
    public String servicesSynced() {
        return "berth.node." + nodeId + ".services-synced";
    }

    /**
     * Hook for the container runtime: send a container id (String) here right after a container of this
     * node started, and its /etc/hosts gets the service block at once. (The mesh also follows the
     * reconciler's {@code task-running} publications, so the hook is an accelerator, not a requirement.)
     */
    public String containerStarted() {
        return "berth.node." + nodeId + ".container.started";
    }
}
