package io.berth.state;

import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.ServiceSpec;
import io.berth.schemas.avro.WorkloadView;

/**
 * Service intents. Services hold no tasks: their view is the spec, written as it comes
 * (ServiceCreated / ServiceUpdated / ServiceDeleted); cluster IPs, node ports and endpoints are
 * derived by {@link EndpointsProcessor} from the view topic.
 */
final class ServiceIntents {
    private final WorkloadState state;

    ServiceIntents(WorkloadState state) {
        this.state = state;
    }

    void apply(String key, WorkloadView before, Intent i, Origin origin, long intentOffset, long now) {
        if (i.getAction() == IntentAction.DELETE) {
            if (before != null) state.deleteWorkload(key, "ServiceDeleted", origin, before, "service deleted", now);
            return;
        }
        WorkloadView v = (before == null ? WorkloadView.newBuilder().setKey(key).setKind(ResourceKind.SERVICE)
                .setNamespace(i.getNamespace()).setName(i.getName()).setUid(i.getIntentId()).setCreatedAt(now)
                : WorkloadView.newBuilder(before).setGeneration(before.getGeneration() + 1))
                .setService((ServiceSpec) i.getPayload()).setLabels(i.getLabels()).setUpdatedAt(now)
                .setLastIntentId(i.getIntentId()).setLastIntentOffset(intentOffset).build();
        v = WorkloadView.newBuilder(v).setObservedGeneration(v.getGeneration()).build();
        state.writeWorkload(key, before == null ? "ServiceCreated" : "ServiceUpdated", origin, before, v,
                "service " + i.getName() + " " + (before == null ? "created" : "updated to generation " + v.getGeneration()), now);
    }
}
