package io.berth.ops.bench;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Audit records written per second at full load: the real state-streams service
 * (exactly_once_v2) on an embedded broker, {@code deployments} deployments applied and scaled
 * (every pod placed, running and ready), then node reports flipping the pods' readiness (one in
 * ten a crash and restart) produced as fast as the controllers take them, with a backlog of
 * input always waiting (see {@link ClusterLoad}). After {@code warmupSeconds}, counts for
 * {@code seconds}: audit records on berth.audit (read_committed) and input records state-streams
 * committed. Then the flood stops, the backlog drains and the audit records per input are
 * counted over the whole flood. Not a test: it prints figures. Run, after
 * {@code mvn -B -q -DskipTests package}:
 * <pre>java -Xmx1g -cp "ops/target/berth-ops-0.1.0-SNAPSHOT.jar:$(cat ops/target/classpath.txt)" io.berth.ops.bench.AuditThroughputBenchmark [seconds=60] [deployments=40] [replicas=20] [nodes=10] [warmupSeconds=15]</pre>
 */
public final class AuditThroughputBenchmark {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        int deployments = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int replicas = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int nodes = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 15;
        double loadStart = ClusterLoad.load();
        try (ClusterLoad c = new ClusterLoad(nodes)) {
            long s0 = System.nanoTime();
            c.deploy(deployments, replicas / 2, replicas, Duration.ofMinutes(3));
            System.out.printf("setup: %d nodes, %d deployments applied with %d replicas and scaled to %d: %d pods ready, %,d audit records, in %.1f s%n",
                    nodes, deployments, replicas / 2, replicas, c.placed.size(), c.audits.get(), (System.nanoTime() - s0) / 1e9);

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            long auditsBefore = c.audits.get(), inputsBefore = c.consumed();
            Thread flood = new Thread(() -> sent.set(c.flood(Long.MAX_VALUE, 20_000, stop)), "bench-flood");
            long f0 = System.nanoTime();
            flood.start();
            Thread.sleep(warmup * 1000L);
            long a0 = c.audits.get(), i0 = c.consumed(), w0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long a1 = c.audits.get(), i1 = c.consumed(), w1 = System.nanoTime();
            long backlogAtEnd = c.backlog();
            stop.set(true);
            flood.join();
            double window = (w1 - w0) / 1e9;
            c.drain(Duration.ofMinutes(3));
            long audits = c.audits.get() - auditsBefore, inputs = c.consumed() - inputsBefore;
            System.out.printf("full load, %.1f s window after %d s warm-up: %,d audit records written = %,.0f audit records/s; %,d input records consumed = %,.0f inputs/s; backlog at the end of the window %,d records%n",
                    window, warmup, a1 - a0, (a1 - a0) / window, i1 - i0, (i1 - i0) / window, backlogAtEnd);
            System.out.printf("whole flood (%,d node reports in %.1f s, drained): %,d audit records for %,d inputs = %.2f audit records per input%n",
                    sent.get(), (System.nanoTime() - f0) / 1e9, audits, inputs, (double) audits / inputs);
            System.out.println("audit records by change: " + c.auditChanges.entrySet().stream()
                    .sorted(Map.Entry.comparingByValue(Comparator.comparingLong(AtomicLong::get).reversed()))
                    .map(e -> e.getKey() + " " + e.getValue().get()).collect(Collectors.joining(", ")));
        }
        System.out.println(ClusterLoad.machine(loadStart));
    }
}
