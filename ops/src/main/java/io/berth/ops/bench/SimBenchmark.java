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

/**
 * {@code ops/bench sim}: placement throughput, failover at scale and memory, on simulated nodes.
 * The control plane (embedded broker, registry, state-streams, scheduler, gateway: {@link SimControlPlane})
 * runs as a separate process so its RSS can be read; this JVM runs the {@link SimCluster} nodes and
 * the measurements. Figures come from the nodes' own status reports (their timestamps, one machine's clock).
 * <pre>SimBenchmark [nodes=1000] [deployments=100] [replicas=1000] [killPercent=10] [startDelay=200ms] [timeoutSeconds=900] [controlPlaneXmx=1g]</pre>
 */
public final class SimBenchmark {
    public static void main(String[] args) throws Exception {
        int nodes = Placement.arg(args, 0, 1000), deployments = Placement.arg(args, 1, 100), replicas = Placement.arg(args, 2, 1000), killPercent = Placement.arg(args, 3, 10);
        String startDelay = args.length > 4 ? args[4] : "200ms";
        int timeoutS = Placement.arg(args, 5, 900);
        String cpXmx = args.length > 6 ? args[6] : "1g";
        int total = deployments * replicas;
        // the node grace (control plane) and with it the nodes' lease (grace − 1 s): -Dsim.nodeGraceMs=5000 gives a
        // simulated node 4 s to get a heartbeat acknowledged before it fences itself (below: "fences")
        long graceMs = Long.getLong("sim.nodeGraceMs", io.berth.schemas.service.NodeLease.DEFAULT_GRACE_MS), heartbeatMs = 1000;
        // room for the killed nodes' tasks on the survivors: at Kubernetes' default 110 pods per node, 100 tasks per node
        // fill 1,000 nodes to 91 % and the 900 left after the kill hold only 99,000 (a run once stopped at exactly that)
        int maxPods = Math.max(io.berth.node.NodeSettings.DEFAULT_MAX_PODS, (int) Math.ceil(2.0 * total / nodes));
        BenchReport report = new BenchReport("sim").parameter("nodes", nodes).parameter("deployments", deployments)
                .parameter("replicas", replicas).parameter("tasks", total).parameter("kill", killPercent + " %")
                .parameter("start delay", startDelay).parameter("node grace", graceMs + " ms").parameter("node lag grace", "10000 ms").parameter("heartbeat", heartbeatMs + " ms").parameter("max pods per node", maxPods)
                .parameter("control plane heap", "-Xmx" + cpXmx);
        // the control plane's collector and other JVM flags (-Dsim.controlPlaneJvm="-XX:+UseSerialGC -XX:StartFlightRecording=…"):
        // every pause of its JVM stalls the broker, state-streams and the gateway at once, i.e. every simulated node's
        // heartbeat acknowledgements
        List<String> cpJvm = List.of(System.getProperty("sim.controlPlaneJvm", String.join(" ", io.berth.ops.Processes.SERVICE_GC)).trim().split("\\s+"));
        report.parameter("control plane JVM flags", String.join(" ", cpJvm));
        Path gcLog = BenchReport.resultsDir().resolve("sim").resolve("control-plane-gc.log");
        Files.createDirectories(gcLog.getParent());
        Path dir = Files.createTempDirectory("berth-bench-sim");
        Process cp = null;
        Thread stopOnExit = null;
        try {
            int kafkaPort = EmbeddedKafka.freePort("127.0.0.1"), registryPort = EmbeddedKafka.freePort("127.0.0.1"),
                    gatewayPort = EmbeddedKafka.freePort("127.0.0.1");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + cpXmx, "-Xlog:gc:file=" + gcLog + ":uptime,time"));
            cmd.addAll(cpJvm);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SimControlPlane.class.getName(),
                    dir.resolve("cp").toString(), "" + kafkaPort, "" + registryPort, "" + gatewayPort,
                    "node-grace-ms=" + graceMs, "node-lag-grace-ms=10000", "replication-factor=1"));
            // e.g. -Dsim.controlPlane="node-status-refresh-ms=1 node-lag-grace-ms=3000": a view per heartbeat, no lag grace (as before leases)
            String extraSettings = System.getProperty("sim.controlPlane", "").trim();
            if (!extraSettings.isEmpty()) {
                cmd.addAll(List.of(extraSettings.split("\\s+")));
                report.parameter("control plane settings", extraSettings);
            }
            report.progress("starting the control plane (separate process) …");
            cp = new ProcessBuilder(cmd).redirectError(dir.resolve("control-plane.log").toFile()).start();
            // Ctrl-C or SIGTERM of this JVM skips the finally below: the control plane (it stops when its stdin
            // closes, but only once it is up) is stopped by pid then, also while it is still starting
            Process started = cp;
            stopOnExit = new Thread(() -> {
                try { // what was measured so far (the finally below does not run on a signal)
                    report.progress("stopped by a signal: writing what was measured so far");
                    gcPauses(report, gcLog);
                    report.write(BenchReport.resultsDir().resolve("sim"));
                } catch (Exception e) {
                    System.err.println("no report: " + e);
                }
                started.destroy();
                try {
                    if (!started.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) started.destroyForcibly();
                } catch (InterruptedException e) {
                    started.destroyForcibly();
                }
                Placement.deleteTree(dir.toFile()); // its broker's data and the simulated nodes' directories
            }, "sim-control-plane-stop");
            Runtime.getRuntime().addShutdownHook(stopOnExit);
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
                    .with("max-pods", "" + maxPods).with("node-grace-ms", "" + graceMs)
                    .with("sim-publishers", System.getProperty("sim.publishers", "1")).with("sim-start-delay", startDelay)
                    // every simulated node signs its records with its key, as a daemon does (one HMAC per record)
                    .with(io.berth.schemas.auth.ClusterSecret.CONFIG_KEY, dir.resolve("cp").resolve(io.berth.schemas.auth.ClusterSecret.FILE_NAME).toString());
            try (SimScenario sim = new SimScenario(cfg, new CachedSchemaRegistryClient(ready[2], java.time.Duration.ofSeconds(30),
                    "Bearer " + io.berth.ops.kubectl.Kubeconfig.token(dir.resolve("cp").resolve("kubeconfig")).orElseThrow()), true)) {
                long n0 = System.nanoTime();
                sim.cluster().start("sim-", nodes);
                report.progress("%d simulated nodes registered in %.1f s", nodes, (System.nanoTime() - n0) / 1e9);
                Thread.sleep(2 * heartbeatMs); // every node has heartbeated: the scheduler sees them all ready

                // ---- placement throughput ----
                Placement.Result placed = Placement.measure(report, sim, "sim", deployments, replicas, timeoutS, "running", "Running tasks",
                        () -> ", control plane RSS " + mib(rss(cpPid)));
                report.figure("time until all " + String.format(Locale.ROOT, "%,d", total) + " tasks Running", placed.allRunningS(), "s", "≤ 20 s");
                report.figure("placements/s (tasks Running / that time)", placed.perSecond(), "/s", "≥ 5,000/s (100,000 in 20 s)");
                report.figure("intent→Running p50", placed.p50S(), "s", null);
                report.figure("intent→Running p99", placed.p99S(), "s", null);
                report.figure("simulated nodes that fenced themselves during placement (lease " + (graceMs - 1000) + " ms)", fencedNodes(sim), "nodes", "0");
                long cpRss = rss(cpPid);
                report.figure("control plane RSS at " + String.format(Locale.ROOT, "%,d", total) + " tasks (broker included)", cpRss / 1024.0 / 1024, "MiB", "≤ 1,536 MiB");
                report.figure("simulated nodes' JVM RSS (not part of the goal)", rss(ProcessHandle.current().pid()) / 1024.0 / 1024, "MiB", null);
                Map<String, List<String>> truth = sim.cluster().running();
                long multi = truth.values().stream().filter(l -> l.size() > 1).count();
                report.progress("ground truth: %d tasks run on the nodes, %d on more than one", truth.size(), multi);

                // ---- steady state: what heartbeats cost the views (counted at the end by record time: state-streams may lag) ----
                int windowS = 20;
                long windowFrom = System.currentTimeMillis();
                long beats0 = sim.endOffsets(io.berth.schemas.Topics.NODE_EVENTS);
                Thread.sleep(windowS * 1000L); // a measuring window, not a wait for a condition
                long windowTo = System.currentTimeMillis();
                long beats1 = sim.endOffsets(io.berth.schemas.Topics.NODE_EVENTS);
                int falseBefore = sim.notReadyAt().size();
                report.figure("nodes declared NotReady before the kill (all alive: false)", falseBefore, "nodes", "0");

                // ---- steady state before the kill: the failover measures the control plane keeping up, not it catching up ----
                // Right after a placement state-streams is still reading its statuses and, meanwhile, every node's heartbeats
                // (1,000 a second here); a kill then waits for that backlog, not for the failover path. So the kill waits (up to
                // the deadline) until state-streams is within ~2 s of heartbeats and 1,000 task statuses, and the
                // time that took is a figure of its own; -Dsim.killAtOnce=true kills right away, as the runs before 2026-12-05 did.
                if (!Boolean.getBoolean("sim.killAtOnce")) {
                    long c0 = System.nanoTime();
                    long settledHeartbeats = 2L * nodes * 1000 / heartbeatMs;
                    boolean caughtUp;
                    List<Map<String, Long>> lag = new ArrayList<>(List.of(Map.of()));  // the latest reading (the check reads first)
                    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", ready[1]))) {
                        caughtUp = Placement.await(report, timeoutS, () -> {
                            lag.set(0, stateStreamsLag(admin));
                            // the inputs a failover waits on; repartition topics are left out (records of aborted transactions
                            // are skipped without a commit past them, so their lag can stay put although nothing is left to read)
                            return !lag.get(0).isEmpty() && lag.get(0).getOrDefault(io.berth.schemas.Topics.NODE_EVENTS.name(), 0L) <= settledHeartbeats
                                    && lag.get(0).getOrDefault(io.berth.schemas.Topics.TASK_STATUS.name(), 0L) <= 1000;
                        }, () -> "state-streams records not yet read " + lag.get(0), false);
                    }
                    if (caughtUp) report.figure("state-streams caught up (≤ " + settledHeartbeats + " node events, ≤ 1000 statuses behind), after the window",
                            (System.nanoTime() - c0) / 1e9, "s", null);
                    else lag.get(0).forEach((topic, l) -> report.figure("state-streams records not yet read before the kill: " + topic, l, "records", null));
                }

                // ---- failover at scale ----
                List<String> ids = new ArrayList<>(sim.cluster().nodes().keySet());
                List<String> victims = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) if (i % Math.max(1, 100 / Math.max(1, killPercent)) == 0) victims.add(ids.get(i));
                int lost = (int) truth.values().stream().filter(l -> victims.contains(l.get(0))).count();
                long killAt = System.currentTimeMillis();
                sim.cluster().kill(victims);
                long lastHb = victims.stream().mapToLong(v -> sim.lastHeartbeats().getOrDefault(v, killAt)).max().orElse(killAt);
                report.progress("killed %d nodes running %d tasks; their last heartbeat %d ms before the kill", victims.size(), lost, killAt - lastHb);
                boolean done = Placement.await(report, timeoutS, () -> {
                    int r = sim.runningOnLiveNodes();
                    report.point("failover", "Running on live nodes", "seconds since the kill", "tasks Running", (System.currentTimeMillis() - killAt) / 1000.0, r);
                    return r >= total;
                }, () -> "Running on live nodes " + sim.runningOnLiveNodes() + " / " + total, false);
                if (!done) {
                    report.figure(new BenchReport.Figure("failover: not complete, tasks Running on live nodes at the deadline",
                            sim.runningOnLiveNodes(), "tasks", "all " + total + " within 5 s", null, null, timeoutS + " s after the kill"));
                    // where it stops: how far state-streams is behind its inputs (records not yet read, per topic)
                    stateStreamsLag(ready[1]).forEach((topic, lag) ->
                            report.figure("state-streams records not yet read at the deadline: " + topic, lag, "records", null));
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
                long falseAfter = sim.notReadyAt().entrySet().stream()
                        .filter(e -> alive.contains(e.getKey()) && e.getValue().stream().anyMatch(t -> t >= killAt)).count();
                long victimsNotReady = sim.notReadyAt().entrySet().stream()
                        .filter(e -> victims.contains(e.getKey()) && e.getValue().stream().anyMatch(t -> t >= killAt)).count();
                report.figure("failover: killed nodes declared NotReady", victimsNotReady, "nodes", victims.size() + "");
                report.figure("failover: live nodes declared NotReady after the kill (false)", falseAfter, "nodes", "0");
                // were the live nodes' heartbeats late (the simulating JVM starved), or did the control plane misjudge them?
                Map<String, List<long[]>> gaps = sim.heartbeatGaps(1500);
                long lateNodes = gaps.entrySet().stream().filter(e -> alive.contains(e.getKey()))
                        .filter(e -> e.getValue().stream().anyMatch(g -> g[1] > graceMs - heartbeatMs)).count();
                long maxGap = gaps.entrySet().stream().filter(e -> alive.contains(e.getKey()))
                        .flatMap(e -> e.getValue().stream()).mapToLong(g -> g[1]).max().orElse(0);
                report.figure("live nodes with a heartbeat gap > " + (graceMs - heartbeatMs) + " ms in the run (record times)", lateNodes, "nodes", "0");
                report.figure("largest heartbeat gap of a live node (record times)", maxGap / 1000.0, "s", "< grace");
                sim.notReadyWhy().entrySet().stream().filter(e -> alive.contains(e.getKey())).sorted(Map.Entry.comparingByKey())
                        .forEach(e -> report.progress("live node %s declared NotReady: %s; its heartbeat gaps > 1.5 s: %s", e.getKey(), e.getValue(),
                                gaps.getOrDefault(e.getKey(), List.of()).stream().map(g -> g[1] + " ms at " + g[0]).toList()));
                report.figure("of which node grace period", graceMs / 1000.0, "s", null);
                report.figure("simulated nodes that fenced themselves in the whole run", fencedNodes(sim), "nodes", "0");
                report.figure("control plane RSS after failover", rss(cpPid) / 1024.0 / 1024, "MiB", "≤ 1,536 MiB");
                report.figure("berth.state.nodes records/s stamped in a " + windowS + " s window of " + nodes + " nodes heartbeating, nothing else changing",
                        sim.nodeViewsStamped(windowFrom, windowTo) / (double) windowS, "/s", null);
                report.figure("berth.node-events records/s in that window", (beats1 - beats0) / (double) windowS, "/s", null);
            }
        } finally {
            if (cp != null) {
                cp.getOutputStream().close(); // stdin closed: it stops
                if (!cp.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) cp.destroyForcibly();
            }
            if (stopOnExit != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopOnExit);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway; the process is gone
                }
            }
            gcPauses(report, gcLog);
            String md = report.write(BenchReport.resultsDir().resolve("sim"));
            System.out.println(md);
            try { // kept for a look at what the control plane said (the data directory goes)
                Files.copy(dir.resolve("control-plane.log"), Path.of(System.getProperty("java.io.tmpdir"), "berth-bench-sim-control-plane.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (Exception ignored) {
                // no log
            }
            Placement.deleteTree(dir.toFile());
        }
    }

    /** state-streams' consumer lag per input topic (end offset − committed offset, summed over partitions). */
    static Map<String, Long> stateStreamsLag(String bootstrap) {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            return stateStreamsLag(admin);
        }
    }

    /** {@link #stateStreamsLag(String)} through an admin client the caller keeps (an empty map when it cannot be read). */
    static Map<String, Long> stateStreamsLag(org.apache.kafka.clients.admin.Admin admin) {
        Map<String, Long> byTopic = new java.util.TreeMap<>();
        try {
            var committed = admin.listConsumerGroupOffsets(io.berth.state.StateStreamsTopology.APPLICATION_ID).partitionsToOffsetAndMetadata().get(30, java.util.concurrent.TimeUnit.SECONDS);
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(tp -> latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
            committed.forEach((tp, om) -> { if (om != null) byTopic.merge(tp.topic(), ends.get(tp).offset() - om.offset(), Long::sum); });
        } catch (Exception e) {
            System.err.println("state-streams lag not read: " + e);
        }
        return byTopic;
    }

    /** Nodes whose lease ran out at least once (each such fence killed all of the node's containers). */
    private static long fencedNodes(SimScenario sim) {
        return sim.cluster().nodes().values().stream().filter(n -> n.fences() > 0).count();
    }

    private static final java.util.regex.Pattern PAUSE = java.util.regex.Pattern.compile("Pause .* ([0-9.]+)ms$");

    /** The control plane's stop-the-world pauses from its {@code -Xlog:gc} file: longest, how many ≥ 1 s, in all. */
    static void gcPauses(BenchReport report, Path gcLog) {
        List<Double> pauses = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(gcLog)) {
                java.util.regex.Matcher m = PAUSE.matcher(l.trim());
                if (m.find()) pauses.add(Double.parseDouble(m.group(1)));
            }
        } catch (Exception e) {
            report.progress("no GC log of the control plane: %s", e);
            return;
        }
        report.figure("control plane GC pauses", pauses.size(), "pauses", null);
        report.figure("control plane GC: longest pause", pauses.stream().mapToDouble(d -> d).max().orElse(0) / 1000.0, "s", "< node lease − heartbeat");
        report.figure("control plane GC: pauses ≥ 1 s", pauses.stream().filter(d -> d >= 1000).count(), "pauses", "0");
        report.figure("control plane GC: paused in all", pauses.stream().mapToDouble(d -> d).sum() / 1000.0, "s", null);
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
}
