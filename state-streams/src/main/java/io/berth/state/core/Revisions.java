package io.berth.state.core;

import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Revision;
import io.berth.schemas.avro.WorkloadView;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A deployment's revision history (Kubernetes keeps it as old ReplicaSets): oldest first, the
 * current one last. A new template is revision max+1; a template that equals an old revision's
 * (a re-apply, a rollback) reuses that entry the Kubernetes way: it becomes current under max+1
 * and its old number disappears. Example: revisions 1 (v1), 2 (v2), 3 (v3); undo to 1 →
 * 2 (v2), 3 (v3), 4 (v1). Only {@code revisionHistoryLimit} entries besides the current are kept.
 */
public final class Revisions {
    /** Kubernetes' annotation recording why a revision was made (kubectl --record, or set by hand). */
    public static final String CHANGE_CAUSE = "kubernetes.io/change-cause";

    private Revisions() {}

    /** The history of a view; a view written before histories existed gets its current revision as the only entry. */
    public static List<Revision> of(WorkloadView v) {
        if (!v.getHistory().isEmpty() || v.getDeployment() == null || v.getRevision() == 0) return v.getHistory();
        return List.of(new Revision(v.getRevision(), v.getTemplateHash(), v.getDeployment().getTemplate(), "", v.getCreatedAt()));
    }

    public static long max(List<Revision> history) {
        return history.stream().mapToLong(Revision::getRevision).max().orElse(0);
    }

    /** {@code history} with {@code template} as the new current revision max+1, trimmed to {@code limit} old ones. */
    public static List<Revision> next(List<Revision> history, PodTemplate template, String hash, String changeCause, long now, int limit) {
        long number = max(history) + 1;
        Optional<Revision> reused = history.stream().filter(r -> r.getTemplateHash().equals(hash)).findFirst();
        String cause = changeCause != null && !changeCause.isBlank() ? changeCause : reused.map(Revision::getChangeCause).orElse("");
        List<Revision> out = new ArrayList<>(history.stream().filter(r -> !r.getTemplateHash().equals(hash)).toList());
        out.add(new Revision(number, hash, template, cause, now));
        return trim(out, limit);
    }

    /** Keeps the current (last) entry plus at most {@code limit} older ones, dropping the oldest. */
    public static List<Revision> trim(List<Revision> history, int limit) {
        List<Revision> sorted = new ArrayList<>(history);
        sorted.sort(Comparator.comparingLong(Revision::getRevision));
        int keep = Math.max(0, limit) + 1;
        return sorted.size() <= keep ? sorted : List.copyOf(sorted.subList(sorted.size() - keep, sorted.size()));
    }

    /**
     * The revision a rollback goes to: {@code to}, or for 0 the newest one before the current.
     * Empty with kubectl's wording when there is none.
     */
    public static Target target(WorkloadView v, long to) {
        List<Revision> history = of(v);
        if (to > 0) {
            return history.stream().filter(r -> r.getRevision() == to).findFirst().map(Target::of)
                    .orElse(Target.problem("unable to find specified revision " + to + " in history"));
        }
        return history.stream().filter(r -> r.getRevision() < v.getRevision()).max(Comparator.comparingLong(Revision::getRevision))
                .map(Target::of).orElse(Target.problem("no rollout history found for deployment \"" + v.getName() + "\""));
    }

    /** A rollback's destination, or why there is none. */
    public record Target(Revision revision, String problem) {
        static Target of(Revision r) {
            return new Target(r, null);
        }

        static Target problem(String why) {
            return new Target(null, why);
        }

        public boolean found() {
            return revision != null;
        }
    }
}
