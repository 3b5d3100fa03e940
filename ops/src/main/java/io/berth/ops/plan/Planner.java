package io.berth.ops.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.Intents;
import io.berth.gateway.view.KubeObjects;
import io.berth.scheduler.core.ClusterSnapshot;
import io.berth.scheduler.core.Pending;
import io.berth.scheduler.core.Placement;
import io.berth.scheduler.core.Placer;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.PodSpec;
import io.berth.schemas.avro.ServiceSpec;
import io.berth.schemas.avro.WorkloadView;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Nomad's {@code job plan} for manifests: compares each object a file would apply with what the
 * gateway serves now, and places the pods it would add with the scheduler's own {@link Placer} on a
 * snapshot of the current nodes and pods. Changes nothing; pure given the current objects.
 * <p>
 * Pods to place: a new deployment all its replicas; a scale-up the extra ones; a changed template
 * the new revision's replicas, on a snapshot without the deployment's current pods (what the
 * cluster holds once the rollout has replaced them); a new bare pod itself. Pods of one object are
 * folded into the snapshot before the next is placed, as the scheduler folds a batch, so two
 * objects of one file never get the same room.
 */
public final class Planner {
    /** What the endpoints controller assigns and a manifest does not say: not a difference. */
    private static final Set<String> SERVER_ASSIGNED = Set.of("clusterIP", "clusterIPs", "nodePort");

    private final Function<Intent, Optional<JsonNode>> current;
    private final JsonNode nodes;
    private final JsonNode pods;
    private final Placer placer = Placer.standard();
    private final List<Placement> planned = new ArrayList<>();

    /**
     * @param current the object an intent names as the gateway serves it now, empty when it has none
     * @param nodes   the v1 NodeList now
     * @param pods    the v1 PodList now (all namespaces)
     */
    public Planner(Function<Intent, Optional<JsonNode>> current, JsonNode nodes, JsonNode pods) {
        this.current = current;
        this.nodes = nodes;
        this.pods = pods;
    }

    public Plan plan(List<Intent> intents, Function<Intent, String> resourceName) {
        List<Plan.ObjectPlan> out = new ArrayList<>();
        for (Intent i : intents) out.add(object(i, resourceName.apply(i)));
        return new Plan(out);
    }

    private Plan.ObjectPlan object(Intent i, String resource) {
        Optional<JsonNode> now = current.apply(i);
        String kind = i.getKind().name();
        return switch (i.getKind()) {
            case DEPLOYMENT -> deployment(i, resource, now);
            case SERVICE -> compared(i, resource, now, KubeObjects.service(view(i)).path("spec"), List.of());
            case DAEMONSET -> compared(i, resource, now, KubeObjects.daemonSet(view(i)).path("spec"), List.of());
            case JOB -> compared(i, resource, now, KubeObjects.job(view(i)).path("spec"), List.of());
            case CRONJOB -> compared(i, resource, now, KubeObjects.cronJob(view(i)).path("spec"), List.of());
            case POD -> pod(i, resource, now);
            default -> new Plan.ObjectPlan(resource, kind, i.getNamespace(), i.getName(),
                    now.isPresent() ? Plan.Action.UNCHANGED : Plan.Action.CREATED, "", List.of(), List.of());
        };
    }

    private Plan.ObjectPlan deployment(Intent i, String resource, Optional<JsonNode> now) {
        JsonNode desired = KubeObjects.deployment(view(i)).path("spec");
        int want = desired.path("replicas").asInt();
        JsonNode podSpec = desired.path("template").path("spec");
        String owner = Intents.key(i);
        if (now.isEmpty()) {
            return new Plan.ObjectPlan(resource, i.getKind().name(), i.getNamespace(), i.getName(), Plan.Action.CREATED,
                    "", List.of(), place(i.getName(), podSpec, owner, want, false));
        }
        List<SpecDiff.Change> diff = diff(now.get().path("spec"), desired);
        int had = now.get().path("spec").path("replicas").asInt();
        String summary = had == want ? "" : "replicas " + had + " -> " + want;
        List<Plan.PodPlan> pods;
        if (SpecDiff.touches(diff, "spec.template")) pods = place(i.getName(), podSpec, owner, want, true);
        else pods = place(i.getName(), podSpec, owner, Math.max(0, want - had), false);
        return new Plan.ObjectPlan(resource, i.getKind().name(), i.getNamespace(), i.getName(),
                diff.isEmpty() ? Plan.Action.UNCHANGED : Plan.Action.CONFIGURED, summary, diff, pods);
    }

    private Plan.ObjectPlan pod(Intent i, String resource, Optional<JsonNode> now) {
        JsonNode desired = KubeObjects.podSpec(((PodSpec) i.getPayload()).getTemplate());
        if (now.isEmpty()) {
            Pending p = PlanSnapshot.pending(i.getName(), desired, "");
            return new Plan.ObjectPlan(resource, i.getKind().name(), i.getNamespace(), i.getName(), Plan.Action.CREATED, "",
                    List.of(), List.of(placeOne(i.getName(), p, snapshot(pod -> false))));
        }
        ObjectNode served = now.get().path("spec").deepCopy();
        served.remove("nodeName");
        return compared(i, resource, now.map(n -> wrapSpec(served)), desired, List.of());
    }

    private Plan.ObjectPlan compared(Intent i, String resource, Optional<JsonNode> now, JsonNode desired, List<Plan.PodPlan> pods) {
        if (now.isEmpty()) {
            return new Plan.ObjectPlan(resource, i.getKind().name(), i.getNamespace(), i.getName(), Plan.Action.CREATED, "", List.of(), pods);
        }
        List<SpecDiff.Change> diff = diff(now.get().path("spec"), desired);
        return new Plan.ObjectPlan(resource, i.getKind().name(), i.getNamespace(), i.getName(),
                diff.isEmpty() ? Plan.Action.UNCHANGED : Plan.Action.CONFIGURED, "", diff, pods);
    }

    private static List<SpecDiff.Change> diff(JsonNode served, JsonNode desired) {
        return SpecDiff.diff("spec", served, desired, path -> SERVER_ASSIGNED.contains(path.substring(path.lastIndexOf('.') + 1)));
    }

    /** {@code count} pods named {@code NAME-<new>}; {@code replacing}: the owner's current pods are left out of the snapshot. */
    private List<Plan.PodPlan> place(String name, JsonNode podSpec, String owner, int count, boolean replacing) {
        ClusterSnapshot snapshot = snapshot(p -> replacing && owner.equals(p.path("metadata").path("annotations").path(PlanSnapshot.OWNER).asText()));
        List<Plan.PodPlan> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            // the seed comes from this id, so a plan is reproducible; the real pod's id (and so a tie-break) will differ
            Pending p = PlanSnapshot.pending(owner + "/plan-" + n, podSpec, owner);
            Plan.PodPlan placed = placeOne(name + "-<new>", p, snapshot);
            snapshot = snapshot.with(planned.get(planned.size() - 1));
            out.add(placed);
        }
        return out;
    }

    private Plan.PodPlan placeOne(String podName, Pending p, ClusterSnapshot snapshot) {
        Placement decision = placer.place(snapshot, p);
        planned.add(decision);
        String node = decision instanceof Placement.Placed placed ? placed.nodeId() : "";
        return new Plan.PodPlan(podName, node, decision.verdict());
    }

    /** The current cluster plus every pod planned so far. */
    private ClusterSnapshot snapshot(java.util.function.Predicate<JsonNode> skip) {
        ClusterSnapshot s = PlanSnapshot.of(nodes, pods, skip);
        for (Placement p : planned) s = s.with(p);
        return s;
    }

    private static JsonNode wrapSpec(JsonNode spec) {
        ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        o.set("spec", spec);
        return o;
    }

    /** The view state-streams would hold for this intent, so desired and served render through the same {@link KubeObjects} code. */
    static WorkloadView view(Intent i) {
        WorkloadView.Builder b = WorkloadView.newBuilder().setKey(Intents.key(i)).setKind(i.getKind()).setNamespace(i.getNamespace())
                .setName(i.getName()).setLabels(i.getLabels()).setAnnotations(i.getAnnotations());
        if (i.getPayload() instanceof DeploymentSpec d) b.setDeployment(d);
        if (i.getPayload() instanceof ServiceSpec s) b.setService(s);
        if (i.getJob() != null) b.setJob(i.getJob());
        if (i.getCronJob() != null) b.setCronJob(i.getCronJob());
        return b.build();
    }
}
