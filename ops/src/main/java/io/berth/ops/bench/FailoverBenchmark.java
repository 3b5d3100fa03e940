package io.berth.ops.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.berth.node.docker.DockerRuntime;
import io.berth.node.docker.Labels;
import io.berth.ops.bench.report.BenchReport;
import io.berth.ops.chaos.Faults;
import io.berth.ops.chaos.TaskSampler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ops/bench failover}: how long a Deployment is short of pods when the node running it loses its
 * network, on the real Docker engine with Berth's default timings (issue 13: "failover of a lost node ≤ 5 s
 * p99, and never declare a healthy node dead on a busy 2-core machine").
 *
 * <p>{@code berth up -d --no-node} and two node daemons ({@code berth node start -d}) on this engine; a
 * Deployment of R {@code sleep} pods. Each round cuts the network of the node that runs the Deployment
 * ({@code $CHAOS_NETCUT_CMD}, {@code ops/lib/netcut}: what the daemon's sockets send is dropped, loopback
 * included; its containers and Docker socket are untouched), and measures from the cut:
 * <ul>
 *   <li><b>fenced</b>: none of the cut node's containers of the Deployment runs any more (its lease expired
 *       and it killed them itself);</li>
 *   <li><b>whole</b>: R containers of the Deployment run on the other node (placed, created and started
 *       there) — the failover time.</li>
 * </ul>
 * Then the network comes back, the node is Ready again, and the next round cuts the other node, which now
 * runs every pod. The cut is the moment the node is lost, as a user counts a failover; it falls up to one
 * heartbeat interval after the node's last heartbeat, so "from the cut" is a lower bound of "from the last
 * heartbeat" (by at most that interval). A {@link TaskSampler} reads {@code docker ps} every
 * 100 ms throughout: a task that runs twice is reported. Every "lease expired" of the node that was not cut
 * is a healthy node that fenced itself, counted. {@code load=N} runs N busy loops for the whole run (a busy
 * machine). Everything is stopped at the end, on failure and on Ctrl-C (networks restored first).
 *
 * <pre>ops/bench failover [rounds=20] [replicas=6] [load=0] [roundTimeoutSeconds=120]</pre>
 */
public final class FailoverBenchmark {
    static final String NAME = "failover";
    static final String KEY = "default/deployment/" + NAME;

    private final BenchReport report = new BenchReport("failover");
    private final String runId = "fob" + Long.toString(System.currentTimeMillis() / 1000 % 100_000_000L, 36);
    private final LocalBerth berth = new LocalBerth(report, runId);
    private final DockerClient docker = DockerRuntime.connect("unix:///var/run/docker.sock", 4);
    private final Faults.NetCut netCut = Faults.NetCut.fromEnvironment();
    private final List<Process> busy = new ArrayList<>();
    private final Set<String> cut = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Every replacement of every round: ms from its round's cut until the engine created it, and until it started. */
    private final List<Long> taskCreated = new ArrayList<>(), taskStarted = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int replicas = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        int load = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        long roundTimeoutMs = (args.length > 3 ? Long.parseLong(args[3]) : 120) * 1000;
        FailoverBenchmark b = new FailoverBenchmark();
        if (b.netCut == null) {
            System.err.println("failover: needs $CHAOS_NETCUT_CMD (ops/bench sets it to ops/lib/netcut; root, iptables, the net_cls cgroup)");
            System.exit(2);
        }
        Thread hook = new Thread(b::cleanUp, "failover-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        int rc = 0;
        try {
            b.run(rounds, replicas, load, roundTimeoutMs);
        } catch (Exception e) {
            b.report.progress("failed: %s", e);
            rc = 1;
        } finally {
            b.cleanUp();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        System.exit(rc);
    }

    /** One round: ms from the cut until the cut node ran none of the Deployment, and until R ran on the other; -1 when not reached. */
    record Round(String cutNode, long fencedMs, long wholeMs, int healthyFences, double load) {}

    void run(int rounds, int replicas, int load, long roundTimeoutMs) throws Exception {
        report.parameter("rounds", rounds).parameter("replicas", replicas).parameter("busy loops", load)
                .parameter("round deadline", roundTimeoutMs / 1000 + " s").parameter("run id", runId)
                .parameter("timings", "Berth's defaults (node lease 2 s, grace 3 s, kill margin 1 s)")
                .parameter("control-plane settings (-Dbench.set)", System.getProperty("bench.set", "").isBlank() ? "defaults" : System.getProperty("bench.set"));
        for (int i = 0; i < load; i++) {
            busy.add(new ProcessBuilder("sh", "-c", "while :; do :; done").redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        engineBaseline(replicas, 5);
        berth.up();
        berth.ensureNodes(2);
        List<String> nodes = berth.nodes();
        TaskSampler sampler = new TaskSampler(docker, Set.copyOf(nodes), 100);
        Thread samplerThread = new Thread(sampler, "failover-sampler");
        samplerThread.setDaemon(true);
        samplerThread.start();
        List<Round> done = new ArrayList<>();
        try {
            report.progress("apply deployment %s with %d replicas", NAME, replicas);
            berth.call("POST", "/apis/berth.io/v1/apply", RealDockerBenchmark.deployment(NAME, replicas), "application/yaml");
            await("the Deployment running", roundTimeoutMs, () -> total(running()) == replicas);
            for (int round = 1; round <= rounds; round++) {
                Map<String, Integer> on = running();
                // cut the node that runs most of it; the first round may find it spread over both
                String victim = on.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
                String other = nodes.get(0).equals(victim) ? nodes.get(1) : nodes.get(0);
                long otherLog = size(berth.nodeLog(other));
                cut.add(victim);
                long t0 = System.currentTimeMillis();
                netCut.cut(victim, berth.pid(victim));
                long fenced = -1, whole = -1;
                long deadline = t0 + roundTimeoutMs;
                while (System.currentTimeMillis() < deadline && (fenced < 0 || whole < 0)) {
                    Map<String, Integer> now = running();
                    long at = System.currentTimeMillis() - t0;
                    if (fenced < 0 && now.getOrDefault(victim, 0) == 0) fenced = at;
                    if (whole < 0 && now.getOrDefault(other, 0) == replicas) whole = at;
                    Thread.sleep(50); // sampling interval: one docker ps per sample
                }
                netCut.restore(victim, berth.pid(victim));
                cut.remove(victim);
                int healthyFences = count(read(berth.nodeLog(other), otherLog), "lease expired");
                String breakdown = whole < 0 ? "" : breakdown(other, t0);
                double loadAvg = BenchReport.load();
                Round r = new Round(victim, fenced, whole, healthyFences, loadAvg);
                done.add(r);
                report.progress("round %d/%d: cut %s: fenced after %s, whole on %s after %s%s; load %.1f; %s", round, rounds, victim,
                        ms(fenced), other, ms(whole), healthyFences > 0 ? "; the healthy node fenced itself " + healthyFences + "×" : "", loadAvg, breakdown);
                report.point("failover", "whole again", "round", "ms after the cut", round, whole);
                report.point("failover", "cut node fenced", "round", "ms after the cut", round, fenced);
                if (whole < 0) {
                    report.progress("round %d did not finish within %d s: %s", round, roundTimeoutMs / 1000, running());
                    break;
                }
                // the cut node comes back: Ready again before the next round cuts the other one
                berth.awaitReady(victim, roundTimeoutMs);
            }
        } finally {
            sampler.stop();
            samplerThread.join(5_000);
            figures(done, rounds, replicas, sampler);
            String md = report.write(BenchReport.resultsDir().resolve("failover"));
            System.out.println();
            System.out.println(md);
        }
    }

    private void figures(List<Round> done, int rounds, int replicas, TaskSampler sampler) {
        List<Long> whole = done.stream().filter(r -> r.wholeMs() >= 0).map(Round::wholeMs).sorted().toList();
        List<Long> fenced = done.stream().filter(r -> r.fencedMs() >= 0).map(Round::fencedMs).toList();
        report.parameter("rounds completed", whole.size() + " of " + rounds);
        if (!whole.isEmpty()) {
            report.figure("cut → Deployment whole again on the other node, p50", SimScenario.percentile(whole, 50) / 1000.0, "s", "");
            report.figure("cut → Deployment whole again on the other node, p99", SimScenario.percentile(whole, 99) / 1000.0, "s", "≤ 5 s");
            report.figure("cut → Deployment whole again, worst", whole.get(whole.size() - 1) / 1000.0, "s", "");
        }
        if (!fenced.isEmpty()) {
            report.figure("cut → none running on the cut node (fenced), p50", SimScenario.percentile(fenced, 50) / 1000.0, "s", "");
            report.figure("cut → none running on the cut node (fenced), p99", SimScenario.percentile(fenced, 99) / 1000.0, "s", "");
        }
        if (!taskStarted.isEmpty()) {
            List<Long> st = taskStarted, cr = taskCreated;
            report.figure("per task: cut → its replacement started elsewhere, p50", SimScenario.percentile(st, 50) / 1000.0, "s", "");
            report.figure("per task: cut → its replacement started elsewhere, p99", SimScenario.percentile(st, 99) / 1000.0, "s", "≤ 5 s");
            report.figure("per task: cut → its replacement created (control plane done), p50", SimScenario.percentile(cr, 50) / 1000.0, "s", "");
            report.figure("per task: cut → its replacement created (control plane done), p99", SimScenario.percentile(cr, 99) / 1000.0, "s", "");
            report.parameter("tasks replaced", st.size());
        }
        report.figure("healthy node fenced itself", done.stream().mapToInt(Round::healthyFences).sum(), "times", "0");
        report.figure("task ids seen running twice", sampler.duplicates().size(), "tasks", "0");
        report.parameter("sampler", sampler.samples() + " samples of docker ps, " + sampler.failedSamples() + " failed, slowest " + sampler.slowestMs() + " ms");
        report.parameter("load average per round", done.stream().map(r -> String.format(Locale.ROOT, "%.1f", r.load())).toList());
        report.parameter("replicas", replicas);
    }

    /**
     * The engine's own share, for comparison: {@code docker run -d --init} of R containers of the same image at once
     * (what a node does for R replacements: create and start each), {@code times} times; the median wall time.
     */
    private void engineBaseline(int replicas, int times) throws Exception {
        List<Long> walls = new ArrayList<>();
        String label = "berth.bench=" + runId;
        try {
            for (int t = 0; t < times; t++) {
                long t0 = System.currentTimeMillis();
                List<Process> runs = new ArrayList<>();
                for (int i = 0; i < replicas; i++) {
                    runs.add(new ProcessBuilder("docker", "run", "-d", "--init", "--label", label, RealDockerBenchmark.IMAGE, "sleep", "3600")
                            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
                }
                for (Process p : runs) {
                    if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("docker run failed");
                }
                walls.add(System.currentTimeMillis() - t0);
                RealDockerBenchmark.removeByLabel(report, label);
            }
        } finally {
            RealDockerBenchmark.removeByLabel(report, label);
        }
        report.progress("engine alone: docker run -d of %d containers at once: %s ms", replicas, walls);
        report.figure("engine alone: docker run -d --init of " + replicas + " containers at once, median of " + times, SimScenario.percentile(walls, 50) / 1000.0, "s", "");
    }

    /**
     * Where a round's time went: the first and last container of the Deployment created and started on
     * {@code node} after the cut (the engine's own timestamps, ms after the cut): before the first create the
     * time is the lease, the grace and the control plane; after it, the node and the engine.
     */
    private String breakdown(String node, long cutAt) {
        try {
            List<Long> created = new ArrayList<>(), started = new ArrayList<>();
            for (Container c : docker.listContainersCmd().withLabelFilter(Map.of(Labels.WORKLOAD, KEY, Labels.NODE, node)).exec()) {
                var inspect = docker.inspectContainerCmd(c.getId()).exec();
                long cr = java.time.Instant.parse(inspect.getCreated()).toEpochMilli() - cutAt;
                if (cr < 0) continue; // ran there before the cut
                created.add(cr);
                String st = inspect.getState().getStartedAt();
                if (st != null && !st.startsWith("0001-")) started.add(java.time.Instant.parse(st).toEpochMilli() - cutAt);
            }
            if (created.size() == started.size()) { // only whole rounds count per task
                taskCreated.addAll(created);
                taskStarted.addAll(started);
            }
            if (created.isEmpty()) return "no new container";
            return String.format(Locale.ROOT, "created %s–%s s, started %s–%s s after the cut",
                    sec(java.util.Collections.min(created)), sec(java.util.Collections.max(created)),
                    started.isEmpty() ? "–" : sec(java.util.Collections.min(started)), started.isEmpty() ? "–" : sec(java.util.Collections.max(started)));
        } catch (RuntimeException e) {
            return "no breakdown: " + e.getMessage();
        }
    }

    private static String sec(long ms) {
        return String.format(Locale.ROOT, "%.2f", ms / 1000.0);
    }

    /** Running containers of the Deployment per node, from the engine. */
    private Map<String, Integer> running() {
        Map<String, Integer> on = new HashMap<>();
        List<String> ours = berth.nodes();
        for (Container c : docker.listContainersCmd().withLabelFilter(Map.of(Labels.WORKLOAD, KEY)).withStatusFilter(List.of("running")).exec()) {
            Map<String, String> l = c.getLabels() == null ? Map.of() : c.getLabels();
            if (!"infra".equals(l.get(Labels.ROLE)) && ours.contains(l.get(Labels.NODE))) on.merge(l.get(Labels.NODE), 1, Integer::sum);
        }
        return on;
    }

    private static int total(Map<String, Integer> on) {
        return on.values().stream().mapToInt(Integer::intValue).sum();
    }

    private void await(String what, long timeoutMs, java.util.function.BooleanSupplier ok) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!ok.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException(what + ": not within " + timeoutMs / 1000 + " s");
            Thread.sleep(100); // polling interval
        }
    }

    private static String ms(long ms) {
        return ms < 0 ? "–" : String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (Exception e) {
            return 0;
        }
    }

    private static String read(Path p, long from) {
        try {
            byte[] all = Files.readAllBytes(p);
            return new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from), java.nio.charset.StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "";
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }

    private synchronized void cleanUp() {
        for (String node : new HashSet<>(cut)) {
            try {
                netCut.restore(node, berth.pid(node));
            } catch (Exception e) {
                report.progress("restore %s: %s", node, e.getMessage());
            }
        }
        cut.clear();
        for (Process p : busy) p.destroyForcibly();
        busy.clear();
        RealDockerBenchmark.removeByLabel(report, "berth.bench=" + runId);
        berth.down();
        try {
            docker.close();
        } catch (Exception ignored) {
            // closing
        }
    }
}
