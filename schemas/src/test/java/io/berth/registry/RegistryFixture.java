package io.berth.registry;

import io.berth.registry.server.RegistryServer;
import io.berth.schemas.service.BerthConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Registry instances on the shared broker, isolated per fixture: a fresh {@code _schemas-N}
 * topic and group. {@link #startInstance()} twice gives two instances of the same registry.
 */
public final class RegistryFixture implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private final String topic;
    private final List<RegistryServer> servers = new ArrayList<>();

    public RegistryFixture() {
        this("_schemas-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
    }

    private RegistryFixture(String topic) {
        this.topic = topic;
    }

    /** A new fixture on the same topic and group: a restart of the same registry. */
    public RegistryFixture reopen() {
        return new RegistryFixture(topic);
    }

    public String topic() {
        return topic;
    }

    public BerthConfig config() {
        return BerthConfig.of(SharedKafka.get().bootstrapServers(), null, Path.of("target"))
                .with("registry-topic", topic)
                .with("registry-group-id", "schema-registry-" + topic)
                .with("registry-session-timeout-ms", "6000");
    }

    public RegistryServer startInstance() throws Exception {
        return startInstance(config());
    }

    /** An instance with this config (e.g. {@link #config()} plus {@code auth-token-file}). */
    public RegistryServer startInstance(BerthConfig config) throws Exception {
        RegistryServer server = new RegistryServer(config, "localhost", 0);
        servers.add(server);
        server.start();
        return server;
    }

    @Override
    public void close() {
        for (RegistryServer s : servers) s.close();
        servers.clear();
    }
}
