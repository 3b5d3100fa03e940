package io.berth.schemas.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs Prometheus' {@code promtool check metrics} (Debian's {@code prometheus} package, installed in ops/test) on a
 * scrape. A missing promtool fails the test: the acceptance of issue 16 is that it passes, not that it was skipped.
 */
public final class Promtool {
    private Promtool() {}

    /** The path of promtool: {@code PROMTOOL} if set, else {@code /usr/bin/promtool}. */
    public static String path() {
        String p = System.getenv("PROMTOOL");
        return p != null && !p.isBlank() ? p : "/usr/bin/promtool";
    }

    /** Asserts that {@code promtool check metrics} accepts {@code exposition} (exit 0, no lint problem printed). */
    public static void assertValid(String what, String exposition) throws IOException, InterruptedException {
        if (!new java.io.File(path()).canExecute()) {
            fail("promtool not found at " + path() + ": install Debian's prometheus package (apt-get install --no-install-recommends prometheus)");
        }
        Process p = new ProcessBuilder(path(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, p.exitValue(), "promtool check metrics on " + what + ":\n" + out);
        assertTrue(out.isBlank(), "promtool check metrics on " + what + " found problems:\n" + out);
    }
}
