package io.berth.gateway.manifest;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.RollbackSpec;
import io.berth.schemas.avro.ScaleSpec;

import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/** Builds intents the way the control-loop contract keys them. Pure: clock and ids are given. */
public final class Intents {
    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    private final String actor;
    private final Clock clock;
    private final Supplier<String> ids;

    public Intents(String actor, Clock clock, Supplier<String> ids) {
        this.actor = actor;
        this.clock = clock;
        this.ids = ids;
    }

    public Intents(ManifestOptions o) {
        this(o.actor(), o.clock(), o.ids());
    }

    public static Intents forActor(String actor) {
        return new Intents(actor, Clock.systemUTC(), () -> UUID.randomUUID().toString());
    }

    /** The Kafka key of an intent: {@code ns/kind/name} ({@code /namespace/name}, {@code /node/id} for cluster-scoped kinds). */
    public static String key(Intent i) {
        return Topics.resourceKey(i.getNamespace(), i.getKind(), i.getName());
    }

    /** Cluster-scoped kinds have the empty namespace. */
    public static boolean clusterScoped(ResourceKind kind) {
        return kind == ResourceKind.NAMESPACE || kind == ResourceKind.NODE;
    }

    public Intent apply(ResourceKind kind, String namespace, String name, Map<String, String> labels,
                        Map<String, String> annotations, Object payload) {
        return base(IntentAction.APPLY, kind, namespace, name).setLabels(labels).setAnnotations(annotations)
                .setPayload(payload).build();
    }

    /** A batch/v1 Job: its pod template travels as the DeploymentSpec payload, its own fields as {@code job}. */
    public Intent job(String namespace, String name, Map<String, String> labels, Map<String, String> annotations,
                      io.berth.schemas.avro.DeploymentSpec template, io.berth.schemas.avro.JobSpec job) {
        return base(IntentAction.APPLY, ResourceKind.JOB, namespace, name).setLabels(labels).setAnnotations(annotations)
                .setPayload(template).setJob(job).build();
    }

    /**
     * A batch/v1 CronJob: its jobs' pod template travels as the DeploymentSpec payload (replicas = the job's
     * parallelism), its own fields and the job's as {@code cronJob}.
     */
    public Intent cronJob(String namespace, String name, Map<String, String> labels, Map<String, String> annotations,
                          io.berth.schemas.avro.DeploymentSpec template, io.berth.schemas.avro.CronJobSpec cronJob) {
        return base(IntentAction.APPLY, ResourceKind.CRONJOB, namespace, name).setLabels(labels).setAnnotations(annotations)
                .setPayload(template).setCronJob(cronJob).build();
    }

    /**
     * An apps/v1 StatefulSet: replicas, template and update strategy travel as the DeploymentSpec payload, its own
     * fields (serviceName, podManagementPolicy, partition, volumeClaimTemplates) as {@code statefulSet}.
     */
    public Intent statefulSet(String namespace, String name, Map<String, String> labels, Map<String, String> annotations,
                              io.berth.schemas.avro.DeploymentSpec spec, io.berth.schemas.avro.StatefulSetSpec statefulSet) {
        return base(IntentAction.APPLY, ResourceKind.STATEFULSET, namespace, name).setLabels(labels).setAnnotations(annotations)
                .setPayload(spec).setStatefulSet(statefulSet).build();
    }

    /** Scale a deployment or a stateful set ({@code kind}). */
    public Intent scale(ResourceKind kind, String namespace, String name, int replicas) {
        if (replicas < 0) throw new IllegalArgumentException("replicas must be greater than or equal to 0");
        return base(IntentAction.SCALE, kind, namespace, name).setPayload(new ScaleSpec(replicas)).build();
    }

    /** An autoscaling/v2 HorizontalPodAutoscaler: its spec travels as {@code hpa} (state-streams keys it by its target). */
    public Intent hpa(String namespace, String name, Map<String, String> labels, Map<String, String> annotations,
                      io.berth.schemas.avro.HpaSpec hpa) {
        return base(IntentAction.APPLY, ResourceKind.HORIZONTALPODAUTOSCALER, namespace, name).setLabels(labels).setAnnotations(annotations)
                .setHpa(hpa).build();
    }

    public Intent delete(ResourceKind kind, String namespace, String name) {
        return base(IntentAction.DELETE, kind, namespace, name).build();
    }

    public Intent scale(String namespace, String deployment, int replicas) {
        if (replicas < 0) throw new IllegalArgumentException("replicas must be greater than or equal to 0");
        return base(IntentAction.SCALE, ResourceKind.DEPLOYMENT, namespace, deployment).setPayload(new ScaleSpec(replicas)).build();
    }

    /** Roll a deployment back to a revision of its history; 0 = the previous one. */
    public Intent rollback(String namespace, String deployment, long toRevision) {
        return rollback(ResourceKind.DEPLOYMENT, namespace, deployment, toRevision);
    }

    /** Roll a deployment or a daemon set ({@code kind}) back to a revision of its history; 0 = the previous one. */
    public Intent rollback(ResourceKind kind, String namespace, String name, long toRevision) {
        if (kind != ResourceKind.DEPLOYMENT && kind != ResourceKind.DAEMONSET && kind != ResourceKind.STATEFULSET) throw new IllegalArgumentException("no rollback for " + kind);
        if (toRevision < 0) throw new IllegalArgumentException("revision must be greater than or equal to 0");
        return base(IntentAction.ROLLBACK, kind, namespace, name).setPayload(new RollbackSpec(toRevision)).build();
    }

    /** The intent annotation that makes a PROMOTE skip every remaining canary step. */
    public static final String PROMOTE_ANNOTATION = "berth.io/promote";

    /** Promote a paused canary to its next step, or (full) past all remaining steps. */
    public Intent promote(String namespace, String deployment, boolean full) {
        return base(IntentAction.PROMOTE, ResourceKind.DEPLOYMENT, namespace, deployment)
                .setAnnotations(full ? Map.of(PROMOTE_ANNOTATION, "full") : Map.of()).build();
    }

    /** Abort a running rollout: back to the previous revision's template. */
    public Intent abort(String namespace, String deployment) {
        return base(IntentAction.ABORT, ResourceKind.DEPLOYMENT, namespace, deployment).build();
    }

    /** The same resource, deleted (for {@code delete -f}). */
    public Intent deleteOf(Intent applied) {
        return delete(applied.getKind(), applied.getNamespace(), applied.getName());
    }

    private Intent.Builder base(IntentAction action, ResourceKind kind, String namespace, String name) {
        return Intent.newBuilder().setIntentId(ids.get()).setAction(action).setKind(kind)
                .setNamespace(clusterScoped(kind) ? "" : namespace).setName(name)
                .setActor(actor).setTimestamp(clock.millis());
    }
}
