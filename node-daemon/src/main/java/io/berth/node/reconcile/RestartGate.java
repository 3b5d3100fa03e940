package io.berth.node.reconcile;

/**
 * The kubelet's restart rules as pure functions over {@link RestartState}: whether an exited
 * container runs again (its restart policy and exit code), when (the {@link Backoff}), and the one
 * place where {@code restartCount} goes up. The adapter feeds in what happened (an exit, a failed
 * Docker call, a launch) and keeps the state each function returns.
 *
 * <p>Worked example, restartPolicy Always, a container that crashes one second after each start:
 * exit → next start at once (step 0); restart → count 1, step 1; exit → wait 1 s; restart → count 2,
 * step 2; exit → wait 2 s; … 4 s, 8 s … 60 s. One run of 60 s or more resets the wait to 0.
 */
public final class RestartGate {
    private RestartGate() {}

    /** What happens to an exited container (or a missing one) now. */
    public enum Verdict {
        /** (re)start or create now */
        GO,
        /** its back-off has not elapsed: wait until {@code notBefore} (CrashLoopBackOff) */
        WAIT,
        /** its restart policy keeps it down: a terminal state */
        STAY_DOWN
    }

    /** How a container of a unit is about to be launched. */
    public enum Launch {
        /** create the unit's container: a restart when one existed before (removed behind the daemon's back, or its pod's sandbox died) */
        CREATE,
        /** start a container that was created but never started (e.g. the daemon died in between): not a restart */
        START,
        /** start the exited container again, its back-off elapsed: a restart that climbs the back-off */
        RESTART
    }

    /**
     * Whether a container that exited with {@code exitCode} runs again, and whether now.
     * Always: every exit; OnFailure: a non-zero (or unknown) exit code; Never: none.
     */
    public static Verdict decide(RestartPolicy policy, Integer exitCode, long notBefore, long now) {
        if (!policy.restarts(exitCode)) return Verdict.STAY_DOWN;
        return open(notBefore, now) ? Verdict.GO : Verdict.WAIT;
    }

    /** Whether the gate lets an attempt (create, retry of a failed one, restart) through at {@code now}. */
    public static boolean open(long notBefore, long now) {
        return now >= notBefore;
    }

    /**
     * The container, started at {@code startedAt} (0 = unknown), exited at {@code now}: the next start
     * waits the back-off of the current step, which resets to an immediate restart after a run of 60 s.
     */
    public static RestartState exited(RestartState s, long startedAt, long now) {
        int step = Backoff.ranLongEnough(startedAt, now) ? 0 : s.backoffStep();
        return new RestartState(s.restartCount(), step, now + Backoff.delayMs(step), s.hadContainer());
    }

    /**
     * Creating or starting the container failed at {@code now} (missing image, create or start error):
     * retry after at least one second, doubling with each failure; not a restart.
     */
    public static RestartState failed(RestartState s, long now) {
        return new RestartState(s.restartCount(), s.backoffStep() + 1, now + Backoff.delayMs(Math.max(1, s.backoffStep())), s.hadContainer());
    }

    /** A container is about to be launched {@code how}: the only place {@code restartCount} goes up. */
    public static RestartState launched(RestartState s, Launch how) {
        boolean restart = how == Launch.RESTART || how == Launch.CREATE && s.hadContainer();
        int step = how == Launch.RESTART ? s.backoffStep() + 1 : s.backoffStep();
        return new RestartState(s.restartCount() + (restart ? 1 : 0), step, s.notBefore(), s.hadContainer());
    }

    /** A container of the unit exists (created, or seen running): a later create of another one is a restart. */
    public static RestartState hasContainer(RestartState s) {
        return s.hadContainer() ? s : new RestartState(s.restartCount(), s.backoffStep(), s.notBefore(), true);
    }
}
