package io.berth.schemas.service;

/**
 * The one place where a node's heartbeat interval, its lease and the control plane's grace are
 * related (issue 13, fencing: a task id runs at most once).
 *
 * <ul>
 *   <li>{@code heartbeat-ms} (node daemon): a heartbeat every this many ms.</li>
 *   <li>{@code node-lease-ms} (node daemon): when no heartbeat the node <em>sent</em> within the last
 *       lease was acknowledged by the broker, the node kills every container of its own (it cannot know
 *       whether the control plane still counts it alive).</li>
 *   <li>{@code node-grace-ms} (state-streams): a node whose heartbeats stop for this long is NotReady
 *       and its tasks are replaced elsewhere.</li>
 * </ul>
 *
 * Safety: the control plane reads a heartbeat stamped t, so it declares the node dead no earlier than
 * t + grace; the node, whose last acknowledged heartbeat was sent at a ≤ t, has killed its
 * containers by a + lease + the time the kill takes. So {@code grace ≥ lease + KILL_MARGIN_MS}: one
 * place checks it ({@link #of}), both processes call it, and the control plane also applies it per node
 * with the lease the node registered ({@link #effectiveGraceMs}). The hosts' clocks must agree well
 * within the margin (NTP), as Kubernetes' node leases require too.
 *
 * <p>Defaults: heartbeat 0.5 s, lease 2 s, grace 3 s. A lost node is NotReady 3.0–3.25 s after its last
 * heartbeat and its pods run elsewhere about a second later (failover ≤ 5 s); a healthy node fences itself
 * only when none of the heartbeats it sent in the last 2 s was acknowledged, that is when the broker took
 * more than lease − heartbeat = 1.5 s to acknowledge every one of them (acks=all on a local broker take
 * milliseconds, tens under load). With a 1 s heartbeat that headroom was 1 s, and a machine at load 18
 * (2 cores, other builds) was seen to make a healthy node fence itself (ops FencingPartitionTest, 2026-12-05).
 */
public record NodeLease(long heartbeatMs, long leaseMs, long graceMs) {
    public static final long DEFAULT_HEARTBEAT_MS = 500;
    public static final long DEFAULT_GRACE_MS = 3000;
    /**
     * What a node needs, after its lease ran out, to have its containers dead: its lease check runs
     * every {@link #CHECK_MS}, a {@code docker rm -f} of each container (SIGKILL, in parallel) takes
     * tens of ms, hundreds on a loaded machine; the rest covers clock skew between hosts.
     */
    public static final long KILL_MARGIN_MS = 1000;
    /** How often a node checks its lease. */
    public static final long CHECK_MS = 100;
    public static final long DEFAULT_LEASE_MS = DEFAULT_GRACE_MS - KILL_MARGIN_MS;

    public NodeLease {
        if (heartbeatMs <= 0) throw new IllegalArgumentException("heartbeat-ms must be positive, got " + heartbeatMs);
        if (leaseMs <= heartbeatMs) {
            throw new IllegalArgumentException("node-lease-ms (" + leaseMs + ") must be longer than heartbeat-ms (" + heartbeatMs
                    + "): otherwise a node fences itself between two healthy heartbeats");
        }
        if (graceMs < leaseMs + KILL_MARGIN_MS) {
            throw new IllegalArgumentException("node-grace-ms (" + graceMs + ") must be at least node-lease-ms (" + leaseMs + ") + "
                    + KILL_MARGIN_MS + " ms for the cut-off node to kill its containers: with less, a replacement may start"
                    + " while the old copy of the task still runs");
        }
    }

    /**
     * From the settings {@code heartbeat-ms}, {@code node-lease-ms} and {@code node-grace-ms}; an unset
     * lease is the grace minus the kill margin, so setting only the grace (e.g. {@code berth up --set
     * node-grace-ms=10000}) keeps them related. Throws naming the fields when they are not.
     */
    public static NodeLease of(BerthConfig c) {
        long grace = c.getLong("node-grace-ms", DEFAULT_GRACE_MS);
        return new NodeLease(c.getLong("heartbeat-ms", DEFAULT_HEARTBEAT_MS), c.getLong("node-lease-ms", grace - KILL_MARGIN_MS), grace);
    }

    /**
     * The grace the control plane gives one node: its own setting, or longer if the node registered a
     * lease that needs more (a node configured apart from the control plane must still be dead before
     * its tasks are replaced). {@code registeredLeaseMs} 0: an older daemon that said nothing (and does not fence).
     */
    public static long effectiveGraceMs(long graceMs, long registeredLeaseMs) {
        return registeredLeaseMs <= 0 ? graceMs : Math.max(graceMs, registeredLeaseMs + KILL_MARGIN_MS);
    }
}
