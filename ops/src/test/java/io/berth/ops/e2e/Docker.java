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
        String ids = BerthProcess.sh("docker", "ps", "-aq", "--filter", "label=berth.task");
        for (String id : ids.split("\\s+")) {
            if (!id.isBlank()) BerthProcess.sh("docker", "rm", "-f", id);
        }
    }

    static void removeContainersOfNode(String node) throws IOException, InterruptedException {
        String ids = BerthProcess.sh("docker", "ps", "-aq", "--filter", "label=berth.node=" + node);
        for (String id : ids.split("\\s+")) {
            if (!id.isBlank()) BerthProcess.sh("docker", "rm", "-f", id);
        }
    }
}
