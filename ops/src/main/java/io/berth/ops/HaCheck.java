package io.berth.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.ops.kubectl.Gateway;
import io.berth.ops.kubectl.Kubeconfig;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * {@code ops/ha-check}: {@code berth up --ha} (a simulated node, real processes) under continuous applies
 * from a client thread that fails over between the two gateways, while one process of each kind is
 * {@code kill -9}ed in turn: a state-streams, a scheduler, a gateway, a registry, a broker. After each
 * kill it waits until the API answered again and a Deployment applied after the kill has a Running pod;
 * at the end every acknowledged (2xx) apply must be a Deployment with a Running pod (0 lost).
 * <pre>HaCheck [faults=state-streams,scheduler,gateway,registry,broker] [basePort=26200] [recoverySeconds=240] [convergeSeconds=300]</pre>
 * Ports: brokers basePort..+2, controllers +3..+5, registries +10/+11, gateways +20/+21.
 */
public final class HaCheck {
    public static final List<String> ALL_FAULTS = List.of("state-streams", "scheduler", "gateway", "registry", "broker");
    private static final long APPLY_EVERY_MS = 500;

    public record Options(Path dataDir, int basePort, List<String> faults, long recoveryMs, long convergeMs, PrintStream out) {
    }

    /**
     * One fault: which process was killed, the longest the API went without acknowledging an apply
     * around it, and how long until a Deployment applied after it had a Running pod.
     */
    public record Fault(String kind, String process, long pid, long unansweredMs, long controlLoopBackMs) {
    }

    public record Result(String upOutput, long upMs, int acknowledged, int failedAttempts, List<String> lost, List<String> notRunning,
                         long convergeMs, List<Fault> faults, List<String> deadProcesses) {
        public String markdown() {
            StringBuilder b = new StringBuilder("| fault (kill -9) | process | API unanswered, longest | control loop back (apply after the kill → Running) |\n|---|---|---|---|\n");
            for (Fault f : faults) {
                b.append(String.format(Locale.ROOT, "| %s | %s (pid %d) | %.1f s | %.1f s |%n", f.kind(), f.process(), f.pid(), f.unansweredMs() / 1000.0, f.controlLoopBackMs() / 1000.0));
            }
            b.append(String.format(Locale.ROOT, "%n%d applies acknowledged (%d attempts not answered, retried), %d lost, %d without a Running pod; "
                    + "converged %.1f s after the applies stopped; `berth up --ha` ready in %.1f s; processes not running at the end (not killed): %s%n",
                    acknowledged, failedAttempts, lost.size(), notRunning.size(), convergeMs / 1000.0, upMs / 1000.0, deadProcesses.isEmpty() ? "none" : deadProcesses));
            return b.toString();
        }
    }

    private HaCheck() {}

    public static void main(String[] args) throws Exception {
        List<String> faults = args.length > 0 ? List.of(args[0].split(",")) : ALL_FAULTS;
        int base = args.length > 1 ? Integer.parseInt(args[1]) : 26200;
        long recovery = (args.length > 2 ? Long.parseLong(args[2]) : 240) * 1000;
        long converge = (args.length > 3 ? Long.parseLong(args[3]) : 300) * 1000;
        Path dir = Files.createTempDirectory("berth-ha-check");
        Result r;
        try {
            r = run(new Options(dir, base, faults, recovery, converge, System.out));
        } finally {
            TestDirs.delete(dir);
        }
        System.out.println();
        System.out.println(r.markdown());
        System.exit(r.lost().isEmpty() && r.notRunning().isEmpty() && r.deadProcesses().isEmpty() ? 0 : 1);
    }

    /** Runs the check in {@code o.dataDir()}; stops every process it started, by pid, also on failure. */
    public static Result run(Options o) throws Exception {
        for (String f : o.faults()) {
            if (!ALL_FAULTS.contains(f)) throw new IllegalArgumentException("faults: unknown fault \"" + f + "\"; known: " + ALL_FAULTS);
        }
        Thread hook = new Thread(() -> cleanup(o.dataDir()), "ha-check-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return runStarted(o);
        } finally {
            cleanup(o.dataDir());
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    private static Result runStarted(Options o) throws Exception {
        PrintStream out = o.out();
        int b = o.basePort();
        long t0 = System.currentTimeMillis();
        String up = up(o.dataDir(), b, List.of("--node-name", "sim-1", "--max-pods", "5000", "--set", "runtime=sim", "--set", "sim-start-delay=100ms",
                "--set", "node-cpu-millis=1000000", "--set", "node-memory-bytes=1099511627776"));
        long upMs = System.currentTimeMillis() - t0;
        out.println(up);
        BerthState st = BerthState.read(o.dataDir()).orElseThrow(() -> new IllegalStateException("berth up --ha wrote no berth.json"));
        String token = Kubeconfig.token(AdminCredential.kubeconfig(o.dataDir())).orElseThrow();
        Gateway gw = new Gateway(st.gatewayUrls(), Duration.ofSeconds(20), token, null);
        Client client = new Client(new Gateway(st.gatewayUrls(), Duration.ofSeconds(20), token, null));
        Thread ct = new Thread(client, "ha-check-client");
        ct.setDaemon(true);
        ct.start();
        List<Fault> faults = new ArrayList<>();
        Set<String> killed = new HashSet<>();
        try {
            await(o.recoveryMs(), () -> client.acked.size() >= 5, () -> "the first applies (" + client.acked.size() + " acknowledged; last error " + client.lastError + ")");
            for (String kind : o.faults()) {
                String process = kind.equals("broker") ? "broker-1" : kind + "-1";
                Path pidFile = kind.equals("broker") ? o.dataDir().resolve("cluster/broker-1/broker.pid")
                        : HaControlPlane.servicesDir(o.dataDir()).resolve(process + ".pid");
                long pid = Processes.readPid(pidFile);
                if (pid <= 0 || ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) throw new IllegalStateException(process + " is not running (" + pidFile + ")");
                int ackedBefore = client.acked.size();
                long at = System.currentTimeMillis();
                out.printf("[%5.1f s] kill -9 %s (pid %d); %d applies acknowledged so far%n", (at - t0) / 1000.0, process, pid, ackedBefore);
                new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor(10, TimeUnit.SECONDS);
                ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
                killed.add(process);
                await(o.recoveryMs(), () -> client.acked.size() >= ackedBefore + 3,
                        () -> "applies to be acknowledged after killing " + process + " (last error: " + client.lastError + ")");
                String probe = client.acked.get(ackedBefore + 1);
                await(o.recoveryMs(), () -> running(gw).contains(probe), () -> probe + " (applied after killing " + process + ") to have a Running pod");
                long back = System.currentTimeMillis() - at;
                long unanswered = client.longestGap(at, System.currentTimeMillis());
                faults.add(new Fault(kind, process, pid, unanswered, back));
                out.printf("[%5.1f s]   API answered throughout but for %.1f s; control loop back after %.1f s%n",
                        (System.currentTimeMillis() - t0) / 1000.0, unanswered / 1000.0, back / 1000.0);
            }
        } finally {
            client.stop = true;
            ct.join(30_000);
        }
        List<String> acked = List.copyOf(client.acked);
        out.printf("applies stopped: %d acknowledged; waiting for every one to be Running …%n", acked.size());
        long c0 = System.currentTimeMillis();
        long deadline = c0 + o.convergeMs();
        List<String> lost = acked, notRunning = acked;
        while (System.currentTimeMillis() < deadline) {
            try {
                Set<String> deployments = deployments(gw), running = running(gw);
                lost = acked.stream().filter(n -> !deployments.contains(n)).toList();
                notRunning = acked.stream().filter(n -> !running.contains(n)).toList();
                if (lost.isEmpty() && notRunning.isEmpty()) break;
            } catch (Gateway.ApiException e) {
                out.println("  reading the state: " + e.getMessage());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500)); // polling the API; bounded by the deadline
        }
        long convergeMs = System.currentTimeMillis() - c0;
        List<String> dead = new ArrayList<>();
        for (String name : HaControlPlane.servicesDir(o.dataDir()).toFile().list()) {
            if (!name.endsWith(".pid")) continue;
            String n = name.substring(0, name.length() - 4);
            long pid = Processes.readPid(HaControlPlane.servicesDir(o.dataDir()).resolve(name));
            if (!killed.contains(n) && !Processes.alive(pid)) dead.add(n);
        }
        return new Result(up, upMs, acked.size(), client.failures.get(), lost, notRunning, convergeMs, faults, dead);
    }

    /**
     * {@code berth up --ha} as its own process (what a user runs), ports from {@code b} as in the class
     * comment, with {@code more} arguments (the node's name, settings); its output.
     */
    public static String up(Path dir, int b, List<String> more) throws Exception {
        return up(dir, b, more, line -> { });
    }

    /** {@link #up(Path, int, List)}, each line of its output also to {@code progress} as it comes. */
    public static String up(Path dir, int b, List<String> more, java.util.function.Consumer<String> progress) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Processes.javaBin(), "-Xmx256m", "-XX:+UseSerialGC", "-cp", classpath(),
                Berth.class.getName(), "up", "--ha", "--data-dir", dir.toString(), "--kafka-port", "" + b, "--controller-port", "" + (b + 3),
                "--registry-port", "" + (b + 10), "--gateway-port", "" + (b + 20), "--ready-timeout", "900"));
        cmd.addAll(more);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.append(line).append('\n');
                progress.accept(line);
            }
        }
        if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IllegalStateException("berth up --ha failed:\n" + out);
        return out.toString();
    }

    /** {@code berth <args>} as its own process: {@code "exit <code>\n"} followed by its output. */
    public static String berth(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Processes.javaBin(), "-Xmx128m", "-XX:+UseSerialGC", "-cp", classpath(), Berth.class.getName()));
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return "exit timeout\n" + out;
            }
            return "exit " + p.exitValue() + "\n" + out;
        } catch (Exception e) {
            return "exit error\n" + e;
        }
    }

    /** The full classpath (under surefire, java.class.path can be a manifest-only jar). */
    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** Stops what {@code berth up --ha} started in {@code dir} (berth down), then SIGKILLs any recorded pid still alive. */
    public static void cleanup(Path dir) {
        try {
            HaControlPlane.stop(dir, 20_000);
        } catch (Exception e) {
            System.err.println("ha-check: berth down: " + e);
        }
        List<Path> pidFiles = new ArrayList<>();
        try (var s = Files.walk(dir, 3)) {
            s.filter(f -> f.getFileName().toString().endsWith(".pid")).forEach(pidFiles::add);
        } catch (Exception ignored) {
            // no dir
        }
        for (Path f : pidFiles) {
            long pid = Processes.readPid(f);
            if (pid > 0) ProcessHandle.of(pid).filter(h -> h.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false))
                    .ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    static void await(long timeoutMs, BooleanSupplier done, java.util.function.Supplier<String> what) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("timed out after " + timeoutMs / 1000 + " s waiting for " + what.get());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // polling; bounded by the deadline
        }
    }

    /** Names of the Deployments in namespace default. */
    static Set<String> deployments(Gateway gw) {
        Set<String> out = new HashSet<>();
        for (JsonNode d : gw.get("/apis/apps/v1/namespaces/default/deployments").path("items")) out.add(d.path("metadata").path("name").asText());
        return out;
    }

    /** The {@code app} labels of the Running pods in namespace default. */
    static Set<String> running(Gateway gw) {
        Set<String> out = new HashSet<>();
        try {
            for (JsonNode p : gw.get("/api/v1/namespaces/default/pods").path("items")) {
                if ("Running".equals(p.path("status").path("phase").asText())) out.add(p.path("metadata").path("labels").path("app").asText());
            }
        } catch (Gateway.ApiException e) {
            // not answering right now: nothing seen Running
        }
        return out;
    }

    /** Applies {@code ha-N} (one replica) every {@value #APPLY_EVERY_MS} ms; a name is recorded once a gateway answered 2xx. */
    static final class Client implements Runnable {
        private final Gateway gw;
        final List<String> acked = Collections.synchronizedList(new ArrayList<>());
        private final List<Long> ackTimes = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger failures = new AtomicInteger();
        volatile String lastError = "none";
        volatile boolean stop;

        Client(Gateway gw) {
            this.gw = gw;
        }

        @Override
        public void run() {
            int seq = 0;
            while (!stop) {
                long t = System.nanoTime();
                String name = "ha-" + seq;
                try {
                    gw.call("POST", "/apis/berth.io/v1/apply?namespace=default", manifest(name), "application/yaml");
                    acked.add(name);
                    ackTimes.add(System.currentTimeMillis());
                    seq++;
                } catch (RuntimeException e) {
                    failures.incrementAndGet(); // not acknowledged: the same name is applied again (apply is idempotent)
                    lastError = e.getMessage();
                }
                long next = t + TimeUnit.MILLISECONDS.toNanos(APPLY_EVERY_MS);
                while (!stop && System.nanoTime() < next) LockSupport.parkNanos(next - System.nanoTime()); // the client's pace
            }
        }

        /** The longest time without an acknowledgement between {@code from} and {@code to} (ms since the epoch). */
        long longestGap(long from, long to) {
            List<Long> times;
            synchronized (ackTimes) {
                times = new ArrayList<>(ackTimes);
            }
            long prev = from, gap = 0;
            for (long t : times) {
                if (t < from) {
                    prev = Math.max(prev, from);
                    continue;
                }
                if (t > to) break;
                gap = Math.max(gap, t - prev);
                prev = t;
            }
            return gap;
        }

        static String manifest(String name) {
            return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: " + name
                    + "}\n  template:\n    metadata:\n      labels: {app: " + name + "}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n";
        }
    }

    /** Deletes a directory tree, best effort. */
    public static final class TestDirs {
        private TestDirs() {}

        public static void delete(Path p) {
            try (var s = Files.walk(p)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (Exception ignored) {
                // best effort
            }
        }
    }
}
