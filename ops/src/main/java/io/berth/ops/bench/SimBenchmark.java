package io.berth.ops.bench;

import io.berth.node.sim.SimCluster;
import io.berth.ops.bench.report.BenchReport;
import io.berth.ops.kafka.EmbeddedKafka;
import io.berth.registry.client.CachedSchemaRegistryClient;
import io.berth.schemas.service.BerthConfig;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import java.util.function.BooleanSupplier;

/**
 * {@code ops/bench sim}: placement throughput, failover at scale and memory, on simulated nodes.
 * The control plane (embedded broker, registry, state-streams, scheduler, gateway: {@link SimControlPlane})
 * runs as a separate process so its RSS can be read; this JVM runs the {@link SimCluster} nodes and
 * the measurements. Figures come from the nodes' own status reports (their timestamps, one machine's clock).
 * <pre>SimBenchmark [nodes=1000] [deployments=100] [replicas=1000] [killPercent=10] [startDelay=200ms] [timeoutSeconds=900] [controlPlaneXmx=1g]</pre>
 */
public final class SimBenchmark {
    public static void main(String[] args) throws Exception {
        int nodes = arg(args, 0, 1000), deployments = arg(args, 1, 100), replicas = arg(args, 2, 1000), killPercent = arg(args, 3, 10);
        String startDelay = args.length > 4 ? args[4] : "200ms";
        int timeoutS = arg(args, 5, 900);
        String cpXmx = args.length > 6 ? args[6] : "1g";
        int total = deployments * replicas;
        long graceMs = 3000, heartbeatMs = 1000;
        BenchReport report = new BenchReport("sim").parameter("nodes", nodes).parameter("deployments", deployments)
                .parameter("replicas", replicas).parameter("tasks", total).parameter("kill", killPercent + " %")
                .parameter("start delay", startDelay).parameter("node grace", graceMs + " ms").parameter("heartbeat", heartbeatMs + " ms")
                .parameter("control plane heap", "-Xmx" + cpXmx);
        Path dir = Files.createTempDirectory("berth-bench-sim");
        Process cp = null;
        try {
            int kafkaPort = EmbeddedKafka.freePort("127.0.0.1"), registryPort = EmbeddedKafka.freePort("127.0.0.1"),
                    gatewayPort = EmbeddedKafka.freePort("127.0.0.1");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + cpXmx, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), SimControlPlane.class.getName(),
                    dir.resolve("cp").toString(), "" + kafkaPort, "" + registryPort, "" + gatewayPort,
                    "node-grace-ms=" + graceMs, "replication-factor=1"));
            report.progress("starting the control plane (separate process) …");
            cp = new ProcessBuilder(cmd).redirectError(dir.resolve("control-plane.log").toFile()).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(cp.getInputStream(), StandardCharsets.UTF_8));
            String line;
            String[] ready = null;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("READY ")) {
                    ready = line.split(" ");
                    break;
                }
            }
            if (ready == null) {
                List<String> log = Files.readAllLines(dir.resolve("control-plane.log"));
                throw new IllegalStateException("control plane did not start:\n" + String.join("\n", log.subList(Math.max(0, log.size() - 30), log.size())));
            }
            long cpPid = cp.pid();
            System.err.println("control-plane-pid " + cpPid);
            report.progress("control plane pid %d ready: %s, registry %s; RSS %s", cpPid, ready[1], ready[2], mib(rss(cpPid)));

            BerthConfig cfg = BerthConfig.of(ready[1], ready[2], dir.resolve("nodes"))
                    .with("heartbeat-ms", "" + heartbeatMs).with("node-cpu-millis", "64000").with("node-memory-bytes", String.valueOf(256L << 30))
                    .with("sim-start-delay", startDelay);
            try (SimScenario sim = new SimScenario(cfg, new CachedSchemaRegistryClient(ready[2], java.time.Duration.ofSeconds(30),
                    "Bearer " + io.berth.ops.kubectl.Kubeconfig.token(dir.resolve("cp").resolve("kubeconfig")).orElseThrow()), true)) {
                long n0 = System.nanoTime();
                sim.cluster().start("sim-", nodes);
                report.progress("%d simulated nodes registered in %.1f s", nodes, (System.nanoTime() - n0) / 1e9);
                Thread.sleep(2 * heartbeatMs); // every node has heartbeated: the scheduler sees them all ready

                // ---- placement throughput ----
                long t0 = sim.apply("sim", deployments, replicas);
                await(report, timeoutS, () -> {
                    int r = sim.runningOnLiveNodes();
                    double s = (System.currentTimeMillis() - t0) / 1000.0;
                    report.point("running", "Running tasks", "seconds since the Deployments were applied", "tasks Running", s, r);
                    return r >= total;
                }, () -> "Running " + sim.runningOnLiveNodes() + " / " + total + ", control plane RSS " + mib(rss(cpPid)), true);
                List<Long> latencies = new ArrayList<>();
                long last = 0;
                for (SimScenario.Task t : sim.tasks().values()) {
                    if (!SimScenario.isRunning(t.state)) continue;
                    Long at = sim.intentAt(t.workload);
                    if (at != null) latencies.add(t.runningAt - at);
                    last = Math.max(last, t.runningAt);
                }
                double allRunningS = (last - t0) / 1000.0;
                report.figure("time until all " + String.format(Locale.ROOT, "%,d", total) + " tasks Running", allRunningS, "s", "≤ 20 s");
                report.figure("placements/s (tasks Running / that time)", total / allRunningS, "/s", "≥ 5,000/s (100,000 in 20 s)");
                report.figure("intent→Running p50", SimScenario.percentile(latencies, 50) / 1000.0, "s", null);
                report.figure("intent→Running p99", SimScenario.percentile(latencies, 99) / 1000.0, "s", null);
                long cpRss = rss(cpPid);
                report.figure("control plane RSS at " + String.format(Locale.ROOT, "%,d", total) + " tasks (broker included)", cpRss / 1024.0 / 1024, "MiB", "≤ 1,536 MiB");
                report.figure("simulated nodes' JVM RSS (not part of the goal)", rss(ProcessHandle.current().pid()) / 1024.0 / 1024, "MiB", null);
                Map<String, List<String>> truth = sim.cluster().running();
                long multi = truth.values().stream().filter(l -> l.size() > 1).count();
                report.progress("ground truth: %d tasks run on the nodes, %d on more than one", truth.size(), multi);

                // ---- failover at scale ----
                List<String> ids = new ArrayList<>(sim.cluster().nodes().keySet());
                List<String> victims = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) if (i % Math.max(1, 100 / Math.max(1, killPercent)) == 0) victims.add(ids.get(i));
                int lost = (int) truth.values().stream().filter(l -> victims.contains(l.get(0))).count();
                long killAt = System.currentTimeMillis();
                sim.cluster().kill(victims);
                long lastHb = victims.stream().mapToLong(v -> sim.lastHeartbeats().getOrDefault(v, killAt)).max().orElse(killAt);
                report.progress("killed %d nodes running %d tasks; their last heartbeat %d ms before the kill", victims.size(), lost, killAt - lastHb);
                boolean done = await(report, timeoutS, () -> {
                    int r = sim.runningOnLiveNodes();
                    report.point("failover", "Running on live nodes", "seconds since the kill", "tasks Running", (System.currentTimeMillis() - killAt) / 1000.0, r);
                    return r >= total;
                }, () -> "Running on live nodes " + sim.runningOnLiveNodes() + " / " + total, false);
                if (!done) {
                    report.figure(new BenchReport.Figure("failover: not complete, tasks Running on live nodes at the deadline",
                            sim.runningOnLiveNodes(), "tasks", "all " + total + " within 5 s", null, null, timeoutS + " s after the kill"));
                }
                Set<String> alive = new HashSet<>(ids);
                alive.removeAll(victims);
                List<Long> failover = new ArrayList<>();
                for (SimScenario.Task t : sim.tasks().values()) {
                    if (SimScenario.isRunning(t.state) && alive.contains(t.node) && t.runningAt >= killAt) failover.add(t.runningAt - lastHb);
                }
                report.figure("failover: tasks moved", failover.size(), "tasks", null);
                if (done && !failover.isEmpty()) {
                    report.figure("failover p50 (last heartbeat → Running elsewhere)", SimScenario.percentile(failover, 50) / 1000.0, "s", null);
                    report.figure("failover p99 (last heartbeat → Running elsewhere)", SimScenario.percentile(failover, 99) / 1000.0, "s", "≤ 5 s");
                }
                report.figure("failover: tasks the killed nodes ran", lost, "tasks", null);
                report.figure("of which node grace period", graceMs / 1000.0, "s", null);
                report.figure("control plane RSS after failover", rss(cpPid) / 1024.0 / 1024, "MiB", "≤ 1,536 MiB");
            }
        } finally {
            if (cp != null) {
                cp.getOutputStream().close(); // stdin closed: it stops
                if (!cp.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) cp.destroyForcibly();
            }
            String md = report.write(BenchReport.resultsDir().resolve("sim"));
            System.out.println(md);
            try { // kept for a look at what the control plane said (the data directory goes)
                Files.copy(dir.resolve("control-plane.log"), Path.of(System.getProperty("java.io.tmpdir"), "berth-bench-sim-control-plane.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (Exception ignored) {
                // no log
            }
            deleteTree(dir.toFile());
        }
    }

    /** Waits for {@code done}, printing progress; at the deadline throws ({@code fail}) or returns false. */
    private static boolean await(BenchReport report, int timeoutS, BooleanSupplier done, java.util.function.Supplier<String> progress,
                                 boolean fail) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutS * 1_000_000_000L;
        long nextPrint = 0;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > nextPrint) {
                report.progress("%s", progress.get());
                nextPrint = System.nanoTime() + 2_000_000_000L;
            }
            if (System.nanoTime() > deadline) {
                if (fail) throw new IllegalStateException("timed out: " + progress.get());
                report.progress("deadline passed: %s", progress.get());
                return false;
            }
            Thread.sleep(250);
        }
        return true;
    }

    /** VmRSS of a process in bytes (Linux /proc), -1 when unreadable. */
    static long rss(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "?" : bytes / 1024 / 1024 + " MiB";
    }

    private static int arg(String[] args, int i, int dflt) {
        return args.length > i ? Integer.parseInt(args[i]) : dflt;
    }

    private static void deleteTree(File f) {
        File[] kids = f.listFiles();
        if (kids != null) for (File k : kids) deleteTree(k);
        f.delete();
    }
}
