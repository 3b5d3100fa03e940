package io.berth.ops.chaos;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Fault injection that needs more than a signal. */
public final class Faults {
    private Faults() {}

    /**
     * Cuts and restores a node daemon's network. {@link #fromEnvironment} runs an external command,
     * {@code $CHAOS_NETCUT_CMD cut|restore <node-name> <pid>}, and without one {@code NETCUT} is not offered;
     * {@code ops/chaos} sets it to {@code ops/lib/netcut} (the daemon in a net_cls cgroup of its own, what its
     * sockets send dropped by iptables: a cut on one machine, loopback included, where the brokers of
     * {@code berth up --ha} listen out of a network namespace's reach).
     */
    public interface NetCut {
        void cut(String node, long pid) throws Exception;

        void restore(String node, long pid) throws Exception;

        /** The hook of {@code $CHAOS_NETCUT_CMD}, or null when it is not set. */
        static NetCut fromEnvironment() {
            String cmd = System.getenv("CHAOS_NETCUT_CMD");
            if (cmd == null || cmd.isBlank()) return null;
            return new NetCut() {
                @Override
                public void cut(String node, long pid) throws Exception {
                    run(cmd, "cut", node, pid);
                }

                @Override
                public void restore(String node, long pid) throws Exception {
                    run(cmd, "restore", node, pid);
                }
            };
        }
    }

    private static void run(String cmd, String verb, String node, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd, verb, node, String.valueOf(pid))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(cmd + " " + verb + " " + node + " failed: " + out.strip());
    }
}
