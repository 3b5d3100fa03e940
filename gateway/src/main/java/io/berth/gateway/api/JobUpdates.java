package io.berth.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.ManifestProblem;
import io.berth.gateway.view.KubeObjects;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.JobSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.WorkloadView;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an update of an existing Job may change, as kube-apiserver's job validation allows: parallelism,
 * suspend, activeDeadlineSeconds, ttlSecondsAfterFinished, backoffLimit, labels and annotations.
 * {@code spec.template} (and so the selector, which Berth derives from it) and {@code spec.completions}
 * are immutable: changing them is 422 Invalid, {@code field is immutable}, naming each field. Pure.
 */
final class JobUpdates {
    private JobUpdates() {}

    /** The 422 an apply of {@code i} over the view {@code before} (null: none yet) gets, or null when it may apply. */
    static ApiException immutable(Intent i, Object before) {
        if (i.getKind() != ResourceKind.JOB || i.getAction() != IntentAction.APPLY) return null;
        if (!(before instanceof WorkloadView w) || w.getDeleted() || w.getKind() != ResourceKind.JOB) return null;
        List<ManifestProblem> problems = problems(i, w);
        return problems.isEmpty() ? null : Status.invalid("Job", "batch", i.getName(), problems);
    }

    static List<ManifestProblem> problems(Intent i, WorkloadView w) {
        List<ManifestProblem> out = new ArrayList<>();
        PodTemplate now = w.getDeployment() == null ? null : w.getDeployment().getTemplate();
        PodTemplate asked = i.getPayload() instanceof DeploymentSpec d ? d.getTemplate() : null;
        if (now != null && asked != null && !now.equals(asked)) {
            out.add(problem("spec.template", template(asked).toString()));
        }
        Integer had = w.getJob() == null ? null : w.getJob().getCompletions();
        JobSpec job = i.getJob();
        Integer wants = job == null ? null : job.getCompletions();
        if (w.getJob() != null && job != null && !Objects.equals(had, wants)) {
            out.add(problem("spec.completions", String.valueOf(wants)));
        }
        return out;
    }

    private static ManifestProblem problem(String field, String value) {
        return new ManifestProblem("", 1, "", field, "Invalid value: " + value + ": field is immutable");
    }

    /** The template asked for, as the Job renders it ({@code {"metadata":{…},"spec":{…}}}). */
    private static ObjectNode template(PodTemplate t) {
        ObjectNode o = ReadApi.MAPPER.createObjectNode();
        ObjectNode meta = o.putObject("metadata");
        ObjectNode labels = meta.putObject("labels");
        new java.util.TreeMap<>(t.getLabels()).forEach(labels::put);
        if (!t.getAnnotations().isEmpty()) {
            ObjectNode annotations = meta.putObject("annotations");
            new java.util.TreeMap<>(t.getAnnotations()).forEach(annotations::put);
        }
        o.set("spec", KubeObjects.podSpec(t));
        return o;
    }
}
