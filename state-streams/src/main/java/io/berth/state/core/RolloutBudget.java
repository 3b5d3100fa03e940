package io.berth.state.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * One safe step of a rolling update, as Kubernetes' rolling.go: scale the new template up as far
 * as maxSurge allows, and scale the old one down as far as maxUnavailable allows; the next event
 * or tick takes the next step. Example: 3 replicas, surge 1, unavailable 0 — step 1 creates 1 new
 * (4 tasks); once it is available 4 are available, so 1 old goes; and so on until no old task is left.
 *
 * <p>The step aims at {@link RolloutPolicy#newTarget()} tasks of the new template (all replicas
 * for a rolling update; a canary step's weight; the already-created tasks of a failed revision),
 * so old tasks are kept down to {@code replicas − target}. Whatever the target, total tasks never
 * exceed {@code replicas + maxSurge} through a creation and available tasks never drop below
 * {@code replicas − maxUnavailable} through a stop. Example, canary 25% of 4 (target 1), surge 1,
 * unavailable 0: create 1 new (5 tasks); once it is available stop 1 old (4 = 3 old + 1 new).
 */
final class RolloutBudget {
    private RolloutBudget() {}

    /**
     * @param create     new tasks to create
     * @param superseded old-template tasks to stop
     * @param excess     new-template tasks beyond what this step aims at (scaled down mid-rollout)
     */
    record Step(int create, List<TaskActual> superseded, List<TaskActual> excess) {}

    static Step step(WorkloadDesired d, List<TaskActual> live, long now) {
        List<TaskActual> fresh = live.stream().filter(t -> t.templateHash().equals(d.templateHash())).toList();
        List<TaskActual> old = live.stream().filter(t -> !t.templateHash().equals(d.templateHash())).toList();
        RolloutPolicy p = d.rollout();
        int replicas = d.replicas();
        if (p.recreate()) {
            // Every old task is stopped and the new ones are requested in the same step; unlike
            // Kubernetes we do not wait for the old containers to be removed first.
            return new Step(Math.max(0, replicas - fresh.size()), old, ScaleDown.victims(fresh, Math.max(0, fresh.size() - replicas)));
        }
        int target = p.newTarget() == RolloutPolicy.ALL ? replicas
                : p.newTarget() == RolloutPolicy.HOLD ? Math.min(replicas, fresh.size())
                : Math.max(0, Math.min(replicas, p.newTarget()));
        int floor = replicas - p.maxUnavailable();
        int available = (int) live.stream().filter(t -> t.available(p.minReadyMs(), now)).count();

        // New tasks beyond replicas go whatever the floor (a scale-down); beyond the step's target only within it.
        Predicate<TaskActual> avail = t -> t.available(p.minReadyMs(), now);
        List<TaskActual> excess = new ArrayList<>(ScaleDown.victims(fresh, Math.max(0, fresh.size() - replicas), avail));
        available -= count(excess, p, now);
        int aimPre = Math.max(target, replicas - old.size());
        List<TaskActual> keptFresh = fresh.stream().filter(t -> !excess.contains(t)).toList();
        for (TaskActual t : ScaleDown.victims(keptFresh, Math.max(0, keptFresh.size() - aimPre), avail)) {
            boolean isAvailable = avail.test(t);
            if (isAvailable && available - 1 < floor) break;
            excess.add(t);
            if (isAvailable) available--;
        }

        List<TaskActual> superseded = superseded(old, old.size() - (replicas - target), available, floor, p, now);
        // Creations are counted after this step's stops, so a stop and its replacement happen together.
        int remaining = live.size() - superseded.size() - excess.size();
        int aim = Math.max(target, replicas - (old.size() - superseded.size()));
        int create = Math.max(0, Math.min(replicas + p.maxSurge() - remaining, aim - (fresh.size() - excess.size())));
        if (create > 0 && delayed(fresh, excess, p, now)) create = 0;
        return new Step(create, superseded, excess);
    }

    /**
     * Old tasks that are not available serve nothing and go first; available ones only while
     * availability stays ≥ the floor; never more than {@code beyondTarget} of them.
     */
    private static List<TaskActual> superseded(List<TaskActual> old, int beyondTarget, int available, int floor,
                                               RolloutPolicy p, long now) {
        List<TaskActual> out = new ArrayList<>();
        Comparator<TaskActual> order = Comparator.comparing((TaskActual t) -> t.available(p.minReadyMs(), now))
                .thenComparing(Comparator.comparingLong(TaskActual::seq).reversed());
        for (TaskActual t : old.stream().sorted(order).toList()) {
            if (out.size() >= beyondTarget) break;
            if (!t.available(p.minReadyMs(), now)) {
                out.add(t);
            } else if (available - 1 >= floor) {
                out.add(t);
                available--;
            }
        }
        return out;
    }

    /**
     * Update delay: the newest new task became available less than {@code updateDelayMs} ago, so
     * the next batch waits. Example: delay 10 s, a new task available at t=30 s → no creation
     * before t=40 s (the wall-clock tick re-runs the step).
     */
    private static boolean delayed(List<TaskActual> fresh, List<TaskActual> excess, RolloutPolicy p, long now) {
        if (p.updateDelayMs() <= 0) return false;
        long last = fresh.stream().filter(t -> !excess.contains(t)).filter(t -> t.available(p.minReadyMs(), now))
                .mapToLong(t -> t.availableSince(p.minReadyMs())).max().orElse(0);
        return last > 0 && now < last + p.updateDelayMs();
    }

    private static int count(List<TaskActual> tasks, RolloutPolicy p, long now) {
        return (int) tasks.stream().filter(t -> t.available(p.minReadyMs(), now)).count();
    }
}
