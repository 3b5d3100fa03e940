package io.berth.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.berth.node.docker.ContainerRequest;
import io.berth.ops.bench.report.BenchReport;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Resources;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * {@code ops/bench real-docker}: N replicas of one local image ({@code berth/busybox:latest sleep 3600})
 * on one Docker engine, then N → 2N, measured three ways in one run: Berth (a real cluster started with
 * the CLI as a user does, a Deployment applied and scaled through the gateway, the clock stopped when
 * {@code GET pods} shows every pod in phase Running), raw docker-java create+start of the same
 * containers (built by Berth's own {@link ContainerRequest}, so image, command, labels, init and restart
 * flags are identical; the engine's limit) and Docker Swarm ({@code docker service create --replicas N},
 * then {@code docker service scale}). A second Berth node daemon joins on the same engine when 2N is
 * more than 110 (the per-node pod count Kubernetes defaults to).
 *
 * <p>Every phase has a deadline: a run that stalls is reported as {@code did not finish: k/N Running
 * after T s}, not waited for. Everything it starts carries the run's id (containers: label
 * {@code berth.bench=<id>} or {@code berth.node=<id>-…}; the swarm service; Berth processes by pid) and
 * is removed at the end, on failure and on Ctrl-C. Swarm is initialised only when the engine is in no
 * swarm, and left afterwards.
 *
 * <pre>ops/bench real-docker [sizes=50,110] [phaseTimeoutSeconds=300] [systems=raw,swarm,berth] [rawConcurrency=8]</pre>
 */
public final class RealDockerBenchmark {
    static final String IMAGE = "berth/busybox:latest";
    static final List<String> COMMAND = List.of("sleep", "3600");
    /** Pods per node, as Kubernetes' default {@code --max-pods}: beyond it a second node daemon joins. */
    static final int PODS_PER_NODE = 110;

    /** How one phase ended: seconds until {@code reached == target}, or the deadline with fewer. */
    record Phase(double seconds, int reached, int target, boolean finished) {
        String note() {
            return finished ? null : String.format(Locale.ROOT, "did not finish: %d/%d Running after %.0f s", reached, target, seconds);
        }
    }

    private final BenchReport report = new BenchReport("real-docker");
    private final String runId = "rdb" + Long.toString(System.currentTimeMillis() / 1000 % 100_000_000L, 36);
    private final long timeoutMs;
    private final int rawConcurrency;
    private final DockerClient docker;

    // what to clean up
    private volatile boolean swarmInitialised;
    private volatile String swarmService;
    private final LocalBerth berth = new LocalBerth(report, runId);

    RealDockerBenchmark(long timeoutMs, int rawConcurrency) {
        this.timeoutMs = timeoutMs;
        this.rawConcurrency = rawConcurrency;
        DefaultDockerClientConfig cfg = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost("unix:///var/run/docker.sock").build();
        this.docker = DockerClientImpl.getInstance(cfg, new ApacheDockerHttpClient.Builder().dockerHost(cfg.getDockerHost())
                .maxConnections(Math.max(8, rawConcurrency * 2)).connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(120)).build());
    }

    public static void main(String[] args) throws Exception {
        io.berth.schemas.AvroTrust.ensure(); // the raw containers are built from Avro assignments
        List<Integer> sizes = Arrays.stream((args.length > 0 ? args[0] : "50,110").split(",")).map(String::trim).map(Integer::parseInt).sorted().toList();
        long timeout = args.length > 1 ? Long.parseLong(args[1]) : 300;
        Set<String> systems = new LinkedHashSet<>(List.of((args.length > 2 ? args[2] : "raw,swarm,berth").split(",")));
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        RealDockerBenchmark b = new RealDockerBenchmark(timeout * 1000, concurrency);
        Thread hook = new Thread(b::cleanUp, "real-docker-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            b.run(sizes, systems);
        } finally {
            b.cleanUp();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        System.exit(0);
    }

    void run(List<Integer> sizes, Set<String> systems) throws Exception {
        report.parameter("image", IMAGE + " " + String.join(" ", COMMAND)).parameter("sizes", sizes)
                .parameter("phase deadline", timeoutMs / 1000 + " s").parameter("raw concurrency", rawConcurrency)
                .parameter("run id", runId);
        report.progress("run %s: sizes %s, systems %s", runId, sizes, systems);
        Map<String, Phase> results = new LinkedHashMap<>();
        try {
            for (int n : sizes) {
                if (systems.contains("raw")) {
                    results.put("raw " + n + " up", raw(n, 0, "up"));
                    results.put("raw " + n + " scale", raw(n, n, "scale"));
                    removeByLabel("berth.bench=" + runId);
                }
                if (systems.contains("swarm")) {
                    Phase[] s = swarm(n);
                    results.put("swarm " + n + " up", s[0]);
                    results.put("swarm " + n + " scale", s[1]);
                }
                if (systems.contains("berth")) {
                    Phase[] s = berth(n);
                    results.put("berth " + n + " up", s[0]);
                    results.put("berth " + n + " scale", s[1]);
                }
            }
        } finally {
            figures(sizes, results);
            String md = report.write(BenchReport.resultsDir().resolve("real-docker"));
            System.out.println();
            System.out.println(md);
        }
    }

    private void figures(List<Integer> sizes, Map<String, Phase> results) {
        for (int n : sizes) {
            for (String phase : List.of("up", "scale")) {
                String what = phase.equals("up") ? "0 → " + n + " Running" : n + " → " + 2 * n + " Running";
                Phase b = results.get("berth " + n + " " + phase);
                Phase r = results.get("raw " + n + " " + phase);
                Phase s = results.get("swarm " + n + " " + phase);
                if (b == null && results.containsKey("berth " + n + " " + phase)) {
                    report.figure(new BenchReport.Figure("Berth " + what, Double.NaN, "s", null, null, null, "not run: the phase before did not finish"));
                } else if (b != null) {
                    report.figure(new BenchReport.Figure("Berth " + what + " vs raw", b.seconds(), "s", "ratio ≤ 1.1",
                            r == null ? null : "raw docker-java create+start ×" + rawConcurrency, r == null ? null : r.seconds(), notes(b, r)));
                    report.figure(new BenchReport.Figure("Berth " + what + " vs Swarm", b.seconds(), "s", "ratio ≤ 0.9",
                            s == null ? null : "Docker Swarm", s == null ? null : s.seconds(), notes(b, s)));
                }
                if (b == null) {
                    if (r != null) report.figure(new BenchReport.Figure("raw " + what, r.seconds(), "s", null, null, null, r.note()));
                    if (s != null) report.figure(new BenchReport.Figure("Swarm " + what, s.seconds(), "s", null, null, null, s.note()));
                }
            }
        }
    }

    private static String notes(Phase mine, Phase peer) {
        List<String> n = new ArrayList<>();
        if (mine.note() != null) n.add(mine.note());
        if (peer != null && peer.note() != null) n.add("peer " + peer.note());
        return n.isEmpty() ? null : String.join("; ", n);
    }

    // ---- raw docker-java ---------------------------------------------------------------------------

    /** Creates and starts {@code count} containers (numbered from {@code from}) with {@code rawConcurrency} threads. */
    private Phase raw(int count, int from, String phase) throws Exception {
        String chart = "N" + (phase.equals("up") ? count : from) + "-" + phase;
        String node = runId + "-raw";
        AtomicInteger running = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(rawConcurrency);
        report.progress("raw: create+start %d containers (%d → %d), %d at a time", count, from, from + count, rawConcurrency);
        long t0 = System.nanoTime();
        for (int i = from; i < from + count; i++) {
            int k = i;
            pool.submit(() -> {
                try {
                    Assignment a = assignment("raw-" + k, node);
                    CreateContainerCmd cmd = ContainerRequest.build(docker, a, node);
                    Map<String, String> labels = new LinkedHashMap<>(cmd.getLabels());
                    labels.put("berth.bench", runId);
                    String id = cmd.withLabels(labels).exec().getId();
                    docker.startContainerCmd(id).exec();
                    running.incrementAndGet();
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                    report.progress("raw: %s", e.toString());
                }
            });
        }
        pool.shutdown();
        Phase p = await("raw", chart, count, t0, () -> failed.get() > 0 ? -1 : running.get());
        pool.shutdownNow();
        return p;
    }

    /** A one-container pod like the Deployment's, for {@link ContainerRequest} to build. */
    static Assignment assignment(String taskId, String node) {
        return Assignment.newBuilder().setTaskId(taskId).setNodeId(node).setWorkloadKey("default/deployment/bench")
                .setNamespace("default").setPodName(taskId)
                .setTemplate(PodTemplate.newBuilder().setContainers(List.of(ContainerSpec.newBuilder().setName("sleep")
                        .setImage(IMAGE).setCommand(COMMAND).build())).build())
                .setRequests(Resources.newBuilder().build()).setAssignedAt(0L).build();
    }

    // ---- Docker Swarm ------------------------------------------------------------------------------

    private Phase[] swarm(int n) throws Exception {
        String state = sh(30, "docker", "info", "--format", "{{.Swarm.LocalNodeState}}").strip();
        if (state.equals("inactive")) {
            report.progress("swarm: docker swarm init");
            sh(60, "docker", "swarm", "init", "--advertise-addr", "127.0.0.1");
            swarmInitialised = true;
        } else {
            report.progress("swarm: the engine is already in a swarm (%s): using it, not leaving it", state);
        }
        String svc = runId + "-" + n;
        swarmService = svc;
        try {
            report.progress("swarm: service create --replicas %d", n);
            long t0 = System.nanoTime();
            sh(60, "docker", "service", "create", "--detach", "--quiet", "--name", svc, "--replicas", String.valueOf(n),
                    "--no-resolve-image", "--init", "--label", "berth.bench=" + runId, "--container-label", "berth.bench=" + runId,
                    IMAGE, COMMAND.get(0), COMMAND.get(1));
            Phase up = await("swarm", "N" + n + "-up", n, t0, () -> swarmRunning(svc));
            Phase scale = null; // not run when N never ran
            if (up.finished()) {
                report.progress("swarm: service scale %s=%d", svc, 2 * n);
                long t1 = System.nanoTime();
                sh(60, "docker", "service", "scale", "--detach", svc + "=" + 2 * n);
                scale = await("swarm", "N" + n + "-scale", 2 * n, t1, () -> swarmRunning(svc));
            }
            return new Phase[]{up, scale};
        } finally {
            removeSwarmService();
            leaveSwarm();
        }
    }

    /** Running tasks from {@code docker service ls}: "37/50". */
    private int swarmRunning(String svc) {
        try {
            String r = sh(30, "docker", "service", "ls", "--filter", "name=" + svc, "--format", "{{.Replicas}}").strip();
            int slash = r.indexOf('/');
            return slash < 0 ? 0 : Integer.parseInt(r.substring(0, slash).trim());
        } catch (Exception e) {
            return 0;
        }
    }

    private void removeSwarmService() {
        String svc = swarmService;
        if (svc == null) return;
        try {
            sh(60, "docker", "service", "rm", svc);
        } catch (Exception e) {
            report.progress("swarm: service rm %s: %s", svc, e.getMessage());
        }
        swarmService = null;
        removeByLabel("berth.bench=" + runId); // the service's containers go asynchronously: wait for them
    }

    private void leaveSwarm() {
        if (!swarmInitialised) return;
        try {
            sh(60, "docker", "swarm", "leave", "--force");
            swarmInitialised = false;
            report.progress("swarm: left");
        } catch (Exception e) {
            report.progress("swarm: leave failed: %s", e.getMessage());
        }
    }

    // ---- Berth -------------------------------------------------------------------------------------

    private Phase[] berth(int n) throws Exception {
        if (!berth.started()) berth.up();
        berth.ensureNodes(1);
        String name = "bench" + n;
        report.progress("berth: apply deployment %s with %d replicas", name, n);
        seen.clear();
        long wall0 = System.currentTimeMillis();
        long t0 = System.nanoTime();
        berth.call("POST", "/apis/berth.io/v1/apply", deployment(name, n), "application/yaml");
        Phase up = await("berth", "N" + n + "-up", n, t0, () -> berthRunning(name, t0));
        breakdown("N" + n + "-up", wall0, t0, Set.of());
        Phase scale = null; // not run when N never ran
        if (up.finished()) {
            berth.ensureNodes((2 * n + PODS_PER_NODE - 1) / PODS_PER_NODE);
            report.progress("berth: scale deployment %s to %d", name, 2 * n);
            Set<String> before = Set.copyOf(seen.keySet());
            seen.clear();
            long wall1 = System.currentTimeMillis();
            long t1 = System.nanoTime();
            berth.call("PUT", "/apis/apps/v1/namespaces/default/deployments/" + name + "/scale",
                    "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"Scale\",\"spec\":{\"replicas\":" + 2 * n + "}}", "application/json");
            scale = await("berth", "N" + n + "-scale", 2 * n, t1, () -> berthRunning(name, t1));
            breakdown("N" + n + "-scale", wall1, t1, before);
        }
        report.progress("berth: delete deployment %s", name);
        try {
            berth.call("DELETE", "/apis/apps/v1/namespaces/default/deployments/" + name, null, null);
        } catch (Exception e) {
            report.progress("berth: delete failed: %s", e.getMessage());
        }
        for (String node : berth.nodes()) removeByLabel("berth.node=" + node);
        return new Phase[]{up, scale};
    }

    /**
     * Where a Berth phase's time went, for the pods new in it: when the last one was listed by the gateway
     * (placed), when the engine created and started the last container (docker inspect), and when the
     * last was Running in the API. Printed and kept as parameters of the run.
     */
    private void breakdown(String phase, long wall0, long t0, Set<String> before) {
        try {
            List<Double> listed = new ArrayList<>();
            List<Double> running = new ArrayList<>();
            seen.forEach((pod, t) -> {
                if (before.contains(pod)) return;
                listed.add(t[0]);
                if (!Double.isNaN(t[1])) running.add(t[1]);
            });
            List<Double> created = new ArrayList<>();
            List<Double> started = new ArrayList<>();
            for (String node : berth.nodes()) {
                String ids = sh(30, "docker", "ps", "-aq", "--no-trunc", "--filter", "label=berth.node=" + node).strip();
                if (ids.isEmpty()) continue;
                List<String> cmd = new ArrayList<>(List.of("docker", "inspect", "--format", "{{.Created}}|{{.State.StartedAt}}|{{index .Config.Labels \"berth.pod\"}}"));
                cmd.addAll(List.of(ids.split("\\s+")));
                for (String line : sh(60, cmd.toArray(String[]::new)).split("\n")) {
                    String[] f = line.strip().split("\\|");
                    if (f.length < 3 || before.contains(f[2])) continue;
                    created.add((java.time.Instant.parse(f[0]).toEpochMilli() - wall0) / 1000.0);
                    if (!f[1].startsWith("0001-")) started.add((java.time.Instant.parse(f[1]).toEpochMilli() - wall0) / 1000.0); // never started
                }
            }
            String b = String.format(Locale.ROOT, "first/last pod listed %s, container created %s, started %s, Running in the API %s (s after the request)",
                    range(listed), range(created), range(started), range(running));
            report.progress("berth %s: %s", phase, b);
            report.parameter("Berth " + phase + " breakdown", b);
        } catch (Exception e) {
            report.progress("berth %s: no breakdown: %s", phase, e.getMessage());
        }
    }

    private static String range(List<Double> xs) {
        if (xs.isEmpty()) return "–";
        return String.format(Locale.ROOT, "%.1f/%.1f", Collections.min(xs), Collections.max(xs));
    }

    static String deployment(String name, int replicas) {
        return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\nspec:\n  replicas: " + replicas
                + "\n  selector:\n    matchLabels:\n      app: " + name + "\n  template:\n    metadata:\n      labels:\n        app: " + name
                + "\n    spec:\n      containers:\n      - name: sleep\n        image: " + IMAGE + "\n        command: [\"" + String.join("\", \"", COMMAND) + "\"]\n";
    }

    /** Pod name → [seconds when first listed, seconds when first Running (NaN before)], of the current phase. */
    private final Map<String, double[]> seen = new ConcurrentHashMap<>();

    private int berthRunning(String deployment, long t0) {
        try {
            JsonNode pods = berth.call("GET", "/api/v1/namespaces/default/pods", null, null).path("items");
            double s = (System.nanoTime() - t0) / 1e9;
            int running = 0;
            for (JsonNode p : pods) {
                String pod = p.path("metadata").path("name").asText();
                if (!pod.startsWith(deployment + "-")) continue;
                double[] times = seen.computeIfAbsent(pod, k -> new double[]{s, Double.NaN});
                if (p.path("status").path("phase").asText().equals("Running")) {
                    running++;
                    if (Double.isNaN(times[1])) times[1] = s;
                }
            }
            return running;
        } catch (Exception e) {
            return 0;
        }
    }

    // ---- common ------------------------------------------------------------------------------------

    /**
     * Samples {@code running} until it reaches {@code target} or the phase deadline, adding each sample to
     * the phase's chart; a negative sample means the phase failed (reported as not finished).
     */
    private Phase await(String system, String chart, int target, long t0, IntSupplier running) throws InterruptedException {
        long deadline = t0 + timeoutMs * 1_000_000L;
        int last = -1;
        long lastProgress = 0;
        while (true) {
            int r = running.getAsInt();
            long now = System.nanoTime();
            double s = (now - t0) / 1e9;
            if (r >= 0) report.point(chart, system, "seconds since the request", "Running", s, r);
            if (r != last || now - lastProgress > 5_000_000_000L) {
                report.progress("%s %s: %d/%d Running after %.1f s", system, chart, Math.max(r, 0), target, s);
                last = r;
                lastProgress = now;
            }
            if (r >= target) return new Phase(s, r, target, true);
            if (r < 0 || now > deadline) return new Phase(s, Math.max(r, 0), target, false);
            Thread.sleep(100); // sampling interval: each sample is one cheap local call
        }
    }

    private void removeByLabel(String label) {
        removeByLabel(report, label);
    }

    /** Removes every container with the label and waits until none is left (120 s at most). */
    static void removeByLabel(BenchReport report, String label) {
        long deadline = System.currentTimeMillis() + 120_000;
        try {
            while (System.currentTimeMillis() < deadline) {
                String ids = sh(60, "docker", "ps", "-aq", "--filter", "label=" + label).strip();
                if (ids.isEmpty()) return;
                List<String> cmd = new ArrayList<>(List.of("docker", "rm", "-f"));
                cmd.addAll(List.of(ids.split("\\s+")));
                try {
                    sh(120, cmd.toArray(String[]::new));
                } catch (Exception e) {
                    Thread.sleep(500); // another remover (a stopping daemon, swarm) is at it: look again
                }
            }
            report.progress("containers with %s still there after 120 s", label);
        } catch (Exception e) {
            report.progress("removing containers %s: %s", label, e.getMessage());
        }
    }

    private synchronized void cleanUp() {
        removeSwarmService();
        leaveSwarm();
        berth.down();
        removeByLabel("berth.bench=" + runId);
    }

    static String sh(long timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        return run(new ProcessBuilder(cmd), timeoutSeconds, String.join(" ", cmd));
    }

    /** Runs a command to its end (killed after the timeout) and returns its output (stdout and stderr); a non-zero exit throws. */
    static String run(ProcessBuilder pb, long timeoutSeconds, String what) throws IOException, InterruptedException {
        Process p = pb.redirectErrorStream(true).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(what + ": no answer in " + timeoutSeconds + " s");
        }
        String o;
        try {
            o = out.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            o = "";
        }
        if (p.exitValue() != 0) throw new IOException(what + " exited " + p.exitValue() + ": " + o.strip());
        return o;
    }
}
