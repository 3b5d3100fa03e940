package io.berth.node.reconcile;

/**
 * What the planner needs to know of one live assignment: its restart policy. The full {@code Assignment} stays in the adapter that creates containers.
 */
public record Desired(String taskId, RestartPolicy restartPolicy) {}
