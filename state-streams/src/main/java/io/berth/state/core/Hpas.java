package io.berth.state.core;

import io.berth.schemas.avro.*;

import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.function.Function;

/**
 * The HorizontalPodAutoscaler controller's sync as a pure function (Kubernetes' {@code horizontal.go}
 * reconcileAutoscaler): from the HPA (spec, status, history), its target workload, the target's tasks and their
 * latest usage samples, and {@code now} (a tick's time), the next status and — when the decided count differs from
 * the target's spec replicas — the count to scale to, with the words of Kubernetes' event. The arithmetic is
 * {@link Autoscaler}'s. Nothing here reads a clock or a store, so a replay of the log decides the same.
 */
public final class Hpas {
    /** Kubernetes' event source for the HPA controller. */
    public static final String CONTROLLER = "horizontal-pod-autoscaler";
    /** Annotation of the Scale intents an HPA writes: the measured utilization against the targets ("cpu: 180%/50%"). */
    public static final String UTILIZATION_ANNOTATION = "autoscaling.berth.io/metrics";
    /** Annotation of the Scale intents an HPA writes: Kubernetes' rescale reason. */
    public static final String REASON_ANNOTATION = "autoscaling.berth.io/reason";
    /** How old a usage sample may be and still count (metrics-server keeps a pod's metrics about a minute). */
    public static final long SAMPLE_MAX_AGE_MS = 60_000;

    private Hpas() {}

    /** A task's latest usage sample: when it was read, CPU millicores, memory working-set bytes. */
    public record Usage(long atMillis, long cpuMilli, long memoryBytes) {}

    /**
     * The sync's outcome: the next status (with history), and when {@code scaleTo} is not null, the rescale to ask
     * for with its Kubernetes reason ("cpu resource utilization (percentage of request) above target") and the
     * measured metrics ("cpu: 180%/50%"). {@code warning}: a Kubernetes Warning event (reason, message) when a condition turned bad.
     */
    public record Sync(HpaStatus status, Integer scaleTo, String reason, String metrics, String[] warning) {}

    /** The HPA after an APPLY: a new one (uid from the intent id), or the same one with its new spec (a new generation). */
    public static HpaStatus applied(HpaStatus was, Intent i, long now) {
        boolean same = was != null && was.getName().equals(i.getName());
        if (!same) {
            String uid = UUID.nameUUIDFromBytes(("hpa|" + i.getNamespace() + "|" + i.getName() + "|" + i.getIntentId() + "|" + now)
                    .getBytes(StandardCharsets.UTF_8)).toString();
            return HpaStatus.newBuilder().setName(i.getName()).setUid(uid).setCreatedAt(now).setGeneration(1)
                    .setLabels(i.getLabels()).setAnnotations(i.getAnnotations()).setSpec(i.getHpa()).build();
        }
        long generation = was.getSpec().equals(i.getHpa()) ? was.getGeneration() : was.getGeneration() + 1;
        return HpaStatus.newBuilder(was).setSpec(i.getHpa()).setLabels(i.getLabels()).setAnnotations(i.getAnnotations())
                .setGeneration(generation).setLastSyncTime(0).build();  // a changed spec is synced on the next tick
    }

    /** What a reader sees of an HPA: its status without the history and the sync time (which change every sync). */
    public static HpaStatus visible(HpaStatus h) {
        return h == null ? null : HpaStatus.newBuilder(h).setLastSyncTime(0).setRecommendations(List.of()).setScalings(List.of()).build();
    }

    /** "cpu: 180%/50%, memory: 40%/80%" (kubectl's TARGETS column); "<unknown>" for a metric not measured. */
    public static String targets(HpaStatus h) {
        List<String> out = new ArrayList<>();
        for (HpaMetric m : h.getSpec().getMetrics()) {
            HpaMetricStatus cur = h.getCurrentMetrics().stream().filter(c -> c.getResource().equals(m.getResource())).findFirst().orElse(null);
            if (m.getAverageUtilization() != null) {
                String now = cur == null || cur.getAverageUtilization() == null ? "<unknown>" : cur.getAverageUtilization() + "%";
                out.add(m.getResource() + ": " + now + "/" + m.getAverageUtilization() + "%");
            } else {
                String now = cur == null ? "<unknown>" : quantity(m.getResource(), cur.getAverageValue());
                out.add(m.getResource() + ": " + now + "/" + quantity(m.getResource(), m.getAverageValue() == null ? 0 : m.getAverageValue()));
            }
        }
        return String.join(", ", out);
    }

    private static String quantity(String resource, long v) {
        return resource.equals("cpu") ? v + "m" : v % (1L << 20) == 0 ? (v >> 20) + "Mi" : Long.toString(v);
    }

    /**
     * One sync of {@code h} at {@code now}.
     *
     * @param target the target's view, null when there is none
     * @param tasks  the target's tasks
     * @param usage  a task id's latest sample, or null
     */
    public static Sync sync(HpaStatus h, WorkloadView target, Collection<TaskView> tasks, Function<String, Usage> usage, long now) {
        HpaSpec spec = h.getSpec();
        HpaStatus.Builder next = HpaStatus.newBuilder(h).setLastSyncTime(now).setObservedGeneration(h.getGeneration());
        List<Condition> conds = h.getConditions();
        if (target == null || target.getDeleted() || target.getKind() != ResourceKind.DEPLOYMENT || target.getDeployment() == null) {
            String msg = "the HPA controller was unable to get the target's current scale: deployments.apps \"" + spec.getTargetName() + "\" not found";
            conds = set(conds, "AbleToScale", "False", "FailedGetScale", msg, now);
            return new Sync(next.setConditions(conds).setCurrentMetrics(List.of()).build(), null, "", "", warningIfNew(h, conds, "AbleToScale", "FailedGetScale", msg));
        }
        int current = target.getDeployment().getReplicas();
        next.setCurrentReplicas(target.getReplicas());
        conds = set(conds, "AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale", now);
        if (current == 0) {
            conds = set(conds, "ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero", now);
            return new Sync(next.setConditions(conds).setDesiredReplicas(0).setCurrentMetrics(List.of()).build(), null, "", "", null);
        }
        int min = spec.getMinReplicas();
        int max = spec.getMaxReplicas();
        int recommended;
        String reason;
        List<HpaMetricStatus> measured = new ArrayList<>();
        if (current > max) {
            recommended = max;
            reason = "Current number of replicas above Spec.MaxReplicas";
        } else if (current < min) {
            recommended = min;
            reason = "Current number of replicas below Spec.MinReplicas";
        } else {
            Map<String, Autoscaler.Recommendation> byMetric = new LinkedHashMap<>();
            String failure = null;
            for (HpaMetric m : spec.getMetrics()) {
                try {
                    Autoscaler.Recommendation r = recommend(m, current, tasks, usage, now);
                    byMetric.put(m.getResource(), r);
                    measured.add(new HpaMetricStatus(m.getResource(), m.getAverageUtilization() == null ? null : r.utilizationPercent(),
                            averageValue(m.getResource(), tasks, usage, now)));
                } catch (IllegalArgumentException e) {
                    failure = "failed to get " + m.getResource() + " utilization: " + e.getMessage();
                }
            }
            next.setCurrentMetrics(measured);
            if (byMetric.isEmpty()) {
                String msg = "the HPA was unable to compute the replica count: " + failure;
                conds = set(conds, "ScalingActive", "False", "FailedGetResourceMetric", msg, now);
                return new Sync(next.setConditions(conds).setDesiredReplicas(current).build(), null, "", "",
                        warningIfNew(h, conds, "ScalingActive", "FailedGetResourceMetric", msg));
            }
            String best = null;
            for (Map.Entry<String, Autoscaler.Recommendation> e : byMetric.entrySet()) {
                if (best == null || e.getValue().replicas() > byMetric.get(best).replicas()) best = e.getKey();
            }
            recommended = byMetric.get(best).replicas();
            reason = recommended > current ? best + " resource " + (isUtilization(spec, best) ? "utilization (percentage of request)" : "") + " above target"
                    : "All metrics below target";
            reason = reason.replace("resource  above", "resource above");
            conds = set(conds, "ScalingActive", "True", "ValidMetricFound", "the HPA was able to successfully calculate a replica count from "
                    + best + " resource " + (isUtilization(spec, best) ? "utilization (percentage of request)" : ""), now);
        }
        next.setCurrentMetrics(measured);
        List<Autoscaler.Past> recs = h.getRecommendations().stream().map(r -> new Autoscaler.Past(r.getAt(), r.getReplicas())).toList();
        List<Autoscaler.Scaling> scalings = h.getScalings().stream().map(s -> new Autoscaler.Scaling(s.getAt(), s.getChange())).toList();
        Autoscaler.Decision d = Autoscaler.normalize(now, current, recommended, min, max, rules(spec.getScaleUp(), Autoscaler.DEFAULT_SCALE_UP),
                rules(spec.getScaleDown(), Autoscaler.DEFAULT_SCALE_DOWN), recs, scalings);
        next.setRecommendations(d.recommendations().stream().map(p -> new HpaRecommendation(p.atMillis(), p.replicas())).toList())
                .setScalings(d.scalings().stream().map(s -> new HpaScaling(s.atMillis(), s.change())).toList())
                .setDesiredReplicas(d.replicas());
        conds = limited(conds, recommended, d.replicas(), min, max, now);
        if (d.replicas() == current) {
            conds = set(conds, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size", now);
            return new Sync(next.setConditions(conds).build(), null, "", "", null);
        }
        conds = set(conds, "AbleToScale", "True", "SucceededRescale", "the HPA controller was able to update the target scale to " + d.replicas(), now);
        HpaStatus status = next.setConditions(conds).setLastScaleTime(now).build();
        return new Sync(status, d.replicas(), reason, targets(status), null);
    }

    private static boolean isUtilization(HpaSpec spec, String resource) {
        return spec.getMetrics().stream().anyMatch(m -> m.getResource().equals(resource) && m.getAverageUtilization() != null);
    }

    /** Kubernetes' ScalingLimited: the recommendation was cut to maxReplicas/minReplicas or by a rate policy. */
    private static List<Condition> limited(List<Condition> conds, int recommended, int decided, int min, int max, long now) {
        if (recommended > max && decided == max) return set(conds, "ScalingLimited", "True", "TooManyReplicas", "the desired replica count is more than the maximum replica count", now);
        if (recommended < min && decided == min) return set(conds, "ScalingLimited", "True", "TooFewReplicas", "the desired replica count is less than the minimum replica count", now);
        if (recommended > decided) return set(conds, "ScalingLimited", "True", "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate", now);
        return set(conds, "ScalingLimited", "False", "DesiredWithinRange", "the desired count is within the acceptable range", now);
    }

    /** One metric's recommendation: utilization of the request, or an average value per pod (the request replaced by the target). */
    static Autoscaler.Recommendation recommend(HpaMetric m, int current, Collection<TaskView> tasks, Function<String, Usage> usage, long now) {
        boolean cpu = m.getResource().equals("cpu");
        List<Autoscaler.Pod> pods = new ArrayList<>();
        for (TaskView t : counted(tasks)) {
            Usage u = fresh(usage.apply(t.getTaskId()), now);
            Long used = u == null ? null : cpu ? u.cpuMilli() : u.memoryBytes();
            long request = m.getAverageValue() != null ? m.getAverageValue() : request(t, cpu);
            boolean ready = t.getPhase() == TaskPhase.RUNNING && t.getReady();
            pods.add(new Autoscaler.Pod(t.getTaskId(), ready, request, used));
        }
        int target = m.getAverageUtilization() != null ? m.getAverageUtilization() : 100;
        return Autoscaler.recommend(current, target, pods, m.getResource());
    }

    private static long averageValue(String resource, Collection<TaskView> tasks, Function<String, Usage> usage, long now) {
        long sum = 0;
        int n = 0;
        for (TaskView t : counted(tasks)) {
            Usage u = fresh(usage.apply(t.getTaskId()), now);
            if (u == null) continue;
            sum += resource.equals("cpu") ? u.cpuMilli() : u.memoryBytes();
            n++;
        }
        return n == 0 ? 0 : sum / n;
    }

    /** The pods Kubernetes counts: not being deleted, not failed or succeeded (pending ones count as unready). */
    private static List<TaskView> counted(Collection<TaskView> tasks) {
        List<TaskView> out = new ArrayList<>();
        for (TaskView t : tasks) {
            if (t.getDesiredStop()) continue;
            if (t.getPhase() == TaskPhase.PENDING || t.getPhase() == TaskPhase.SCHEDULED || t.getPhase() == TaskPhase.RUNNING) out.add(t);
        }
        return out;
    }

    private static Usage fresh(Usage u, long now) {
        return u == null || now - u.atMillis() > SAMPLE_MAX_AGE_MS ? null : u;
    }

    /** The pod's request of the resource: its containers' sum (0 when one has none: utilization is then undefined). */
    static long request(TaskView t, boolean cpu) {
        long sum = 0;
        for (ContainerSpec c : t.getTemplate().getContainers()) {
            Resources r = c.getRequests();
            long v = r == null ? 0 : cpu ? r.getCpuMillis() : r.getMemoryBytes();
            if (v <= 0) return 0;
            sum += v;
        }
        return sum;
    }

    static Autoscaler.Rules rules(HpaRules r, Autoscaler.Rules dflt) {
        if (r == null) return dflt;
        int window = r.getStabilizationWindowSeconds() == null ? dflt.stabilizationWindowSeconds() : r.getStabilizationWindowSeconds();
        Autoscaler.Rules.Select select = r.getSelectPolicy() == null ? dflt.select() : switch (r.getSelectPolicy()) {
            case "Min" -> Autoscaler.Rules.Select.MIN;
            case "Disabled" -> Autoscaler.Rules.Select.DISABLED;
            default -> Autoscaler.Rules.Select.MAX;
        };
        List<Autoscaler.Policy> policies = r.getPolicies() == null ? dflt.policies() : r.getPolicies().stream()
                .map(p -> new Autoscaler.Policy(p.getType().equals("Pods") ? Autoscaler.Policy.Kind.PODS : Autoscaler.Policy.Kind.PERCENT,
                        p.getValue(), p.getPeriodSeconds())).toList();
        return new Autoscaler.Rules(window, policies, select);
    }

    /** Sets a condition, keeping its transition time while its status stays. */
    static List<Condition> set(List<Condition> conds, String type, String status, String reason, String message, long now) {
        List<Condition> out = new ArrayList<>();
        boolean found = false;
        for (Condition c : conds) {
            if (!c.getType().equals(type)) {
                out.add(c);
                continue;
            }
            found = true;
            out.add(new Condition(type, status, reason, message, c.getStatus().equals(status) ? c.getLastTransitionTime() : now));
        }
        if (!found) out.add(new Condition(type, status, reason, message, now));
        out.sort(Comparator.comparingInt(c -> List.of("AbleToScale", "ScalingActive", "ScalingLimited").indexOf(c.getType())));
        return out;
    }

    private static String[] warningIfNew(HpaStatus was, List<Condition> now, String type, String reason, String message) {
        boolean had = was.getConditions().stream().anyMatch(c -> c.getType().equals(type) && c.getReason().equals(reason));
        return had ? null : new String[]{reason, message};
    }
}
