package io.berth.schemas;

/**
 * The kubelet's wording of probe outcomes, shared by the node daemon (which writes them into
 * {@code TaskStatus.message}) and state-streams (which turns them into Unhealthy / Killing
 * events): the format is defined here once, so the reader's test cannot drift from the writer.
 */
public final class ProbeMessages {
    private static final String FAILED = " probe failed: ";
    private static final String KILLED = " probe, will be restarted";

    private ProbeMessages() {}

    /** {@code Readiness probe failed: HTTP probe failed with statuscode: 404}. */
    public static String failed(String probeTitle, String detail) {
        return probeTitle + FAILED + (detail == null ? "" : detail);
    }

    public static boolean isFailure(String message) {
        return message != null && message.contains(FAILED);
    }

    /** {@code Container web failed liveness probe, will be restarted}. */
    public static String killed(String container, String probe) {
        return "Container " + container + " failed " + probe + KILLED;
    }

    public static boolean isKill(String message) {
        return message != null && message.endsWith(KILLED);
    }
}
