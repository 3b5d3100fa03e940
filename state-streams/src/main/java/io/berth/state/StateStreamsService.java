package io.berth.state;

import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.TopicCheckingService;

/** The state-streams service. Skeleton: connects, verifies its topics and logs; behaviour lands in later issues. */
public final class StateStreamsService extends TopicCheckingService {
    private final SchemaRegistryClient registry;

    public StateStreamsService(BerthConfig config, SchemaRegistryClient registry) {
        super(config);
        this.registry = registry;
    }

    @Override
    public String name() {
        return "state-streams";
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
