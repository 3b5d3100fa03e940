package io.berth.ops.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A stock kubectl binary run as a process against a kubeconfig: one-shot commands with their exit
 * code and both streams, and long-running ones (port-forward, logs -f) that are stopped on close.
 */
final class Kubectl {
    /** The machine's kubectl (v1.32, on PATH). */
    static final String MACHINE = "kubectl";
    /** Debian's kubernetes-client (v1.20), unpacked by ops/test beside the machine's. */
    static final String V1_20 = "/opt/kubectl-1.20/kubectl";

    final String binary;
    final Path kubeconfig;

    Kubectl(String binary, Path kubeconfig) {
        this.binary = binary;
        this.kubeconfig = kubeconfig;
    }

    record Run(int code, String out, String err) {}

    Run withStdin(String stdin, String... args) throws IOException, InterruptedException {
        return run(stdin, java.util.Map.of(), args);
    }

    /** With extra environment variables, e.g. {@code KUBE_EDITOR} for {@code edit}. */
    Run withEnv(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        return run(null, env, args);
    }

    private Run run(String stdin, java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = command(args);
        Path in = Files.createTempFile("kubectl", ".in"), out = Files.createTempFile("kubectl", ".out"), err = Files.createTempFile("kubectl", ".err");
        Files.writeString(in, stdin == null ? "" : stdin);
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            p = pb.start();
        } catch (IOException e) {
            throw new IOException(binary + " cannot be run (ops/test installs the kubectl versions the tests use): " + e.getMessage(), e);
        }
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS)) fail(String.join(" ", cmd) + " did not finish in 180 s: " + Files.readString(err));
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    Run run(String... args) throws IOException, InterruptedException {
        return withStdin(null, args);
    }

    /** Stdout of a command that must succeed. */
    String ok(String... args) throws IOException, InterruptedException {
        Run r = run(args);
        if (r.code != 0) fail(binary + " " + String.join(" ", args) + " exited " + r.code + ":\n" + r.out + r.err);
        return r.out;
    }

    List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(binary, "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A running kubectl process whose stdout lines are collected as they come. */
    static final class Streaming implements AutoCloseable {
        final Process process;
        final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Path stderr;

        Streaming(List<String> cmd) throws IOException {
            stderr = Files.createTempFile("kubectl", ".err");
            process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) lines.add(line);
                } catch (IOException ended) {
                    // the process was stopped
                }
            }, "kubectl-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        String err() throws IOException {
            return Files.readString(stderr);
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
            Files.deleteIfExists(stderr);
        }
    }

    Streaming stream(String... args) throws IOException {
        return new Streaming(command(args));
    }

    /** {@code port-forward TARGET :REMOTE}; returns the process and the local port it announced. */
    record Forward(Streaming process, int port) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            process.close();
        }
    }

    Forward portForward(String target, int remote) throws Exception {
        Streaming s = stream("port-forward", target, ":" + remote);
        Pattern announced = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> " + remote);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && s.process.isAlive()) {
            for (String line : s.lines) {
                Matcher m = announced.matcher(line);
                if (m.find()) return new Forward(s, Integer.parseInt(m.group(1)));
            }
            Thread.onSpinWait();
            s.process.waitFor(50, TimeUnit.MILLISECONDS);
        }
        String why = s.lines + " " + s.err();
        s.close();
        throw new AssertionError(binary + " port-forward " + target + " announced no port: " + why);
    }

    /** GET {@code path} over a fresh HTTP/1.0 connection to a local port; the status line and body. */
    static String[] fetch(int port, String path) throws IOException {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = answer.indexOf("\r\n\r\n");
            return new String[]{answer.lines().findFirst().orElse(""), split < 0 ? "" : answer.substring(split + 4)};
        }
    }
}
