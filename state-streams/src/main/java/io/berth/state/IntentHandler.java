package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.audit.Actors;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.AvroJson;
import io.berth.state.core.IntentValidator;
import io.berth.state.core.Revisions;
import io.berth.state.core.RolloutLifecycle;
import io.berth.state.core.TaskViews;
import io.berth.state.core.WorkloadViews;
import org.apache.kafka.common.header.Headers;

import io.berth.schemas.policy.PodSecurity;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The workload controller's intents: validates one, refuses it (dead letter, Warning event,
 * IntentRejected) or accepts it (IntentAccepted, before any of its effects) and folds it into the
 * workload's desired view: apply, scale, delete, the rollout commands (ROLLBACK, PROMOTE, ABORT)
 * and pod deletes. Services go to {@link ServiceIntents}. The processor then converges the
 * returned view; nothing here reconciles.
 */
final class IntentHandler {
    /** Intent annotation of a PROMOTE: "full" skips every remaining canary step. */
    static final String PROMOTE_ANNOTATION = "berth.io/promote";

    /** An accepted intent that changes a workload: converge {@code desired} (stamped with the intent) from {@code before}. */
    record Accepted(WorkloadView before, WorkloadView desired, Origin origin) {}

    private final WorkloadState state;
    private final ServiceIntents services;
    private final NamespaceIntents namespaces;
    private final Function<String, PodSecurity.Level> levels;
    private final List<String> hostPaths;
    private final Outputs out;
    private final Function<Intent, byte[]> encodeIntent;
    private final Autoscalers autoscalers;

    /**
     * @param levels    a namespace's admission level as this instance knows it ({@link NamespaceLevels})
     * @param hostPaths the hostPath allow-list ({@code admission.host-paths})
     */
    IntentHandler(WorkloadState state, Outputs out, Function<Intent, byte[]> encodeIntent,
                  Function<String, PodSecurity.Level> levels, List<String> hostPaths, Autoscalers autoscalers) {
        this.autoscalers = autoscalers;
        this.state = state;
        this.services = new ServiceIntents(state);
        this.namespaces = new NamespaceIntents(state);
        this.levels = levels;
        this.hostPaths = hostPaths;
        this.out = out;
        this.encodeIntent = encodeIntent;
    }

    /** @param intentOffset the intent's offset on berth.intents (read-your-writes stamp) */
    Optional<Accepted> handle(String key, Intent i, Headers headers, long intentOffset, long now) {
        Origin origin = new Origin(Actors.of(i, headers), i.getIntentId());
        WorkloadView before = state.workload(key);
        Optional<String> problem = IntentValidator.problem(i)
                .or(() -> IntentValidator.admission(i, levels.apply(i.getNamespace()), hostPaths))
                .or(() -> refusal(key, before, i))
                .or(() -> autoscalers.refusal(key, i))
                .or(() -> IntentValidator.rollbackAdmission(before, i, levels.apply(i.getNamespace()), hostPaths));
        if (problem.isPresent()) {
            reject(key, i, origin, problem.get(), now);
            return Optional.empty();
        }
        out.audit(intentKey(i), "IntentAccepted", origin.actor(), i.getIntentId(), null, AvroJson.encode(i),
                i.getAction() + " " + intentKey(i), now);
        WorkloadView after = switch (i.getKind()) {
            case DEPLOYMENT -> deploymentIntent(key, before, i, now);
            case POD -> podIntent(key, before, i, origin, now);
            case JOB -> jobIntent(before, key, i, now);
            case CRONJOB -> cronJobIntent(before, key, i, now);
            case DAEMONSET -> daemonSetIntent(before, key, i, now);
            case STATEFULSET -> statefulSetIntent(before, key, i, now);
            case SERVICE -> { services.apply(key, before, i, origin, intentOffset, now); yield null; }
            case NAMESPACE -> { namespaces.apply(key, before, i, origin, intentOffset, now); yield null; }
            case HORIZONTALPODAUTOSCALER -> { autoscalers.apply(key, i, origin, now); yield null; }
            default -> null;
        };
        return after == null ? Optional.empty() : Optional.of(new Accepted(before, stamp(after, i, intentOffset), origin));
    }

    /**
     * Read-your-writes for the gateway: the view names the last intent folded into it, even one
     * that changed nothing (the stamp alone makes the view differ, so it is written again).
     */
    private static WorkloadView stamp(WorkloadView v, Intent i, long intentOffset) {
        return WorkloadView.newBuilder(v).setLastIntentId(i.getIntentId()).setLastIntentOffset(intentOffset).build();
    }

    /**
     * Why a valid intent cannot be applied to the current view, decided before anything is written
     * so that an intent is either accepted (and audited so, before its effects) or rejected.
     */
    static Optional<String> refusal(String key, WorkloadView w, Intent i) {
        if ((i.getKind() == ResourceKind.DAEMONSET || i.getKind() == ResourceKind.STATEFULSET) && i.getAction() == IntentAction.ROLLBACK) {
            if (w == null || w.getDeleted()) return Optional.of(i.getKind().name().toLowerCase(java.util.Locale.ROOT) + " " + key + " not found");
            return Optional.ofNullable(Revisions.target(w, toRevision(i)).problem());
        }
        if (i.getKind() == ResourceKind.STATEFULSET && i.getAction() == IntentAction.SCALE && (w == null || w.getDeleted())) {
            return Optional.of("statefulset " + key + " not found");
        }
        if (i.getKind() != ResourceKind.DEPLOYMENT) return Optional.empty();
        boolean exists = w != null && !w.getDeleted();
        return switch (i.getAction()) {
            case SCALE, ROLLBACK, PROMOTE, ABORT -> {
                if (!exists) yield Optional.of("deployment " + key + " not found");
                yield switch (i.getAction()) {
                    case ROLLBACK -> w.getDeployment().getPaused()
                            ? Optional.of("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/"
                            + w.getName() + "' and try again")
                            : Optional.ofNullable(Revisions.target(w, toRevision(i)).problem());
                    case PROMOTE -> Optional.ofNullable(RolloutLifecycle.promote(w, fullPromote(i), 0).problem());
                    case ABORT -> Optional.ofNullable(RolloutLifecycle.abort(w, 0).problem());
                    default -> Optional.empty();
                };
            }
            default -> Optional.empty();
        };
    }

    private static long toRevision(Intent i) {
        return i.getPayload() instanceof RollbackSpec r ? r.getToRevision() : 0;
    }

    private static boolean fullPromote(Intent i) {
        String mode = i.getAnnotations().getOrDefault(PROMOTE_ANNOTATION, "");
        return mode.equalsIgnoreCase("full") || mode.equalsIgnoreCase("true");
    }

    private WorkloadView deploymentIntent(String key, WorkloadView before, Intent i, long now) {
        boolean exists = before != null && !before.getDeleted();
        return switch (i.getAction()) {
            case APPLY -> WorkloadViews.applyDeployment(before, key, i, (DeploymentSpec) i.getPayload(), now);
            case SCALE -> WorkloadViews.scale(before, ((ScaleSpec) i.getPayload()).getReplicas());
            case DELETE -> exists ? WorkloadViews.deleted(before) : null;
            case ROLLBACK, PROMOTE, ABORT -> rolloutIntent(before, i, now);
            default -> null;
        };
    }

    /** ROLLBACK (kubectl rollout undo), PROMOTE and ABORT of a canary; {@link #refusal} has ruled out the impossible ones. */
    private WorkloadView rolloutIntent(WorkloadView w, Intent i, long now) {
        switch (i.getAction()) {
            case ROLLBACK -> {
                Revisions.Target t = Revisions.target(w, toRevision(i));
                if (t.revision().getTemplateHash().equals(w.getTemplateHash())) {
                    out.event(Events.rollbackUnchanged(w), now);
                    return w;
                }
                out.event(Events.rolledBack(w, t.revision().getRevision()), now);
                return RolloutLifecycle.undo(w, t.revision(), now);
            }
            case PROMOTE -> {
                RolloutLifecycle.Result r = RolloutLifecycle.promote(w, fullPromote(i), now);
                out.event(Events.promoted(r.view(), r.view().getRollout().getMessage()), now);
                return r.view();
            }
            default -> {
                RolloutLifecycle.Result r = RolloutLifecycle.abort(w, now);
                out.event(Events.aborted(r.view(), r.view().getRollout().getMessage()), now);
                return r.view();
            }
        }
    }

    private WorkloadView daemonSetIntent(WorkloadView before, String key, Intent i, long now) {
        boolean exists = before != null && !before.getDeleted();
        return switch (i.getAction()) {
            case APPLY -> WorkloadViews.applyDeployment(before, key, i, (DeploymentSpec) i.getPayload(), now);
            case DELETE -> exists ? WorkloadViews.deleted(before) : null;
            case ROLLBACK -> {
                Revisions.Target t = Revisions.target(before, toRevision(i));
                if (t.revision().getTemplateHash().equals(before.getTemplateHash())) yield before;
                out.event(Events.daemonSet(Events.NORMAL, before, "DaemonSetRollback",
                        "Rolled back daemon set \"" + before.getName() + "\" to revision " + t.revision().getRevision()), now);
                yield RolloutLifecycle.undo(before, t.revision(), now);
            }
            default -> null;
        };
    }

    private WorkloadView statefulSetIntent(WorkloadView before, String key, Intent i, long now) {
        boolean exists = before != null && !before.getDeleted();
        return switch (i.getAction()) {
            case APPLY -> WorkloadViews.applyStatefulSet(before, key, i, (DeploymentSpec) i.getPayload(), i.getStatefulSet(), now);
            case SCALE -> WorkloadViews.scale(before, ((ScaleSpec) i.getPayload()).getReplicas());
            case DELETE -> exists ? WorkloadViews.deleted(before) : null;
            case ROLLBACK -> {
                Revisions.Target t = Revisions.target(before, toRevision(i));
                if (t.revision().getTemplateHash().equals(before.getTemplateHash())) yield before;
                out.event(Events.statefulSet(Events.NORMAL, before, "StatefulSetRollback",
                        "Rolled back stateful set \"" + before.getName() + "\" to revision " + t.revision().getRevision()), now);
                yield RolloutLifecycle.undo(before, t.revision(), now);
            }
            default -> null;
        };
    }

    private static WorkloadView cronJobIntent(WorkloadView before, String key, Intent i, long now) {
        boolean exists = before != null && !before.getDeleted();
        return switch (i.getAction()) {
            case APPLY -> WorkloadViews.applyCronJob(before, key, i, (DeploymentSpec) i.getPayload(), i.getCronJob(), now);
            case DELETE -> exists ? WorkloadViews.deleted(before) : null;
            default -> null;
        };
    }

    private static WorkloadView jobIntent(WorkloadView before, String key, Intent i, long now) {
        boolean exists = before != null && !before.getDeleted();
        return switch (i.getAction()) {
            case APPLY -> WorkloadViews.applyJob(before, key, i, (DeploymentSpec) i.getPayload(), i.getJob(), now);
            case DELETE -> exists ? WorkloadViews.deleted(before) : null;
            default -> null;
        };
    }

    /**
     * A pod intent is either about a bare pod (the record key is the pod's own key) or a delete of
     * a deployment's pod, re-keyed upstream to the owning workload (see README, "pod deletes").
     */
    private WorkloadView podIntent(String key, WorkloadView before, Intent i, Origin origin, long now) {
        boolean ownKey = key.equals(Topics.resourceKey(i.getNamespace(), ResourceKind.POD, i.getName()));
        if (i.getAction() == IntentAction.APPLY) {
            WorkloadView after = WorkloadViews.applyPod(before, key, i, (PodSpec) i.getPayload(), now);
            if (before != null && !before.getDeleted()) relabelTasks(key, before, after, origin, now);
            return after;
        }
        if (ownKey) {
            return before == null || before.getDeleted() ? null : WorkloadViews.deleted(before);
        }
        return before == null ? null : askDelete(key, before, i, now);
    }

    /**
     * kubectl label / annotate on a running bare pod: its task shows the new labels at once (Services select by
     * them), keeping the labels state-streams adds (template hash, sequence); the pod is not replaced.
     */
    private void relabelTasks(String key, WorkloadView before, WorkloadView after, Origin origin, long now) {
        Map<String, String> was = before.getDeployment().getTemplate().getLabels(), is = after.getDeployment().getTemplate().getLabels();
        if (was.equals(is)) return;
        for (TaskView t : List.copyOf(state.tasksOf(key).values())) {
            Map<String, String> labels = new HashMap<>(is);
            for (String own : List.of(TaskViews.TEMPLATE_HASH_LABEL, TaskViews.SEQ_LABEL)) {
                String v = t.getLabels().get(own);
                if (v != null) labels.put(own, v);
            }
            if (labels.equals(t.getLabels())) continue;
            TaskView next = TaskView.newBuilder(t).setLabels(labels).setUpdatedAt(now).build();
            state.writeTask(key, t, next, "TaskRelabeled", origin, t.getTaskId() + ": labels " + is, now);
        }
    }

    /**
     * Marks the deployment's pod for deletion (in the store only: the view on the topic changes
     * when the reconcile then stops it, audited as TaskStopped with this intent as its cause).
     */
    private WorkloadView askDelete(String key, WorkloadView w, Intent i, long now) {
        TaskView t = state.task(key, i.getName());
        if (t == null || t.getDesiredStop()) return null;  // not found means done
        state.markTask(key, TaskView.newBuilder(t).setDesiredStop(true).setUpdatedAt(now).build());
        return w;
    }

    /** A refused intent: its dead letter, a Warning event, and its audit record (the one record of that dead letter). */
    private void reject(String key, Intent i, Origin origin, String reason, long now) {
        out.deadLetter(key, i, encodeIntent, reason, now);
        out.event(Events.rejected(key, i.getKind(), i.getNamespace(), i.getName(), i.getAction() == IntentAction.APPLY, reason,
                WorkloadProcessor.ACTOR), now);
        out.audit(intentKey(i), "IntentRejected", origin.actor(), i.getIntentId(), null, AvroJson.encode(i), reason, now);
    }

    /** The audit key of an intent: the resource it names (a pod delete keeps its pod's key although it was re-keyed to the owner). */
    static String intentKey(Intent i) {
        return i.getKind() == ResourceKind.NODE ? Events.nodeKey(i.getName()) : Topics.resourceKey(i.getNamespace(), i.getKind(), i.getName());
    }
}
