package io.berth.node.heartbeat;

import java.util.HashSet;
import java.util.List;

/**
 * Whether a heartbeat carries the node's running task ids or says they are unchanged
 * ({@code NodeEvent.runningUnchanged}), as a pure function. The kubelet renews a small Lease and posts its big
 * NodeStatus only when it changed; a heartbeat likewise lists its ~100 ids (2–3 KB at Kubernetes' 110 pods) only
 * when they differ from the newest list the broker acknowledged, and every {@value #REFRESH_EVERY}th heartbeat.
 *
 * <p>"Unchanged" is relative to the newest list the broker acknowledged, so it is sent only when no list is in
 * flight: records of one node reach its partition in the order sent, so the control plane has read that list
 * before it reads the heartbeat that refers to it; a list not yet acknowledged (or failed) is sent again.
 */
public final class ListingChoice {
    /** Every this many heartbeats the list goes out whatever happened (a cheap resynchronisation). */
    public static final int REFRESH_EVERY = 10;

    private ListingChoice() {}

    /**
     * @param running        the ids to report now
     * @param acked          the newest list the broker acknowledged (null: none since this daemon registered)
     * @param listsInFlight  lists sent and not acknowledged yet
     * @param beatsSinceList heartbeats sent since the last list
     * @return true: send the list; false: send "unchanged"
     */
    public static boolean sendList(List<String> running, List<String> acked, int listsInFlight, int beatsSinceList) {
        if (acked == null || listsInFlight > 0 || beatsSinceList + 1 >= REFRESH_EVERY) return true;
        return running.size() != acked.size() || !new HashSet<>(running).equals(new HashSet<>(acked));
    }
}
