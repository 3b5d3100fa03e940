package io.berth.state.core;

import io.berth.schemas.NodeLabels;
import io.berth.schemas.TaskReason;
import io.berth.schemas.avro.DaemonSetStatus;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.WorkloadView;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The DaemonSet controller as a pure function (Kubernetes' daemon controller): one pod on every eligible node.
 * A node is eligible when the pod template's nodeSelector matches its labels (with {@code kubernetes.io/hostname}
 * = its id); a new pod goes only to a node that is Ready, not cordoned and not being drained, and is pinned to
 * it (nodeSelector {@code kubernetes.io/hostname}); a pod on a node that stopped matching, or that left the
 * cluster, is stopped (misscheduled). A pod lost with its node, or ended, is replaced once the node can take one.
 *
 * <p>Updates: with {@code RollingUpdate} (the default) pods of an older template are replaced node by node, at
 * most {@code maxUnavailable} (default 1, or a percentage of the desired nodes, rounded down but at least 1)
 * nodes without an available pod at a time: the old pod is stopped, and the new one created once it is gone
 * (Kubernetes' default maxSurge 0). With {@code OnDelete} a pod gets the new template only when it is deleted.
 */
public final class DaemonSets {
    private DaemonSets() {}

    /** A node as the controller sees it on the last tick. */
    public record NodeInfo(String id, Map<String, String> labels, boolean ready, boolean schedulable) {}

    /**
     * @param steps  tasks to create (with {@link #pins}: the node each goes to), stop and forget
     * @param status the DaemonSet's status after the steps
     * @param pins   new task id → its node
     */
    public record Step(Steps steps, DaemonSetStatus status, Map<String, String> pins) {}

    public static DaemonSetStatus statusOf(WorkloadView v) {
        return v.getDaemonSetStatus() == null ? DaemonSetStatus.newBuilder().build() : v.getDaemonSetStatus();
    }

    /** Whether the template's nodeSelector lets {@code node} run the daemon. */
    static boolean matches(Map<String, String> selector, NodeInfo node) {
        for (Map.Entry<String, String> e : selector.entrySet()) {
            String v = node.labels().get(e.getKey());
            if (v == null && e.getKey().equals(NodeLabels.HOSTNAME)) v = node.id();
            if (!e.getValue().equals(v)) return false;
        }
        return true;
    }

    public static Step reconcile(WorkloadView v, List<TaskActual> tasks, List<NodeInfo> nodes, long now) {
        DeploymentSpec spec = v.getDeployment();
        DaemonSetStatus prev = statusOf(v);
        Map<String, String> taskNode = new HashMap<>();
        prev.getPods().forEach((node, task) -> taskNode.put(task, node));
        Map<String, NodeInfo> byId = new TreeMap<>();
        nodes.forEach(n -> byId.put(n.id(), n));
        Map<String, String> selector = spec.getTemplate().getNodeSelector();
        long minReadyMs = spec.getMinReadySeconds() * 1000L;

        List<Steps.Stop> stops = new ArrayList<>();
        List<String> forget = new ArrayList<>();
        Map<String, List<TaskActual>> live = new TreeMap<>();  // node → its live tasks, oldest first
        int misscheduled = 0;
        for (TaskActual t : tasks.stream().sorted(Comparator.comparingLong(TaskActual::seq)).toList()) {
            String node = t.placed() ? t.nodeId() : taskNode.get(t.taskId());
            NodeInfo n = node == null ? null : byId.get(node);
            boolean nodeDown = t.placed() && (n == null || !n.ready());
            if (t.leaving()) {
                boolean waitForRemoved = t.phase() == TaskPhase.TERMINATING && t.placed() && !nodeDown;
                if (!waitForRemoved) forget.add(t.taskId());
            } else if (v.getDeleted()) {
                stops.add(stop(t, TaskPhase.TERMINATING, "WorkloadDeleted", !t.placed() || nodeDown));
            } else if (t.terminal()) {
                stops.add(stop(t, TaskPhase.TERMINATING, (t.phase() == TaskPhase.FAILED ? TaskReason.FAILED : TaskReason.COMPLETED).text(), true));
            } else if (node == null || n == null || !matches(selector, n)) {
                misscheduled++;
                stops.add(stop(t, TaskPhase.TERMINATING, "Misscheduled", !t.placed() || nodeDown));
            } else if (nodeDown) {
                stops.add(stop(t, TaskPhase.LOST, "NodeLost", true));
            } else if (t.deleteAsked()) {
                stops.add(stop(t, TaskPhase.TERMINATING, "Deleted", !t.placed()));
            } else {
                live.computeIfAbsent(node, k -> new ArrayList<>()).add(t);
            }
        }

        // the nodes that should run the daemon: matching, and able to take a pod or already running one
        List<NodeInfo> desired = v.getDeleted() ? List.of() : byId.values().stream().filter(n -> matches(selector, n))
                .filter(n -> n.ready() && n.schedulable() || live.containsKey(n.id())).toList();
        Map<String, String> pods = new TreeMap<>();
        List<Steps.NewTask> create = new ArrayList<>();
        Map<String, String> pins = new HashMap<>();
        long seq = v.getNextTaskSeq();
        boolean rolling = !"OnDelete".equalsIgnoreCase(spec.getStrategyType());
        int maxUnavailable = RolloutPolicy.resolve(spec.getRollingUpdate() == null ? "1" : spec.getRollingUpdate().getMaxUnavailable(),
                desired.size(), false);
        maxUnavailable = Math.max(1, maxUnavailable);
        int unavailable = 0;
        for (NodeInfo n : desired) {
            List<TaskActual> on = live.getOrDefault(n.id(), List.of());
            if (on.stream().noneMatch(t -> t.available(minReadyMs, now))) unavailable++;
        }
        List<String> rollable = new ArrayList<>();
        for (NodeInfo n : desired) {
            List<TaskActual> on = new ArrayList<>(live.getOrDefault(n.id(), List.of()));
            // two live pods on one node (a restart raced a swap): the newest stays
            while (on.size() > 1) {
                TaskActual extra = on.remove(0);
                stops.add(stop(extra, TaskPhase.TERMINATING, "Superseded", !extra.placed()));
            }
            if (on.isEmpty()) {
                if (n.ready() && n.schedulable()) {
                    String id = TaskNames.taskId(v.getName(), v.getTemplateHash(), v.getUid(), seq);
                    create.add(new Steps.NewTask(id, seq++));
                    pins.put(id, n.id());
                    pods.put(n.id(), id);
                }
            } else {
                TaskActual t = on.get(0);
                pods.put(n.id(), t.taskId());
                if (rolling && !t.templateHash().equals(v.getTemplateHash())) rollable.add(n.id());
            }
        }
        // rolling update: unavailable first (replacing them costs nothing), then available ones within the budget
        int budget = maxUnavailable - unavailable;
        for (String node : rollable) {
            TaskActual t = live.get(node).get(live.get(node).size() - 1);
            boolean available = t.available(minReadyMs, now);
            if (available && budget <= 0) continue;
            if (available) budget--;
            stops.add(stop(t, TaskPhase.TERMINATING, "Superseded", !t.placed()));
            pods.remove(node);
        }

        Set<String> stopped = new HashSet<>();
        stops.forEach(s -> stopped.add(s.taskId()));
        int current = 0, ready = 0, available = 0, updated = 0;
        for (NodeInfo n : desired) {
            TaskActual t = live.getOrDefault(n.id(), List.of()).stream().filter(x -> !stopped.contains(x.taskId()))
                    .reduce((a, b) -> b).orElse(null);
            boolean fresh = pins.containsValue(n.id());
            if (t == null && !fresh) continue;
            current++;
            if (fresh || t.templateHash().equals(v.getTemplateHash())) updated++;
            if (t != null && t.ready()) ready++;
            if (t != null && t.available(minReadyMs, now)) available++;
        }
        DaemonSetStatus status = DaemonSetStatus.newBuilder(prev)
                .setDesiredNumberScheduled(v.getDeleted() ? 0 : desired.size()).setCurrentNumberScheduled(current)
                .setNumberReady(ready).setNumberAvailable(available).setNumberUnavailable(Math.max(0, desired.size() - available))
                .setUpdatedNumberScheduled(updated).setNumberMisscheduled(misscheduled).setPods(pods).build();
        Steps.ReplicaStatus replicas = new Steps.ReplicaStatus(desired.size(), current, ready, available, updated);
        long leavingNow = stops.stream().filter(Steps.Stop::removeNow).count() + forget.size();
        boolean gone = v.getDeleted() && leavingNow == tasks.size();
        return new Step(new Steps(create, stops, forget, seq, replicas, gone), status, pins);
    }

    private static Steps.Stop stop(TaskActual t, TaskPhase phase, String reason, boolean removeNow) {
        return new Steps.Stop(t.taskId(), t.nodeId(), phase, reason, removeNow);
    }
}
