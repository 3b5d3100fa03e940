package io.berth.schemas.service;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What every Berth service needs to find the bus: the Kafka bootstrap servers, the schema
 * registry URL and a directory for local state (Streams stores, broker data). Other settings
 * travel in {@code extra}, named as on the command line without dashes (e.g. {@code node-grace-ms}).
 */
public record BerthConfig(String bootstrapServers, String registryUrl, Path dataDir, Map<String, String> extra) {

    public BerthConfig {
        extra = Map.copyOf(extra);
    }

    public static BerthConfig of(String bootstrapServers, String registryUrl, Path dataDir) {
        return new BerthConfig(bootstrapServers, registryUrl, dataDir, Map.of());
    }

    public BerthConfig with(String key, String value) {
        Map<String, String> m = new HashMap<>(extra);
        m.put(key, value);
        return new BerthConfig(bootstrapServers, registryUrl, dataDir, m);
    }

    public String get(String key, String dflt) {
        return extra.getOrDefault(key, dflt);
    }

    public long getLong(String key, long dflt) {
        String v = extra.get(key);
        return v == null ? dflt : Long.parseLong(v);
    }

    /**
     * Base properties of every Kafka client a Berth process makes (producers, consumers, admin
     * clients, Streams apps): the operator's client settings ({@link KafkaClientConfig}, setting
     * {@code kafka-config}: security protocol, SASL, SSL …), then the bootstrap servers and a client id.
     * Nothing in Berth builds client properties any other way.
     */
    public Properties clientProps(String clientId) {
        Properties p = kafkaConfig();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("client.id", clientId);
        return p;
    }

    /** {@link #clientProps} as a map, for the constructors that take one, with Berth's own settings for this client ({@code key, value, …}) on top. */
    public Map<String, Object> clientMap(String clientId, Object... keyValues) {
        if (keyValues.length % 2 != 0) throw new IllegalArgumentException("clientMap: keys and values come in pairs");
        Map<String, Object> m = new HashMap<>();
        clientProps(clientId).forEach((k, v) -> m.put((String) k, v));
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }

    /** The operator's Kafka client settings of the file named by {@code kafka-config}, checked; empty when unset. */
    public Properties kafkaConfig() {
        String file = extra.get(KafkaClientConfig.SETTING);
        return file == null || file.isBlank() ? new Properties() : KafkaClientConfig.load(Path.of(file));
    }
}
