package io.berth.node.reconcile;

import io.berth.node.docker.PodUnit;
import io.berth.schemas.avro.Assignment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which containers of one pod the {@link Planner} may act on, as a pure function of the pod's units
 * and what the engine shows of them (the kubelet's order of a pod's start):
 * <ol>
 *   <li>the infra container first (restart policy Always): it holds the pod's network namespace;</li>
 *   <li>init containers one at a time, in order, once the infra runs; each under OnFailure (pod
 *       policy Always or OnFailure: a failure is retried with the back-off, the pod shows
 *       {@code Init:Error} / {@code Init:CrashLoopBackOff}) or Never (pod policy Never: a failure is
 *       terminal, the pod {@code FAILED Init:Error});</li>
 *   <li>app containers, with the pod's restart policy, once every init container exited 0.</li>
 * </ol>
 * A unit not allowed yet is left out while it has no container; one that has a container is always
 * planned (so it is restarted or left alone by its own policy). When the infra container of a pod
 * that has one exited or is gone (its sandbox died), every container of the pod is removed first and
 * the pod comes back from its infra up, init containers included.
 */
public final class InitGate {
    private InitGate() {}

    /**
     * @param desired the units to plan, in pod order
     * @param recycle the pod's sandbox died: remove these containers first (nothing else is planned meanwhile)
     */
    public record Admission(List<Desired> desired, List<Observed> recycle) {}

    /** The restart policy a unit runs under, from the pod's. */
    public static RestartPolicy policyOf(PodUnit.Kind kind, RestartPolicy pod) {
        return switch (kind) {
            case INFRA -> RestartPolicy.ALWAYS;
            case INIT -> pod == RestartPolicy.NEVER ? RestartPolicy.NEVER : RestartPolicy.ON_FAILURE;
            case APP -> pod;
        };
    }

    /**
     * {@link #admit} for a live assignment. A pod without any container is planned as its task id alone
     * (its create fails and reports why).
     */
    public static Admission forPod(Assignment a, Map<String, Observed> observed) {
        RestartPolicy pod = RestartPolicy.parse(a.getTemplate().getRestartPolicy());
        if (a.getTemplate().getContainers().isEmpty()) return new Admission(List.of(new Desired(a.getTaskId(), pod)), List.of());
        return admit(PodUnit.of(a), pod, observed);
    }

    /**
     * @param units    every unit of the pod, infra first, then init and app containers in order ({@link PodUnit#of})
     * @param pod      the pod's restart policy
     * @param observed the node's containers by unit key
     */
    public static Admission admit(List<PodUnit> units, RestartPolicy pod, Map<String, Observed> observed) {
        PodUnit infra = units.stream().filter(u -> u.kind() == PodUnit.Kind.INFRA).findFirst().orElse(null);
        Observed sandbox = infra == null ? null : observed.get(infra.key());
        if (infra != null && (sandbox == null || sandbox.state() == Observed.State.EXITED)) {
            List<Observed> recycle = units.stream().map(u -> observed.get(u.key())).filter(o -> o != null).toList();
            if (!recycle.isEmpty()) return new Admission(List.of(), recycle);
        }
        boolean network = infra == null || sandbox != null && sandbox.state() == Observed.State.RUNNING;
        boolean initsDone = true; // every init container before this unit exited 0
        List<Desired> desired = new ArrayList<>();
        for (PodUnit u : units) {
            Observed o = observed.get(u.key());
            boolean allowed = u.kind() == PodUnit.Kind.INFRA || network && initsDone;
            if (allowed || o != null) desired.add(new Desired(u.key(), policyOf(u.kind(), pod)));
            if (u.kind() == PodUnit.Kind.INIT) initsDone &= completed(o);
        }
        return new Admission(desired, List.of());
    }

    /** An init container is done once its container exited 0 (read from the engine, so a restarted daemon agrees). */
    public static boolean completed(Observed o) {
        return o != null && o.state() == Observed.State.EXITED && Integer.valueOf(0).equals(o.exitCode());
    }
}
