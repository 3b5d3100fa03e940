package io.berth.state.core;

import io.berth.schemas.TaskReason;
import io.berth.schemas.avro.ContainerStatus;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskView;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;
import java.util.TreeMap;

/**
 * What a node's heartbeats say runs on it ({@code NodeEvent.runningTaskIds}), against what its statuses
 * said: a status can be lost (published while Kafka was unreachable, not re-sent), a heartbeat comes
 * every second. Pure; the node controller keeps one listing per node.
 *
 * <p>A task a node listed and then leaves out of {@value #MISSES} heartbeats in a row is gone from it
 * ({@link #next}); if the control plane still believes it runs there ({@link #believedRunning}) it is
 * marked FAILED with reason {@value #REASON} and replaced the normal way. Only tasks listed once count:
 * a daemon that lists nothing (an older one, a stand-in) never makes a task gone, and a task's first
 * second (created, not yet in a heartbeat) is not mistaken for a loss. A task a node lists that is not
 * assigned to it any more needs nothing here: the node removes it from its assignments (the tombstone;
 * after a fence it never restarts those ids).
 *
 * @param misses task id → heartbeats in a row that left it out (0: listed in the latest)
 */
public record RunningListing(Map<String, Integer> misses) {
    public static final int MISSES = 2;
    public static final String REASON = "ContainerMissing";
    public static final RunningListing EMPTY = new RunningListing(Map.of());

    public RunningListing {
        misses = Map.copyOf(misses);
    }

    /** The listing after a heartbeat that lists {@code listed}, and the task ids it made gone. */
    public record Next(RunningListing listing, List<String> gone) {}

    /**
     * Example: listed {a, b}; a heartbeat lists {a} → b missed once; the next lists {a} → b is gone
     * (dropped from the listing); one listing {a, b} in between would have reset b.
     */
    public static Next next(RunningListing prev, Collection<String> listed) {
        Map<String, Integer> out = new TreeMap<>();
        List<String> gone = new ArrayList<>();
        // a node lists ~100 ids: a list's contains() made this 10,000 string compares per heartbeat
        Set<String> in = listed instanceof Set<String> set ? set : new HashSet<>(listed);
        prev.misses.forEach((id, n) -> {
            if (in.contains(id)) return;
            if (n + 1 >= MISSES) gone.add(id);
            else out.put(id, n + 1);
        });
        for (String id : listed) out.put(id, 0);
        gone.sort(null);
        return new Next(new RunningListing(out), gone);
    }

    /**
     * The ids the newest list named (missed 0 times): what a heartbeat that says "unchanged"
     * ({@code NodeEvent.runningUnchanged}) lists. Example: {a=0, b=1} → [a]; so "unchanged" after that makes b
     * gone, as a heartbeat listing [a] again would.
     */
    public List<String> listed() {
        List<String> out = new ArrayList<>();
        misses.forEach((id, n) -> {
            if (n == 0) out.add(id);
        });
        return out;
    }

    /**
     * Whether the control plane believes {@code t} runs on {@code nodeId}: placed there, phase RUNNING, and
     * its last snapshot shows a running container (a crash-looping task's EXITED snapshot shows none: its
     * node keeps it and restarts it, no heartbeat lists it meanwhile).
     */
    public static boolean believedRunning(TaskView t, String nodeId) {
        if (t == null || !nodeId.equals(t.getNodeId()) || t.getPhase() != TaskPhase.RUNNING) return false;
        List<ContainerStatus> cs = t.getContainerStatuses();
        if (cs != null && !cs.isEmpty()) return cs.stream().anyMatch(c -> !c.getInit() && "running".equals(c.getState()));
        return EXITED_REASONS.stream().noneMatch(r -> r.is(t.getReason())); // no snapshot (an older daemon): the last EXITED's reason
    }

    /** The reasons a RUNNING task's view keeps after an EXITED status ({@link TaskStateMachine}). */
    private static final List<TaskReason> EXITED_REASONS = List.of(TaskReason.CRASH_LOOP_BACK_OFF, TaskReason.ERROR,
            TaskReason.COMPLETED, TaskReason.OOM_KILLED);

    /** The message of the FAILED status that records the loss. */
    public static String message(String taskId, String nodeId) {
        return "task " + taskId + " is no longer listed in the heartbeats of node " + nodeId + " (" + MISSES
                + " in a row) and no status said why: its container is gone";
    }

    /**
     * Whether an "unchanged" heartbeat leaves the listing {@code encoded} ({@link #encode}) as it is: no
     * listing, or every task listed by the newest list (missed 0 times). Then {@link #next} with
     * {@link #listed()} would give the same listing and nothing gone, so the node controller skips the
     * decode — the common case, once a second per node. Example: {@code "a=0,b=0"} → true;
     * {@code "a=0,b=1"} → false (the next "unchanged" makes b gone).
     */
    public static boolean unchangedKeeps(String encoded) {
        if (encoded == null) return true;
        for (int i = encoded.indexOf('='); i >= 0; i = encoded.indexOf('=', i + 1)) {
            int end = encoded.indexOf(',', i);
            if (end < 0) end = encoded.length();
            if (end != i + 2 || encoded.charAt(i + 1) != '0') return false;
        }
        return true;
    }

    /** {@code id=n,id=n}: the node controller's store value (task ids hold no ',' or '='). */
    public String encode() {
        StringBuilder b = new StringBuilder();
        misses.forEach((id, n) -> b.append(b.isEmpty() ? "" : ",").append(id).append('=').append(n));
        return b.toString();
    }

    public static RunningListing decode(String s) {
        if (s == null || s.isEmpty()) return EMPTY;
        Map<String, Integer> m = new TreeMap<>();
        for (String part : s.split(",")) {
            int eq = part.lastIndexOf('=');
            if (eq > 0) m.put(part.substring(0, eq), Integer.parseInt(part.substring(eq + 1)));
        }
        return new RunningListing(m);
    }
}
