package io.berth.node;

import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.TopicCheckingService;

/** The node-daemon service. Skeleton: connects, verifies its topics and logs; behaviour lands in later issues. */
public final class NodeDaemonService extends TopicCheckingService {
    private final SchemaRegistryClient registry;

    public NodeDaemonService(BerthConfig config, SchemaRegistryClient registry) {
        super(config);
        this.registry = registry;
    }

    @Override
    public String name() {
        return "node-daemon";
    }

    @Override
    protected void run() {
        log.info("{} ready (registry {})", name(), config.registryUrl());
    }

    @Override
    public void close() {
        log.info("{} stopped", name());
    }
}
