package io.berth.gateway.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.JobSpec;
import io.berth.schemas.avro.PodTemplate;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.berth.gateway.manifest.Fields.child;
import static io.berth.gateway.manifest.Fields.get;

/**
 * A {@code batch/v1 Job}'s spec → its pod template (as a {@link DeploymentSpec}: template, replicas =
 * parallelism, selector = the template's labels) and its {@link JobSpec}. Validation follows
 * Kubernetes' job validation and wording; what Berth's job controller does not do (Indexed
 * completions, pod failure and success policies, per-index back-off, another controller) is refused
 * naming the field rather than silently ignored.
 *
 * <p>Defaults, as Kubernetes': neither completions nor parallelism → both 1; parallelism only →
 * completions unset (work-queue mode: the job completes once one pod succeeded and none is active);
 * completions only → parallelism 1; backoffLimit 6.
 */
final class JobManifest {
    private JobManifest() {}

    /** The labels Kubernetes puts on a Job's pod template (and selects its pods by). */
    static final String JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
    static final String LEGACY_JOB_NAME_LABEL = "job-name";
    /** The controller a Job is managed by when {@code spec.managedBy} is unset: the only one Berth has. */
    static final String JOB_CONTROLLER = "kubernetes.io/job-controller";
    static final List<String> RESTART_POLICIES = List.of("OnFailure", "Never");

    private static final Set<String> SPEC_FIELDS = Set.of("template", "completions", "parallelism", "backoffLimit",
            "activeDeadlineSeconds", "ttlSecondsAfterFinished", "suspend", "selector", "manualSelector", "completionMode",
            "podFailurePolicy", "successPolicy", "backoffLimitPerIndex", "maxFailedIndexes", "managedBy");
    /** Fields of Kubernetes' JobSpec whose behaviour Berth's job controller does not have. */
    private static final List<String> UNSUPPORTED = List.of("podFailurePolicy", "successPolicy", "backoffLimitPerIndex", "maxFailedIndexes");

    /** The parsed spec: the template-carrying payload and the Job's own fields; null when the spec has errors. */
    record Parsed(DeploymentSpec payload, JobSpec job) {}

    static Parsed parse(Fields f, JsonNode doc, String path, String name, int maxReplicas) {
        String sp = child(path, "spec");
        JsonNode spec = f.object(doc, "spec", sp);
        if (spec == null) {
            if (get(doc, "spec") == null) f.required(sp);
            return null;
        }
        return spec(f, spec, sp, name, maxReplicas);
    }

    /**
     * A CronJob's {@code spec.jobTemplate.spec} ({@code sp} its path): a Job's spec under the same rules and
     * defaults, except that, as Kubernetes' validateJobTemplateSpec says, the selector is generated for each
     * Job ({@code `selector` will be auto-generated}), manualSelector may not be true, and the template carries
     * no job-name labels (each Job's own name is added to them when the CronJob creates it).
     */
    static Parsed template(Fields f, JsonNode spec, String sp, int maxReplicas) {
        if (get(spec, "selector") != null) f.invalid(child(sp, "selector"), get(spec, "selector"), "`selector` will be auto-generated");
        JsonNode manual = get(spec, "manualSelector");
        if (manual != null && manual.isBoolean() && manual.booleanValue()) f.unsupported(child(sp, "manualSelector"), get(spec, "manualSelector"), List.of("nil", "false"));
        return spec(f, spec, sp, null, maxReplicas);
    }

    /** A Job's spec at {@code sp}; {@code name} the Job's, or null for a CronJob's job template. */
    private static Parsed spec(Fields f, JsonNode spec, String sp, String name, int maxReplicas) {
        f.onlyKnown(spec, sp, SPEC_FIELDS);
        unsupported(f, spec, sp);
        Integer completions = count(f, spec, "completions", child(sp, "completions"), maxReplicas);
        Integer parallelism = count(f, spec, "parallelism", child(sp, "parallelism"), maxReplicas);
        int backoffLimit = f.integerAtLeast(spec, "backoffLimit", child(sp, "backoffLimit"), 0, 6);
        Long deadline = positiveLong(f, spec, "activeDeadlineSeconds", child(sp, "activeDeadlineSeconds"));
        Integer ttl = get(spec, "ttlSecondsAfterFinished") == null ? null
                : f.integerAtLeast(spec, "ttlSecondsAfterFinished", child(sp, "ttlSecondsAfterFinished"), 0, 0);
        Boolean suspend = f.bool(spec, "suspend", child(sp, "suspend"));
        f.bool(spec, "manualSelector", child(sp, "manualSelector"));

        PodTemplate template = template(f, spec, child(sp, "template"), name);
        if (template != null && name != null) selector(f, spec, child(sp, "selector"), template.getLabels());
        if (!f.errors.isEmpty() || template == null) return null;

        // Kubernetes' defaulting: both unset → 1 and 1; parallelism alone → work-queue mode (completions unset)
        if (completions == null && parallelism == null) completions = 1;
        int effectiveParallelism = parallelism == null ? 1 : parallelism;
        JobSpec job = JobSpec.newBuilder().setCompletions(completions).setParallelism(effectiveParallelism)
                .setBackoffLimit(backoffLimit).setActiveDeadlineSeconds(deadline).setTtlSecondsAfterFinished(ttl)
                .setSuspend(suspend != null && suspend).build();
        DeploymentSpec payload = DeploymentSpec.newBuilder().setTemplate(template).setReplicas(effectiveParallelism)
                .setSelector(template.getLabels()).build();
        return new Parsed(payload, job);
    }

    /** The fields Berth refuses: each named, with what to do instead where there is something. */
    private static void unsupported(Fields f, JsonNode spec, String sp) {
        for (String field : UNSUPPORTED) {
            if (get(spec, field) != null) f.forbidden(child(sp, field), "not supported by Berth");
        }
        String mode = f.string(spec, "completionMode", child(sp, "completionMode"));
        if (mode != null && !mode.equals("NonIndexed")) {
            f.unsupported(child(sp, "completionMode"), get(spec, "completionMode"), List.of("NonIndexed"));
        }
        String managedBy = f.string(spec, "managedBy", child(sp, "managedBy"));
        if (managedBy != null && !managedBy.equals(JOB_CONTROLLER)) {
            f.forbidden(child(sp, "managedBy"), "not supported by Berth: its own job controller manages every Job");
        }
    }

    /** completions or parallelism: unset (null), or 0 up to the max-replicas cap Deployments have too. */
    private static Integer count(Fields f, JsonNode spec, String field, String path, int max) {
        Integer v = f.integer(spec, field, path);
        if (v == null) return null;
        if (v < 0) {
            f.invalid(path, get(spec, field), "must be greater than or equal to 0");
            return null;
        }
        if (v > max) {
            f.invalid(path, get(spec, field), "must be less than or equal to " + max);
            return null;
        }
        return v;
    }

    private static Long positiveLong(Fields f, JsonNode spec, String field, String path) {
        JsonNode n = get(spec, field);
        if (n == null) return null;
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            f.invalid(path, n, "must be an integer");
            return null;
        }
        if (n.longValue() <= 0) {
            f.invalid(path, n, "must be greater than 0");
            return null;
        }
        return n.longValue();
    }

    /**
     * The pod template, its labels with the job-name labels Kubernetes adds (they select the Job's pods;
     * none for a CronJob's template, {@code name} null); its restartPolicy must be given and be OnFailure
     * or Never. Null when absent.
     */
    private static PodTemplate template(Fields f, JsonNode spec, String tp, String name) {
        JsonNode template = f.object(spec, "template", tp);
        if (template == null) {
            if (get(spec, "template") == null) f.required(tp);
            return null;
        }
        f.onlyKnown(template, tp, Set.of("metadata", "spec"));
        JsonNode tmeta = f.object(template, "metadata", child(tp, "metadata"));
        f.onlyKnown(tmeta, child(tp, "metadata"), Set.of("labels", "annotations"), Set.of("name", "creationTimestamp"));
        Map<String, String> labels = new TreeMap<>(f.stringMap(tmeta, "labels", child(tp, "metadata.labels")));
        Names.labels(f, labels, child(tp, "metadata.labels"));
        for (String key : List.of(JOB_NAME_LABEL, LEGACY_JOB_NAME_LABEL)) {
            String given = labels.get(key);
            if (name == null) {
                // a CronJob's template: each of its Jobs is labelled with its own name
                if (given != null) {
                    f.invalid(child(tp, "metadata.labels"), Fields.render(Map.of(key, given)),
                            "must be omitted: each Job the CronJob creates is labelled with its own name");
                }
                continue;
            }
            if (given != null && !given.equals(name)) {
                f.invalid(child(tp, "metadata.labels"), Fields.render(Map.of(key, given)), "must be the Job's name \"" + name + "\" (or omitted)");
            }
            labels.put(key, name);
        }
        Map<String, String> annotations = f.stringMap(tmeta, "annotations", child(tp, "metadata.annotations"));
        JsonNode podSpec = f.object(template, "spec", child(tp, "spec"));
        return PodSpecParser.parse(f, podSpec, child(tp, "spec"), labels, annotations, RESTART_POLICIES, true);
    }

    /**
     * {@code spec.selector}: optional (Berth selects by the job-name labels, as Kubernetes' generated
     * selector does); one given, e.g. echoed from {@code kubectl get -o yaml}, must select the template's labels.
     */
    private static void selector(Fields f, JsonNode spec, String path, Map<String, String> templateLabels) {
        JsonNode sel = f.object(spec, "selector", path);
        if (sel == null) return;
        f.onlyKnown(sel, path, Set.of("matchLabels"), Set.of("matchExpressions"));
        if (get(sel, "matchExpressions") != null && !get(sel, "matchExpressions").isEmpty()) {
            f.forbidden(child(path, "matchExpressions"), "not supported by Berth; use matchLabels or omit the selector");
        }
        Map<String, String> match = f.stringMap(sel, "matchLabels", child(path, "matchLabels"));
        if (!match.entrySet().stream().allMatch(e -> e.getValue().equals(templateLabels.get(e.getKey())))) {
            f.invalid(path, Fields.render(match), "`selector` does not match template `labels`");
        }
    }
}
