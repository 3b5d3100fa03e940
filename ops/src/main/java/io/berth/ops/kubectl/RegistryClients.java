package io.berth.ops.kubectl;

import io.berth.registry.client.CachedSchemaRegistryClient;
import io.berth.registry.client.SchemaRegistryClient;

/** Makes the HTTP schema registry client for {@code --registry-url} (Confluent REST API, cached). */
public final class RegistryClients {
    private RegistryClients() {}

    public static SchemaRegistryClient http(String url) {
        return new CachedSchemaRegistryClient(url);
    }

    /** With a bearer token for schema writes (null: none). */
    public static SchemaRegistryClient http(String url, String token) {
        return http(url, token, null);
    }

    /** With a bearer token and the trust an {@code https} registry is checked against (null: the JVM's default). */
    public static SchemaRegistryClient http(String url, String token, javax.net.ssl.SSLContext ssl) {
        return new CachedSchemaRegistryClient(url, java.time.Duration.ofSeconds(30), token == null ? null : "Bearer " + token, ssl);
    }
}
