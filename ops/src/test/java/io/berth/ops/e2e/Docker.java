package io.berth.ops.e2e;

import java.io.IOException;
import java.util.*;

/** What the Docker engine actually runs: the ground truth the e2e tests measure against. */
final class Docker {
    private Docker() {}

    record Container(String id, String task, String node, String state) {}

    /** Berth containers of one workload, running or not. */
    static List<Container> containers(String workloadKey) throws IOException, InterruptedException {
        String out = BerthProcess.sh("docker", "ps", "-a", "--no-trunc", "--filter", "label=berth.workload=" + workloadKey,
                "--format", "{{.ID}}|{{.Label \"berth.task\"}}|{{.Label \"berth.node\"}}|{{.State}}");
        List<Container> list = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.strip().split("\\|", -1);
            list.add(new Container(f[0], f[1], f[2], f[3]));
        }
        return list;
    }

    static List<Container> running(String workloadKey) throws IOException, InterruptedException {
        return containers(workloadKey).stream().filter(c -> c.state().equals("running")).toList();
    }

    /** Running containers per node. */
    static Map<String, Integer> perNode(String workloadKey) throws IOException, InterruptedException {
        Map<String, Integer> m = new TreeMap<>();
        for (Container c : running(workloadKey)) m.merge(c.node(), 1, Integer::sum);
        return m;
    }

    static void removeAllBerthContainers() throws IOException, InterruptedException {
        removeAll("label=berth.task");
    }

    static void removeContainersOfNode(String node) throws IOException, InterruptedException {
        removeAll("label=berth.node=" + node);
    }

    /**
     * Removes every container matching the filter and waits until none is left. A node daemon that is
     * stopping may be removing some of them at the same moment ("removal … is already in progress",
     * "No such container"), so a failed {@code rm} is checked against what remains, not trusted.
     */
    private static void removeAll(String filter) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            String ids = BerthProcess.sh("docker", "ps", "-aq", "--filter", filter).strip();
            if (ids.isEmpty()) return;
            if (System.nanoTime() > deadline) throw new AssertionError("containers " + filter + " still there after 60 s: " + ids);
            List<String> cmd = new ArrayList<>(List.of("docker", "rm", "-f"));
            cmd.addAll(List.of(ids.split("\\s+")));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) Thread.sleep(200);  // poll interval while another remover finishes
        }
    }
}
