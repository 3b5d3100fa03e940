package io.berth.node.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The daemon's reconcile decision as a pure function: live assignments and observed containers
 * in, steps out. Nothing here talks to Docker, Kafka or Vert.x, so it is tested as plain code
 * and is level-triggered by construction: the same inputs always give the same steps.
 */
public final class Planner {
    private Planner() {}

    /**
     * @param desired    live assignments of this node, by task id
     * @param observed   containers labelled with this node, by task id
     * @param notBefore  per task, the earliest time a (re)start may happen ({@link RestartState#notBefore()}); absent = now
     * @param synced     whether the assignment log has been read to its end; until then nothing is done: an
     *                   unknown container may belong to an assignment not read yet (so nothing is removed), and
     *                   an assignment read may be revoked further on in the log (so nothing is created, started
     *                   or restarted: a restarted daemon would otherwise briefly run a task the log already
     *                   revoked, maybe replaced elsewhere; the kubelet likewise acts on a synced pod list)
     * @param now        wall-clock millis
     */
    public static List<Step> plan(Map<String, Desired> desired, Map<String, Observed> observed,
                                  Map<String, Long> notBefore, boolean synced, long now) {
        List<Step> steps = new ArrayList<>();
        TreeSet<String> tasks = new TreeSet<>(desired.keySet()); // sorted: deterministic order
        tasks.addAll(observed.keySet());
        for (String taskId : tasks) {
            Desired d = desired.get(taskId);
            Observed o = observed.get(taskId);
            long gate = notBefore.getOrDefault(taskId, 0L);
            Step s = !synced ? null : d == null ? forRevoked(o) : forLive(d, o, gate, now);
            if (s != null) steps.add(s);
        }
        return steps;
    }

    private static Step forRevoked(Observed o) {
        if (o == null) return null;
        return new Step.Remove(o.taskId(), o.containerId(), o.graceSeconds());
    }

    private static Step forLive(Desired d, Observed o, long gate, long now) {
        if (o == null) return RestartGate.open(gate, now) ? new Step.Create(d.taskId()) : new Step.Wait(d.taskId(), gate);
        return switch (o.state()) {
            case RUNNING, BUSY -> null;
            case CREATED -> new Step.Start(d.taskId(), o.containerId());
            case EXITED -> switch (RestartGate.decide(d.restartPolicy(), o.exitCode(), gate, now)) {
                case GO -> new Step.Restart(d.taskId(), o.containerId());
                case WAIT -> new Step.Wait(d.taskId(), gate);
                case STAY_DOWN -> new Step.Done(d.taskId(), o.exitCode());
            };
        };
    }
}
