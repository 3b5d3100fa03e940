package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.ResourceKind;

/**
 * Where a HorizontalPodAutoscaler's intent is folded: its target workload's key (Kubernetes serves one HPA per
 * target; Berth keeps it in that workload's view, next to the tasks and samples it decides from). An intent that
 * names no target keeps its own key and is refused there ({@link io.berth.state.core.IntentValidator}).
 */
final class HpaIntents {
    private HpaIntents() {}

    static String targetKey(String key, Intent i) {
        if (i.getHpa() == null || i.getHpa().getTargetName() == null || i.getHpa().getTargetName().isEmpty()) return key;
        return Topics.resourceKey(i.getNamespace(), ResourceKind.DEPLOYMENT, i.getHpa().getTargetName());
    }
}
