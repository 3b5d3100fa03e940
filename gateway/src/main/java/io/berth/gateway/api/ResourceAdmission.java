package io.berth.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.config.ConfigApi;
import io.berth.gateway.config.ConfigObjects;
import io.berth.gateway.quota.LimitRanges;
import io.berth.gateway.quota.QuotaObjects;
import io.berth.gateway.quota.Quotas;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.ConfigObject;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.PodSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.WorkloadView;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The gateway's admission of workloads against their namespace, before anything is written: Kubernetes'
 * NamespaceLifecycle (nothing new in a namespace being terminated), LimitRanger (container defaults,
 * min/max) and ResourceQuota (a workload's whole demand, see {@link Quotas}). Refusals are 403 Forbidden
 * in Kubernetes' words. The arithmetic is in the pure {@code quota} package; this class reads the
 * namespace's quotas and ranges ({@code berth.configs}) and its workloads (the view cache).
 *
 * <p>What a quota charges: a Deployment its replicas, a Job its parallelism until it finishes, a bare pod
 * one pod, each × the pod's requests and limits. DaemonSets (one pod per node) and CronJobs (a Job per
 * run) are not charged.
 */
final class ResourceAdmission {
    private final ViewCache cache;
    private final ConfigApi configs;
    private List<ConfigObject> pending = List.of();

    ResourceAdmission(ViewCache cache, ConfigApi configs) {
        this.cache = cache;
        this.configs = configs;
    }

    /** The intents as admitted (LimitRange defaults applied), or an {@link ApiException}. Workloads of one request count together. */
    List<Intent> admit(List<Intent> intents) {
        return admit(intents, List.of());
    }

    /** @param pending quotas and ranges of the same request, written before its workloads (they replace stored ones of their name) */
    List<Intent> admit(List<Intent> intents, List<ConfigObject> pending) {
        this.pending = pending;
        List<Intent> out = new ArrayList<>();
        Map<String, Map<String, Long>> requestedSoFar = new HashMap<>();
        for (Intent i : intents) {
            refuseTerminating(i);
            Intent admitted = limitRanges(i);
            PodTemplate t = template(admitted);
            if (t != null && admitted.getAction() == IntentAction.APPLY) {
                String ns = admitted.getNamespace();
                Map<String, Long> demand = Quotas.times(Quotas.perPod(t), charged(admitted.getKind(), replicas(admitted), false));
                Map<String, Long> before = requestedSoFar.getOrDefault(ns, Map.of());
                checkQuotas(admitted, t, demand, Quotas.plus(used(ns, Topics.resourceKey(ns, admitted.getKind(), admitted.getName())), before));
                requestedSoFar.put(ns, Quotas.plus(before, demand));
            }
            out.add(admitted);
        }
        return out;
    }

    /** A scale of a Deployment to {@code replicas}: its new demand against the quotas. */
    void admitScale(WorkloadView w, int replicas) {
        PodTemplate t = w.getDeployment().getTemplate();
        Intent as = Intent.newBuilder().setIntentId("").setAction(IntentAction.APPLY).setKind(w.getKind()).setNamespace(w.getNamespace())
                .setName(w.getName()).setActor("").setTimestamp(0).build();
        checkQuotas(as, t, Quotas.times(Quotas.perPod(t), replicas), used(w.getNamespace(), w.getKey()));
    }

    /** Used in a namespace now: the demand of every charged workload, except the one of {@code exceptKey} (being replaced). */
    Map<String, Long> used(String namespace, String exceptKey) {
        Map<String, Long> used = new TreeMap<>();
        for (WorkloadView w : cache.workloadsIn(namespace)) {
            if (w.getKey().equals(exceptKey) || w.getDeployment() == null) continue;
            boolean finished = w.getJobStatus() != null && (w.getJobStatus().getCompletionTime() > 0 || w.getJobStatus().getFinishedTime() > 0);
            long n = charged(w.getKind(), w.getDeployment().getReplicas(), finished);
            if (n > 0) used = Quotas.plus(used, Quotas.times(Quotas.perPod(w.getDeployment().getTemplate()), n));
        }
        return used;
    }

    /** The stored objects of a kind in a namespace, with those of this request instead of stored ones of their name. */
    private List<ConfigObject> objects(ConfigObjects.Kind k, String namespace) {
        Map<String, ConfigObject> byName = new TreeMap<>();
        for (ConfigObject o : configs.objects(k, namespace)) byName.put(o.getName(), o);
        for (ConfigObject o : pending) if (o.getKind().equals(k.kind) && o.getNamespace().equals(namespace)) byName.put(o.getName(), o);
        return List.copyOf(byName.values());
    }

    private static long charged(ResourceKind kind, int replicas, boolean finished) {
        return switch (kind) {
            case DEPLOYMENT, STATEFULSET -> replicas;
            case JOB -> finished ? 0 : replicas;
            case POD -> 1;
            default -> 0;
        };
    }

    private static int replicas(Intent i) {
        return i.getPayload() instanceof DeploymentSpec d ? d.getReplicas() : 1;
    }

    private void checkQuotas(Intent i, PodTemplate t, Map<String, Long> demand, Map<String, Long> used) {
        if (charged(i.getKind(), 1, false) == 0) return;
        for (ConfigObject o : objects(ConfigObjects.Kind.RESOURCE_QUOTA, i.getNamespace())) {
            Quotas.Quota q = QuotaObjects.quota(o);
            Optional<String> refusal = Quotas.mustSpecify(q, t).or(() -> Quotas.exceeded(q, used, demand));
            if (refusal.isPresent()) throw forbidden(i, refusal.get());
        }
    }

    private Intent limitRanges(Intent i) {
        PodTemplate t = template(i);
        if (t == null || i.getAction() != IntentAction.APPLY) return i;
        List<LimitRanges.Range> ranges = new ArrayList<>();
        for (ConfigObject o : objects(ConfigObjects.Kind.LIMIT_RANGE, i.getNamespace())) ranges.addAll(QuotaObjects.ranges(o));
        if (ranges.isEmpty()) return i;
        LimitRanges.Result r = LimitRanges.admit(ranges, t);
        if (!r.admitted()) throw forbidden(i, LimitRanges.message(r.violations()));
        Object payload = i.getPayload() instanceof DeploymentSpec d ? DeploymentSpec.newBuilder(d).setTemplate(r.template()).build()
                : PodSpec.newBuilder((PodSpec) i.getPayload()).setTemplate(r.template()).build();
        return Intent.newBuilder(i).setPayload(payload).build();
    }

    private void refuseTerminating(Intent i) {
        if (i.getKind() == ResourceKind.NAMESPACE) {
            if (i.getAction() == IntentAction.APPLY && cache.terminating(i.getName()).isPresent()) {
                throw new ApiException(Status.failure(409, "AlreadyExists", "object is being deleted: namespaces \"" + i.getName() + "\" already exists",
                        "namespaces", i.getName()));
            }
            return;
        }
        if (i.getAction() == IntentAction.APPLY && cache.terminating(i.getNamespace()).isPresent()
                && cache.byKey(Topics.WORKLOADS, Topics.resourceKey(i.getNamespace(), i.getKind(), i.getName())).isEmpty()) {
            throw forbidden(i, "unable to create new content in namespace " + i.getNamespace() + " because it is being terminated");
        }
    }

    private static PodTemplate template(Intent i) {
        if (i.getPayload() instanceof DeploymentSpec d) return d.getTemplate();
        if (i.getPayload() instanceof PodSpec p) return p.getTemplate();
        return null;
    }

    /** 403 {@code deployments.apps "web" is forbidden: …}, as kube-apiserver answers an admission refusal. */
    static ApiException forbidden(Intent i, String why) {
        Resource r = Resource.of(i.getKind());
        ObjectNode status = Status.failure(403, "Forbidden", r.qualified() + " \"" + i.getName() + "\" is forbidden: " + why, r.plural, i.getName());
        if (!r.group().isEmpty()) ((ObjectNode) status.path("details")).put("group", r.group());
        return new ApiException(status);
    }
}
