package io.berth.ops.kubectl;

import java.time.Duration;

/**
 * How long the gateway has been unreachable while a watch resumes after dropped streams: a watch
 * reconnects every half second and gives up once the gateway stays down longer than {@code limit}.
 * Shared by {@code get --watch} and {@code history --watch}.
 */
final class WatchOutage {
    private final long limitMs;
    private long downSince = -1;

    WatchOutage(Duration limit) {
        this.limitMs = limit.toMillis();
    }

    /** A watch call returned normally: the gateway is up. */
    void up() {
        downSince = -1;
    }

    /** A watch call could not reach the gateway; true when it has now been down longer than the limit. */
    boolean downTooLong() {
        long now = System.currentTimeMillis();
        if (downSince < 0) {
            downSince = now;
            return false;
        }
        return now - downSince > limitMs;
    }

    /** Waits before the next attempt; an interrupt is kept on the thread (the caller's loop ends on it). */
    static void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
