package io.berth.state.core;

import io.berth.schemas.NodeLabels;
import io.berth.schemas.TaskReason;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.StatefulSetSpec;
import io.berth.schemas.avro.StatefulSetStatus;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.Volume;
import io.berth.schemas.avro.VolumeClaimTemplate;
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
 * The StatefulSet controller as a pure function (Kubernetes' stateful set controller): pods {@code NAME-0 …
 * NAME-(N-1)} with stable names, each with its own claims ({@code TEMPLATE-NAME-ORDINAL}) on a node-local volume.
 *
 * <p>{@code OrderedReady} (the default): ordinal i is created only once 0..i-1 are running and ready, one at a
 * time; scale-down removes the highest ordinal first, one at a time, and only while the rest are ready.
 * {@code Parallel}: every missing pod at once, every surplus one at once. A pod that is deleted, fails or is
 * lost with its node is recreated under the same name once the old one is gone (at most one pod per ordinal).
 *
 * <p>Volumes: a pod's claims are bound to the node its first pod was placed on; every later pod of that ordinal
 * is pinned there (nodeSelector {@code kubernetes.io/hostname}), so it finds its data again. Claims are kept when
 * the set scales down and when it is deleted (the Retain policy, {@link #retained}); a set created again under the
 * same name adopts them ({@link #adopted}).
 *
 * <p>Updates: {@code RollingUpdate} replaces pods of an older template from the highest ordinal down, only
 * ordinals ≥ {@code partition}, one at a time and only while every pod is ready; {@code OnDelete} waits for a
 * pod to be deleted.
 */
public final class StatefulSets {
    private StatefulSets() {}

    /** The type of a pod volume backed by one of the set's claims (its source is the claim's name). */
    public static final String CLAIM_VOLUME = "persistentVolumeClaim";
    /** Kubernetes' label naming a stateful set's pod. */
    public static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
    /** Kubernetes' label carrying a pod's ordinal. */
    public static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

    /**
     * A pod to create.
     *
     * @param ordinal its index: its name is {@code NAME-ordinal}
     * @param node    the node its claims are bound to (empty: any; the first placement binds them)
     */
    public record NewPod(String taskId, int ordinal, String node) {}

    /** The task steps, the pods to create among them, the status after the steps and the events to write. */
    public record Step(Steps steps, Map<String, NewPod> pods, StatefulSetStatus status, List<String> created, List<String> deleted) {}

    public static StatefulSetStatus statusOf(WorkloadView v) {
        return v.getStatefulSetStatus() == null ? StatefulSetStatus.newBuilder().build() : v.getStatefulSetStatus();
    }

    /**
     * Whether {@code v} only keeps the claims of a deleted set: its pods are gone, its claims stay
     * ({@code persistentVolumeClaimRetentionPolicy.whenDeleted: Retain}, Kubernetes' default) with the nodes their
     * volumes live on, so that a set created again under the same name finds its data (as a Kubernetes StatefulSet
     * re-adopts the PVCs named after it).
     */
    public static boolean claimsOnly(WorkloadView v) {
        return v.getKind() == ResourceKind.STATEFULSET && v.getDeleted() && statusOf(v).getClaimsRetained();
    }

    /**
     * What a set leaves when its last pod is gone: its claims and their nodes (Retain), or null when it has none to
     * keep (no claims, or {@code whenDeleted: Delete}).
     */
    public static StatefulSetStatus retained(WorkloadView v, StatefulSetStatus last) {
        if (last.getClaims().isEmpty() || "Delete".equals(specOf(v).getWhenDeleted())) return null;
        return StatefulSetStatus.newBuilder().setClaims(last.getClaims()).setClaimsCreatedAt(last.getClaimsCreatedAt())
                .setClaimsRetained(true).build();
    }

    /**
     * The status a new set starts with: the claims a deleted set of its name left (their bindings: each ordinal's pod
     * goes back to the node its data is on), else none.
     */
    public static StatefulSetStatus adopted(WorkloadView prev) {
        if (prev == null || prev.getKind() != ResourceKind.STATEFULSET || !prev.getDeleted()) return StatefulSetStatus.newBuilder().build();
        StatefulSetStatus was = statusOf(prev);
        return StatefulSetStatus.newBuilder().setClaims(was.getClaims()).setClaimsCreatedAt(was.getClaimsCreatedAt()).build();
    }

    public static StatefulSetSpec specOf(WorkloadView v) {
        return v.getStatefulSet() == null ? StatefulSetSpec.newBuilder().setServiceName("").build() : v.getStatefulSet();
    }

    public static String podName(String set, int ordinal) {
        return set + "-" + ordinal;
    }

    public static String claimName(String template, String set, int ordinal) {
        return template + "-" + set + "-" + ordinal;
    }

    /**
     * The template of ordinal {@code ordinal}'s pod: its claims as volumes (a volume of the template's name is
     * replaced, as Kubernetes does), its name and index as labels, pinned to {@code node} if its claims are bound.
     */
    public static PodTemplate podTemplate(WorkloadView v, int ordinal, String node) {
        PodTemplate t = v.getDeployment().getTemplate();
        List<VolumeClaimTemplate> claims = specOf(v).getVolumeClaimTemplates();
        Set<String> claimed = new HashSet<>();
        claims.forEach(c -> claimed.add(c.getName()));
        List<Volume> volumes = new ArrayList<>();
        t.getVolumes().stream().filter(x -> !claimed.contains(x.getName())).forEach(volumes::add);
        for (VolumeClaimTemplate c : claims) {
            volumes.add(Volume.newBuilder().setName(c.getName()).setType(CLAIM_VOLUME)
                    .setSource(claimName(c.getName(), v.getName(), ordinal)).build());
        }
        Map<String, String> labels = new HashMap<>(t.getLabels());
        labels.put(POD_NAME_LABEL, podName(v.getName(), ordinal));
        labels.put(POD_INDEX_LABEL, Integer.toString(ordinal));
        Map<String, String> selector = new HashMap<>(t.getNodeSelector());
        if (node != null && !node.isEmpty()) selector.put(NodeLabels.HOSTNAME, node);
        return PodTemplate.newBuilder(t).setVolumes(volumes).setLabels(labels).setNodeSelector(selector).build();
    }

    /** The node ordinal {@code ordinal}'s claims are bound to, or "" (none bound yet, or no claims). */
    static String boundNode(WorkloadView v, Map<String, String> claims, int ordinal) {
        for (VolumeClaimTemplate c : specOf(v).getVolumeClaimTemplates()) {
            String node = claims.get(claimName(c.getName(), v.getName(), ordinal));
            if (node != null && !node.isEmpty()) return node;
        }
        return "";
    }

    /**
     * @param readyNodes nodes of the last tick that are Ready (a placed task elsewhere is lost with its node)
     */
    public static Step reconcile(WorkloadView v, List<TaskActual> tasks, Set<String> readyNodes, long now) {
        DeploymentSpec spec = v.getDeployment();
        StatefulSetSpec sts = specOf(v);
        StatefulSetStatus prev = statusOf(v);
        int replicas = v.getDeleted() ? 0 : spec.getReplicas();
        boolean parallel = "Parallel".equals(sts.getPodManagementPolicy());
        long minReadyMs = spec.getMinReadySeconds() * 1000L;
        Map<String, Integer> ordinalOf = new HashMap<>();
        prev.getPods().forEach((o, id) -> ordinalOf.put(id, Integer.parseInt(o)));

        List<Steps.Stop> stops = new ArrayList<>();
        List<String> forget = new ArrayList<>();
        Map<Integer, TaskActual> live = new TreeMap<>();
        Set<Integer> occupied = new HashSet<>();   // ordinals whose old pod is still on its way out
        Map<Integer, String> kept = new TreeMap<>(); // ordinal → task id still in the views
        for (TaskActual t : tasks.stream().sorted(Comparator.comparingLong(TaskActual::seq)).toList()) {
            Integer ordinal = ordinalOf.get(t.taskId());
            boolean nodeDown = t.placed() && !readyNodes.contains(t.nodeId());
            Steps.Stop stop = null;
            if (t.leaving()) {
                boolean waitForRemoved = t.phase() == TaskPhase.TERMINATING && t.placed() && !nodeDown;
                if (!waitForRemoved) forget.add(t.taskId());
                else if (ordinal != null) {
                    occupied.add(ordinal);
                    kept.put(ordinal, t.taskId());
                }
                continue;
            } else if (ordinal == null) {
                stop = stop(t, TaskPhase.TERMINATING, "Orphaned", !t.placed() || nodeDown);
            } else if (v.getDeleted()) {
                stop = stop(t, TaskPhase.TERMINATING, "WorkloadDeleted", !t.placed() || nodeDown);
            } else if (t.terminal()) {
                stop = stop(t, TaskPhase.TERMINATING, (t.phase() == TaskPhase.FAILED ? TaskReason.FAILED : TaskReason.COMPLETED).text(), true);
            } else if (nodeDown) {
                stop = stop(t, TaskPhase.LOST, "NodeLost", true);
            } else if (t.deleteAsked()) {
                stop = stop(t, TaskPhase.TERMINATING, "Deleted", !t.placed());
            } else if (live.containsKey(ordinal)) {
                stop = stop(live.get(ordinal), TaskPhase.TERMINATING, "Superseded", !live.get(ordinal).placed());
                live.put(ordinal, t);
            } else {
                live.put(ordinal, t);
            }
            if (stop != null) {
                stops.add(stop);
                if (!stop.removeNow() && ordinal != null) {
                    occupied.add(ordinal);
                    kept.put(ordinal, t.taskId());
                }
            }
        }

        // claims: bound to the node their ordinal's pod was first placed on
        Map<String, String> claims = new TreeMap<>(prev.getClaims());
        Map<String, Long> claimsCreated = new TreeMap<>(prev.getClaimsCreatedAt());
        live.forEach((o, t) -> {
            if (!t.placed()) return;
            for (VolumeClaimTemplate c : sts.getVolumeClaimTemplates()) {
                String claim = claimName(c.getName(), v.getName(), o);
                if (claims.getOrDefault(claim, "").isEmpty()) claims.put(claim, t.nodeId());
            }
        });

        List<Steps.NewTask> create = new ArrayList<>();
        Map<String, NewPod> newPods = new TreeMap<>();
        List<String> createdNames = new ArrayList<>(), deletedNames = new ArrayList<>();
        long seq = v.getNextTaskSeq();
        Set<String> stopped = new HashSet<>();
        stops.forEach(s -> stopped.add(s.taskId()));

        // scale up / recreate, lowest ordinal first
        boolean blocked = false;
        for (int o = 0; o < replicas && !blocked; o++) {
            TaskActual t = live.get(o);
            if (t != null) {
                if (!parallel && !runningAndReady(t)) blocked = true;
                continue;
            }
            if (occupied.contains(o)) {
                if (!parallel) blocked = true;
                continue;
            }
            String id = TaskNames.taskId(v.getName(), v.getTemplateHash(), v.getUid(), seq);
            create.add(new Steps.NewTask(id, seq++));
            newPods.put(id, new NewPod(id, o, boundNode(v, claims, o)));
            createdNames.add(podName(v.getName(), o));
            for (VolumeClaimTemplate c : sts.getVolumeClaimTemplates()) {
                String claim = claimName(c.getName(), v.getName(), o);
                claims.putIfAbsent(claim, "");
                claimsCreated.putIfAbsent(claim, now);
            }
            kept.put(o, id);
            if (!parallel) blocked = true;
        }

        // scale down, highest ordinal first; OrderedReady: one at a time, only while the rest are ready
        List<Integer> surplus = live.keySet().stream().filter(o -> o >= replicas).sorted(Comparator.reverseOrder()).toList();
        boolean othersReady = live.entrySet().stream().filter(e -> e.getKey() < replicas).allMatch(e -> runningAndReady(e.getValue()));
        boolean condemnedLeaving = occupied.stream().anyMatch(o -> o >= replicas);
        boolean mayScaleDown = parallel || othersReady && !condemnedLeaving && create.isEmpty();
        for (int o : mayScaleDown ? surplus : List.<Integer>of()) {
            TaskActual t = live.remove(o);
            stops.add(stop(t, TaskPhase.TERMINATING, v.getDeleted() ? "WorkloadDeleted" : "ScaledDown", !t.placed()));
            stopped.add(t.taskId());
            deletedNames.add(podName(v.getName(), o));
            if (t.placed()) kept.put(o, t.taskId());
            else kept.remove(o);
            if (!parallel) break;
        }

        // rolling update: highest ordinal ≥ partition of an older template, when every pod is there and ready
        boolean rolling = !"OnDelete".equalsIgnoreCase(spec.getStrategyType());
        boolean allThere = create.isEmpty() && occupied.isEmpty() && live.size() == replicas
                && live.values().stream().allMatch(StatefulSets::runningAndReady);
        if (rolling && allThere && !v.getDeleted()) {
            for (int o = replicas - 1; o >= Math.max(0, sts.getPartition()); o--) {
                TaskActual t = live.get(o);
                if (t == null || t.templateHash().equals(v.getTemplateHash())) continue;
                stops.add(stop(t, TaskPhase.TERMINATING, "Superseded", !t.placed()));
                stopped.add(t.taskId());
                deletedNames.add(podName(v.getName(), o));
                break;
            }
        }

        // status: the pods by ordinal (live or still leaving), counts over the live ones
        Map<String, String> pods = new TreeMap<>();
        live.forEach((o, t) -> pods.put(Integer.toString(o), t.taskId()));
        kept.forEach((o, id) -> pods.put(Integer.toString(o), id));
        Set<String> forgotten = new HashSet<>(forget);
        stops.stream().filter(Steps.Stop::removeNow).forEach(s -> forgotten.add(s.taskId()));
        pods.values().removeIf(forgotten::contains);
        newPods.values().forEach(p -> pods.put(Integer.toString(p.ordinal()), p.taskId()));

        int count = 0, ready = 0, available = 0, updated = 0, current = 0;
        String update = v.getTemplateHash();
        String currentRevision = prev.getCurrentRevision().isEmpty() ? update : prev.getCurrentRevision();
        for (TaskActual t : live.values()) {
            if (stopped.contains(t.taskId())) continue;
            count++;
            if (t.ready()) ready++;
            if (t.available(minReadyMs, now)) available++;
            if (t.templateHash().equals(update)) updated++;
            if (t.templateHash().equals(currentRevision)) current++;
        }
        count += create.size();
        updated += create.size();
        if (currentRevision.equals(update)) current = updated;
        if (updated == replicas && count == replicas && ready == replicas) {
            currentRevision = update;
            current = updated;
        }
        StatefulSetStatus status = StatefulSetStatus.newBuilder(prev).setReplicas(count).setReadyReplicas(ready)
                .setAvailableReplicas(available).setCurrentReplicas(current).setUpdatedReplicas(updated)
                .setCurrentRevision(currentRevision).setUpdateRevision(update)
                .setPods(pods).setClaims(claims).setClaimsCreatedAt(claimsCreated).build();
        Steps.ReplicaStatus rs = new Steps.ReplicaStatus(replicas, count, ready, available, updated);
        long leavingNow = stops.stream().filter(Steps.Stop::removeNow).count() + forget.size();
        boolean gone = v.getDeleted() && leavingNow == tasks.size();
        return new Step(new Steps(create, stops, forget, seq, rs, gone), newPods, status, createdNames, deletedNames);
    }

    /** Kubernetes' isRunningAndReady: the pod runs and its containers are ready. */
    static boolean runningAndReady(TaskActual t) {
        return t.phase() == TaskPhase.RUNNING && t.ready();
    }

    private static Steps.Stop stop(TaskActual t, TaskPhase phase, String reason, boolean removeNow) {
        return new Steps.Stop(t.taskId(), t.nodeId(), phase, reason, removeNow);
    }
}
