package io.berth.schemas.service;

import io.berth.schemas.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Base of a service that needs the Berth topics: {@link #start()} connects to Kafka, checks that its
 * directory belongs to this cluster ({@link ClusterIdentity}; before anything is created or read), verifies
 * (or creates) every topic, then calls {@link #run()}.
 */
public abstract class TopicCheckingService implements BerthService {
    protected final Logger log = LoggerFactory.getLogger(getClass());
    protected final BerthConfig config;
    /** The id of the Kafka cluster this service runs against, once started. */
    protected volatile String clusterId;

    protected TopicCheckingService(BerthConfig config) {
        this.config = config;
    }

    @Override
    public final void start() throws Exception {
        try (Admin admin = Admin.create(config.clientProps(name() + "-admin"))) {
            clusterId = ClusterIdentity.describe(admin, Duration.ofSeconds(60));
            Path dir = clusterIdentityDir();
            if (dir != null) {
                ClusterIdentity.verify(dir, clusterId, adoptsCluster(), who(), config.bootstrapServers(), clusterMismatchRemedy(dir));
            }
            TopicAdmin.ensureTopics(admin);
        }
        log.info("{}: topics verified on {} (cluster {})", name(), config.bootstrapServers(), clusterId);
        run();
        log.info("{}: started", name());
    }

    /** The directory whose {@code cluster-id} this service checks (its state dir), or null for none. */
    protected Path clusterIdentityDir() {
        return null;
    }

    /** True when this start may take the directory over for the current cluster ({@link ClusterIdentity#ADOPT}). */
    protected boolean adoptsCluster() {
        return Boolean.parseBoolean(config.get(ClusterIdentity.ADOPT, "false"));
    }

    /** How the service is named in the mismatch message. */
    protected String who() {
        return name();
    }

    /** What the operator does when the directory belongs to another cluster. */
    protected String clusterMismatchRemedy(Path dir) {
        return "its state in " + dir + " belongs to the other cluster: delete that directory (or start with --set "
                + ClusterIdentity.ADOPT + "=true) to run against this one";
    }

    /** Starts the service's own work; returns once it is running. */
    protected abstract void run() throws Exception;
}
