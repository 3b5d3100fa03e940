package io.berth.node.reconcile;

import io.berth.node.docker.PodUnit;
import io.berth.schemas.TaskReason;
import io.berth.schemas.avro.TaskState;

import java.util.List;

/**
 * What a container and a pod report, as pure functions of what was observed (exits, OOM kills,
 * probe results, back-off gates, init progress), in the kubelet's words ({@link TaskReason}).
 * The adapter remembers each container's last {@link Reported} and publishes what these return.
 */
public final class PodStatus {
    private PodStatus() {}

    /** One container of a pod as the aggregation sees it: its kind, name, last report, last exit code and readiness. */
    public record Member(PodUnit.Kind kind, String name, Reported reported, Integer lastExitCode, boolean ready) {}

    // ---- one container ------------------------------------------------------------------

    /** Kubernetes' terminated reasons: {@code OOMKilled} (an oom event came first), {@code Completed} (0), else {@code Error}. */
    public static String exitReason(Integer exitCode, boolean oomKilled) {
        if (oomKilled) return TaskReason.OOM_KILLED.text();
        return (exitCode != null && exitCode == 0 ? TaskReason.COMPLETED : TaskReason.ERROR).text();
    }

    /**
     * The container exited: {@code EXITED} with its exit code and reason; the message says why the daemon
     * killed it ({@code killMessage}: a failed liveness or startup probe), if it did.
     */
    public static Reported exited(Integer exitCode, boolean oomKilled, String killMessage) {
        return new Reported(TaskState.EXITED, exitCode, exitReason(exitCode, oomKilled), killMessage);
    }

    /**
     * The exited container waits for its back-off until {@code until}: {@code EXITED CrashLoopBackOff},
     * the wait rounded up to whole seconds (at least 1), as the kubelet words it.
     * Worked example: 1,500 ms to go → "back-off 2s restarting failed container".
     */
    public static Reported backingOff(Integer exitCode, long until, long now) {
        long secs = Math.max(1, (until - now + 999) / 1000);
        return new Reported(TaskState.EXITED, exitCode, TaskReason.CRASH_LOOP_BACK_OFF.text(), "back-off " + secs + "s restarting failed container");
    }

    /**
     * What a probe result changes in a running container's report, transitions only: {@code READY} when
     * it turned ready; {@code UNREADY ContainersNotReady} with the probe's message when it is not ready
     * any more, or when its readiness probe failed its threshold before it ever was ready (reported once);
     * null when nothing changed.
     *
     * @param wasReady      ready as last reported
     * @param last          the container's last report
     * @param readyNow      started and readiness passed (or no readiness probe)
     * @param turnedUnready this result made the readiness probe fail its threshold
     */
    public static Reported readiness(boolean wasReady, Reported last, boolean readyNow, boolean turnedUnready, String probeMessage) {
        if (readyNow && !wasReady) return new Reported(TaskState.READY, null, "", "");
        if (!readyNow && (wasReady || turnedUnready && !last.is(TaskState.UNREADY))) {
            return new Reported(TaskState.UNREADY, null, TaskReason.CONTAINERS_NOT_READY.text(), probeMessage);
        }
        return null;
    }

    // ---- a pod of several containers ------------------------------------------------------

    /**
     * The status of a pod of several containers, from its containers' last reports (the infra container
     * counts only when it failed). In order of precedence:
     * <ul>
     *   <li>{@code FAILED} when one failed ({@code ErrImagePull}, {@code CreateContainerError} …);</li>
     *   <li>while initialising (an init container not done, no app container reported yet):
     *       {@code CREATED Init:<done>/<total>}, or after an init container exited non-zero
     *       {@code Init:Error} / {@code Init:CrashLoopBackOff}, except under restartPolicy Never:
     *       {@code FAILED Init:Error} with its exit code;</li>
     *   <li>then over the app containers: {@code READY} when all run and are ready; {@code UNREADY
     *       ContainersNotReady} when all run and one is not ready any more (or failed its readiness
     *       threshold), or when one exited while others run; {@code RUNNING} when all run, not all
     *       ready yet, or some run and the others are being created; {@code EXITED} when all are down
     *       (the first non-zero exit code, else 0; reason {@code CrashLoopBackOff} if one backs off);
     *       {@code CREATED PodInitializing} / {@code ContainerCreating} while none runs yet.</li>
     * </ul>
     * Worked example, init containers a, b and app c: a running → {@code CREATED Init:0/2}; a exited 0,
     * b running → {@code Init:1/2}; b exited 1 under OnFailure → {@code Init:Error}, then while b
     * backs off {@code Init:CrashLoopBackOff}; b exited 0 → {@code CREATED PodInitializing}; c running
     * without probes → {@code READY}.
     *
     * @param policy   the pod's restart policy
     * @param units    the pod's containers, infra first, then init and app containers in order
     * @param wasReady the pod's last published status was READY or UNREADY (a pod that was ready reports losing it)
     */
    public static Reported aggregate(RestartPolicy policy, List<Member> units, boolean wasReady) {
        List<Member> inits = units.stream().filter(u -> u.kind() == PodUnit.Kind.INIT).toList();
        List<Member> apps = units.stream().filter(u -> u.kind() == PodUnit.Kind.APP).toList();
        Member failed = units.stream().filter(u -> u.reported().is(TaskState.FAILED)).findFirst().orElse(null);
        if (failed != null) return new Reported(TaskState.FAILED, null, failed.reported().reason(), failed.reported().message());
        Member initNow = inits.stream().filter(u -> !initDone(u)).findFirst().orElse(null);
        boolean appsStarted = apps.stream().anyMatch(u -> u.reported().state() != null);
        if (initNow != null && !appsStarted) return initializing(policy, inits, initNow);
        return overApps(apps, !inits.isEmpty(), wasReady);
    }

    private static boolean initDone(Member u) {
        return u.reported().is(TaskState.EXITED) && Integer.valueOf(0).equals(u.lastExitCode());
    }

    private static Reported initializing(RestartPolicy policy, List<Member> inits, Member now) {
        boolean crashed = now.reported().is(TaskState.EXITED);
        if (crashed && policy == RestartPolicy.NEVER) {
            return new Reported(TaskState.FAILED, now.lastExitCode(), TaskReason.ERROR.init(),
                    "init container " + now.name() + " exited with " + now.lastExitCode());
        }
        if (!crashed) return new Reported(TaskState.CREATED, null, TaskReason.INIT_PREFIX + inits.stream().filter(PodStatus::initDone).count() + "/" + inits.size(), "");
        String reason = TaskReason.CRASH_LOOP_BACK_OFF.is(now.reported().reason()) ? TaskReason.CRASH_LOOP_BACK_OFF.init() : TaskReason.ERROR.init();
        return new Reported(TaskState.CREATED, null, reason, now.reported().message());
    }

    private static Reported overApps(List<Member> apps, boolean hasInits, boolean wasReady) {
        List<Member> running = apps.stream().filter(u -> u.reported().running()).toList();
        List<Member> down = apps.stream().filter(u -> u.reported().is(TaskState.EXITED)).toList();
        List<String> unready = apps.stream().filter(u -> !(u.reported().running() && u.ready())).map(Member::name).toList();
        if (running.size() == apps.size()) {
            Member notReady = apps.stream().filter(u -> u.reported().is(TaskState.UNREADY)).findFirst().orElse(null);
            if (unready.isEmpty()) return new Reported(TaskState.READY, null, "", "");
            if (notReady == null && !wasReady) return new Reported(TaskState.RUNNING, null, "", "");
            String message = notReady != null && !notReady.reported().message().isEmpty() ? notReady.reported().message()
                    : "containers with unready status: " + unready;
            return new Reported(TaskState.UNREADY, null, TaskReason.CONTAINERS_NOT_READY.text(), message);
        }
        if (running.isEmpty() && down.size() == apps.size()) {
            Member pick = down.stream().filter(u -> TaskReason.CRASH_LOOP_BACK_OFF.is(u.reported().reason())).findFirst()
                    .orElse(down.stream().filter(u -> u.lastExitCode() != null && u.lastExitCode() != 0).findFirst().orElse(down.get(0)));
            Integer exit = down.stream().map(Member::lastExitCode).filter(c -> c != null && c != 0).findFirst().orElse(pick.lastExitCode());
            return new Reported(TaskState.EXITED, exit, pick.reported().reason(), pick.reported().message());
        }
        if (running.isEmpty()) return new Reported(TaskState.CREATED, null, (hasInits ? TaskReason.POD_INITIALIZING : TaskReason.CONTAINER_CREATING).text(), "");
        if (!down.isEmpty()) return new Reported(TaskState.UNREADY, null, TaskReason.CONTAINERS_NOT_READY.text(), "containers with unready status: " + unready);
        return new Reported(TaskState.RUNNING, null, "", "");
    }
}
