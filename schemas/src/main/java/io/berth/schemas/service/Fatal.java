package io.berth.schemas.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a service reports that it cannot go on (its Streams client stopped for good, it found itself on
 * another Kafka cluster). In a test the report is only logged; the launcher ({@code berth up},
 * {@code berth state-streams} …) sets {@link #handler} to exit the process with the status given,
 * running its shutdown hooks, so nothing keeps answering {@code ok} while it does nothing.
 */
public final class Fatal {
    private static final Logger log = LoggerFactory.getLogger(Fatal.class);
    /** The exit status of a process stopped by a fatal report (EX_SOFTWARE). */
    public static final int EXIT_STATUS = 70;
    private static volatile Handler handler = (why, status) -> log.error("fatal (status {}): {}", status, why);

    private Fatal() {}

    /** What is done with a report: {@code why} in words, {@code status} the process exit status asked for. */
    @FunctionalInterface
    public interface Handler {
        void fatal(String why, int status);
    }

    public static void handler(Handler h) {
        handler = h;
    }

    public static void report(String why) {
        report(why, EXIT_STATUS);
    }

    public static void report(String why, int status) {
        handler.fatal(why, status);
    }
}
