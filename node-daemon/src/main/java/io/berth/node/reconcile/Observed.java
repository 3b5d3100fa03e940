package io.berth.node.reconcile;

/**
 * A container as the daemon last saw it on the engine. {@code state} is Docker's state folded
 * into what the reconciler needs to decide. {@code graceSeconds} travels on the container (a label)
 * (and {@code workloadKey}) because a revoked task's assignment is gone by the time it must be stopped.
 */
public record Observed(String taskId, String workloadKey, String containerId, State state, Integer exitCode, int graceSeconds,
                       PodNetwork network) {
    public Observed {
        network = network == null ? PodNetwork.NONE : network;
    }

    public Observed(String taskId, String workloadKey, String containerId, State state, Integer exitCode, int graceSeconds) {
        this(taskId, workloadKey, containerId, state, exitCode, graceSeconds, PodNetwork.NONE);
    }

    public enum State {
        /** created but never started (e.g. the daemon died between create and start) */
        CREATED,
        RUNNING,
        /** exited or dead: a candidate for restart */
        EXITED,
        /** paused, restarting, removing: someone else is acting on it, leave it alone */
        BUSY;

        /** Folds Docker's container state string. */
        public static State ofDocker(String s) {
            if (s == null) return BUSY;
            return switch (s) {
                case "created" -> CREATED;
                case "running" -> RUNNING;
                case "exited", "dead" -> EXITED;
                default -> BUSY;
            };
        }
    }
}
