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
        if (p.recreate()) return new Step(0, old, List.of());  // new ones come once the old are gone
        int replicas = d.replicas();
        int create = Math.max(0, Math.min(replicas + p.maxSurge() - live.size(), replicas - fresh.size()));
        return new Step(create, superseded(old, live, replicas - p.maxUnavailable()),
                ScaleDown.victims(fresh, Math.max(0, fresh.size() - replicas)));
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
