package io.berth.ops.bench;

import io.berth.ops.replay.KafkaHistory;
import io.berth.ops.replay.Recorded;
import io.berth.ops.replay.Replayer;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Replay speed of {@code berth replay --verify}: records a history on a real broker with the
 * real state-streams service ({@link ClusterLoad}: {@code deployments} deployments applied and
 * scaled, then {@code reports} node reports flipping readiness and restarting pods), reads it back
 * with {@link KafkaHistory} as the command does, and runs {@link Replayer#verify} over it: one
 * warm-up run, then {@code runs} measured runs; prints the median decisions/s and inputs/s (the
 * time is the replay's own: ordering, the sandboxed topology and the comparison, without reading
 * Kafka). Not a test: it prints figures. Run, after {@code mvn -B -q -DskipTests package}:
 * <pre>java -Xmx1g -cp "ops/target/berth-ops-0.1.0-SNAPSHOT.jar:$(cat ops/target/classpath.txt)" io.berth.ops.bench.ReplayBenchmark [reports=20000] [deployments=20] [replicas=10] [runs=3]</pre>
 */
public final class ReplayBenchmark {
    public static void main(String[] args) throws Exception {
        long reports = args.length > 0 ? Long.parseLong(args[0]) : 20_000;
        int deployments = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int replicas = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        double loadStart = ClusterLoad.load();
        try (ClusterLoad c = new ClusterLoad(5)) {
            long s0 = System.nanoTime();
            c.deploy(deployments, replicas / 2, replicas, Duration.ofMinutes(3));
            c.flood(reports, 5_000, new AtomicBoolean());
            c.drain(Duration.ofMinutes(3));
            System.out.printf("recorded: %d deployments, %d pods, %,d node reports, %,d audit records, in %.1f s%n",
                    deployments, c.placed.size(), reports, c.audits.get(), (System.nanoTime() - s0) / 1e9);

            KafkaHistory history = new KafkaHistory(c.kafka.bootstrapServers(), Duration.ofSeconds(30));
            long r0 = System.nanoTime();
            int partitions = history.partitions(Topics.INTENTS.name());
            List<Recorded> inputs = history.read(Replayer.INPUTS.stream().map(Topic::name).toList());
            List<Recorded> outputs = history.read(Replayer.OUTPUTS.stream().map(Topic::name).toList());
            System.out.printf("read back %,d inputs and %,d outputs in %.1f s%n", inputs.size(), outputs.size(), (System.nanoTime() - r0) / 1e9);

            Replayer.Options o = new Replayer.Options(partitions, Long.MIN_VALUE, Long.MAX_VALUE, 3000, Duration.ofMillis(250));
            Replayer.Result warm = Replayer.verify(c.registry, inputs, outputs, o);
            System.out.printf("warm-up: %s; %d ms%n", warm.report().summary(), warm.replayMillis());
            warm.report().first().ifPresent(d -> System.out.println(d.describe()));
            List<Replayer.Result> results = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                Replayer.Result r = Replayer.verify(c.registry, inputs, outputs, o);
                results.add(r);
                System.out.printf("run %d: %,d inputs, %,d decisions (%d differ) in %,d ms = %,.0f decisions/s, %,.0f inputs/s%n",
                        i + 1, r.inputs(), r.report().decisions(), r.report().differing(), r.replayMillis(),
                        r.report().decisions() * 1000.0 / r.replayMillis(), r.inputs() * 1000.0 / r.replayMillis());
            }
            List<Long> ms = new ArrayList<>(results.stream().map(Replayer.Result::replayMillis).toList());
            Collections.sort(ms);
            long median = ms.get(ms.size() / 2);
            Replayer.Result r = results.get(0);
            System.out.printf("replay, median of %d warm runs: %,d ms for %,d inputs and %,d decisions = %,.0f decisions/s, %,.0f inputs/s (%d decisions differ, %d inputs fed out of recorded order)%n",
                    runs, median, r.inputs(), r.report().decisions(), r.report().decisions() * 1000.0 / median, r.inputs() * 1000.0 / median,
                    r.report().differing(), r.orderConflicts());
        }
        System.out.println(ClusterLoad.machine(loadStart));
    }
}
