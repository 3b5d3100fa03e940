package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.AvroJson;
import io.berth.state.core.Hpas;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.*;
import java.util.function.Function;

/**
 * The HorizontalPodAutoscaler controller inside the workload controller. An HPA's intents arrive keyed by its target
 * workload (re-keyed in the topology), so the HPA is stored under the target's key ({@link StateStreamsTopology#AUTOSCALERS_STORE},
 * kept while the target is missing, as Kubernetes keeps an HPA whose target is gone) and shown in the target's view
 * ({@code WorkloadView.autoscaler}). Every {@code hpa-sync-period-ms} of tick time each HPA is synced ({@link Hpas#sync});
 * a rescale is written as a Scale intent on berth.intents (actor {@code hpa:<ns>/<name>}, id from the HPA's uid and the
 * tick time, the measured utilization in its annotations), so it takes the normal scale path with its audit and
 * events; the HPA adds Kubernetes' SuccessfulRescale event and an audit record of the decision.
 */
final class Autoscalers {
    /** Writes a converged view if it changed (the processor's writeIfChanged). */
    interface ViewWriter {
        WorkloadView write(String key, WorkloadView before, WorkloadView after, boolean intent, Origin origin, Function<WorkloadView, String> summary, long now);
    }

    private final KeyValueStore<String, HpaStatus> store;
    private final KeyValueStore<String, String> usage;
    private final WorkloadState state;
    private final Outputs out;
    private final long syncMs;
    private final ViewWriter writer;

    Autoscalers(KeyValueStore<String, HpaStatus> store, KeyValueStore<String, String> usage, WorkloadState state, Outputs out,
                long syncMs, ViewWriter writer) {
        this.store = store;
        this.usage = usage;
        this.state = state;
        this.out = out;
        this.syncMs = syncMs;
        this.writer = writer;
    }

    static String hpaKey(String namespace, String name) {
        return Topics.resourceKey(namespace, ResourceKind.HORIZONTALPODAUTOSCALER, name);
    }

    /** A second HPA for a target that has one: Kubernetes' AmbiguousSelector, refused here so each target has one HPA. */
    Optional<String> refusal(String key, Intent i) {
        if (i.getKind() != ResourceKind.HORIZONTALPODAUTOSCALER || i.getAction() != IntentAction.APPLY) return Optional.empty();
        HpaStatus was = store.get(key);
        if (was == null || was.getName().equals(i.getName())) return Optional.empty();
        return Optional.of("spec.scaleTargetRef: Invalid value: \"" + i.getHpa().getTargetName() + "\": the target is already scaled by horizontalpodautoscaler \""
                + was.getName() + "\" (AmbiguousSelector: one HorizontalPodAutoscaler per target)");
    }

    /** An accepted APPLY or DELETE of an HPA, keyed by its target. */
    void apply(String key, Intent i, Origin origin, long now) {
        HpaStatus was = store.get(key);
        WorkloadView target = state.workload(key);
        boolean targetShown = target != null && !target.getDeleted();
        if (i.getAction() == IntentAction.DELETE) {
            if (was == null || !was.getName().equals(i.getName())) return;
            store.delete(key);
            out.audit(hpaKey(i.getNamespace(), i.getName()), "AutoscalerDeleted", origin.actor(), origin.intentId(), AvroJson.encode(was), null,
                    "horizontalpodautoscaler " + i.getName() + " deleted; " + key + " keeps its replicas", now);
            if (targetShown && target.getAutoscaler() != null) {
                writer.write(key, target, WorkloadView.newBuilder(target).setAutoscaler(null).build(), true, origin, v -> "autoscaler removed", now);
            }
            return;
        }
        HpaStatus next = Hpas.applied(was, i, now);
        store.put(key, next);
        out.audit(hpaKey(i.getNamespace(), i.getName()), was == null ? "AutoscalerCreated" : "AutoscalerChanged", origin.actor(), origin.intentId(),
                AvroJson.encode(was), AvroJson.encode(next), "horizontalpodautoscaler " + i.getName() + " scales " + key + " between "
                        + i.getHpa().getMinReplicas() + " and " + i.getHpa().getMaxReplicas() + " (" + Hpas.targets(next) + ")", now);
        if (targetShown) {
            writer.write(key, target, WorkloadView.newBuilder(target).setAutoscaler(Hpas.visible(next)).build(), true, origin,
                    v -> "autoscaler " + i.getName(), now);
        }
    }

    /** On a tick: syncs each HPA of this tick's partition whose sync period has passed. */
    void syncDue(Tick tick, NodeReadiness nodes, long now) {
        List<KeyValue<String, HpaStatus>> due = new ArrayList<>();
        try (KeyValueIterator<String, HpaStatus> it = store.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value != null && nodes.owns(tick, kv.key) && now - kv.value.getLastSyncTime() >= syncMs) due.add(kv);
            });
        }
        for (KeyValue<String, HpaStatus> kv : due) sync(kv.key, kv.value, now);
    }

    private void sync(String key, HpaStatus h, long now) {
        WorkloadView target = state.workload(key);
        Hpas.Sync s = Hpas.sync(h, target, state.tasksOf(key).values(), this::sample, now);
        store.put(key, s.status());
        String ns = h.getSpec() == null ? "" : target == null ? key.substring(0, Math.max(0, key.indexOf('/'))) : target.getNamespace();
        String actor = "hpa:" + ns + "/" + h.getName();
        String hpaKey = hpaKey(ns, h.getName());
        if (s.warning() != null) {
            out.event(Events.of(Events.WARNING, "HorizontalPodAutoscaler", ns, h.getName(), hpaKey, s.warning()[0], s.warning()[1], Hpas.CONTROLLER), now);
        }
        if (s.scaleTo() != null) {
            int from = target.getDeployment().getReplicas();
            String intentId = actor + ":" + h.getUid() + ":" + now;
            Map<String, String> annotations = new HashMap<>();
            annotations.put(Hpas.UTILIZATION_ANNOTATION, s.metrics());
            annotations.put(Hpas.REASON_ANNOTATION, s.reason());
            Intent scale = Intent.newBuilder().setIntentId(intentId).setAction(IntentAction.SCALE).setKind(ResourceKind.DEPLOYMENT)
                    .setNamespace(target.getNamespace()).setName(target.getName()).setAnnotations(annotations).setActor(actor)
                    .setTimestamp(now).setPayload(new ScaleSpec(s.scaleTo())).build();
            out.put(Topics.INTENTS, key, scale, now);
            String message = "New size: " + s.scaleTo() + "; reason: " + s.reason();
            out.event(Events.of(Events.NORMAL, "HorizontalPodAutoscaler", ns, h.getName(), hpaKey, "SuccessfulRescale", message, Hpas.CONTROLLER), now);
            out.audit(hpaKey, "AutoscalerRescaled", actor, intentId, null, AvroJson.encode(s.status()),
                    message + "; measured " + s.metrics() + " (target/current replicas " + s.scaleTo() + "/" + from + ")", now);
        }
        if (target != null && !target.getDeleted() && !Objects.equals(target.getAutoscaler(), Hpas.visible(s.status()))) {
            writer.write(key, target, WorkloadView.newBuilder(target).setAutoscaler(Hpas.visible(s.status())).build(), false,
                    new Origin(actor, ""), v -> "autoscaler " + h.getName() + ": " + Hpas.targets(s.status()) + ", desired " + s.status().getDesiredReplicas(), now);
        }
    }

    private Hpas.Usage sample(String taskId) {
        return PodUsage.of(usage, taskId).map(x -> new Hpas.Usage(x.atMillis(), x.cpuMilli(), x.memoryBytes())).orElse(null);
    }
}
