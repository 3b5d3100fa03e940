package io.berth.ops;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Starting detached child JVMs of this launcher and stopping processes by pid. */
public final class Processes {
    private Processes() {}

    /**
     * The collector of every long-running Berth JVM (control plane, broker, services; {@code ops/berth} passes the
     * same flags): G1 with short pauses, as Kafka's own start scripts run a broker. Not the serial collector: the
     * all-in-one holds the broker, and a stop-the-world pause of it delays every node's heartbeat acknowledgement; a
     * serial full collection of a 1–2 GB heap took 1.24 s on the 2-core machine and made 408 healthy simulated nodes
     * fence themselves at once (root README, "Performance", the fencing storm). G1's pauses stayed at or under 0.33 s there.
     */
    public static final List<String> SERVICE_GC = List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=100");

    /** {@code heap} and {@link #SERVICE_GC}. */
    public static List<String> withGc(String heap, String... more) {
        List<String> flags = new ArrayList<>(List.of(heap));
        flags.addAll(SERVICE_GC);
        flags.addAll(List.of(more));
        return flags;
    }

    public static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Starts {@code io.berth.ops.Berth <args>} in a new session (it survives this process and the
     * terminal), stdout and stderr appended to {@code log}.
     */
    public static Process spawnBerth(List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add("/usr/bin/setsid");
        cmd.add(javaBin());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-Xm") || a.startsWith("-XX:") || a.startsWith("-Dorg.slf4j")) cmd.add(a);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Berth.class.getName());
        cmd.addAll(args);
        Files.createDirectories(log.toAbsolutePath().getParent());
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }

    /** True if {@code pid} is a live Berth launcher JVM (guards against a stale pid file whose pid was reused). */
    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(h -> h.info().arguments().map(a -> List.of(a).contains(Berth.class.getName())).orElse(true))
                .orElse(false);
    }

    /** SIGTERM, wait up to {@code timeoutMs}, then SIGKILL. Returns true if the process was running. */
    public static boolean stop(long pid, long timeoutMs) throws Exception {
        var h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (h.isEmpty()) return false;
        h.get().destroy();
        try {
            h.get().onExit().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            h.get().destroyForcibly();
            h.get().onExit().get(10, TimeUnit.SECONDS);
        }
        return true;
    }

    public static long readPid(Path f) {
        try {
            return Long.parseLong(Files.readString(f).trim());
        } catch (Exception e) {
            return -1;
        }
    }

    /** The last {@code n} lines of a file, for error messages. */
    public static String tail(Path f, int n) {
        try {
            List<String> lines = Files.readAllLines(f);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(no log at " + f + ")";
        }
    }
}
