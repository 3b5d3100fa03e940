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

    /** Base client properties: bootstrap servers and a client id. */
    public Properties clientProps(String clientId) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("client.id", clientId);
        return p;
    }
}
