package io.berth.ops;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Berth's per-service commands ({@code berth registry}, {@code state-streams}, {@code scheduler},
 * {@code gateway}, {@code node}) as separate OS processes, each named, as {@code berth up --ha} and
 * {@code ops/bench scaleout} run them. Layout under {@code dir}:
 * <pre>
 *   &lt;dir&gt;/&lt;name&gt;/        the process's data dir (its Streams state)
 *   &lt;dir&gt;/&lt;name&gt;/ready  written by the process (its pid) once it serves
 *   &lt;dir&gt;/&lt;name&gt;.pid    written here at spawn: what {@link #stopRecorded} stops
 *   &lt;dir&gt;/&lt;name&gt;.log    stdout and stderr
 * </pre>
 * Each process runs in its own session ({@code setsid}), so it outlives the command that started it.
 */
public final class ServiceProcesses {
    private final Path dir;
    private final List<String> jvmFlags;
    private final Consumer<String> progress;
    private final Map<String, Process> processes = Collections.synchronizedMap(new LinkedHashMap<>());

    /** @param jvmFlags heap and GC flags of every process, e.g. {@code -Xmx512m -XX:+UseSerialGC} */
    public ServiceProcesses(Path dir, List<String> jvmFlags, Consumer<String> progress) {
        this.dir = dir;
        this.jvmFlags = List.copyOf(jvmFlags);
        this.progress = progress;
    }

    public Path dir() {
        return dir;
    }

    public Path log(String name) {
        return dir.resolve(name + ".log");
    }

    public Path dataDir(String name) {
        return dir.resolve(name);
    }

    /** The processes started, by name, in start order (a copy). */
    public Map<String, Process> processes() {
        synchronized (processes) {
            return new LinkedHashMap<>(processes);
        }
    }

    /**
     * Starts {@code berth <args(name)> --data-dir <dir>/<name> --ready-file …} for every name, then waits
     * until each one is ready. All instances of one service start together: one group rebalance
     * instead of one per joiner.
     *
     * @throws IllegalStateException naming the process and the end of its log when one exits or is not ready in time
     */
    public void startAndAwait(List<String> names, Function<String, List<String>> args, long timeoutMs) throws Exception {
        for (String n : names) start(n, args.apply(n));
        for (String n : names) awaitReady(n, timeoutMs);
        progress.accept(String.join(", ", names) + " ready");
    }

    public Process start(String name, List<String> args) throws IOException {
        Path data = dataDir(name);
        Files.createDirectories(data);
        Files.deleteIfExists(data.resolve("ready"));
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add("/usr/bin/setsid");
        cmd.add(Processes.javaBin());
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Berth.class.getName()));
        cmd.addAll(args);
        cmd.addAll(List.of("--data-dir", data.toString(), "--ready-file", data.resolve("ready").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        processes.put(name, p);
        Files.writeString(dir.resolve(name + ".pid"), p.pid() + "\n");
        progress.accept(name + " started, pid " + p.pid());
        return p;
    }

    /** Waits (up to {@code timeoutMs}) until {@code name} wrote its ready file. */
    public void awaitReady(String name, long timeoutMs) throws Exception {
        Process p = processes.get(name);
        Path ready = dataDir(name).resolve("ready");
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (Processes.readPid(ready) != p.pid()) {
            if (!p.isAlive()) throw new IllegalStateException(name + " (pid " + p.pid() + ") exited with code " + p.exitValue() + ":\n" + Processes.tail(log(name), 30));
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(name + " (pid " + p.pid() + ") not ready after " + timeoutMs / 1000 + " s:\n" + Processes.tail(log(name), 30));
            }
            Thread.sleep(100); // polling a file the child writes; bounded by the deadline
        }
    }

    /** Stops every process started here, last started first (SIGTERM, then SIGKILL after {@code timeoutMs}). */
    public void stopAll(long timeoutMs) {
        List<Map.Entry<String, Process>> order = new ArrayList<>(processes().entrySet());
        Collections.reverse(order);
        for (Map.Entry<String, Process> e : order) {
            try {
                Processes.stop(e.getValue().pid(), timeoutMs);
                Files.deleteIfExists(dir.resolve(e.getKey() + ".pid"));
            } catch (Exception ex) {
                progress.accept("stopping " + e.getKey() + ": " + ex);
            }
        }
    }

    /** The processes recorded in {@code dir} ({@code <name>.pid}), name → pid, live Berth processes only. */
    public static Map<String, Long> recorded(Path dir) {
        Map<String, Long> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) return out;
        try (var s = Files.list(dir)) {
            s.filter(f -> f.getFileName().toString().endsWith(".pid")).forEach(f -> {
                long pid = Processes.readPid(f);
                String n = f.getFileName().toString();
                if (pid > 0 && Processes.alive(pid)) out.put(n.substring(0, n.length() - 4), pid);
            });
        } catch (IOException ignored) {
            // unreadable: nothing recorded
        }
        return out;
    }

    /**
     * Stops every live process recorded in {@code dir} (all at once with SIGTERM, then SIGKILL what is
     * left after {@code timeoutMs}) and removes the pid files. Returns name → pid of those stopped.
     */
    public static Map<String, Long> stopRecorded(Path dir, long timeoutMs) throws Exception {
        Map<String, Long> live = recorded(dir);
        List<ProcessHandle> handles = new ArrayList<>();
        live.values().forEach(pid -> ProcessHandle.of(pid).ifPresent(h -> {
            h.destroy();
            handles.add(h);
        }));
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (ProcessHandle h : handles) {
            try {
                h.onExit().get(Math.max(1, deadline - System.currentTimeMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                h.destroyForcibly();
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        try (var s = Files.list(dir)) {
            for (Path f : s.filter(f -> f.getFileName().toString().endsWith(".pid")).toList()) Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // no dir: nothing to clean
        }
        return live;
    }
}
