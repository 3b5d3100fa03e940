package io.berth.node.docker;

import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * One container of a pod as the daemon runs it. The pod's first app container keeps the key
 * {@code taskId} (so single-container pods are exactly what they always were); the others are
 * {@code taskId/<name>}, and the infra container that owns a shared network namespace
 * {@code taskId/.infra}. Task ids contain no '/', so the task of a unit is the key's first segment.
 */
public record PodUnit(String key, String taskId, Kind kind, int index, ContainerSpec spec) {
    public enum Kind { INFRA, INIT, APP }

    public static final String INFRA = ".infra";

    public static String taskOf(String unitKey) {
        int slash = unitKey.indexOf('/');
        return slash < 0 ? unitKey : unitKey.substring(0, slash);
    }

    public static String infraKey(String taskId) {
        return taskId + "/" + INFRA;
    }

    /** Name of the container as the pod spec names it ({@code .infra} for the infra container). */
    public String name() {
        return kind == Kind.INFRA ? INFRA : spec.getName();
    }

    public boolean init() {
        return kind == Kind.INIT;
    }

    /** Whether the pod's containers share one network namespace held by an infra container. */
    public static boolean sharedNetwork(Assignment a) {
        return a.getTemplate().getContainers().size() > 1 || !a.getTemplate().getInitContainers().isEmpty();
    }

    /** Every unit of the pod: infra (if any), init containers in order, app containers in order. */
    public static List<PodUnit> of(Assignment a) {
        String t = a.getTaskId();
        List<PodUnit> out = new ArrayList<>();
        if (sharedNetwork(a)) out.add(new PodUnit(infraKey(t), t, Kind.INFRA, 0, null));
        List<ContainerSpec> inits = a.getTemplate().getInitContainers();
        for (int i = 0; i < inits.size(); i++) out.add(new PodUnit(t + "/" + inits.get(i).getName(), t, Kind.INIT, i, inits.get(i)));
        List<ContainerSpec> apps = a.getTemplate().getContainers();
        for (int i = 0; i < apps.size(); i++) out.add(new PodUnit(i == 0 ? t : t + "/" + apps.get(i).getName(), t, Kind.APP, i, apps.get(i)));
        return out;
    }
}
