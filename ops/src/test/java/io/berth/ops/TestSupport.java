package io.berth.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Helpers shared by the ops tests. */
public final class TestSupport {
    private TestSupport() {}

    /** The full test classpath (surefire may hide it behind a manifest-only jar). */
    public static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /**
     * Deletes a test cluster's data dir (its broker's logs and state stores, ~25 MB each) once the
     * cluster is down, keeping its processes' top-level {@code *.log} files under
     * {@code target/e2e-logs/<dir name>/} for a failure's diagnosis: /tmp held 2.7 GB of such dirs
     * after a few suite runs.
     */
    public static void retire(Path home) {
        if (home == null || !Files.isDirectory(home)) return;
        Path keep = Path.of("target", "e2e-logs", home.getFileName().toString());
        try (Stream<Path> s = Files.list(home)) {
            for (Path f : s.filter(f -> f.getFileName().toString().endsWith(".log") && Files.isRegularFile(f)).toList()) {
                Files.createDirectories(keep);
                Files.copy(f, keep.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException ignored) {
            // the logs are a courtesy; the delete below is the point
        }
        deleteTree(home);
    }

    public static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
        }
    }
}
