package io.berth.ops.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.berth.node.docker.DockerRuntime;
import io.berth.node.docker.Labels;
import io.berth.ops.AdminCredential;
import io.berth.ops.BerthState;
import io.berth.ops.HaCheck;
import io.berth.ops.HaControlPlane;
import io.berth.ops.ServiceProcesses;
import io.berth.ops.chaos.FaultPlan.Action;
import io.berth.ops.chaos.FaultPlan.Fault;
import io.berth.ops.chaos.Verdict.Seen;
import io.berth.ops.chaos.Verdict.Spec;
import io.berth.ops.kubectl.Gateway;
import io.berth.ops.kubectl.Kubeconfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One chaos run: {@code berth up --ha} plus node daemons on the real Docker engine, API clients applying,
 * scaling, rolling out and deleting through the gateways, and the seeded {@link FaultPlan} injected
 * meanwhile; then the checks of {@link ChaosResult}. Stops every process it started (by pid) and removes
 * its nodes' containers (by label), also on failure and on Ctrl-C.
 */
public final class ChaosRun {
    /**
     * @param nodes              node daemons (real Docker), at least 1
     * @param durationMs         the fault phase ends when this is up, even if faults of the plan are left
     * @param maxImpaired        processes impaired at the same time at most (always one per redundancy group)
     * @param convergeTimeoutMs  how long to wait for convergence after the last fault healed
     */
    public record Options(Path dataDir, int basePort, int nodes, int clients, int workloadsPerClient, long seed, int faults,
                          long durationMs, Set<Action> actions, FaultPlan.Timing timing, int maxImpaired, long convergeTimeoutMs,
                          PrintStream progress) {
        public Options {
            if (nodes < 1 || nodes > 9) throw new IllegalArgumentException("nodes: 1 to 9, was " + nodes);
            if (clients < 1) throw new IllegalArgumentException("clients: at least 1, was " + clients);
            if (workloadsPerClient < 1) throw new IllegalArgumentException("workloads: at least 1 per client, was " + workloadsPerClient);
            if (maxImpaired < 1) throw new IllegalArgumentException("max-impaired: at least 1, was " + maxImpaired);
        }

        public String nodeName(int i) {
            return "chaos" + basePort + "-n" + i;
        }
    }

    private static final long READY_MS = 300_000;
    private static final long IN_SYNC_MS = 120_000;
    private static final int RESTARTS = 3;

    private final Options o;
    private final long t0 = System.currentTimeMillis();
    private final Map<String, Supervised> procs = new LinkedHashMap<>();
    private final Set<String> impaired = new HashSet<>();
    private final Set<String> dead = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Faults.NetCut netCut = Faults.NetCut.fromEnvironment();
    private String bootstrap;

    private ChaosRun(Options o) {
        this.o = o;
    }

    /** Runs the whole thing in {@code o.dataDir()}. */
    public static ChaosResult run(Options o) throws Exception {
        if (o.actions().contains(Action.NETCUT) && Faults.NetCut.fromEnvironment() == null) {
            throw new IllegalArgumentException("actions: netcut needs a hook, $CHAOS_NETCUT_CMD (called as: CMD cut|restore NODE PID)");
        }
        ChaosRun r = new ChaosRun(o);
        Thread hook = new Thread(r::cleanup, "chaos-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return r.runStarted();
        } finally {
            r.cleanup();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook runs (and cleans up) anyway
            }
        }
    }

    private ChaosResult runStarted() throws Exception {
        ChaosResult.Builder res = new ChaosResult.Builder(o, ChaosResult.machineNow());
        List<String> nodeNames = new ArrayList<>();
        for (int i = 1; i <= o.nodes(); i++) nodeNames.add(o.nodeName(i));
        try (DockerClient docker = DockerRuntime.connect("unix:///var/run/docker.sock")) {
            tagImage(docker);
            say("berth up --ha with node " + nodeNames.get(0) + " (real Docker) …");
            long upAt = System.currentTimeMillis();
            String up = HaCheck.up(o.dataDir(), o.basePort(), List.of("--node-name", nodeNames.get(0)), line -> say("  " + line.strip()));
            res.upMs = System.currentTimeMillis() - upAt;
            say("up in " + res.upMs / 1000 + " s");
            BerthState st = BerthState.read(o.dataDir()).orElseThrow(() -> new IllegalStateException("berth up --ha wrote no berth.json:\n" + up));
            bootstrap = st.bootstrapServers();
            supervise(nodeNames);
            String token = Kubeconfig.token(AdminCredential.kubeconfig(o.dataDir())).orElseThrow();
            List<String> urls = st.gatewayUrls();
            List<String> reversed = new ArrayList<>(urls);
            Collections.reverse(reversed);
            Gateway gw = new Gateway(urls, Duration.ofSeconds(15), token, null);
            await(READY_MS, () -> readyNodes(gw).containsAll(nodeNames), () -> "nodes " + nodeNames + " Ready (Ready now: " + readyNodes(gw) + ")");

            List<Fault> plan = FaultPlan.plan(o.seed(), o.faults(), List.copyOf(procs.keySet()), o.actions(), o.timing());
            say("fault schedule of seed " + o.seed() + " (" + plan.size() + " faults):");
            plan.forEach(f -> say("  " + f.describe()));
            res.plan = plan;

            Ledger ledger = new Ledger();
            TaskSampler sampler = new TaskSampler(docker, new HashSet<>(nodeNames), 100);
            Thread samplerThread = start("chaos-sampler", sampler);
            List<ChaosClient> clients = new ArrayList<>();
            List<Thread> clientThreads = new ArrayList<>();
            for (int c = 1; c <= o.clients(); c++) {
                List<Gateway> gws = List.of(new Gateway(c % 2 == 0 ? reversed : urls, Duration.ofSeconds(15), token, null),
                        new Gateway(c % 2 == 0 ? urls : reversed, Duration.ofSeconds(15), token, null));
                ChaosClient client = new ChaosClient(c, gws, ledger, o.seed(), o.workloadsPerClient(), 120_000);
                clients.add(client);
                clientThreads.add(start("chaos-client-" + c, client));
            }
            try {
                await(READY_MS, () -> ledger.acks() >= o.clients(), () -> "the first intents to be acknowledged (" + ledger.acks() + "; last error "
                        + clients.get(0).lastError + ")");
                res.faults = inject(plan, ledger, sampler);
            } finally {
                clients.forEach(ChaosClient::stop);
                for (Thread t : clientThreads) t.join(180_000);
            }
            res.lastHealAt = res.faults.stream().mapToLong(f -> f.healedAt).max().orElse(System.currentTimeMillis());
            say(String.format("clients stopped: %d intents acknowledged; waiting for convergence …", ledger.acks()));
            converge(res, gw, ledger, sampler);
            res.lost = Verdict.lost(ledger.snapshot(), deployments(gw));
            res.unhealthy = health(st, gw, nodeNames);
            sampler.stop();
            samplerThread.join(10_000);
            res.duplicates = sampler.duplicates();
            res.duplicateSamples = sampler.duplicateSamples();
            res.samples = sampler.samples();
            res.failedSamples = sampler.failedSamples();
            res.slowestSampleMs = sampler.slowestMs();
            res.acks = ledger.acks();
            for (ChaosClient c : clients) {
                c.acked().forEach((op, n) -> res.ackedByOp.merge(op.name().toLowerCase(), n, Integer::sum));
                res.failedAttempts += c.failedAttempts.get();
                synchronized (c.gaveUp) {
                    res.gaveUp.addAll(c.gaveUp);
                }
            }
            return res.build();
        }
    }

    // ------------------------------------------------------------------ set-up

    /** The second image tag the rollouts switch to: the local test image under another name. */
    private static void tagImage(DockerClient docker) {
        try {
            docker.inspectImageCmd(ChaosClient.IMAGE_A).exec();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the test image " + ChaosClient.IMAGE_A + " is missing (ops/test builds it): " + e.getMessage());
        }
        String b = ChaosClient.IMAGE_B;
        docker.tagImageCmd(ChaosClient.IMAGE_A, b.substring(0, b.indexOf(':')), b.substring(b.indexOf(':') + 1)).exec();
    }

    /** Every process of the cluster, by name; the further node daemons started from node-1's command. */
    private void supervise(List<String> nodeNames) throws Exception {
        Path ha = HaControlPlane.servicesDir(o.dataDir());
        for (int i = 1; i <= HaControlPlane.BROKERS; i++) procs.put("broker-" + i, Supervised.broker(HaControlPlane.clusterDir(o.dataDir()), i));
        for (String name : ServiceProcesses.recorded(ha).keySet()) procs.put(name, Supervised.service(ha, name));
        Supervised node1 = procs.get("node-1");
        for (int i = 2; i <= o.nodes(); i++) {
            String name = "node-" + i;
            Supervised s = node1.sibling(name, List.of(new String[] {"/" + HaControlPlane.DIR + "/node-1", "/" + HaControlPlane.DIR + "/" + name},
                    new String[] {nodeNames.get(0), nodeNames.get(i - 1)}));
            procs.put(name, s);
            say(name + " (" + nodeNames.get(i - 1) + ") started, pid " + s.pid());
        }
        for (int i = 2; i <= o.nodes(); i++) procs.get("node-" + i).awaitReady(READY_MS);
        say("supervising " + procs.size() + " processes: " + procs.keySet());
    }

    // ------------------------------------------------------------------ faults

    private List<ChaosResult.FaultRecord> inject(List<Fault> plan, Ledger ledger, TaskSampler sampler) throws Exception {
        List<ChaosResult.FaultRecord> out = new ArrayList<>();
        ExecutorService healers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "chaos-healer");
            t.setDaemon(true);
            return t;
        });
        long end = System.currentTimeMillis() + o.durationMs(); // the fault phase, not the start-up
        try {
            for (Fault f : plan) {
                ChaosResult.FaultRecord rec = new ChaosResult.FaultRecord(f);
                out.add(rec);
                String group = FaultPlan.group(f.target());
                if (System.currentTimeMillis() > end) {
                    rec.note = "not injected: --duration is up";
                    continue;
                }
                boolean free = awaitQuietly(READY_MS + IN_SYNC_MS, () -> dead.contains(group) || canImpair(group));
                if (!free || dead.contains(group)) {
                    rec.note = "not injected: " + group + (free ? " did not come back from an earlier fault" : " still impaired");
                    say("#" + f.index() + " skipped: " + rec.note);
                    continue;
                }
                Supervised s = procs.get(f.target());
                rec.pid = s.pid();
                rec.injectedAt = System.currentTimeMillis();
                try {
                    switch (f.action()) {
                        case KILL -> s.kill9();
                        case STOP -> s.signal("STOP");
                        case NETCUT -> netCut.cut(nodeName(f.target()), s.pid());
                    }
                } catch (Exception e) {
                    rec.note = "not injected: " + e.getMessage();
                    say("#" + f.index() + " " + rec.note);
                    synchronized (this) {
                        impaired.remove(group);
                    }
                    continue;
                }
                rec.injected = true;
                say(String.format("#%d %s %s (pid %d) for %.1f s; %d intents acknowledged, %d duplicate task sightings so far",
                        f.index(), verb(f.action()), f.target(), rec.pid, f.holdMs() / 1000.0, ledger.acks(), sampler.duplicates().size()));
                healers.submit(() -> heal(f, s, rec, group));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(f.gapMs())); // the schedule's pause
            }
        } finally {
            healers.shutdown();
            if (!healers.awaitTermination(READY_MS + IN_SYNC_MS + 60_000, TimeUnit.MILLISECONDS)) say("healers still running after the last fault");
        }
        return out;
    }

    private synchronized boolean canImpair(String group) {
        if (impaired.contains(group) || impaired.size() >= o.maxImpaired()) return false;
        impaired.add(group);
        return true;
    }

    private void heal(Fault f, Supervised s, ChaosResult.FaultRecord rec, String group) {
        try {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(f.holdMs())); // the fault's duration
            switch (f.action()) {
                case KILL -> restartUntilReady(f, s, rec);
                case STOP -> s.signal("CONT");
                case NETCUT -> netCut.restore(nodeName(f.target()), s.pid());
            }
            if (group.equals("broker")) awaitInSync();
            rec.healedAt = System.currentTimeMillis();
            say(String.format("#%d %s back after %.1f s%s", f.index(), f.target(), (rec.healedAt - rec.injectedAt) / 1000.0,
                    f.action() == Action.KILL ? " (restarted as pid " + s.pid() + ")" : ""));
            synchronized (this) {
                impaired.remove(group);
            }
        } catch (Exception e) {
            rec.healedAt = System.currentTimeMillis();
            rec.note = (rec.note.isEmpty() ? "" : rec.note + "; ") + "did not come back: " + e.getMessage();
            say("#" + f.index() + " " + f.target() + " " + rec.note);
            synchronized (this) {
                dead.add(group);
                impaired.remove(group);
            }
        }
    }

    /**
     * Restarts a killed process as a supervisor does ({@code Restart=on-failure}): if it exits before it is
     * ready (e.g. a Streams app that gave up waiting for its rebalance), it is started again after a back-off,
     * up to {@value #RESTARTS} times; each such exit is kept in the fault's note.
     */
    private void restartUntilReady(Fault f, Supervised s, ChaosResult.FaultRecord rec) throws Exception {
        for (int attempt = 1; ; attempt++) {
            s.restart();
            try {
                s.awaitReady(READY_MS);
                return;
            } catch (IllegalStateException e) {
                if (s.alive() || attempt >= RESTARTS) throw e;
                String last = lastLine(e.getMessage());
                rec.note = (rec.note.isEmpty() ? "" : rec.note + "; ") + "restart " + attempt + " exited (" + last + ")";
                say("#" + f.index() + " " + f.target() + " exited before it was ready (" + last + "); restarting it again in 2 s");
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2)); // the supervisor's back-off
            }
        }
    }

    /** Why a process exited, from the end of its log: the last line naming a failure, else the last line. */
    static String lastLine(String message) {
        List<String> lines = message.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("at ")).toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).contains("failed") || lines.get(i).contains("Exception")) return lines.get(i);
        }
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /** Until every partition of every topic has all its replicas in sync again (a restarted broker caught up). */
    private void awaitInSync() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 5000, "default.api.timeout.ms", 10000))) {
            await(IN_SYNC_MS, () -> {
                try {
                    Set<String> topics = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true)).names().get();
                    for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
                        for (var p : d.partitions()) if (p.isr().size() < p.replicas().size()) return false;
                    }
                    return true;
                } catch (Exception e) {
                    return false;
                }
            }, () -> "every partition's replicas in sync");
        }
    }

    // ------------------------------------------------------------------ checks

    private void converge(ChaosResult.Builder res, Gateway gw, Ledger ledger, TaskSampler sampler) {
        long deadline = System.currentTimeMillis() + o.convergeTimeoutMs();
        List<String> why = List.of("not read yet");
        long nextReport = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (System.currentTimeMillis() > nextReport) {
                say("  not converged yet: " + why.subList(0, Math.min(4, why.size())) + (why.size() > 4 ? " and " + (why.size() - 4) + " more" : ""));
                nextReport += 10_000;
            }
            try {
                why = Verdict.notConverged(ledger.snapshot(), deployments(gw), sampler.runningPerWorkload());
                if (why.isEmpty()) {
                    res.convergedAt = System.currentTimeMillis();
                    break;
                }
            } catch (Gateway.ApiException e) {
                why = List.of("the API did not answer: " + e.getMessage());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250)); // polling; bounded by the deadline
        }
        res.notConverged = why;
        res.lastAckAt = ledger.lastAckAt();
        say(res.convergedAt > 0 ? String.format("converged %.1f s after the last fault healed", (res.convergedAt - res.lastHealAt) / 1000.0)
                : "NOT converged after " + o.convergeTimeoutMs() / 1000 + " s: " + why);
    }

    /** The Deployments of namespace default, by name. */
    static Map<String, Seen> deployments(Gateway gw) {
        Map<String, Seen> out = new HashMap<>();
        for (JsonNode d : gw.get("/apis/apps/v1/namespaces/default/deployments").path("items")) {
            JsonNode spec = d.path("spec"), c = spec.path("template").path("spec").path("containers").path(0), st = d.path("status");
            int rev = -1;
            for (JsonNode e : c.path("env")) if (e.path("name").asText().equals("CHAOS_REV")) rev = e.path("value").asInt(-1);
            out.put(d.path("metadata").path("name").asText(), new Seen(new Spec(spec.path("replicas").asInt(-1), c.path("image").asText(), rev),
                    st.path("replicas").asInt(0), st.path("readyReplicas").asInt(0), st.path("updatedReplicas").asInt(0)));
        }
        return out;
    }

    /** Processes not running, gateways or registries not ready, nodes not Ready, {@code berth status} failing; polled up to 2 minutes. */
    private List<String> health(BerthState st, Gateway gw, List<String> nodeNames) {
        List<String> bad = List.of();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            bad = unhealthy(st, gw, nodeNames);
            if (bad.isEmpty()) break;
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1)); // polling; bounded by the deadline
        }
        say(bad.isEmpty() ? "every process healthy (/readyz, /subjects, nodes Ready, berth status)" : "unhealthy: " + bad);
        return bad;
    }

    private List<String> unhealthy(BerthState st, Gateway gw, List<String> nodeNames) {
        List<String> bad = new ArrayList<>();
        procs.forEach((n, s) -> {
            if (!s.alive()) bad.add(n + " (pid " + s.pid() + ") is not running");
        });
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build(); // a loaded 2-core box
        for (String url : st.gatewayUrls()) httpOk(http, url + "/readyz?verbose", bad);
        for (String url : st.registryUrl().split(",")) httpOk(http, url + "/subjects", bad);
        Set<String> ready = readyNodes(gw);
        for (String n : nodeNames) if (!ready.contains(n)) bad.add("node " + n + " is not Ready");
        String status = HaCheck.berth(List.of("status", "--data-dir", o.dataDir().toString()));
        if (!status.startsWith("exit 0\n") || status.contains("NOT")) bad.add("berth status: " + status.strip().replace('\n', ' '));
        return bad;
    }

    private static void httpOk(HttpClient http, String url, List<String> bad) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) bad.add(url + " answered " + r.statusCode() + ": " + r.body().strip());
        } catch (Exception e) {
            bad.add(url + " did not answer: " + e);
        }
    }

    private static Set<String> readyNodes(Gateway gw) {
        Set<String> out = new HashSet<>();
        try {
            for (JsonNode n : gw.get("/api/v1/nodes").path("items")) {
                for (JsonNode c : n.path("status").path("conditions")) {
                    if (c.path("type").asText().equals("Ready") && c.path("status").asText().equals("True")) out.add(n.path("metadata").path("name").asText());
                }
            }
        } catch (Gateway.ApiException e) {
            // not answering now: none seen Ready
        }
        return out;
    }

    // ------------------------------------------------------------------ plumbing

    /** Stops every process started (berth down, then SIGKILL by recorded pid) and removes this run's nodes' containers. */
    private synchronized void cleanup() {
        if (netCut != null) { // a cut left by a run that was stopped mid-fault: the hook's restore is idempotent
            procs.forEach((name, s) -> {
                if (!name.startsWith("node-")) return;
                try {
                    netCut.restore(nodeName(name), s.pid());
                } catch (Exception e) {
                    System.err.println("chaos: restoring the network of " + name + ": " + e.getMessage());
                }
            });
        }
        procs.values().forEach(s -> { // a frozen process ignores SIGTERM until it is continued
            try {
                if (s.alive()) s.signal("CONT");
            } catch (Exception ignored) {
                // gone meanwhile
            }
        });
        HaCheck.cleanup(o.dataDir());
        try (DockerClient docker = DockerRuntime.connect("unix:///var/run/docker.sock")) {
            for (int i = 1; i <= o.nodes(); i++) {
                for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.NODE, o.nodeName(i))).exec()) {
                    try {
                        docker.removeContainerCmd(c.getId()).withForce(true).exec();
                    } catch (RuntimeException e) {
                        // already being removed
                    }
                }
            }
        } catch (Exception e) {
            System.err.println("chaos: removing the containers: " + e);
        }
    }

    private String nodeName(String process) {
        return o.nodeName(Integer.parseInt(process.substring(process.lastIndexOf('-') + 1)));
    }

    private static String verb(Action a) {
        return switch (a) {
            case KILL -> "kill -9";
            case STOP -> "SIGSTOP";
            case NETCUT -> "network cut of";
        };
    }

    private void say(String line) {
        o.progress().printf("[%6.1f s] %s%n", (System.currentTimeMillis() - t0) / 1000.0, line);
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void await(long timeoutMs, BooleanSupplier done, java.util.function.Supplier<String> what) {
        if (!awaitQuietly(timeoutMs, done)) throw new IllegalStateException("timed out after " + timeoutMs / 1000 + " s waiting for " + what.get());
    }

    private static boolean awaitQuietly(long timeoutMs, BooleanSupplier done) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) return false;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // polling; bounded by the deadline
        }
        return true;
    }
}
