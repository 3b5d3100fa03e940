package io.berth.ops.chaos;

import io.berth.ops.chaos.FaultPlan.Action;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code ops/chaos}: see {@link ChaosRun}; progress on stderr, the results as JSON and Markdown, exit 1 when a check fails. */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Runs Berth's HA control plane and node daemons (real Docker) under continuous applies, scales, rollouts and deletes",
                "from several clients while it injects seeded faults (kill -9 and restart, SIGSTOP/SIGCONT, of any process, brokers and",
                "nodes included); checks 0 acknowledged intents lost, no task id running twice, convergence <= 30 s after the last fault",
                "and every process healthy. Exit 0: every check passed; 1: a check failed; 2: bad arguments."})
public final class ChaosCommand implements Callable<Integer> {
    @Option(names = "--duration", defaultValue = "60m", description = "Longest fault phase, e.g. 90s, 20m (default: ${DEFAULT-VALUE}); faults left then are not injected.")
    String duration;
    @Option(names = "--seed", description = "Seed of the fault schedule and of the clients (default: the current time; printed).") Long seed;
    @Option(names = "--faults", defaultValue = "100", description = "Faults to inject (default: ${DEFAULT-VALUE}).") int faults;
    @Option(names = "--actions", split = ",", defaultValue = "kill,stop,netcut", description = "Fault kinds: kill, stop, netcut (netcut: the hook $CHAOS_NETCUT_CMD, which ops/chaos sets to ops/lib/netcut) (default: ${DEFAULT-VALUE}).")
    List<String> actions;
    @Option(names = "--nodes", defaultValue = "3", description = "Node daemons (default: ${DEFAULT-VALUE}).") int nodes;
    @Option(names = "--clients", defaultValue = "3", description = "Concurrent API clients (default: ${DEFAULT-VALUE}).") int clients;
    @Option(names = "--workloads", defaultValue = "3", description = "Deployments per client (default: ${DEFAULT-VALUE}).") int workloads;
    @Option(names = "--max-impaired", defaultValue = "2", description = "Processes impaired at once at most, never two of one kind (default: ${DEFAULT-VALUE}).") int maxImpaired;
    @Option(names = "--base-port", defaultValue = "30000", description = "Brokers from here, controllers +3, registries +10/+11, gateways +20/+21 (default: ${DEFAULT-VALUE}).") int basePort;
    @Option(names = "--converge-timeout", defaultValue = "300s", description = "How long to wait for convergence after the last fault (default: ${DEFAULT-VALUE}).") String convergeTimeout;
    @Option(names = "--data-dir", description = "Data dir of the cluster (default: a new temporary directory, deleted afterwards).") Path dataDir;
    @Option(names = "--results", description = "Where the JSON and Markdown go (default: $CHAOS_RESULTS, else ops/bench-results/chaos).") Path results;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChaosCommand()).setOut(new java.io.PrintWriter(System.err, true)).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Set<Action> acts = EnumSet.noneOf(Action.class);
        for (String a : actions) {
            try {
                acts.add(Action.valueOf(a.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--actions: unknown fault kind \"" + a + "\"; known: kill, stop, netcut");
            }
        }
        if (faults < 0) throw new CommandLine.ParameterException(new CommandLine(this), "--faults: must be 0 or more, was " + faults);
        long durationMs = millis("--duration", duration), convergeMs = millis("--converge-timeout", convergeTimeout);
        if (acts.contains(Action.NETCUT) && Faults.NetCut.fromEnvironment() == null) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--actions: netcut needs a hook, $CHAOS_NETCUT_CMD (called as: CMD cut|restore NODE PID)");
        }
        long s = seed != null ? seed : System.currentTimeMillis();
        boolean temp = dataDir == null;
        Path dir = temp ? Files.createTempDirectory("berth-chaos") : dataDir;
        ChaosResult r;
        try {
            ChaosRun.Options o;
            try {
                o = new ChaosRun.Options(dir, basePort, nodes, clients, workloads, s, faults, durationMs, acts,
                        FaultPlan.Timing.DEFAULT, maxImpaired, convergeMs, System.err);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--" + e.getMessage());
            }
            r = ChaosRun.run(o);
        } finally {
            if (temp) io.berth.ops.HaCheck.TestDirs.delete(dir);
        }
        Path out = results != null ? results : resultsDir();
        Path json = r.write(out, "chaos-" + r.plan().size() + "-faults-seed-" + s);
        System.out.println(r.markdown());
        System.err.println("results: " + json + " (and .md); " + (r.passed() ? "every check passed" : "a check FAILED"));
        return r.passed() ? 0 : 1;
    }

    /** {@code $CHAOS_RESULTS}, else {@code ops/bench-results/chaos}. */
    static Path resultsDir() {
        String env = System.getenv("CHAOS_RESULTS");
        return Path.of(env != null && !env.isBlank() ? env : "ops/bench-results/chaos");
    }

    /** {@code 90s}, {@code 20m}, {@code 1h} or an ISO-8601 duration, in ms. */
    long millis(String option, String v) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.matches("\\d+(ms|s|m|h)")) {
                long n = Long.parseLong(t.replaceAll("[a-z]+$", ""));
                return switch (t.replaceAll("^\\d+", "")) {
                    case "ms" -> n;
                    case "s" -> n * 1000;
                    case "m" -> n * 60_000;
                    default -> n * 3_600_000;
                };
            }
            return Duration.parse(v.trim().toUpperCase(Locale.ROOT)).toMillis();
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), option + ": not a duration: \"" + v + "\" (e.g. 90s, 20m, 1h)");
        }
    }
}
