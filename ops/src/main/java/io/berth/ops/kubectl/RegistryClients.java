package io.berth.ops.kubectl;

import io.berth.registry.client.SchemaRegistryClient;

/**
 * Makes the HTTP schema registry client. {@code io.berth.registry.client.CachedSchemaRegistryClient}
 * lives on the {@code registry} branch; until it is merged it is looked up by name so this module
 * compiles without it. After the merge this can become a plain {@code new CachedSchemaRegistryClient(url)}.
 */
public final class RegistryClients {
    private RegistryClients() {}

    static final String HTTP_CLIENT = "io.berth.registry.client.CachedSchemaRegistryClient";

    public static SchemaRegistryClient http(String url) {
        try {
            Class<?> type = Class.forName(HTTP_CLIENT);
            return (SchemaRegistryClient) type.getConstructor(String.class).newInstance(url);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this build has no HTTP schema registry client (" + HTTP_CLIENT + ")", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the schema registry client for " + url + ": " + e, e);
        }
    }
}
