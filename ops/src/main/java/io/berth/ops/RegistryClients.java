package io.berth.ops;

import io.berth.registry.client.CachedSchemaRegistryClient;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.registry.client.SchemaRegistryClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the schema registry client the services of one process share. */
final class RegistryClients {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryClients.class);

    private RegistryClients() {}

    static SchemaRegistryClient forUrl(String url) {
        if (url == null || url.isBlank()) {
            LOG.debug("no schema registry URL: in-process registry client");
            return new InMemorySchemaRegistryClient();
        }
        return new CachedSchemaRegistryClient(url);
    }
}
