package io.berth.node.bus;

/**
 * A Docker event on one of this node's containers, reduced to what the reconciler needs.
 * {@code exitCode} is set on {@code die} only.
 */
public record ContainerEvent(Action action, String containerId, String taskId, Integer exitCode) {
    public enum Action { START, DIE, DESTROY, OOM }
}
