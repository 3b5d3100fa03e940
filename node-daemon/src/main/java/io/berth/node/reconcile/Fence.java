package io.berth.node.reconcile;

import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.TaskState;

import java.util.HashSet;
import java.util.Set;

/**
 * Fencing (issue 13: a task id runs at most once), the node's half, as pure functions. The node holds a
 * lease: as long as a heartbeat it sent within the last {@code leaseMs} was acknowledged by the broker,
 * the control plane cannot have declared it dead (its grace is at least the lease plus the kill margin,
 * {@code schemas} {@code NodeLease}). Once none was, the node cannot tell a dead link from a dead control
 * plane, so it kills every container of its own (Nomad's {@code stop_after_client_disconnect}), and
 * never runs those task ids again: the control plane replaces them under new ids, and a fenced task whose
 * assignment is still there when the link comes back is reported FAILED so that it is replaced the normal
 * way, rather than restarted while its assignment's tombstone may still be on its way.
 */
public final class Fence {
    /** The node condition (type; a True status makes the Warning event's reason). */
    public static final String CONDITION = "NodeLeaseExpired";
    public static final String EXPIRED_REASON = "NoHeartbeatAcknowledged";
    public static final String HELD_REASON = "NodeLeaseHeld";
    /** The reason of the FAILED status of a task the fence killed. */
    public static final String KILLED_REASON = "NodeLeaseExpired";

    private Fence() {}

    /**
     * Whether the lease ran out: the newest heartbeat the broker acknowledged was sent more than
     * {@code leaseMs} before {@code now}. Example (lease 2 s): sent at 10.0 s, acknowledged; nothing sent
     * since was: at 12.0 s still held, at 12.001 s expired. {@code lastAckedSentAt} 0: not registered yet.
     */
    public static boolean expired(long lastAckedSentAt, long now, long leaseMs) {
        return lastAckedSentAt > 0 && now - lastAckedSentAt > leaseMs;
    }

    /** Task ids killed by a fence that stay barred: those still assigned (a revoked one is done with). */
    public static Set<String> stillBarred(Set<String> barred, Set<String> live) {
        Set<String> out = new HashSet<>(barred);
        out.retainAll(live);
        return out;
    }

    /** What a container killed by the fence reports (published once the link is back). */
    public static Reported killed(long silentMs, long leaseMs) {
        return new Reported(TaskState.FAILED, 137, KILLED_REASON, why(silentMs, leaseMs)
                + ": the node killed the container so that the task never runs twice; it is replaced elsewhere");
    }

    /** The node's condition: True while fenced, with how long no heartbeat was acknowledged. */
    public static Condition condition(boolean fenced, long silentMs, long leaseMs) {
        return fenced
                ? new Condition(CONDITION, "True", EXPIRED_REASON, why(silentMs, leaseMs) + ": every container of the node was killed", 0L)
                : new Condition(CONDITION, "False", HELD_REASON, "heartbeats are acknowledged within the node lease (" + leaseMs + " ms)", 0L);
    }

    public static String why(long silentMs, long leaseMs) {
        return "no heartbeat acknowledged by the broker for " + silentMs + " ms (node lease " + leaseMs + " ms)";
    }
}
