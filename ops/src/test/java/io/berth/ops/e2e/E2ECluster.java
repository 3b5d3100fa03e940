package io.berth.ops.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Berth cluster of processes for an e2e test, as a user would run it: {@code berth up -d --no-node}
 * on free ports in a fresh data dir, plus node daemons started with {@code berth node start -d}.
 * {@link #close} stops the daemons, then the all-in-one, then kills whatever did not stop.
 */
final class E2ECluster implements AutoCloseable {
    final Path home;
    final String bootstrap;
    final String registryUrl;
    /** The gateway the CLI talks to. */
    final String server;
    /** Node name → pid of its daemon process. */
    final Map<String, Long> nodePids = new LinkedHashMap<>();

    private E2ECluster(Path home, int kafka, int registry, int gateway) {
        this.home = home;
        this.bootstrap = "127.0.0.1:" + kafka;
        this.registryUrl = "http://127.0.0.1:" + registry;
        this.server = "http://127.0.0.1:" + gateway;
    }

    /** Starts the control plane (Kafka, registry, state-streams, scheduler, gateway) without a node; {@code options} go to {@code berth up}. */
    static E2ECluster up(String name, String... options) throws Exception {
        Path home = Files.createTempDirectory("berth-" + name + "-e2e");
        E2ECluster c = new E2ECluster(home, freePort(), freePort(), freePort());
        List<String> args = new ArrayList<>(List.of("up", "-d", "--no-node", "--data-dir", home.toString(),
                "--kafka-port", c.bootstrap.substring(c.bootstrap.lastIndexOf(':') + 1),
                "--registry-port", c.registryUrl.substring(c.registryUrl.lastIndexOf(':') + 1),
                "--gateway-port", c.server.substring(c.server.lastIndexOf(':') + 1)));
        args.addAll(List.of(options));
        BerthProcess.runOk(home, 180, args.toArray(String[]::new));
        return c;
    }

    /** Starts a node daemon in the background ({@code berth node start --name NAME -d …}); returns its pid. */
    long startNode(String name, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("node", "start", "--name", name, "-d", "--data-dir", home.toString()));
        args.addAll(List.of(options));
        BerthProcess.Result r = BerthProcess.runOk(home, 120, args.toArray(String[]::new));
        long pid = Long.parseLong(r.lastLine());
        nodePids.put(name, pid);
        return pid;
    }

    /** The admin token {@code berth up} wrote to {@code <home>/kubeconfig} (the CLI finds it there through $BERTH_HOME). */
    String adminToken() {
        return io.berth.ops.kubectl.Kubeconfig.token(home.resolve("kubeconfig")).orElseThrow();
    }

    /** Runs a kubectl-style command against the gateway. */
    BerthProcess.Result cli(long timeoutSeconds, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", server));
        return BerthProcess.run(home, timeoutSeconds, all.toArray(String[]::new));
    }

    @Override
    public void close() throws Exception {
        for (String n : nodePids.keySet()) BerthProcess.run(home, 30, "node", "stop", "--name", n, "--data-dir", home.toString());
        try {
            BerthProcess.run(home, 120, "down", "--data-dir", home.toString());
        } finally {
            for (long pid : nodePids.values()) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            io.berth.ops.TestSupport.retire(home);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
