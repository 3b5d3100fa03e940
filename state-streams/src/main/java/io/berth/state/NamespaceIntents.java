package io.berth.state;

import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.WorkloadView;

/**
 * Namespace intents ({@code v1 Namespace}): a namespace's view holds its labels and annotations
 * (the admission level, {@code pod-security.berth.io/enforce}, is one) and nothing else; it has no
 * tasks. Written as it comes (NamespaceCreated / NamespaceUpdated / NamespaceDeleted), under the
 * cluster-scoped key {@code /namespace/<name>}.
 */
final class NamespaceIntents {
    private final WorkloadState state;

    NamespaceIntents(WorkloadState state) {
        this.state = state;
    }

    void apply(String key, WorkloadView before, Intent i, Origin origin, long intentOffset, long now) {
        if (i.getAction() == IntentAction.DELETE) {
            if (before != null && !before.getDeleted()) state.deleteWorkload(key, "NamespaceDeleted", origin, before, "namespace deleted", now);
            return;
        }
        boolean fresh = before == null || before.getDeleted();
        WorkloadView v = (fresh ? WorkloadView.newBuilder().setKey(key).setKind(ResourceKind.NAMESPACE)
                .setNamespace("").setName(i.getName()).setUid(i.getIntentId()).setCreatedAt(now)
                : WorkloadView.newBuilder(before).setGeneration(before.getGeneration() + 1))
                .setLabels(i.getLabels()).setAnnotations(i.getAnnotations()).setUpdatedAt(now)
                .setLastIntentId(i.getIntentId()).setLastIntentOffset(intentOffset).build();
        v = WorkloadView.newBuilder(v).setObservedGeneration(v.getGeneration()).build();
        state.writeWorkload(key, fresh ? "NamespaceCreated" : "NamespaceUpdated", origin, before, v,
                "namespace " + i.getName() + " " + (fresh ? "created" : "updated"), now);
    }
}
