package io.berth.scheduler.bench;

import io.berth.scheduler.core.ClusterSnapshot;
import io.berth.scheduler.core.Node;
import io.berth.scheduler.core.Pending;
import io.berth.scheduler.core.Placement;
import io.berth.scheduler.core.Placer;
import io.berth.scheduler.core.Quantity;

import java.util.ArrayList;
import java.util.List;

/**
 * Placements per second of the pure core: 1000 nodes, 10k tasks of 100 workloads placed one after
 * the other on an evolving snapshot (each decision sees the previous ones). No JMH: a warm-up
 * round, then the best of a few measured rounds. Args: [nodes] [tasks] [rounds].
 */
public final class PlacementBenchmark {
    public static void main(String[] args) {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int tasks = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        ClusterSnapshot cluster = cluster(nodes);
        List<Pending> work = tasks(tasks);
        run(cluster, work); // warm-up: JIT
        double best = 0;
        for (int r = 0; r < rounds; r++) best = Math.max(best, run(cluster, work));
        System.out.printf("PlacementBenchmark: %d nodes x %d tasks: %.0f placements/s (best of %d)%n", nodes, tasks, best, rounds);
    }

    private static double run(ClusterSnapshot snapshot, List<Pending> work) {
        Placer placer = Placer.standard();
        long start = System.nanoTime();
        int placed = 0;
        for (Pending task : work) {
            Placement p = placer.place(snapshot, task);
            snapshot = snapshot.with(p);
            if (p instanceof Placement.Placed) placed++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (placed != work.size()) throw new IllegalStateException("only " + placed + " of " + work.size() + " placed");
        return work.size() / seconds;
    }

    /** Equal nodes with room for every task, so the run measures ranking, not rejection. */
    private static ClusterSnapshot cluster(int n) {
        List<Node> nodes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) nodes.add(Node.ready(String.format("node-%04d", i), new Quantity(64_000, 256L << 30)));
        return ClusterSnapshot.of(nodes);
    }

    private static List<Pending> tasks(int n) {
        List<Pending> tasks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String workload = "default/deployment/app-" + (i % 100);
            tasks.add(Pending.of("app-" + (i % 100) + "-5d8f9c-" + i, new Quantity(100, 128L << 20), workload));
        }
        return tasks;
    }
}
