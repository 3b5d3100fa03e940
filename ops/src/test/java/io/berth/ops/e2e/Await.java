package io.berth.ops.e2e;

import java.time.Duration;

/** Waits on a condition with a deadline; polls, never sleeps for a fixed time to "let things settle". */
public final class Await {
    private Await() {}

    public interface Check {
        boolean holds() throws Exception;
    }

    public interface Describe {
        Object now() throws Exception;
    }

    /** Returns the milliseconds it took; fails naming what was awaited and the last observed state. */
    public static long until(String what, Duration deadline, Check check, Describe state) throws Exception {
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        while (true) {
            if (check.holds()) return (System.nanoTime() - start) / 1_000_000;
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + deadline.toMillis() + " ms waiting for " + what + "; now: " + state.now());
            }
            Thread.sleep(100);
        }
    }
}
