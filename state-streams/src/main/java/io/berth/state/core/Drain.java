package io.berth.state.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * One safe step of draining a deployment's tasks off nodes being drained (kubectl drain with a
 * PodDisruptionBudget of replicas − maxUnavailable, but surge-first): a replacement is created
 * elsewhere first (the drained node is cordoned, so the scheduler skips it), and a task on the
 * draining node is stopped only once a ready replacement covers it and ready tasks stay ≥ the
 * budget. Example: 4 replicas (2 on n1 being drained), maxSurge 1, maxUnavailable 1 — step 1
 * creates r1 (5 tasks); once r1 is ready, one n1 task stops and r2 is created; once r2 is ready
 * the second n1 task stops. Ready tasks never drop below 4 − 1 = 3 (here never below 4).
 */
final class Drain {
    private Drain() {}

    /**
     * @param create  replacements to create now
     * @param evicted tasks on draining nodes to stop now
     * @param excess  tasks off the draining nodes beyond replicas (a scale-down during the drain)
     */
    record Step(int create, List<TaskActual> evicted, List<TaskActual> excess) {}

    static boolean affects(List<TaskActual> live, Set<String> draining) {
        return !draining.isEmpty() && live.stream().anyMatch(t -> onDraining(t, draining));
    }

    static boolean onDraining(TaskActual t, Set<String> draining) {
        return t.placed() && draining.contains(t.nodeId());
    }

    static Step step(WorkloadDesired d, List<TaskActual> live, Set<String> draining) {
        int replicas = d.replicas();
        List<TaskActual> evict = live.stream().filter(t -> onDraining(t, draining)).toList();
        List<TaskActual> stayAll = live.stream().filter(t -> !onDraining(t, draining)).toList();
        List<TaskActual> excess = ScaleDown.victims(stayAll, Math.max(0, stayAll.size() - replicas));
        List<TaskActual> stay = stayAll.stream().filter(t -> !excess.contains(t)).toList();
        int surge = Math.max(1, d.rollout().maxSurge());
        int floor = Math.max(0, replicas - d.rollout().maxUnavailable());

        int readyStay = (int) stay.stream().filter(TaskActual::ready).count();
        int readyEvict = (int) evict.stream().filter(TaskActual::ready).count();
        List<TaskActual> evicted = new ArrayList<>();
        int remaining = evict.size();
        // Not-ready tasks first (they serve nothing), then the newest.
        Comparator<TaskActual> order = Comparator.comparing(TaskActual::ready)
                .thenComparing(Comparator.comparingLong(TaskActual::seq).reversed());
        for (TaskActual t : evict.stream().sorted(order).toList()) {
            boolean covered = readyStay >= replicas - (remaining - 1);
            boolean withinBudget = !t.ready() || readyStay + readyEvict - 1 >= floor;
            if (!covered || !withinBudget) break;
            evicted.add(t);
            remaining--;
            if (t.ready()) readyEvict--;
        }
        int total = stay.size() + remaining;
        int create = Math.max(0, Math.min(replicas - stay.size(), replicas + surge - total));
        return new Step(create, evicted, excess);
    }
}
