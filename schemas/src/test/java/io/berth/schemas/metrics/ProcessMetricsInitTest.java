package io.berth.schemas.metrics;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The process registry initializes while garbage collections happen: a GC notification registers the GC
 * timers on the JDK's notification thread, holding the registry's lock while it runs the meter filters. A
 * filter written as a lambda of {@link ProcessMetrics} then waited for the class's initializer, which waited
 * for that lock: a gateway hung at start that way (found by ops' ShutdownWithinFiveSecondsTest, 2026-12-06).
 * Each run here is a fresh JVM that collects garbage in a loop while it first touches the registry; before
 * the fix 6 of 10 such JVMs hung.
 */
class ProcessMetricsInitTest {
    /** The child JVM: GCs in a loop on one thread, the registry's first use on another. */
    public static void main(String[] args) {
        Thread gc = new Thread(() -> {
            while (true) System.gc();
        }, "gc-loop");
        gc.setDaemon(true);
        gc.start();
        ProcessMetrics.registry();
        System.out.println("initialized");
        System.exit(0);
    }

    @Test
    void shouldInitializeWhileCollectionsHappen() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int run = 1; run <= 8; run++) {
            Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-cp", cp, ProcessMetricsInitTest.class.getName()))
                    .redirectErrorStream(true).start();
            try {
                boolean exited = p.waitFor(60, TimeUnit.SECONDS);
                String out = exited ? new String(p.getInputStream().readAllBytes()) : "";
                assertTrue(exited, "run " + run + ": the registry did not initialize within 60 s (a deadlock with a GC notification)");
                assertEquals(0, p.exitValue(), "run " + run + ": " + out);
                assertTrue(out.contains("initialized"), "run " + run + ": " + out);
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
