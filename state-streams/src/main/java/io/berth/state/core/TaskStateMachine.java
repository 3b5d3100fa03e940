package io.berth.state.core;

import io.berth.schemas.TaskReason;
import io.berth.schemas.avro.ContainerStatus;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;
import io.berth.schemas.avro.TaskView;

import java.util.Optional;

/**
 * Folds one reported transition (from the scheduler or a node) into a task's view, as Kubernetes
 * derives a pod's phase from its containers. The view read from the store is never changed: a
 * copy is returned, or empty when the task is gone (its stop was confirmed by REMOVED).
 *
 * <pre>
 * PENDING --ASSIGNED--> SCHEDULED --CREATED--> SCHEDULED --RUNNING/READY--> RUNNING
 * any live --FAILED/REJECTED--> FAILED          RUNNING --EXITED--> per restartPolicy:
 *   Always: RUNNING, not ready (the node restarts it; reason Error/CrashLoopBackOff)
 *   OnFailure: exit 0 SUCCEEDED, else as Always       Never: exit 0 SUCCEEDED, else FAILED
 * TERMINATING --REMOVED--> gone        LOST, FAILED, SUCCEEDED: final, only details change
 * FAILED/SUCCEEDED by EXITED: its containers all terminated; then any status, and a REMOVED always, changes nothing
 * RUNNING --UNREADY--> RUNNING, not ready   readyAt = when ready last turned true (0 while not ready)
 * ASSIGNED / UNSCHEDULABLE of a PENDING task also copy the scheduler's placement verdict
 * </pre>
 */
public final class TaskStateMachine {
    private TaskStateMachine() {}

    public static Optional<TaskView> apply(TaskView current, TaskStatus s, long now) {
        if (s.getState() == TaskState.REMOVED && current.getPhase() == TaskPhase.TERMINATING) {
            return Optional.empty();
        }
        if (ended(current.getPhase()) && (s.getState() == TaskState.REMOVED || exitedAll(current))) {
            // A pod whose containers ended keeps showing how it ended, as a terminated Kubernetes pod never changes:
            // its node releasing it (REMOVED) or a late snapshot of its containers (taken before the exit) changes
            // nothing. A pod FAILED because its containers could not be created (ErrImagePull,
            // CreateContainerConfigError) is not that: its node retries, and the details of each try still show.
            return Optional.of(current);
        }
        TaskView.Builder next = TaskView.newBuilder(current).setUpdatedAt(now)
                .setRestartCount(Math.max(current.getRestartCount(), s.getRestartCount()));
        if (s.getContainerId() != null) next.setContainerId(s.getContainerId());
        if (current.getNodeId().isEmpty() && !s.getNodeId().isEmpty()) next.setNodeId(s.getNodeId());
        // The node sends a full snapshot of the pod's containers, its IP and published ports with each
        // status (the endpoints controller needs the last two); the scheduler sends none, which keeps
        // what the node said last.
        if (!s.getContainers().isEmpty()) next.setContainerStatuses(s.getContainers());
        if (s.getPodIP() != null && !s.getPodIP().isEmpty()) next.setPodIP(s.getPodIP());
        if (!s.getPublishedPorts().isEmpty()) next.setPublishedPorts(s.getPublishedPorts());
        if (isFinal(current.getPhase())) {
            return Optional.of(next.build());
        }
        switch (s.getState()) {
            case ASSIGNED -> {
                if (current.getPhase() == TaskPhase.PENDING) {
                    next.setPhase(TaskPhase.SCHEDULED).setScheduledAt(now).setReason("").setMessage("");
                    keepVerdict(next, s);
                }
            }
            case UNSCHEDULABLE -> {
                if (current.getPhase() == TaskPhase.PENDING) {
                    next.setReason(orElse(s.getReason(), TaskReason.UNSCHEDULABLE.text())).setMessage(s.getMessage());
                    keepVerdict(next, s);
                }
            }
            // init containers running (Init:0/1, Init:CrashLoopBackOff) show as kubectl shows them
            case CREATED -> next.setPhase(TaskPhase.SCHEDULED)
                    .setReason(TaskReason.isInit(s.getReason()) ? s.getReason() : TaskReason.CONTAINER_CREATED.text());
            case RUNNING -> running(next, current, now).setReady(false).setReason("");
            case READY -> running(next, current, now).setReady(true).setReason("");
            case UNREADY -> running(next, current, now).setReady(false).setReason(orElse(s.getReason(), TaskReason.CONTAINERS_NOT_READY.text()));
            case EXITED -> exited(next, current, s);
            case FAILED, REJECTED -> next.setPhase(TaskPhase.FAILED).setReady(false)
                    .setReason(orElse(s.getReason(), (s.getState() == TaskState.FAILED ? TaskReason.FAILED : TaskReason.REJECTED).text()))
                    .setMessage(s.getMessage());
            case REMOVED -> next.setPhase(TaskPhase.FAILED).setReady(false).setReason(TaskReason.CONTAINER_REMOVED.text());
            default -> { }
        }
        if (s.getState() == TaskState.EXITED && ended(next.getPhase())) {
            next.setContainerStatuses(terminated(next.getContainerStatuses(), next.getPhase(), s.getExitCode()));
        }
        return Optional.of(readySince(next, current, now).build());
    }

    /** Every container of the pod ran and ended (what an EXITED end leaves; not a failed create). */
    private static boolean exitedAll(TaskView t) {
        return !t.getContainerStatuses().isEmpty() && t.getContainerStatuses().stream().allMatch(c -> "terminated".equals(c.getState()));
    }

    private static boolean ended(TaskPhase p) {
        return p == TaskPhase.SUCCEEDED || p == TaskPhase.FAILED;
    }

    /**
     * The containers of a pod that ended, all terminated: a snapshot the node took just before the exit can
     * still show one running (and ready), which would print a Completed pod as {@code 1/1 Running}.
     */
    static java.util.List<ContainerStatus> terminated(java.util.List<ContainerStatus> containers, TaskPhase phase, Integer exitCode) {
        java.util.List<ContainerStatus> out = new java.util.ArrayList<>(containers.size());
        for (ContainerStatus c : containers) {
            if ("terminated".equals(c.getState())) {
                out.add(c);
                continue;
            }
            int exit = c.getExitCode() != 0 ? c.getExitCode() : exitCode != null ? exitCode : phase == TaskPhase.SUCCEEDED ? 0 : 1;
            out.add(ContainerStatus.newBuilder(c).setState("terminated").setReady(false).setExitCode(exit)
                    .setReason(exit == 0 ? "Completed" : "Error").build());
        }
        return out;
    }

    /** The scheduler's "why here" (or "why nowhere") travels with the view, so describe can show it. */
    private static void keepVerdict(TaskView.Builder next, TaskStatus s) {
        if (s.getPlacement() != null) next.setPlacement(s.getPlacement());
    }

    /** readyAt: set when the task turns ready, cleared when it turns unready (minReadySeconds counts from it). */
    private static TaskView.Builder readySince(TaskView.Builder next, TaskView current, long now) {
        if (next.getReady() && !current.getReady()) next.setReadyAt(now);
        else if (!next.getReady()) next.setReadyAt(0);
        return next;
    }

    private static TaskView.Builder running(TaskView.Builder next, TaskView current, long now) {
        next.setPhase(TaskPhase.RUNNING);
        if (current.getStartedAt() == 0) next.setStartedAt(now);
        return next;
    }

    private static void exited(TaskView.Builder next, TaskView current, TaskStatus s) {
        int exit = s.getExitCode() == null ? -1 : s.getExitCode();
        String policy = current.getTemplate().getRestartPolicy();
        boolean restarts = "Always".equalsIgnoreCase(policy) || ("OnFailure".equalsIgnoreCase(policy) && exit != 0);
        next.setReady(false).setMessage(s.getMessage());
        if (restarts) {
            next.setPhase(TaskPhase.RUNNING).setReason(orElse(s.getReason(), (exit == 0 ? TaskReason.COMPLETED : TaskReason.ERROR).text()));
        } else if (exit == 0) {
            next.setPhase(TaskPhase.SUCCEEDED).setReason(TaskReason.COMPLETED.text());
        } else {
            next.setPhase(TaskPhase.FAILED).setReason(orElse(s.getReason(), TaskReason.ERROR.text()));
        }
    }

    private static boolean isFinal(TaskPhase p) {
        return p == TaskPhase.TERMINATING || p == TaskPhase.LOST || p == TaskPhase.FAILED || p == TaskPhase.SUCCEEDED;
    }

    private static String orElse(String s, String dflt) {
        return s == null || s.isBlank() ? dflt : s;
    }
}
