package io.berth.ops.replay;

import io.berth.ops.kubectl.RegistryClients;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code berth replay --verify}: re-runs the controllers over the recorded inputs in an in-process
 * sandbox and compares every decision with what was recorded (see {@link Replayer}). Exit 0 when
 * nothing differs, 1 with the first difference, 2 when the log cannot be read.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-run the controllers over the recorded log in a sandbox (writes nothing) and compare their decisions with the recorded ones.")
public final class ReplayCommand implements Callable<Integer> {
    @Option(names = "--verify", required = true, description = "compare every replayed decision with the recorded one")
    boolean verify;

    @Option(names = "--since", paramLabel = "TIME", description = "compare decisions from this instant (RFC 3339 or a relative -10m); state before it is replayed, not compared")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "feed inputs and compare decisions up to this instant (default: the end of the log)")
    String until;

    /** --bootstrap-servers, --kafka-config and --registry-url (only read), defaulting to the running 'berth up'. */
    @Mixin
    LogOptions connection = new LogOptions();

    @Option(names = "--node-grace-ms", description = "the state-streams node-grace-ms the log was recorded with (default ${DEFAULT-VALUE})")
    long nodeGraceMs = 3000;

    @Option(names = "--timeout", description = "Kafka read timeout (default ${DEFAULT-VALUE})")
    Duration timeout = Duration.ofSeconds(30);

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() {
        String bootstrap = connection.bootstrapServers();
        long now = System.currentTimeMillis();
        long from = since == null ? Long.MIN_VALUE : parseTime(since, now);
        long to = until == null ? Long.MAX_VALUE : parseTime(until, now);
        KafkaHistory history = new KafkaHistory(connection.kafka(), timeout);
        List<Recorded> inputs, outputs;
        int partitions;
        try {
            partitions = history.partitions(Topics.INTENTS.name());
            if (partitions == 0) {
                err.println("error: topic " + Topics.INTENTS.name() + " not found at " + bootstrap);
                return 2;
            }
            inputs = history.read(Replayer.INPUTS.stream().map(Topic::name).toList());
            outputs = history.read(Replayer.OUTPUTS.stream().map(Topic::name).toList());
        } catch (RuntimeException e) {
            err.println("error: cannot read the log at " + bootstrap + ": " + e.getMessage());
            return 2;
        }
        // the tick length does not matter in a replay: ticks are read from the log, the ticker never runs
        Replayer.Result r = Replayer.verify(RegistryClients.http(connection.registryUrl()), inputs, outputs,
                new Replayer.Options(partitions, from, to, nodeGraceMs, Duration.ofMillis(250)));
        print(r, out);
        // the scheduler alone, over its own lanes (requests, ticks of partition 0) in its recorded order
        Replayer.Result s = Replayer.verifyScheduler(RegistryClients.http(connection.registryUrl()), inputs, outputs,
                new Replayer.Options(partitions, from, to, nodeGraceMs, Duration.ofMillis(250)));
        out.print("scheduler: ");
        print(s, out);
        return r.report().differing() == 0 && s.report().differing() == 0 ? 0 : 1;
    }

    static void print(Replayer.Result r, PrintStream out) {
        out.println(r.report().summary());
        r.report().first().ifPresent(d -> out.println(d.describe()));
        double perSecond = r.replayMillis() == 0 ? 0 : r.report().decisions() * 1000.0 / r.replayMillis();
        out.printf("(%d inputs replayed in %d ms, %.0f decisions/s%s)%n", r.inputs(), r.replayMillis(), perSecond,
                r.orderConflicts() == 0 ? "" : "; " + r.orderConflicts() + " inputs fed out of their recorded order");
    }

    /** RFC 3339 ({@code 2026-01-01T10:00:00Z}) or relative to now ({@code -10m}, {@code -2h}, {@code -30s}). */
    static long parseTime(String s, long now) {
        String t = s.strip();
        if (t.startsWith("-")) {
            long n = Long.parseLong(t.substring(1, t.length() - 1));
            char unit = t.charAt(t.length() - 1);
            Duration d = switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException("unknown unit in " + s);
            };
            return now - d.toMillis();
        }
        try {
            return Instant.parse(t).toEpochMilli();
        } catch (RuntimeException e) {
            return OffsetDateTime.parse(t).toInstant().toEpochMilli();
        }
    }
}
