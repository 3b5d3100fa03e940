package io.berth.gateway;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Properties;

/**
 * The producer with which the gateway writes the objects it serves itself (RBAC objects, Secrets and
 * ConfigMaps) and their audit records: acknowledged by all replicas, idempotent, sent at once, and
 * with the topics' metadata fetched here, so a send never blocks an event loop.
 */
public final class ObjectWriter {
    private ObjectWriter() {}

    /** @param role names the writer in the client id ({@code <client.id>-<role>-writer}) */
    public static KafkaProducer<String, byte[]> producer(Properties clientProps, String role, String... topics) {
        Properties p = new Properties();
        p.putAll(clientProps);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientProps.getProperty("client.id", "berth-gateway") + "-" + role + "-writer");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        for (String t : topics) producer.partitionsFor(t);
        return producer;
    }
}
