package io.berth.scheduler;

import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.TopicCheckingService;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link SchedulerTopology} as the Streams application {@code berth-scheduler}, exactly once.
 * {@link #start()} returns once the application is RUNNING (global stores restored, tasks assigned).
 */
public final class SchedulerService extends TopicCheckingService {
    public static final String APPLICATION_ID = "berth-scheduler";

    private final SchemaRegistryClient registry;
    private volatile KafkaStreams streams;
    private volatile AutoCloseable streamsMetrics;

    public SchedulerService(BerthConfig config, SchemaRegistryClient registry) {
        super(config);
        this.registry = registry;
    }

    @Override
    public String name() {
        return "scheduler";
    }

    /** Its Streams state belongs to one Kafka cluster (issue 13). */
    @Override
    protected java.nio.file.Path clusterIdentityDir() {
        return config.dataDir() == null ? null : config.dataDir().resolve("scheduler");
    }

    @Override
    protected void run() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        KafkaStreams ks = new KafkaStreams(SchedulerTopology.build(new BerthSerdes(registry), SchedulerSettings.from(config)), streamsProps());
        io.berth.schemas.service.StreamsSupervision.install(ks, name(), (now, before) -> {
            if (now == KafkaStreams.State.RUNNING) running.countDown();
            if (now == KafkaStreams.State.ERROR) log.error("{}: streams entered ERROR", name());
        }, io.berth.schemas.service.Fatal::report);
        streams = ks;
        streamsMetrics = io.berth.schemas.metrics.ProcessMetrics.bindStreams(ks, name()); // consumer lag, commit and process rates
        ks.start();
        Duration startTimeout = io.berth.schemas.service.StreamsHa.startTimeout(config);
        if (!running.await(startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name() + " not RUNNING after " + startTimeout + " (state " + ks.state() + ")");
        }
    }

    /** The running Streams instance (for health and tests); null before start. */
    public KafkaStreams streams() {
        return streams;
    }

    Properties streamsProps() {
        Properties p = config.clientProps(APPLICATION_ID);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.dataDir().resolve("scheduler").toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(config.getLong("streams-commit-interval-ms", 100)));
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.parseInt(config.get("replication-factor", "-1")));
        io.berth.schemas.service.StreamsHa.apply(p, config);
        // Every source reads bytes and decodes inside the topology (requests are dead-lettered there),
        // so only a key could fail here; the shared dead-letter handler replaces this once it lands.
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class.getName());
        return p;
    }

    @Override
    public void close() {
        KafkaStreams ks = streams;
        streams = null;
        if (ks != null) io.berth.schemas.service.StreamsLifecycle.closeLeavingGroup(ks, io.berth.schemas.service.Shutdown.STREAMS_CLOSE);
        AutoCloseable m = streamsMetrics;
        streamsMetrics = null;
        if (m != null) {
            try {
                m.close();
            } catch (Exception e) {
                log.warn("{}: unbinding the Streams metrics failed: {}", name(), e.toString());
            }
        }
        log.info("{} stopped", name());
    }
}
