package io.berth.node.reconcile;

/** Kubernetes' pod restart policies, applied by the daemon itself (Docker's own policy is always "no"). */
public enum RestartPolicy {
    ALWAYS, ON_FAILURE, NEVER;

    /** Parses the template's value; anything unknown means Always, Kubernetes' default. */
    public static RestartPolicy parse(String s) {
        if (s == null) return ALWAYS;
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "onfailure", "on-failure", "on_failure" -> ON_FAILURE;
            case "never" -> NEVER;
            default -> ALWAYS;
        };
    }

    /** Whether a container that exited with {@code exitCode} should run again. Unknown code counts as failure. */
    public boolean restarts(Integer exitCode) {
        return switch (this) {
            case ALWAYS -> true;
            case ON_FAILURE -> exitCode == null || exitCode != 0;
            case NEVER -> false;
        };
    }
}
