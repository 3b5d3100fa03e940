package io.berth.schemas.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * Where a service reports that it cannot go on (its Streams client stopped for good). In a test the
 * report is only logged; the launcher ({@code berth up}, {@code berth state-streams} …) sets
 * {@link #handler} to exit the process with {@link #EXIT_STATUS}, running its shutdown hooks, so
 * nothing keeps answering {@code ok} while it does nothing.
 */
public final class Fatal {
    private static final Logger log = LoggerFactory.getLogger(Fatal.class);
    /** The exit status of a process stopped by a fatal report (EX_SOFTWARE). */
    public static final int EXIT_STATUS = 70;
    private static volatile Consumer<String> handler = why -> log.error("fatal: {}", why);

    private Fatal() {}

    public static void handler(Consumer<String> h) {
        handler = h;
    }

    public static void report(String why) {
        handler.accept(why);
    }
}
