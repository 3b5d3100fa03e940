package io.berth.state.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Which live tasks to stop when there are too many, in Kubernetes' ReplicaSet order: the cheapest
 * to lose first. Unplaced tasks (nothing runs yet) go first, then placed tasks that are not ready
 * (they serve nothing), then the task on the node that holds the most replicas of the workload, so
 * the survivors stay spread evenly. Ties go to the newest task (highest sequence), which has had
 * the least time to prove itself; node ties go to the lowest node id, so replays decide the same.
 *
 * <p>Example: 6 tasks, 2 unplaced, 3 on n1, 1 on n2, scale to 2: the 2 unplaced go, then n1 (3
 * vs 1) loses its newest, then n1 (2 vs 1) again, leaving n1:1, n2:1.
 */
final class ScaleDown {
    private ScaleDown() {}

    static List<TaskActual> victims(List<TaskActual> live, int count) {
        return victims(live, count, TaskActual::ready);
    }

    /**
     * @param available ready for minReadySeconds: a ready task that is not available yet goes
     *                  before the available ones (Kubernetes prefers pods ready for a shorter time)
     */
    static List<TaskActual> victims(List<TaskActual> live, int count, Predicate<TaskActual> available) {
        List<TaskActual> remaining = new ArrayList<>(live);
        List<TaskActual> victims = new ArrayList<>();
        for (int i = 0; i < count && !remaining.isEmpty(); i++) {
            TaskActual next = next(remaining, available);
            remaining.remove(next);
            victims.add(next);
        }
        return victims;
    }

    private static TaskActual next(List<TaskActual> remaining, Predicate<TaskActual> available) {
        Comparator<TaskActual> newestFirst = Comparator.comparingLong(TaskActual::seq).reversed();
        return remaining.stream().filter(t -> !t.placed()).min(newestFirst)
                .or(() -> remaining.stream().filter(t -> !t.ready()).min(newestFirst))
                .or(() -> remaining.stream().filter(t -> !available.test(t)).min(newestFirst))
                .orElseGet(() -> {
                    String node = busiestNode(remaining);
                    return remaining.stream().filter(t -> t.nodeId().equals(node)).min(newestFirst).orElseThrow();
                });
    }

    private static String busiestNode(List<TaskActual> placed) {
        Map<String, Integer> perNode = new TreeMap<>();
        placed.forEach(t -> perNode.merge(t.nodeId(), 1, Integer::sum));
        // TreeMap iterates node ids in order; max keeps the first of equal counts only if we compare strictly.
        String best = null;
        int bestCount = -1;
        for (Map.Entry<String, Integer> e : perNode.entrySet()) {
            if (e.getValue() > bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }
}
