package io.berth.node.bus;

import io.berth.node.reconcile.PodNetwork;

/**
 * A Docker event on one of this node's containers, reduced to what the reconciler needs.
 * {@code exitCode} is set on {@code die} only; {@code network} on {@code start} only (read by an
 * inspect right after the event, so the RUNNING report carries the pod IP and published ports).
 */
public record ContainerEvent(Action action, String containerId, String taskId, Integer exitCode, PodNetwork network) {
    public ContainerEvent(Action action, String containerId, String taskId, Integer exitCode) {
        this(action, containerId, taskId, exitCode, null);
    }

    public ContainerEvent withNetwork(PodNetwork n) {
        return new ContainerEvent(action, containerId, taskId, exitCode, n);
    }

    public enum Action { START, DIE, DESTROY, OOM }
}
