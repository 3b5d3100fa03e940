package io.berth.node.mesh;

import io.berth.schemas.avro.EndpointsView;

/**
 * One change of the service table, published on {@link MeshAddresses#services()}: {@code view == null}
 * means the service is gone (tombstone or {@code deleted=true}). {@code receivedAtNanos} is when the
 * record was read from Kafka, so consumers can measure how fast they applied it.
 */
public record ServiceChange(String key, EndpointsView view, long receivedAtNanos) {
    public boolean gone() {
        return view == null;
    }
}
