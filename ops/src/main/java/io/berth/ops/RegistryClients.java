package io.berth.ops;

import io.berth.registry.client.CachedSchemaRegistryClient;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.ops.kubectl.Kubeconfig;
import io.berth.schemas.service.BerthConfig;
import org.slf4j.Logger;

import java.time.Duration;
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

    /**
     * The client of a service, with the credential its schema registrations need:
     * {@code registry-basic-auth-user-info} ({@code user:token}, as Confluent's
     * {@code basic.auth.user.info}), else the admin token of the kubeconfig named by {@code kubeconfig}
     * or of the data dir's (the one {@code berth up} wrote), else none; an {@code https} registry is checked against
     * {@code registry-ca-file} when it is set.
     */
    static SchemaRegistryClient forUrl(String url, BerthConfig cfg) {
        if (url == null || url.isBlank()) return forUrl(url);
        javax.net.ssl.SSLContext trust = io.berth.schemas.tls.Tls.registryTrust(cfg);
        String userInfo = cfg.get("registry-basic-auth-user-info", null);
        if (userInfo != null && !userInfo.isBlank()) {
            return new CachedSchemaRegistryClient(url, Duration.ofSeconds(30), CachedSchemaRegistryClient.basicAuth(userInfo), trust);
        }
        String kubeconfig = cfg.get("kubeconfig", null);
        java.nio.file.Path kc = kubeconfig != null ? java.nio.file.Path.of(kubeconfig) : cfg.dataDir() == null ? null : AdminCredential.kubeconfig(cfg.dataDir());
        String token = kc == null ? null : Kubeconfig.token(kc).orElse(null);
        return new CachedSchemaRegistryClient(url, Duration.ofSeconds(30), token == null ? null : "Bearer " + token, trust);
    }
}
