package io.berth.state.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One safe step of a rolling update, as Kubernetes' rolling.go: scale the new template up as far
 * as maxSurge allows, and scale the old one down as far as maxUnavailable allows; the next event
 * or tick takes the next step. Example: 3 replicas, surge 1, unavailable 0 — step 1 creates 1 new
 * (4 tasks); once it is ready 4 are available, so 1 old goes; and so on until no old task is left.
 */
final class Rollout {
    private Rollout() {}

    /**
     * @param create     new tasks to create
     * @param superseded old-template tasks to stop
     * @param excess     new-template tasks beyond replicas (scaled down mid-rollout)
     */
    record Step(int create, List<TaskActual> superseded, List<TaskActual> excess) {}

    static Step step(WorkloadDesired d, List<TaskActual> live) {
        List<TaskActual> fresh = live.stream().filter(t -> t.templateHash().equals(d.templateHash())).toList();
        List<TaskActual> old = live.stream().filter(t -> !t.templateHash().equals(d.templateHash())).toList();
        RolloutPolicy p = d.rollout();
        int replicas = d.replicas();
        if (p.recreate()) {
            // Every old task is stopped and the new ones are requested in the same step; unlike
            // Kubernetes we do not wait for the old containers to be removed first.
            return new Step(Math.max(0, replicas - fresh.size()), old, ScaleDown.victims(fresh, Math.max(0, fresh.size() - replicas)));
        }
        List<TaskActual> superseded = superseded(old, live, replicas - p.maxUnavailable());
        List<TaskActual> excess = ScaleDown.victims(fresh, Math.max(0, fresh.size() - replicas));
        // Creations are counted after this step's stops, so a stop and its replacement happen together.
        int remaining = live.size() - superseded.size() - excess.size();
        int create = Math.max(0, Math.min(replicas + p.maxSurge() - remaining, replicas - (fresh.size() - excess.size())));
        return new Step(create, superseded, excess);
    }

    /** Old tasks that are not ready serve nothing and go first; ready ones only while availability stays ≥ the floor. */
    private static List<TaskActual> superseded(List<TaskActual> old, List<TaskActual> live, int minAvailable) {
        int available = (int) live.stream().filter(TaskActual::ready).count();
        List<TaskActual> out = new ArrayList<>();
        Comparator<TaskActual> order = Comparator.comparing(TaskActual::ready).thenComparing(Comparator.comparingLong(TaskActual::seq).reversed());
        for (TaskActual t : old.stream().sorted(order).toList()) {
            if (!t.ready()) {
                out.add(t);
            } else if (available - 1 >= minAvailable) {
                out.add(t);
                available--;
            }
        }
        return out;
    }
}
