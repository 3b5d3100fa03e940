package io.berth.ops.bench;

import io.berth.ops.bench.report.BenchReport;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The placement measurement of {@code ops/bench sim} and {@code ops/bench scaleout}: apply Deployments
 * on a {@link SimScenario}, wait until every task runs (a point per poll on a chart line), and take the
 * figures from the nodes' own status timestamps.
 */
final class Placement {
    private Placement() {}

    /**
     * What one placement run measured. {@code allRunningS}: first intent → the last task's Running
     * timestamp; {@code perSecond} = tasks / that; p50/p99 of intent → Running per task and
     * {@code firstRunningS} (first intent → the first task's Running), in seconds.
     */
    record Result(int tasks, double allRunningS, double perSecond, double p50S, double p99S, double firstRunningS) {}

    /**
     * Applies {@code deployments × replicas} (Deployments {@code <prefix>0 …}) and waits until all run;
     * throws when they do not within {@code timeoutS}. Each poll adds a point to line {@code line} of
     * chart {@code chart}; {@code progress} says what to print every 2 s besides the count.
     */
    static Result measure(BenchReport report, SimScenario sim, String prefix, int deployments, int replicas, int timeoutS,
                          String chart, String line, Supplier<String> progress) throws InterruptedException {
        int total = deployments * replicas;
        long t0 = sim.apply(prefix, deployments, replicas);
        await(report, timeoutS, () -> {
            int r = sim.runningOnLiveNodes();
            report.point(chart, line, "seconds since the Deployments were applied", "tasks Running", (System.currentTimeMillis() - t0) / 1000.0, r);
            return r >= total;
        }, () -> "Running " + sim.runningOnLiveNodes() + " / " + total + progress.get(), true);
        List<Long> latencies = new ArrayList<>();
        long last = 0, first = Long.MAX_VALUE;
        for (SimScenario.Task t : sim.tasks().values()) {
            if (!SimScenario.isRunning(t.state)) continue;
            Long at = sim.intentAt(t.workload);
            if (at != null) latencies.add(t.runningAt - at);
            last = Math.max(last, t.runningAt);
            first = Math.min(first, t.runningAt);
        }
        double allRunningS = (last - t0) / 1000.0;
        return new Result(total, allRunningS, total / allRunningS,
                SimScenario.percentile(latencies, 50) / 1000.0, SimScenario.percentile(latencies, 99) / 1000.0, (first - t0) / 1000.0);
    }

    /** Waits for {@code done}, printing progress every 2 s; at the deadline throws ({@code fail}) or returns false. */
    static boolean await(BenchReport report, int timeoutS, BooleanSupplier done, Supplier<String> progress, boolean fail)
            throws InterruptedException {
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

    /** The benchmarks' positional integer argument {@code i}, or {@code dflt} when not given. */
    static int arg(String[] args, int i, int dflt) {
        return args.length > i ? Integer.parseInt(args[i]) : dflt;
    }

    /** Deletes a benchmark's temp directory. */
    static void deleteTree(java.io.File f) {
        java.io.File[] kids = f.listFiles();
        if (kids != null) for (java.io.File k : kids) deleteTree(k);
        f.delete();
    }
}
