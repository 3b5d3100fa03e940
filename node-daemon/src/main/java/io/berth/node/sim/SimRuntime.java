package io.berth.node.sim;

import io.berth.node.bus.ContainerEvent;
import io.berth.node.docker.ContainerRequest;
import io.berth.node.docker.PodUnit;
import io.berth.node.reconcile.Observed;
import io.berth.node.reconcile.PodNetwork;
import io.berth.node.runtime.ContainerRuntime;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.EnvVar;
import io.vertx.core.Deployable;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A container engine simulated in memory, for one node: no Docker, no processes. Create and start
 * always succeed; a started container turns running after {@code startDelayMs} (the start event
 * then fires, as Docker's would), exec probes succeed, IPs come from a fake range (10.128.0.0/9).
 * A container exits on its own when its command or args hold {@code sim:crash-after=<duration>}
 * (e.g. {@code 5s}, {@code 300ms}; exit code from {@code sim:exit-code=<n>}, default 1), or its env
 * {@code SIM_CRASH_AFTER}; {@link #crash} kills one at once (the benchmarks' control).
 *
 * <p>Thread-safe (one lock per node: every call is short). Delays run on a scheduler shared by every
 * simulated node of the JVM.
 */
public final class SimRuntime implements ContainerRuntime {
    /** Fake pod IPs: 10.128.0.1 on, over the whole JVM, so no two simulated pods share one. */
    private static final AtomicLong IPS = new AtomicLong();
    private static final AtomicLong IDS = new AtomicLong();

    private final String nodeId;
    private final long startDelayMs;
    private final ScheduledExecutorService timers;
    private final Map<String, Box> containers = new HashMap<>(); // by container id
    private final Map<String, String> byUnit = new HashMap<>();  // unit key → container id
    private volatile Consumer<ContainerEvent> listener = e -> { };
    private volatile boolean dead;

    private static final class Box {
        final String id, unit, workload, ip;
        final int grace;
        final long crashAfterMs;
        final int crashExit;
        /** for the synthetic usage: the pod and container it belongs to, what it "uses", since when it runs */
        String namespace = "default", pod = "", container = "";
        long cpuMillis, memoryBytes, runningSinceNanos;
        boolean infra;
        Observed.State state = Observed.State.CREATED;
        Integer exitCode;
        long run; // bumped on every start/stop: a delayed transition of an earlier run is ignored

        Box(String id, String unit, String workload, String ip, int grace, long crashAfterMs, int crashExit) {
            this.id = id;
            this.unit = unit;
            this.workload = workload;
            this.ip = ip;
            this.grace = grace;
            this.crashAfterMs = crashAfterMs;
            this.crashExit = crashExit;
        }
    }

    private static volatile ScheduledExecutorService shared;

    /** {@code runtime=sim} in the daemon's settings ({@code --set runtime=sim}). */
    public static boolean enabled(io.berth.schemas.service.BerthConfig config) {
        return "sim".equals(config.get("runtime", "docker"));
    }

    /** {@code sim-start-delay} (e.g. {@code 500ms}, {@code 2s}; default 200 ms): from start to running. */
    public static long startDelayMs(io.berth.schemas.service.BerthConfig config) {
        return parseMillis(config.get("sim-start-delay", "200ms"));
    }

    /** One timer thread for every simulated node of the JVM (daemon thread, lives as long as the JVM). */
    public static ScheduledExecutorService sharedTimers() {
        if (shared == null) {
            synchronized (SimRuntime.class) {
                if (shared == null) {
                    shared = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "berth-sim-timers");
                        t.setDaemon(true);
                        return t;
                    });
                }
            }
        }
        return shared;
    }

    public SimRuntime(String nodeId, long startDelayMs, ScheduledExecutorService timers) {
        this.nodeId = nodeId;
        this.startDelayMs = startDelayMs;
        this.timers = timers;
    }

    /** Where events go (the node's event source verticle); one listener at a time. */
    void listen(Consumer<ContainerEvent> l) {
        listener = l == null ? e -> { } : l;
    }

    @Override
    public Deployable eventSource(String nodeId) {
        return new SimEventsVerticle(this, nodeId);
    }

    @Override
    public String workerPool(String nodeId) {
        return "berth-sim-runtime"; // every call is a map update: one small pool serves every simulated node
    }

    @Override
    public ContainerRequest.Infra infra() {
        return ContainerRequest.Infra.DEFAULT;
    }

    @Override
    public synchronized Map<String, Observed> list() {
        Map<String, Observed> out = new HashMap<>();
        for (Box b : containers.values()) {
            out.put(b.unit, new Observed(b.unit, b.workload, b.id, b.state, b.exitCode, b.grace,
                    b.state == Observed.State.RUNNING ? network(b) : PodNetwork.NONE));
        }
        return out;
    }

    @Override
    public boolean imageExists(String image) {
        return true;
    }

    @Override
    public synchronized String create(Assignment a, PodUnit u, String infraId) {
        String existing = byUnit.get(u.key());
        if (existing != null) return existing; // as Docker's name conflict: adopt the earlier attempt's container
        String id = "sim-" + Long.toHexString(IDS.incrementAndGet()) + "-" + u.key();
        long crash = -1;
        int exit = 1;
        ContainerSpec spec = u.spec();
        if (spec != null) {
            for (String w : concat(spec.getCommand(), spec.getArgs())) {
                if (w.startsWith("sim:crash-after=")) crash = parseMillis(w.substring("sim:crash-after=".length()));
                if (w.startsWith("sim:exit-code=")) exit = Integer.parseInt(w.substring("sim:exit-code=".length()));
            }
            for (EnvVar e : spec.getEnv()) if (e.getName().equals("SIM_CRASH_AFTER")) crash = parseMillis(e.getValue());
        }
        Box b = new Box(id, u.key(), a.getWorkloadKey(), ip(IPS.incrementAndGet()), ContainerRequest.graceSeconds(a), crash, exit);
        b.namespace = a.getNamespace();
        b.pod = a.getPodName().isEmpty() ? a.getTaskId() : a.getPodName();
        b.infra = u.kind() == PodUnit.Kind.INFRA;
        b.container = b.infra ? PodUnit.INFRA : spec.getName();
        b.cpuMillis = usageCpuMillis;
        b.memoryBytes = usageMemoryBytes;
        if (spec != null) {
            for (EnvVar e : spec.getEnv()) {
                if (e.getName().equals("SIM_CPU_MILLIS")) b.cpuMillis = parseUsage("SIM_CPU_MILLIS", e.getValue());
                if (e.getName().equals("SIM_MEMORY_BYTES")) b.memoryBytes = parseUsage("SIM_MEMORY_BYTES", e.getValue());
            }
        }
        containers.put(id, b);
        byUnit.put(u.key(), id);
        return id;
    }

    @Override
    public void start(String containerId) {
        long run;
        synchronized (this) {
            Box b = containers.get(containerId);
            if (b == null) throw new IllegalStateException("no such container: " + containerId);
            if (b.state == Observed.State.RUNNING || b.state == Observed.State.BUSY) return; // already running or starting
            b.state = Observed.State.BUSY; // starting: the reconciler leaves it alone until it runs
            run = ++b.run;
        }
        later(startDelayMs, () -> running(containerId, run));
    }

    private void running(String containerId, long run) {
        Box b;
        synchronized (this) {
            b = containers.get(containerId);
            if (b == null || b.run != run) return;
            b.state = Observed.State.RUNNING;
            b.exitCode = null;
            b.runningSinceNanos = System.nanoTime();
        }
        emit(new ContainerEvent(ContainerEvent.Action.START, b.id, b.unit, null, network(b)));
        if (b.crashAfterMs >= 0) later(b.crashAfterMs, () -> exited(containerId, run, b.crashExit));
    }

    /** The container exits with {@code exitCode} now (the benchmarks' crash); false when it is not running. */
    public boolean crash(String unit, int exitCode) {
        String id;
        long run;
        synchronized (this) {
            id = byUnit.get(unit);
            Box b = id == null ? null : containers.get(id);
            if (b == null || b.state != Observed.State.RUNNING) return false;
            run = b.run;
        }
        exited(id, run, exitCode);
        return true;
    }

    private void exited(String containerId, long run, int exitCode) {
        Box b;
        synchronized (this) {
            b = containers.get(containerId);
            if (b == null || b.run != run || b.state != Observed.State.RUNNING) return;
            b.state = Observed.State.EXITED;
            b.exitCode = exitCode;
            b.run++;
        }
        emit(new ContainerEvent(ContainerEvent.Action.DIE, b.id, b.unit, exitCode));
    }

    @Override
    public void stop(String containerId, int graceSeconds) {
        long run;
        synchronized (this) {
            Box b = containers.get(containerId);
            if (b == null || b.state != Observed.State.RUNNING) return;
            run = b.run;
        }
        exited(containerId, run, 143); // SIGTERM honoured at once
    }

    @Override
    public void stopAndRemove(String containerId, int graceSeconds) {
        stop(containerId, graceSeconds);
        Box b;
        synchronized (this) {
            b = containers.remove(containerId);
            if (b == null) return;
            byUnit.remove(b.unit, containerId);
            b.run++;
        }
        emit(new ContainerEvent(ContainerEvent.Action.DESTROY, b.id, b.unit, null));
    }

    @Override
    public synchronized PodNetwork network(String containerId) {
        Box b = containers.get(containerId);
        return b == null ? PodNetwork.NONE : network(b);
    }

    private static PodNetwork network(Box b) {
        return new PodNetwork(b.ip, List.of());
    }

    @Override
    public ExecResult exec(String containerId, List<String> command, long timeoutMs) {
        return new ExecResult(0, "", false);
    }

    @Override
    public void deletePodDir(String taskId) {
        // no pod directories
    }

    private volatile long usageCpuMillis = 5, usageMemoryBytes = 8L << 20;

    /**
     * The synthetic usage of every container started from now on (settings {@code sim-cpu-millis}, default 5, and
     * {@code sim-memory-bytes}, default 8 MiB); a container's env {@code SIM_CPU_MILLIS} / {@code SIM_MEMORY_BYTES}
     * overrides them for it.
     */
    public SimRuntime withUsage(long cpuMillis, long memoryBytes) {
        if (cpuMillis < 0 || memoryBytes < 0) throw new IllegalArgumentException("sim-cpu-millis and sim-memory-bytes must be >= 0");
        this.usageCpuMillis = cpuMillis;
        this.usageMemoryBytes = memoryBytes;
        return this;
    }

    private static long parseUsage(String name, String v) {
        try {
            long n = Long.parseLong(v.trim());
            if (n >= 0) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a non-negative integer, got '" + v + "'");
    }

    /**
     * The node's usage as a {@link io.berth.node.stats.StatsSource}: each running app container uses its
     * synthetic CPU steadily since it started (so its cumulative counter is rate × uptime) and its memory; the
     * node uses the sum of its containers'.
     */
    public io.berth.node.stats.StatsSource stats() {
        return () -> {
            long now = System.nanoTime();
            java.util.List<io.berth.node.stats.StatsSource.ContainerUsage> out = new java.util.ArrayList<>();
            long memory = 0, rateMillis = 0, nodeCpu;
            synchronized (this) {
                for (Box b : containers.values()) {
                    if (b.state != Observed.State.RUNNING || b.infra) continue;
                    long used = Math.round((now - b.runningSinceNanos) * (b.cpuMillis / 1000.0));
                    out.add(new io.berth.node.stats.StatsSource.ContainerUsage(new io.berth.node.stats.StatsSource.ContainerRef(
                            b.id, PodUnit.taskOf(b.unit), b.namespace, b.pod, b.container), used, b.memoryBytes));
                    memory += b.memoryBytes;
                    rateMillis += b.cpuMillis;
                }
                // the node's counter grows by what runs now over the time since the last sample: monotonic
                if (lastSampleNanos != 0) nodeCpuNanos += Math.round((now - lastSampleNanos) * (rateMillis / 1000.0));
                lastSampleNanos = now;
                nodeCpu = nodeCpuNanos;
            }
            return new io.berth.node.stats.StatsSource.Sample(now, System.currentTimeMillis(), nodeCpu, memory, out);
        };
    }

    private long lastSampleNanos, nodeCpuNanos;

    /** Unit keys of the containers running now. */
    public synchronized List<String> running() {
        return containers.values().stream().filter(b -> b.state == Observed.State.RUNNING).map(b -> b.unit).sorted().toList();
    }

    /**
     * The node dies: no more events, nothing runs any more (the simulated machine is gone). Used to
     * simulate a node failure together with stopping its daemon without LEAVE.
     */
    public void kill() {
        dead = true;
        synchronized (this) {
            containers.clear();
            byUnit.clear();
        }
    }

    @Override
    public void close() {
        listener = e -> { };
    }

    private void emit(ContainerEvent e) {
        if (!dead) listener.accept(e);
    }

    private void later(long ms, Runnable r) {
        if (ms <= 0) r.run();
        else timers.schedule(r, ms, TimeUnit.MILLISECONDS);
    }

    static String ip(long n) {
        long v = (10L << 24) | (128L << 16) | (n & 0x7FFFFF);
        return (v >> 24 & 255) + "." + (v >> 16 & 255) + "." + (v >> 8 & 255) + "." + (v & 255);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    /** {@code 5s}, {@code 300ms}, {@code 2m}, or plain milliseconds. */
    static long parseMillis(String s) {
        s = s.trim();
        if (s.endsWith("ms")) return Long.parseLong(s.substring(0, s.length() - 2));
        if (s.endsWith("s")) return (long) (Double.parseDouble(s.substring(0, s.length() - 1)) * 1000);
        if (s.endsWith("m")) return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1))).toMillis();
        return Long.parseLong(s);
    }
}
