package io.berth.node.reconcile;

/**
 * One container's restart bookkeeping as a value: the {@code restartCount} every status carries, how
 * far its back-off has climbed since the last reset, the earliest time of its next (re)start or create
 * attempt, and whether a container of it ever existed (so that a new one counts as a restart). Only
 * {@link RestartGate} makes new ones; the adapter keeps the latest and never changes it in place.
 *
 * @param restartCount restarts of the container, as kubectl shows them
 * @param backoffStep  restarts (and failed attempts) since the back-off was last reset
 * @param notBefore    wall-clock millis before which no (re)start or create is attempted; 0 = at once
 * @param hadContainer a container of this unit existed once: creating another one is a restart
 */
public record RestartState(int restartCount, int backoffStep, long notBefore, boolean hadContainer) {
    /** A unit nothing was ever run for. */
    public static final RestartState NEW = new RestartState(0, 0, 0, false);
}
