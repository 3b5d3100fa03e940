package io.berth.node.bus;

/**
 * Published by the reconciler each time it reports a task RUNNING (first start, restart,
 * adoption), so the log shipper can follow that container's output from {@code sinceEpochSeconds}.
 */
public record TaskRunning(String taskId, String containerId, String namespace, String podName,
                          String containerName, int sinceEpochSeconds) {}
