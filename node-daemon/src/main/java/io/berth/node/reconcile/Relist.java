package io.berth.node.reconcile;

/**
 * When the reconciler lists the node's containers (its relist: the level-triggered safety net), as a
 * value and pure transitions. Every event, finished Docker call and tick asks for a pass; at most one
 * listing runs at a time (a pass asked meanwhile runs after it), and listings start at least
 * {@link #MIN_GAP_MS} apart (passes asked within the gap are coalesced into one when it has passed).
 * Times are {@link System#nanoTime} values.
 *
 * <p>Worked example: asked at 0 → LIST; asked at 10 ms while listing → NONE (again); the listing ends at
 * 40 ms → ask again: DEFER 250 ms; asked at 100 ms → NONE (deferred); the timer fires at 290 ms → LIST.
 *
 * @param listing  a listing is running
 * @param again    a pass was asked while it ran (or it turned out stale): ask again when it ends
 * @param deferred a timer is pending that asks again when the gap has passed
 * @param listedAt when the last listing ended
 */
public record Relist(boolean listing, boolean again, boolean deferred, long listedAt) {
    /**
     * At most one listing per this many ms. Every Docker call's completion and every event asks for a
     * pass; listing the node's containers after each one kept a listing always running during a burst
     * (one of the workers, and the engine walking every container under its lock: O(pods²) per burst).
     * Events and completions update the observed state directly, so only the safety net waits.
     */
    public static final long MIN_GAP_MS = 250;

    /** Nothing listed yet. */
    public static final Relist START = new Relist(false, false, false, Long.MIN_VALUE / 2);

    public enum Action {
        /** nothing now: a running listing or a pending timer covers this pass */
        NONE,
        /** list now */
        LIST,
        /** ask again after {@link Next#waitMs()} */
        DEFER
    }

    public record Next(Relist state, Action action, long waitMs) {}

    /** A pass is asked for at {@code now}. */
    public Next ask(long now) {
        if (listing) return new Next(new Relist(true, true, deferred, listedAt), Action.NONE, 0);
        if (deferred) return new Next(this, Action.NONE, 0);
        long wait = MIN_GAP_MS - (now - listedAt) / 1_000_000;
        if (wait > 0) return new Next(new Relist(false, again, true, listedAt), Action.DEFER, wait);
        return new Next(new Relist(true, again, false, listedAt), Action.LIST, 0);
    }

    /** The deferred timer fired (ask again next). */
    public Relist woke() {
        return new Relist(listing, again, false, listedAt);
    }

    /**
     * The listing ended at {@code now}; {@code stale}: something changed while it ran, so its snapshot may
     * predate it. If {@link #again()} of the result, clear it ({@link #asked()}) and ask again.
     */
    public Relist listed(long now, boolean stale) {
        return new Relist(false, again || stale, deferred, now);
    }

    /** The pass asked for meanwhile is being asked now. */
    public Relist asked() {
        return new Relist(listing, false, deferred, listedAt);
    }
}
