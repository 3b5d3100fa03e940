package io.berth.gateway.view;

import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.TaskView;
import io.berth.schemas.avro.WorkloadView;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tables {@code kubectl get} prints, column for column, for Berth's views. Pure: "now" is given,
 * so AGE is reproducible in tests.
 */
public final class KubeTables {
    private KubeTables() {}

    /** {@code NAME READY STATUS RESTARTS AGE}; wide adds {@code IP NODE}; all namespaces prepends {@code NAMESPACE}. */
    public static String pods(List<TaskView> pods, Map<String, NodeView> nodes, boolean wide, boolean allNamespaces, long now) {
        List<String> header = new ArrayList<>(List.of("NAME", "READY", "STATUS", "RESTARTS", "AGE"));
        if (wide) header.addAll(List.of("IP", "NODE"));
        List<List<String>> rows = new ArrayList<>();
        for (TaskView t : pods) {
            int containers = Math.max(1, t.getTemplate().getContainers().size());
            int ready = t.getReady() ? containers : 0, restarts = t.getRestartCount();
            if (!t.getContainerStatuses().isEmpty()) {
                // the node daemon's per-container snapshot: ready containers and their restarts, as kubectl counts them
                ready = (int) t.getContainerStatuses().stream().filter(c -> !c.getInit() && c.getReady()).count();
                restarts = t.getContainerStatuses().stream().filter(c -> !c.getInit()).mapToInt(c -> c.getRestartCount()).sum();
            }
            List<String> row = new ArrayList<>(List.of(KubeObjects.podName(t), ready + "/" + containers,
                    KubeObjects.podStatus(t), Integer.toString(restarts), age(t.getCreatedAt(), now)));
            if (wide) {
                NodeView n = nodes.get(t.getNodeId());
                row.add(n == null || n.getAddress().isEmpty() ? "<none>" : n.getAddress());
                row.add(t.getNodeId().isEmpty() ? "<none>" : n == null ? t.getNodeId() : KubeObjects.nodeName(n));
            }
            rows.add(withNamespace(allNamespaces, t.getNamespace(), row));
        }
        return table(withNamespace(allNamespaces, "NAMESPACE", header), rows);
    }

    /** {@code NAME READY UP-TO-DATE AVAILABLE AGE}; wide adds {@code CONTAINERS IMAGES SELECTOR}. */
    public static String deployments(List<WorkloadView> deployments, boolean wide, boolean allNamespaces, long now) {
        List<String> header = new ArrayList<>(List.of("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"));
        if (wide) header.addAll(List.of("CONTAINERS", "IMAGES", "SELECTOR"));
        List<List<String>> rows = new ArrayList<>();
        for (WorkloadView w : deployments) {
            DeploymentSpec s = w.getDeployment();
            int desired = s == null ? 0 : s.getReplicas();
            List<String> row = new ArrayList<>(List.of(w.getName(), w.getReadyReplicas() + "/" + desired,
                    Integer.toString(w.getUpdatedReplicas()), Integer.toString(w.getAvailableReplicas()), age(w.getCreatedAt(), now)));
            if (wide) {
                row.add(s == null ? "<none>" : String.join(",", s.getTemplate().getContainers().stream().map(c -> c.getName()).toList()));
                row.add(s == null ? "<none>" : String.join(",", s.getTemplate().getContainers().stream().map(c -> c.getImage()).toList()));
                row.add(s == null ? "<none>" : selector(s.getSelector()));
            }
            rows.add(withNamespace(allNamespaces, w.getNamespace(), row));
        }
        return table(withNamespace(allNamespaces, "NAMESPACE", header), rows);
    }

    /** {@code NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE}; Berth services have no cluster IP. */
    public static String services(List<WorkloadView> services, boolean wide, boolean allNamespaces, long now) {
        List<String> header = new ArrayList<>(List.of("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"));
        if (wide) header.add("SELECTOR");
        List<List<String>> rows = new ArrayList<>();
        for (WorkloadView w : services) {
            List<String> row = new ArrayList<>(List.of(w.getName(), w.getService() == null ? "ClusterIP" : w.getService().getType(),
                    "<none>", "<none>", KubeObjects.servicePorts(w.getService()), age(w.getCreatedAt(), now)));
            if (wide) row.add(w.getService() == null ? "<none>" : selector(w.getService().getSelector()));
            rows.add(withNamespace(allNamespaces, w.getNamespace(), row));
        }
        return table(withNamespace(allNamespaces, "NAMESPACE", header), rows);
    }

    /** {@code NAME STATUS ROLES AGE VERSION}; wide adds {@code INTERNAL-IP EXTERNAL-IP}. */
    public static String nodes(List<NodeView> nodes, boolean wide, long now) {
        List<String> header = new ArrayList<>(List.of("NAME", "STATUS", "ROLES", "AGE", "VERSION"));
        if (wide) header.addAll(List.of("INTERNAL-IP", "EXTERNAL-IP"));
        List<List<String>> rows = new ArrayList<>();
        for (NodeView n : nodes) {
            List<String> row = new ArrayList<>(List.of(KubeObjects.nodeName(n), KubeObjects.nodeStatus(n), KubeObjects.nodeRoles(n),
                    age(n.getRegisteredAt(), now), KubeObjects.NODE_VERSION));
            if (wide) {
                row.add(n.getAddress().isEmpty() ? "<none>" : n.getAddress());
                row.add("<none>");
            }
            rows.add(row);
        }
        return table(header, rows);
    }

    private static String selector(Map<String, String> labels) {
        return labels.isEmpty() ? "<none>" : String.join(",", new java.util.TreeMap<>(labels).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    private static List<String> withNamespace(boolean all, String namespace, List<String> row) {
        if (!all) return row;
        List<String> out = new ArrayList<>(row.size() + 1);
        out.add(namespace);
        out.addAll(row);
        return out;
    }

    /**
     * Columns as kubectl's tabwriter lays them out (min width 6, padding 3, last column unpadded),
     * one line per row, each ending in a newline.
     */
    public static String table(List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) widths[i] = header.get(i).length();
        for (List<String> row : rows) for (int i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], row.get(i).length());
        StringBuilder out = new StringBuilder();
        List<List<String>> lines = new ArrayList<>();
        lines.add(header);
        lines.addAll(rows);
        for (List<String> line : lines) {
            for (int i = 0; i < line.size(); i++) {
                String cell = line.get(i);
                out.append(cell);
                if (i < line.size() - 1) out.append(" ".repeat(Math.max(widths[i] + 3, 6) - cell.length()));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** kubectl's AGE ({@code duration.HumanDuration}): 45s, 3m20s, 15m, 5h3m, 2d4h, 30d, 2y10d. */
    public static String age(long fromMillis, long nowMillis) {
        if (fromMillis <= 0) return "<unknown>";
        long seconds = Math.floorDiv(nowMillis - fromMillis, 1000L);
        if (seconds < -1) return "<invalid>";
        if (seconds < 0) return "0s";
        if (seconds < 60 * 2) return seconds + "s";
        long minutes = seconds / 60;
        if (minutes < 10) return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + (seconds % 60) + "s";
        if (minutes < 60 * 3) return minutes + "m";
        long hours = minutes / 60;
        if (hours < 8) return minutes % 60 == 0 ? hours + "h" : hours + "h" + (minutes % 60) + "m";
        if (hours < 48) return hours + "h";
        if (hours < 24 * 8) return hours % 24 == 0 ? (hours / 24) + "d" : (hours / 24) + "d" + (hours % 24) + "h";
        if (hours < 24 * 365 * 2) return (hours / 24) + "d";
        if (hours < 24 * 365 * 8) {
            long days = (hours / 24) % 365;
            return days == 0 ? (hours / 24 / 365) + "y" : (hours / 24 / 365) + "y" + days + "d";
        }
        return (hours / 24 / 365) + "y";
    }
}
