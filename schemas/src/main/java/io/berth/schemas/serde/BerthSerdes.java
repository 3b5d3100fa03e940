package io.berth.schemas.serde;

import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

import java.util.concurrent.ConcurrentHashMap;

/** Serdes for Berth topics over one registry client: keys are strings, values Avro in Confluent wire format. */
public final class BerthSerdes {
    private final SchemaRegistryClient registry;
    private final ConcurrentHashMap<Class<?>, AvroSerde<?>> serdes = new ConcurrentHashMap<>();

    public BerthSerdes(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    public SchemaRegistryClient registry() {
        return registry;
    }

    public static Serde<String> key() {
        return Serdes.String();
    }

    @SuppressWarnings("unchecked")
    public <V extends SpecificRecord> AvroSerde<V> value(Class<V> type) {
        return (AvroSerde<V>) serdes.computeIfAbsent(type, t -> new AvroSerde<>(registry, type));
    }

    public <V extends SpecificRecord> AvroSerde<V> value(Topic<V> topic) {
        return value(topic.valueClass());
    }

    public <V extends SpecificRecord> Consumed<String, V> consumed(Topic<V> topic) {
        return Consumed.with(key(), value(topic));
    }

    /**
     * As {@link #consumed} for a topic whose records nodes sign: the value deserializer also stamps
     * the SHA-256 of the bytes it read into the record's headers ({@link io.berth.schemas.auth.NodeKeys#stampDigest}),
     * which is what the signature covers.
     */
    public <V extends SpecificRecord> Consumed<String, V> consumedSigned(Topic<V> topic) {
        AvroSerde<V> inner = value(topic);
        org.apache.kafka.common.serialization.Deserializer<V> digesting = new org.apache.kafka.common.serialization.Deserializer<>() {
            @Override
            public V deserialize(String t, byte[] data) {
                return inner.deserialize(t, data);
            }

            @Override
            public V deserialize(String t, org.apache.kafka.common.header.Headers headers, byte[] data) {
                io.berth.schemas.auth.NodeKeys.stampDigest(headers, data);
                return inner.deserialize(t, data);
            }
        };
        return Consumed.with(key(), org.apache.kafka.common.serialization.Serdes.serdeFrom(inner.serializer(), digesting));
    }

    public <V extends SpecificRecord> Produced<String, V> produced(Topic<V> topic) {
        return Produced.with(key(), value(topic));
    }
}
