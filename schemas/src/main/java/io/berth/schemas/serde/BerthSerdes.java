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

    public <V extends SpecificRecord> Produced<String, V> produced(Topic<V> topic) {
        return Produced.with(key(), value(topic));
    }
}
