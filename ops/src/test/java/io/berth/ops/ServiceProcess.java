package io.berth.ops;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A {@code berth …} command as a real OS process of the test, its output in a log file; stopped by pid. */
final class ServiceProcess {
    final String name;
    final Process process;
    final Path log;

    private ServiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ServiceProcess start(String name, Path logDir, String heap, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Processes.javaBin(), heap, "-XX:+UseSerialGC", "-cp", TestSupport.classpath(), Berth.class.getName()));
        cmd.addAll(args);
        Path log = logDir.resolve(name + ".log");
        Files.createDirectories(logDir);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        return new ServiceProcess(name, p, log);
    }

    long pid() {
        return process.pid();
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (Exception e) {
            return "(no log " + log + ")";
        }
    }

    /** Waits until {@code ready}, failing with the log if the process exits first or the deadline passes. */
    void awaitReady(BooleanSupplier ready, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) throw new AssertionError(name + " exited (" + process.exitValue() + ") before ready:\n" + Processes.tail(log, 40));
            if (System.currentTimeMillis() > deadline) {
                // a start that hangs says nothing in its log: its threads say where it stands (the dump goes to
                // the test's output, the main thread's stack into the failure)
                String dump = threadDump();
                System.out.println("[" + name + "] not ready within " + timeoutMs + " ms; its threads:\n" + dump);
                throw new AssertionError(name + " not ready within " + timeoutMs + " ms:\n" + Processes.tail(log, 40)
                        + "\nits main thread:\n" + thread(dump, "\"main\""));
            }
            Thread.sleep(100);
        }
    }

    /** {@code jcmd PID Thread.print} of the process (a Java-level deadlock is reported at its end), or why there is none. */
    String threadDump() {
        try {
            // into a file: reading the pipe until its end would wait as long as jcmd does, past the 30 s below
            Path out = Files.createTempFile("thread-dump", ".txt");
            try {
                Process j = new ProcessBuilder(Path.of(Processes.javaBin()).resolveSibling("jcmd").toString(), Long.toString(pid()), "Thread.print")
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!j.waitFor(30, TimeUnit.SECONDS)) {
                    j.destroyForcibly();
                    return "(jcmd did not answer within 30 s)";
                }
                return Files.readString(out);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (Exception e) {
            return "(no thread dump: " + e + ")";
        }
    }

    /** The stack of the thread whose header starts with {@code header} in a thread dump, or "" when it has none. */
    static String thread(String dump, String header) {
        int from = dump.indexOf(header);
        if (from < 0) return "";
        int to = dump.indexOf("\n\n", from);
        return dump.substring(from, to < 0 ? dump.length() : to);
    }

    /** Waits for its pid in {@code readyFile} (written by {@code --ready-file} once started). */
    void awaitReadyFile(Path readyFile, long timeoutMs) throws Exception {
        awaitReady(() -> Processes.readPid(readyFile) == pid(), timeoutMs);
    }

    /** SIGTERM, then how long until it exited (ms); -1 if it had not within {@code waitMs} (then it is killed). */
    long sigtermAndTime(long waitMs) throws Exception {
        long t0 = System.nanoTime();
        process.destroy();
        boolean exited = process.waitFor(waitMs, TimeUnit.MILLISECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (!exited) {
            kill();
            return -1;
        }
        return ms;
    }

    /** SIGKILL, waited for; safe to call on an exited process. */
    void kill() {
        if (!process.isAlive()) return;
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
