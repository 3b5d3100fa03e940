package io.berth.ops.bench;

import io.berth.ops.Berth;
import io.berth.ops.BerthState;
import io.berth.ops.Processes;
import io.berth.ops.kafka.EmbeddedKafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Time from {@code berth up -d} to ready, as a user sees it: the CLI is launched as a process and
 * the clock stops when it returns (embedded Kafka serving, topics verified, registry elected and
 * listening, every service started). One cold start (empty data dir: storage format, topic
 * creation) and {@code warm} restarts on the same data. Run:
 * <pre>java -cp "ops/target/berth-ops-0.1.0-SNAPSHOT.jar:$(cat ops/target/classpath.txt)" io.berth.ops.bench.UpTimeBenchmark [warmRuns]</pre>
 */
public final class UpTimeBenchmark {
    public static void main(String[] args) throws Exception {
        int warm = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path dir = Files.createTempDirectory("berth-bench");
        String[] up = {"up", "-d", "--data-dir", dir.toString(),
                "--kafka-port", String.valueOf(EmbeddedKafka.freePort("127.0.0.1")),
                "--registry-port", String.valueOf(EmbeddedKafka.freePort("127.0.0.1")),
                "--gateway-port", String.valueOf(EmbeddedKafka.freePort("127.0.0.1"))};
        List<String> lines = new ArrayList<>();
        try {
            lines.add(run("cold", up, dir));
            for (int i = 1; i <= warm; i++) lines.add(run("warm " + i, up, dir));
        } finally {
            cli("down", "--data-dir", dir.toString());
        }
        System.out.println();
        System.out.printf("machine: %d cores, %s %s, Java %s, load average at end %.2f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("java.version"), java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("| start | `berth up -d` until it returns (s) | inside the daemon: launch → ready (s) | daemon CPU time until ready (s) |");
        System.out.println("|---|---|---|---|");
        lines.forEach(System.out::println);
    }

    private static String run(String label, String[] up, Path dir) throws Exception {
        long t0 = System.nanoTime();
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        int rc = cli(up);
        double wall = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) throw new IllegalStateException("berth up failed (" + rc + "), see " + dir.resolve("berth.log"));
        BerthState st = BerthState.read(dir).orElseThrow();
        double inside = (st.readyAt() - st.startedAt()) / 1000.0;
        double cpu = ProcessHandle.of(st.pid()).flatMap(h -> h.info().totalCpuDuration()).map(d -> d.toMillis() / 1000.0).orElse(-1.0);
        int down = cli("down", "--data-dir", dir.toString());
        if (down != 0) throw new IllegalStateException("berth down failed");
        System.out.printf("%s: up -d returned after %.2f s (daemon ready %.2f s after its start, %.1f CPU s)%n", label, wall, inside, cpu);
        return String.format("| %s | %.1f | %.1f | %.1f |", label, wall, inside, cpu);
    }

    private static int cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Processes.javaBin()));
        cmd.addAll(Processes.withGc("-Xmx1g")); // as ops/berth
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Berth.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
