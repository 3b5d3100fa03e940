package io.berth.state.core;

import io.berth.schemas.avro.*;

import io.berth.schemas.policy.PodSecurity;

import java.util.List;
import java.util.Optional;

/**
 * Why an intent cannot be acted on, in words a user can read; empty when it is fine. An invalid
 * intent becomes a dead letter with this reason instead of stopping the stream (the gateway
 * validates too, but any producer may write to the intents topic).
 */
public final class IntentValidator {
    private IntentValidator() {}

    public static Optional<String> problem(Intent i) {
        if (i.getName() == null || i.getName().isBlank()) return Optional.of("intent has no name");
        if (i.getAction() == IntentAction.UNKNOWN) return Optional.of("intent has an unknown action");
        return switch (i.getKind()) {
            case DEPLOYMENT -> deployment(i);
            case POD -> pod(i);
            case DAEMONSET -> switch (i.getAction()) {
                case APPLY -> !(i.getPayload() instanceof DeploymentSpec d) ? payload(i, "DeploymentSpec")
                        : template(d.getTemplate()).or(() -> "Always".equals(d.getTemplate().getRestartPolicy()) ? Optional.empty()
                        : Optional.of("spec.template.spec.restartPolicy: Unsupported value: \"" + d.getTemplate().getRestartPolicy()
                        + "\": supported values: \"Always\""));
                case DELETE -> Optional.empty();
                case ROLLBACK -> i.getPayload() == null ? Optional.empty()
                        : i.getPayload() instanceof RollbackSpec r
                        ? (r.getToRevision() < 0 ? Optional.of("revision must be >= 0, got " + r.getToRevision()) : Optional.empty())
                        : payload(i, "RollbackSpec");
                default -> unsupported(i);
            };
            case STATEFULSET -> switch (i.getAction()) {
                case APPLY -> !(i.getPayload() instanceof DeploymentSpec d) ? payload(i, "DeploymentSpec")
                        : i.getStatefulSet() == null ? Optional.of("APPLY STATEFULSET needs its stateful set fields (the intent's statefulSet), got none")
                        : i.getStatefulSet().getServiceName().isEmpty() ? Optional.of("spec.serviceName: Required value")
                        : template(d.getTemplate()).or(() -> "Always".equals(d.getTemplate().getRestartPolicy()) ? Optional.empty()
                        : Optional.of("spec.template.spec.restartPolicy: Unsupported value: \"" + d.getTemplate().getRestartPolicy()
                        + "\": supported values: \"Always\""));
                case DELETE -> Optional.empty();
                case SCALE -> i.getPayload() instanceof ScaleSpec s
                        ? (s.getReplicas() < 0 ? Optional.of("spec.replicas: Invalid value: " + s.getReplicas() + ": must be greater than or equal to 0") : Optional.empty())
                        : payload(i, "ScaleSpec");
                case ROLLBACK -> i.getPayload() == null ? Optional.empty()
                        : i.getPayload() instanceof RollbackSpec r
                        ? (r.getToRevision() < 0 ? Optional.of("revision must be >= 0, got " + r.getToRevision()) : Optional.empty())
                        : payload(i, "RollbackSpec");
                default -> unsupported(i);
            };
            case CRONJOB -> switch (i.getAction()) {
                case APPLY -> !(i.getPayload() instanceof DeploymentSpec d) ? payload(i, "DeploymentSpec")
                        : i.getCronJob() == null ? Optional.of("APPLY CRONJOB needs its cron job fields (the intent's cronJob), got none")
                        : template(d.getTemplate()).or(() -> jobRestartPolicy(d.getTemplate())).or(() -> cronJob(i.getCronJob()));
                case DELETE -> Optional.empty();
                default -> unsupported(i);
            };
            case JOB -> switch (i.getAction()) {
                case APPLY -> !(i.getPayload() instanceof DeploymentSpec d) ? payload(i, "DeploymentSpec")
                        : i.getJob() == null ? Optional.of("APPLY JOB needs its job fields (the intent's job), got none")
                        : template(d.getTemplate()).or(() -> jobRestartPolicy(d.getTemplate()));
                case DELETE -> Optional.empty();
                default -> unsupported(i);
            };
            case NODE -> switch (i.getAction()) {
                case CORDON, UNCORDON, DRAIN -> Optional.empty();
                default -> unsupported(i);
            };
            case SERVICE -> switch (i.getAction()) {
                case APPLY -> i.getPayload() instanceof ServiceSpec ? Optional.empty() : payload(i, "ServiceSpec");
                case DELETE -> Optional.empty();
                default -> unsupported(i);
            };
            case HORIZONTALPODAUTOSCALER -> switch (i.getAction()) {
                case APPLY, DELETE -> hpa(i);
                default -> unsupported(i);
            };
            case NAMESPACE -> switch (i.getAction()) {
                case APPLY, DELETE -> Optional.empty();
                default -> unsupported(i);
            };
            default -> unsupported(i);
        };
    }

    /**
     * Why the admission policy refuses the pod an intent would run at {@code level} (the level of
     * its namespace as state-streams knows it), in the gateway's words; empty when admitted.
     */
    public static Optional<String> admission(Intent i, PodSecurity.Level level, List<String> hostPaths) {
        return PodSecurity.template(i).flatMap(t -> {
            List<PodSecurity.Violation> v = PodSecurity.check(level, t, hostPaths, PodSecurity.specPath(i));
            String resource = switch (i.getKind()) {
                case DEPLOYMENT -> "deployments.apps";
                case JOB -> "jobs.batch";
                case CRONJOB -> "cronjobs.batch";
                case DAEMONSET -> "daemonsets.apps";
                case STATEFULSET -> "statefulsets.apps";
                default -> "pods";
            };
            return v.isEmpty() ? Optional.empty() : Optional.of(PodSecurity.message(resource, i.getName(), level, v));
        });
    }

    /**
     * A rollback runs an old revision's template again: Kubernetes admits {@code rollout undo} as the
     * update it is, so a template that the namespace's level forbids now (relabelled stricter, or
     * the allow-list narrowed, since that revision ran) is refused, in the apply's words.
     * Empty for anything but a ROLLBACK whose target revision exists.
     */
    public static Optional<String> rollbackAdmission(WorkloadView w, Intent i, PodSecurity.Level level, List<String> hostPaths) {
        if (i.getAction() != IntentAction.ROLLBACK || i.getKind() != ResourceKind.DEPLOYMENT || w == null || w.getDeleted()) return Optional.empty();
        long to = i.getPayload() instanceof RollbackSpec r ? r.getToRevision() : 0;
        Revisions.Target t = Revisions.target(w, to);
        if (t.problem() != null || t.revision() == null) return Optional.empty();
        List<PodSecurity.Violation> v = PodSecurity.check(level, t.revision().getTemplate(), hostPaths, "spec.template.spec");
        return v.isEmpty() ? Optional.empty() : Optional.of(PodSecurity.message("deployments.apps", i.getName(), level, v)
                + " (rollback to revision " + t.revision().getRevision() + ")");
    }

    private static Optional<String> deployment(Intent i) {
        return switch (i.getAction()) {
            case APPLY -> i.getPayload() instanceof DeploymentSpec d
                    ? replicas(d.getReplicas()).or(() -> template(d.getTemplate()))
                    : payload(i, "DeploymentSpec");
            case SCALE -> i.getPayload() instanceof ScaleSpec s ? replicas(s.getReplicas()) : payload(i, "ScaleSpec");
            case DELETE, PROMOTE, ABORT -> Optional.empty();
            case ROLLBACK -> i.getPayload() == null ? Optional.empty()
                    : i.getPayload() instanceof RollbackSpec r
                    ? (r.getToRevision() < 0 ? Optional.of("revision must be >= 0, got " + r.getToRevision()) : Optional.empty())
                    : payload(i, "RollbackSpec");
            default -> unsupported(i);
        };
    }

    /** An HPA names its target (also to be deleted: its intent is routed to the target's partition), a Deployment. */
    private static Optional<String> hpa(Intent i) {
        HpaSpec h = i.getHpa();
        if (h == null || h.getTargetName() == null || h.getTargetName().isEmpty()) {
            return Optional.of("spec.scaleTargetRef.name: Required value (a HorizontalPodAutoscaler intent carries its spec, a DELETE at least its target)");
        }
        if (!"Deployment".equals(h.getTargetKind())) {
            return Optional.of("spec.scaleTargetRef.kind: Unsupported value: \"" + h.getTargetKind() + "\": supported values: \"Deployment\"");
        }
        if (i.getAction() == IntentAction.DELETE) return Optional.empty();
        if (h.getMinReplicas() < 1 || h.getMaxReplicas() < h.getMinReplicas()) {
            return Optional.of("spec.minReplicas: Invalid value: " + h.getMinReplicas() + ": must be between 1 and maxReplicas (" + h.getMaxReplicas() + ")");
        }
        if (h.getMetrics().isEmpty()) return Optional.of("spec.metrics: Required value: must specify at least one metric");
        for (HpaMetric m : h.getMetrics()) {
            if ((m.getAverageUtilization() == null) == (m.getAverageValue() == null)
                    || (m.getAverageUtilization() != null && m.getAverageUtilization() < 1) || (m.getAverageValue() != null && m.getAverageValue() < 1)) {
                return Optional.of("spec.metrics: Invalid value: " + m.getResource() + ": needs exactly one positive averageUtilization or averageValue");
            }
            if (!m.getResource().equals("cpu") && !m.getResource().equals("memory")) {
                return Optional.of("spec.metrics.resource.name: Unsupported value: \"" + m.getResource() + "\": supported values: \"cpu\", \"memory\"");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> pod(Intent i) {
        return switch (i.getAction()) {
            case APPLY -> i.getPayload() instanceof PodSpec p ? template(p.getTemplate()) : payload(i, "PodSpec");
            case DELETE -> Optional.empty();
            default -> unsupported(i);
        };
    }

    private static Optional<String> cronJob(CronJobSpec c) {
        if (c.getJob() == null) return Optional.of("spec.jobTemplate.spec: Required value");
        Optional<String> schedule = io.berth.schemas.cron.CronSchedule.problem(c.getSchedule(), c.getTimeZone());
        if (schedule.isPresent()) {
            return Optional.of((schedule.get().contains("unknown time zone") ? "spec.timeZone: " : "spec.schedule: ") + schedule.get());
        }
        String policy = c.getConcurrencyPolicy();
        return List.of("Allow", "Forbid", "Replace").contains(policy) ? Optional.empty()
                : Optional.of("spec.concurrencyPolicy: Unsupported value: \"" + policy + "\": supported values: \"Allow\", \"Forbid\", \"Replace\"");
    }

    /** Kubernetes: a Job's pods end, so they may not restart Always. */
    private static Optional<String> jobRestartPolicy(PodTemplate t) {
        String p = t.getRestartPolicy();
        return "OnFailure".equals(p) || "Never".equals(p) ? Optional.empty()
                : Optional.of("spec.template.spec.restartPolicy: Unsupported value: \"" + p + "\": supported values: \"OnFailure\", \"Never\"");
    }

    private static Optional<String> replicas(int replicas) {
        return replicas < 0 ? Optional.of("replicas must be >= 0, got " + replicas) : Optional.empty();
    }

    private static Optional<String> template(PodTemplate t) {
        if (t == null || t.getContainers().isEmpty()) return Optional.of("pod template has no containers");
        for (ContainerSpec c : t.getContainers()) {
            if (c.getImage() == null || c.getImage().isBlank()) return Optional.of("container '" + c.getName() + "' has no image");
        }
        return Optional.empty();
    }

    private static Optional<String> payload(Intent i, String expected) {
        String got = i.getPayload() == null ? "none" : i.getPayload().getClass().getSimpleName();
        return Optional.of(i.getAction() + " " + i.getKind() + " needs a " + expected + " payload, got " + got);
    }

    private static Optional<String> unsupported(Intent i) {
        return Optional.of("action " + i.getAction() + " is not supported for kind " + i.getKind());
    }
}
