package io.berth.ops;

import io.berth.ops.kafka.EmbeddedKafka;
import io.berth.ops.kafka.LocalCluster;
import io.berth.schemas.auth.ClusterSecret;
import io.berth.schemas.auth.TokenFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13: SIGTERM stops any Berth process within 5 s, broker or not. Every process kind runs as a real
 * OS process (registry, state-streams, scheduler, gateway, a node daemon with the simulated runtime, and the
 * all-in-one {@code berth up}) against a broker that is itself a process; each is sent SIGTERM with its
 * broker alive, and again after the broker was killed with SIGKILL (before: a node daemon took 8–28 s).
 */
class ShutdownWithinFiveSecondsTest {
    private static final long LIMIT_MS = 5000;
    private static final long READY_MS = 300_000; // five JVMs starting at once on the shared 2-core box
    private final List<ServiceProcess> started = new ArrayList<>();
    private Path dir;
    private LocalCluster cluster;

    @AfterEach
    void stopEverything() throws Exception {
        started.forEach(ServiceProcess::kill);
        if (cluster != null) LocalCluster.stop(cluster.dir(), 15_000);
        if (dir != null) TestSupport.deleteTree(dir);
    }

    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS)
    void everyServiceStopsWithinFiveSecondsOfSigtermWithItsBrokerAliveOrKilled() throws Exception {
        dir = Files.createTempDirectory("berth-sigterm");
        cluster = new LocalCluster(dir.resolve("cluster"), 1, List.of(EmbeddedKafka.freePort("127.0.0.1")),
                List.of(EmbeddedKafka.freePort("127.0.0.1")), TestSupport.classpath(), "-Xmx384m");
        cluster.start(120_000);
        String token = TokenFile.newToken();
        Path tokens = dir.resolve(TokenFile.FILE_NAME);
        TokenFile.write(tokens, List.of(new TokenFile.Entry(token, "test", "1", List.of("system:masters"))));
        ClusterSecret.readOrCreate(dir.resolve("node-data").resolve(ClusterSecret.FILE_NAME)); // the node's credential
        int registryPort = EmbeddedKafka.freePort("127.0.0.1");

        Map<String, Long> alive = round("alive", token, tokens, registryPort, false);
        Map<String, Long> killed = round("killed", token, tokens, registryPort, true);
        System.out.println("SIGTERM → exit, broker alive: " + alive + "; broker killed (SIGKILL) first: " + killed);
        alive.forEach((n, ms) -> assertTrue(ms >= 0 && ms <= LIMIT_MS, n + " (broker alive) took " + ms + " ms (-1: not within 20 s)"));
        killed.forEach((n, ms) -> assertTrue(ms >= 0 && ms <= LIMIT_MS, n + " (broker killed) took " + ms + " ms (-1: not within 20 s)"));
    }

    /** Starts the five services, waits until each is ready, kills the broker if asked, then SIGTERMs them one by one. */
    private Map<String, Long> round(String round, String token, Path tokens, int registryPort, boolean killBroker) throws Exception {
        String bs = cluster.bootstrapServers();
        String registry = "http://127.0.0.1:" + registryPort;
        List<String> common = List.of("--bootstrap-servers", bs, "--registry-url", registry, "--set", "registry-basic-auth-user-info=test:" + token);
        Map<String, ServiceProcess> procs = new LinkedHashMap<>();
        procs.put("registry", service(round, "registry", List.of("registry", "--bootstrap-servers", bs, "--port", "" + registryPort,
                "--set", "auth-token-file=" + tokens)));
        procs.get("registry").awaitReadyFile(readyFile(round, "registry"), READY_MS);
        procs.put("state-streams", service(round, "state-streams", concat(List.of("state-streams"), common)));
        // state-streams registers its Intent schema at start: alone, so the registry answers it on a box at load 70
        procs.get("state-streams").awaitReadyFile(readyFile(round, "state-streams"), READY_MS);
        procs.put("scheduler", service(round, "scheduler", concat(List.of("scheduler"), common)));
        procs.put("gateway", service(round, "gateway", concat(List.of("gateway", "--port", "" + EmbeddedKafka.freePort("127.0.0.1"),
                "--set", "auth-token-file=" + tokens), common)));
        procs.put("node", service(round, "node", concat(List.of("node", "start", "--name", "n-" + round, "--set", "runtime=sim",
                "--set", "heartbeat-ms=500"), common), dir.resolve("node-data")));
        for (String n : procs.keySet()) procs.get(n).awaitReadyFile(readyFile(round, n), READY_MS);

        if (killBroker) {
            for (long pid : cluster.pids()) {
                ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
                h.destroyForcibly();
                h.onExit().get(20, TimeUnit.SECONDS);
            }
            // the node notices within three heartbeats; the others retry their connections meanwhile
            procs.get("node").awaitReady(() -> procs.get("node").output().contains("no heartbeat acknowledged"), 30_000);
        }
        Map<String, Long> took = new LinkedHashMap<>();
        for (String n : List.of("node", "gateway", "scheduler", "state-streams", "registry")) {
            ServiceProcess p = procs.get(n);
            long ms = p.sigtermAndTime(20_000);
            took.put(n, ms);
            System.out.println("[" + round + "] " + n + " (pid " + p.pid() + ") exited " + ms + " ms after SIGTERM, status "
                    + (p.process.isAlive() ? "?" : p.process.exitValue()) + "; last lines:\n" + Processes.tail(p.log, 5));
        }
        return took;
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void theAllInOneStopsWithinFiveSecondsOfSigterm() throws Exception {
        dir = Files.createTempDirectory("berth-sigterm-up");
        Path data = dir.resolve("up");
        ServiceProcess up = ServiceProcess.start("up", dir, "-Xmx768m", List.of("up", "--data-dir", data.toString(),
                "--kafka-port", "" + EmbeddedKafka.freePort("127.0.0.1"), "--registry-port", "" + EmbeddedKafka.freePort("127.0.0.1"),
                "--gateway-port", "" + EmbeddedKafka.freePort("127.0.0.1"), "--node-name", "up-node", "--set", "runtime=sim"));
        started.add(up);
        up.awaitReady(() -> BerthState.read(data).filter(s -> s.pid() == up.pid() && s.ready()).isPresent(), READY_MS);

        // berth status tells the truth: the gateway's readiness checks, the node's last heartbeat
        ServiceProcess status = ServiceProcess.start("status", dir, "-Xmx128m", List.of("status", "--data-dir", data.toString()));
        started.add(status);
        assertTrue(status.process.waitFor(120, TimeUnit.SECONDS), status.output());
        String out = status.output();
        System.out.println("$ berth status -> " + status.process.exitValue() + "\n" + out);
        assertEquals(0, status.process.exitValue(), out);
        assertTrue(out.contains("readyz    ok") && out.contains("[+]view-cache ok") && out.contains("[+]state-streams ok")
                && out.contains("[+]scheduler ok"), out);
        assertTrue(out.matches("(?s).*node\\s+up-node\\s+Ready, last heartbeat \\d+(\\.\\d)?s ago.*"), out);

        long ms = up.sigtermAndTime(20_000);
        System.out.println("berth up (embedded broker, in-process node) exited " + ms + " ms after SIGTERM; last lines:\n" + Processes.tail(up.log, 8));
        assertTrue(ms >= 0 && ms <= LIMIT_MS, "berth up took " + ms + " ms (-1: not within 20 s)");
    }

    private ServiceProcess service(String round, String name, List<String> args) throws Exception {
        return service(round, name, args, dir.resolve(round + "-" + name));
    }

    private ServiceProcess service(String round, String name, List<String> args, Path data) throws Exception {
        List<String> a = new ArrayList<>(args);
        a.addAll(List.of("--data-dir", data.toString(), "--ready-file", readyFile(round, name).toString()));
        ServiceProcess p = ServiceProcess.start(round + "-" + name, dir, "-Xmx256m", a);
        started.add(p);
        return p;
    }

    private Path readyFile(String round, String name) {
        return dir.resolve(round + "-" + name + ".ready");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
