package io.berth.ops.chaos;

import io.berth.ops.Processes;
import io.berth.ops.kafka.LocalCluster;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One process of the cluster under test, as a supervisor (systemd, an operator) sees it: its pid file,
 * the exact command it was started with (read from {@code /proc/<pid>/cmdline}), its log, and how to
 * tell it is ready again. Faults are signals to its pid; {@link #restart} runs the same command again
 * in a new session and records the new pid where {@code berth down} looks for it.
 */
public final class Supervised {
    private static final String SETSID = "/usr/bin/setsid";

    private final String name;
    private final Path pidFile;
    private final Path log;
    private final List<String> command;
    /** A broker: its index (1…) in {@code cluster.properties}; 0 for a service process. */
    private final int brokerIndex;
    private final Path clusterDir;
    private volatile long pid;

    private Supervised(String name, Path pidFile, Path log, List<String> command, int brokerIndex, Path clusterDir, long pid) {
        this.name = name;
        this.pidFile = pidFile;
        this.log = log;
        this.command = List.copyOf(command);
        this.brokerIndex = brokerIndex;
        this.clusterDir = clusterDir;
        this.pid = pid;
    }

    /** A service process of {@code berth up --ha} ({@code <ha>/<name>.pid}, {@code <ha>/<name>.log}). */
    public static Supervised service(Path haDir, String name) throws IOException {
        Path pidFile = haDir.resolve(name + ".pid");
        long pid = livePid(pidFile, name);
        return new Supervised(name, pidFile, haDir.resolve(name + ".log"), cmdline(pid), 0, null, pid);
    }

    /** Broker {@code index} (1…) of the local cluster in {@code clusterDir}. */
    public static Supervised broker(Path clusterDir, int index) throws IOException {
        Path bdir = clusterDir.resolve("broker-" + index);
        Path pidFile = bdir.resolve("broker.pid");
        long pid = livePid(pidFile, "broker-" + index);
        return new Supervised("broker-" + index, pidFile, bdir.resolve("broker.log"), cmdline(pid), index, clusterDir, pid);
    }

    /**
     * A further instance made from this one's command with every occurrence of {@code from} replaced by
     * {@code to} (e.g. {@code node-1} → {@code node-2} in its paths, and its node name), started now.
     */
    public Supervised sibling(String siblingName, List<String[]> replacements) throws IOException {
        List<String> cmd = new ArrayList<>();
        for (String a : command) {
            String b = a;
            for (String[] r : replacements) b = b.replace(r[0], r[1]);
            cmd.add(b);
        }
        Path dir = pidFile.getParent();
        Supervised s = new Supervised(siblingName, dir.resolve(siblingName + ".pid"), dir.resolve(siblingName + ".log"), cmd, 0, null, -1);
        Files.createDirectories(dir.resolve(siblingName));
        s.spawn();
        return s;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return pid;
    }

    public boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    public Path log() {
        return log;
    }

    /** {@code kill -9}; returns once the process is gone. */
    public void kill9() throws Exception {
        signal("KILL");
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
    }

    /** {@code kill -STOP} or {@code kill -CONT}. */
    public void signal(String sig) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, String.valueOf(pid)).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("kill -" + sig + " " + pid + " (" + name + ") failed");
    }

    /** Runs the recorded command again (a new session, output appended to its log) and records the new pid. */
    public void restart() throws IOException {
        if (alive()) throw new IllegalStateException(name + " (pid " + pid + ") still runs");
        spawn();
    }

    private void spawn() throws IOException {
        readyFile().ifPresent(f -> f.toFile().delete());
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of(SETSID))) cmd.add(SETSID);
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        pid = p.pid();
        Files.writeString(pidFile, pid + "\n");
        if (brokerIndex > 0) LocalCluster.recordPid(clusterDir, brokerIndex, pid);
    }

    /**
     * Waits until the process serves again: its ready file holds its pid (a service), or its broker port
     * accepts connections (a broker).
     *
     * @throws IllegalStateException naming the process and the end of its log when it exits or is late
     */
    public void awaitReady(long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!ready()) {
            if (!alive()) throw new IllegalStateException(name + " (pid " + pid + ") exited after its restart:\n" + Processes.tail(log, 20));
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(name + " (pid " + pid + ") not ready " + timeoutMs / 1000 + " s after its restart:\n" + Processes.tail(log, 20));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // polling a file / a port; bounded by the deadline
        }
    }

    private boolean ready() {
        var f = readyFile();
        if (f.isPresent()) return Processes.readPid(f.get()) == pid;
        int port = brokerPort();
        if (port <= 0) return alive();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The {@code --ready-file} argument of a service's command. */
    private java.util.Optional<Path> readyFile() {
        int i = command.indexOf("--ready-file");
        return i >= 0 && i + 1 < command.size() ? java.util.Optional.of(Path.of(command.get(i + 1))) : java.util.Optional.empty();
    }

    /** A broker's client port, from its {@code server.properties} ({@code listeners=PLAINTEXT://host:port,…}). */
    private int brokerPort() {
        if (brokerIndex <= 0) return -1;
        java.util.Properties p = new java.util.Properties();
        try (var r = Files.newBufferedReader(Path.of(command.get(command.size() - 1)))) {
            p.load(r);
            String first = p.getProperty("listeners", "").split(",")[0];
            return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1).trim());
        } catch (Exception e) {
            return -1;
        }
    }

    private static long livePid(Path pidFile, String name) {
        long pid = Processes.readPid(pidFile);
        if (pid <= 0 || ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
            throw new IllegalStateException(name + " is not running (" + pidFile + ")");
        }
        return pid;
    }

    /** The command line of a live process, from {@code /proc} (NUL-separated arguments). */
    static List<String> cmdline(long pid) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline"));
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                out.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < raw.length) out.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
        if (!out.isEmpty() && out.get(0).endsWith("setsid")) out.remove(0);
        return out;
    }
}
