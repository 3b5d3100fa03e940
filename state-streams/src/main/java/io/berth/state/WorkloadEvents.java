package io.berth.state;

import io.berth.schemas.ProbeMessages;
import io.berth.schemas.TaskReason;
import io.berth.schemas.avro.*;
import io.berth.state.core.Reconciler;
import io.berth.state.core.Revisions;
import io.berth.state.core.RolloutPhase;
import io.berth.state.core.RolloutLifecycle;
import io.berth.state.core.Steps;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which Kubernetes events the workload controller's decisions produce, as pure functions of the
 * views before and after (the builders and wording are {@link Events}'); the processor writes
 * what they return. Typed reasons ({@link TaskReason}) and {@link ProbeMessages} say what a status
 * means, so no event is chosen by spelling a kubelet word.
 */
final class WorkloadEvents {
    private WorkloadEvents() {}

    /**
     * The deployment controller's "Scaled up replica set web-5d8f to 3" for a replica change of
     * the current template; a template change is reported step by step by {@link #rolloutStep}.
     */
    static List<ClusterEvent> scaling(String key, WorkloadView before, WorkloadView after) {
        if (after.getDeleted()) return List.of();
        boolean fresh = before == null || before.getDeleted();
        int from = fresh ? 0 : before.getDeployment().getReplicas();
        int to = after.getDeployment().getReplicas();
        boolean sameTemplate = fresh || before.getTemplateHash().equals(after.getTemplateHash());
        return sameTemplate && from != to
                ? List.of(Events.scaled(after.getNamespace(), after.getName(), key, after.getTemplateHash(), from, to)) : List.of();
    }

    /** The scheduler's and the kubelet's events for one reported transition; none for a task on its way out. */
    static List<ClusterEvent> forStatus(TaskView t, TaskView next, TaskStatus s) {
        if (t.getPhase() == TaskPhase.TERMINATING || t.getPhase() == TaskPhase.LOST) return List.of();
        List<ClusterEvent> events = new ArrayList<>();
        String container = s.getContainerName() == null || s.getContainerName().isEmpty() ? firstContainer(t) : s.getContainerName();
        switch (s.getState()) {
            case ASSIGNED -> {
                if (t.getPhase() == TaskPhase.PENDING) events.add(Events.scheduled(next, next.getNodeId()));
            }
            case UNSCHEDULABLE -> {
                if (!next.getMessage().equals(t.getMessage()) || !next.getReason().equals(t.getReason())) {
                    events.add(Events.failedScheduling(next, next.getMessage().isEmpty() ? next.getReason() : next.getMessage()));
                }
            }
            case RUNNING, READY -> {
                // READY right after RUNNING is no new start; READY without a RUNNING before it is.
                // After an exit the view keeps the exit's reason (Error, CrashLoopBackOff …) until the next start.
                boolean restarted = t.getPhase() == TaskPhase.RUNNING && !t.getReason().isEmpty()
                        && !TaskReason.CONTAINERS_NOT_READY.is(t.getReason());
                if (t.getPhase() != TaskPhase.RUNNING || restarted) {
                    events.add(Events.created(next, container));
                    events.add(Events.started(next, container));
                }
            }
            // probe failures (the node reports them on transitions only), as the kubelet's events
            case UNREADY -> {
                if (ProbeMessages.isFailure(s.getMessage())) events.add(Events.unhealthy(next, s.getMessage()));
            }
            case EXITED -> {
                if (ProbeMessages.isKill(s.getMessage())) events.add(Events.killingUnhealthy(next, s.getMessage()));
            }
            default -> { }
        }
        if (TaskReason.CRASH_LOOP_BACK_OFF.is(s.getReason()) && !TaskReason.CRASH_LOOP_BACK_OFF.is(t.getReason())) {
            events.add(Events.backOff(next, container));
        }
        return events;
    }

    /**
     * A rollout that failed (Warning ProgressDeadlineExceeded / RolloutFailed), was rolled back
     * automatically (Normal DeploymentRollback) or reached a canary pause.
     */
    static List<ClusterEvent> rolloutTransition(WorkloadView before, WorkloadView asked, WorkloadView after) {
        if (after.getKind() != ResourceKind.DEPLOYMENT || before == null) return List.of();
        List<ClusterEvent> events = new ArrayList<>();
        RolloutStatus was = before.getRollout(), is = after.getRollout();
        if (is.getFailedRevision() != 0 && (is.getFailedRevision() != was.getFailedRevision()
                || !is.getFailedMessage().equals(was.getFailedMessage()))) {
            events.add(Events.rolloutFailed(after, is.getFailedReason(), is.getFailedMessage()));
        }
        if (RolloutPhase.ROLLED_BACK.is(is) && is.getRolledBackFrom() != was.getRolledBackFrom()) {
            Revisions.Target previous = Revisions.target(asked, 0);
            events.add(Events.rolledBack(after, previous.found() ? previous.revision().getRevision() : 0));
        }
        if (RolloutLifecycle.CANARY_PAUSE.equals(is.getReason()) && (!is.getReason().equals(was.getReason()) || is.getCanaryStep() != was.getCanaryStep())) {
            events.add(Events.canaryPaused(after, is.getMessage()));
        }
        return events;
    }

    /**
     * During a rollout the deployment controller reports each step as replica set sizes: the new
     * template's set scaled up by this step's creations, each old one scaled down by its stops.
     */
    static List<ClusterEvent> rolloutStep(String key, WorkloadView w, Map<String, TaskView> current, Steps steps) {
        if (w.getKind() != ResourceKind.DEPLOYMENT || w.getDeleted()) return List.of();
        Map<String, Integer> sizes = new TreeMap<>();
        current.values().stream().filter(t -> t.getPhase() != TaskPhase.TERMINATING && t.getPhase() != TaskPhase.LOST && !t.getDesiredStop())
                .forEach(t -> sizes.merge(t.getTemplateHash(), 1, Integer::sum));
        boolean rolling = sizes.keySet().stream().anyMatch(h -> !h.equals(w.getTemplateHash()));
        if (!rolling) return List.of();
        List<ClusterEvent> events = new ArrayList<>();
        Map<String, Integer> superseded = new TreeMap<>();
        steps.stop().stream().filter(s -> s.reason().equals("Superseded"))
                .forEach(s -> superseded.merge(current.get(s.taskId()).getTemplateHash(), 1, Integer::sum));
        superseded.forEach((hash, n) -> {
            int from = sizes.getOrDefault(hash, 0);
            events.add(Events.scaled(w.getNamespace(), w.getName(), key, hash, from, from - n));
        });
        if (!steps.create().isEmpty()) {
            int from = sizes.getOrDefault(w.getTemplateHash(), 0);
            events.add(Events.scaled(w.getNamespace(), w.getName(), key, w.getTemplateHash(), from, from + steps.create().size()));
        }
        return events;
    }

    /** NodeLost for a task whose node died; Evicted for a drain; Killing for every container the node will stop. */
    static List<ClusterEvent> forStop(WorkloadView w, TaskView t, Steps.Stop s) {
        if (s.phase() == TaskPhase.LOST) return List.of(Events.nodeLost(t));
        List<ClusterEvent> events = new ArrayList<>();
        if (s.reason().equals(Reconciler.EVICTED)) events.add(Events.evicted(t, w.getKind() != ResourceKind.POD));
        boolean running = t.getPhase() == TaskPhase.SCHEDULED || t.getPhase() == TaskPhase.RUNNING;
        if (s.nodeId().isEmpty() || !running) return events;
        t.getTemplate().getContainers().forEach(c -> events.add(Events.killing(t, c.getName())));
        return events;
    }

    private static String firstContainer(TaskView t) {
        return t.getTemplate().getContainers().isEmpty() ? "" : t.getTemplate().getContainers().get(0).getName();
    }
}
