package io.berth.schemas.service;

import io.berth.schemas.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of a service that needs the Berth topics: {@link #start()} connects to Kafka, verifies
 * (or creates) every topic, then calls {@link #run()}.
 */
public abstract class TopicCheckingService implements BerthService {
    protected final Logger log = LoggerFactory.getLogger(getClass());
    protected final BerthConfig config;

    protected TopicCheckingService(BerthConfig config) {
        this.config = config;
    }

    @Override
    public final void start() throws Exception {
        try (Admin admin = Admin.create(config.clientProps(name() + "-admin"))) {
            TopicAdmin.ensureTopics(admin);
        }
        log.info("{}: topics verified on {}", name(), config.bootstrapServers());
        run();
        log.info("{}: started", name());
    }

    /** Starts the service's own work; returns once it is running. */
    protected abstract void run() throws Exception;
}
