package io.berth.ops.plan;

import io.berth.scheduler.core.Verdict;

import java.util.List;

/**
 * What {@code berth apply --plan} found, a value: per object of the file what it would become and
 * where each pod it would add would go.
 */
public record Plan(List<ObjectPlan> objects) {
    public enum Action { CREATED, CONFIGURED, UNCHANGED }

    /**
     * @param resource {@code deployment.apps/web}, as apply prints it
     * @param summary  a short note after the action, e.g. {@code replicas 3 -> 5}; empty for none
     */
    public record ObjectPlan(String resource, String kind, String namespace, String name, Action action, String summary,
                             List<SpecDiff.Change> diff, List<PodPlan> pods) {}

    /** A pod that would be created: the node the scheduler's Placer picks now, or none, and why. */
    public record PodPlan(String name, String nodeId, Verdict verdict) {
        public boolean placed() {
            return !nodeId.isEmpty();
        }
    }

    public long count(Action a) {
        return objects.stream().filter(o -> o.action() == a).count();
    }

    public long pods() {
        return objects.stream().mapToLong(o -> o.pods().size()).sum();
    }

    public long unschedulable() {
        return objects.stream().flatMap(o -> o.pods().stream()).filter(p -> !p.placed()).count();
    }
}
