package io.berth.ops.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code berth} CLI (the ops main class) as separate OS processes, as a user would. */
final class BerthProcess {
    private BerthProcess() {}

    record Result(int exit, String stdout, String stderr) {
        String lastLine() {
            String[] lines = stdout.strip().split("\n");
            return lines[lines.length - 1].strip();
        }
    }

    static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add("io.berth.ops.Berth");
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs a berth command to completion (with a deadline) and captures its output. */
    static Result run(Path home, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        File out = Files.createTempFile("berth-out", ".txt").toFile();
        File err = Files.createTempFile("berth-err", ".txt").toFile();
        ProcessBuilder pb = new ProcessBuilder(command(args)).redirectOutput(out).redirectError(err);
        pb.environment().put("BERTH_HOME", home.toString());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("berth " + String.join(" ", args) + " did not finish within " + timeoutSeconds
                    + " s; stderr: " + Files.readString(err.toPath()));
        }
        Result r = new Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8));
        out.delete();
        err.delete();
        return r;
    }

    static Result runOk(Path home, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        Result r = run(home, timeoutSeconds, args);
        if (r.exit() != 0) {
            throw new AssertionError("berth " + String.join(" ", args) + " exited " + r.exit() + "\nstdout: " + r.stdout() + "\nstderr: " + r.stderr());
        }
        return r;
    }

    /** Runs a shell command (docker, kill) and returns its stdout; fails the test on a non-zero exit. */
    static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + output);
        }
        return output;
    }
}
