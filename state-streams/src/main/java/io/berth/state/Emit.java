package io.berth.state;

import io.berth.schemas.Topic;
import org.apache.avro.specific.SpecificRecord;

/**
 * One output of a controller: the topic it goes to and its value ({@code null} = tombstone); the
 * key travels as the record key. Processors emit these and the topology routes each to its sink,
 * so a processor never names a topic string or builds a serde. {@code forEndpoints} is false for a task
 * view whose change cannot change any Service's endpoints ({@link EndpointsTopology#changesEndpoints}):
 * the endpoints controller is not sent it.
 */
record Emit(Topic<?> topic, SpecificRecord value, boolean forEndpoints) {
    Emit(Topic<?> topic, SpecificRecord value) {
        this(topic, value, true);
    }

    static Emit tombstone(Topic<?> topic) {
        return new Emit(topic, null);
    }
}
