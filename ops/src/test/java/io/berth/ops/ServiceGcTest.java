package io.berth.ops;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher script and the processes Berth starts itself use the same collector ({@link Processes#SERVICE_GC}). */
class ServiceGcTest {
    @Test
    void opsBerthRunsTheServiceCollector() throws Exception {
        Path script = Path.of(System.getProperty("user.dir")).resolveSibling("ops").resolve("berth");
        if (!Files.exists(script)) script = Path.of(System.getProperty("user.dir")).resolve("berth"); // run from ops/
        String text = Files.readString(script);
        String flags = String.join(" ", Processes.SERVICE_GC);
        assertTrue(text.contains(" " + flags + " "), "ops/berth must start its JVM with " + flags + " (Processes.SERVICE_GC)");
        assertTrue(!text.contains("UseSerialGC"), "ops/berth must not use the serial collector: a full collection of the all-in-one stalls every node's lease");
    }

    @Test
    void withGcPutsTheHeapFirstThenTheCollectorThenTheRest() {
        var flags = Processes.withGc("-Xmx384m", "-Dx=y");
        assertTrue(flags.get(0).equals("-Xmx384m") && flags.subList(1, 1 + Processes.SERVICE_GC.size()).equals(Processes.SERVICE_GC)
                && flags.get(flags.size() - 1).equals("-Dx=y"), flags.toString());
    }
}
