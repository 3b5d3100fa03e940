package io.berth.state;

import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.deadletter.DeadLetterDeserializationHandler;
import io.berth.schemas.deadletter.DeadLetterProcessingHandler;
import io.berth.schemas.Topics;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.TopicCheckingService;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The state-streams service: runs {@link StateStreamsTopology} with exactly_once_v2. {@link #start()}
 * returns once the Streams instance is RUNNING (stores restored, global table loaded).
 */
public final class StateStreamsService extends TopicCheckingService {
    private final SchemaRegistryClient registry;
    private KafkaStreams streams;
    private AutoCloseable streamsMetrics;

    public StateStreamsService(BerthConfig config, SchemaRegistryClient registry) {
        super(config);
        this.registry = registry;
    }

    @Override
    public String name() {
        return "state-streams";
    }

    /** Its Streams state belongs to one Kafka cluster (issue 13). */
    @Override
    protected java.nio.file.Path clusterIdentityDir() {
        return config.dataDir() == null ? null : config.dataDir().resolve("state-streams");
    }

    /** Streams properties; public so tests and the launcher see exactly what runs. */
    public static Properties streamsProps(BerthConfig config, SchemaRegistryClient registry) {
        Properties p = config.clientProps(StateStreamsTopology.APPLICATION_ID);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, StateStreamsTopology.APPLICATION_ID);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // how often outputs become visible (read_committed) vs how much of the thread's time goes to
        // waiting for the transaction's commit; a second thread processes while one waits
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int) config.getLong("streams-commit-interval-ms", 100));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, (int) config.getLong("streams-threads", 1));
        // whether a task waits to fetch records already on the broker for an input partition it has none buffered of
        // (Kafka's 0: inputs in timestamp order, which replays rely on), or processes what it has (-1); state-streams README, settings
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, config.getLong("streams-max-task-idle-ms", 0));
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.dataDir().resolve("state-streams").toString());
        // every RocksDB store of the process within one off-heap budget (not ~100 MB per store instance)
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        p.put(BoundedRocksDbMemory.BYTES_CONFIG, Long.toString(config.getLong(BoundedRocksDbMemory.MB_KEY, BoundedRocksDbMemory.DEFAULT_MB) << 20));
        // One broker in the embedded setup; a real cluster sets its own replication.
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.parseInt(config.get("replication-factor", "-1")));
        io.berth.schemas.service.StreamsHa.apply(p, config);
        DeadLetterDeserializationHandler.configure(p, registry, StateStreamsTopology.APPLICATION_ID);
        DeadLetterProcessingHandler.configure(p);
        return p;
    }

    @Override
    protected void run() throws Exception {
        BerthSerdes serdes = new BerthSerdes(registry);
        // berth.intents is a public interface: its subject exists before anyone produced, so an
        // external producer can fetch GET /subjects/berth.intents-value/versions/latest
        int intentSchemaId = registry.register(Topics.INTENTS.name() + "-value", io.berth.schemas.avro.Intent.getClassSchema());
        log.info("{}: Intent schema is id {} under {}-value", name(), intentSchemaId, Topics.INTENTS.name());
        streams = new KafkaStreams(StateStreamsTopology.build(serdes, StateStreamsTopology.Settings.from(config),
                io.berth.schemas.policy.PodSecurity.hostPaths(config.get(io.berth.schemas.policy.PodSecurity.HOST_PATHS_KEY, "")),
                clusterSecret(config)),
                streamsProps(config, registry));
        CountDownLatch running = new CountDownLatch(1);
        io.berth.schemas.service.StreamsSupervision.install(streams, name(), (now, old) -> {
            if (now == KafkaStreams.State.RUNNING) running.countDown();
        }, io.berth.schemas.service.Fatal::report);
        streamsMetrics = io.berth.schemas.metrics.ProcessMetrics.bindStreams(streams, name()); // consumer lag, commit and process rates
        streams.start();
        Duration startTimeout = io.berth.schemas.service.StreamsHa.startTimeout(config);
        if (!running.await(startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name() + " did not reach RUNNING within " + startTimeout + " (state " + streams.state() + ")");
        }
        log.info("{}: streams RUNNING", name());
    }

    /**
     * The cluster secret node records are verified with: {@code cluster-secret-file}, else
     * {@code <data-dir>/cluster.secret} if it exists; none (verification off, loudly) otherwise.
     * A configured file that does not exist is an error.
     */
    static byte[] clusterSecret(BerthConfig config) throws java.io.IOException {
        String configured = config.get(io.berth.schemas.auth.ClusterSecret.CONFIG_KEY, null);
        java.nio.file.Path file = configured != null ? java.nio.file.Path.of(configured)
                : config.dataDir() == null ? null : config.dataDir().resolve(io.berth.schemas.auth.ClusterSecret.FILE_NAME);
        java.util.Optional<byte[]> secret = io.berth.schemas.auth.ClusterSecret.read(file);
        if (configured != null && secret.isEmpty()) {
            throw new IllegalStateException(io.berth.schemas.auth.ClusterSecret.CONFIG_KEY + ": " + configured + " does not exist");
        }
        return secret.orElse(null);
    }

    /** The running Streams instance (for interactive queries and tests); null before start. */
    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public synchronized void close() {
        if (streams != null) {
            io.berth.schemas.service.StreamsLifecycle.closeLeavingGroup(streams, io.berth.schemas.service.Shutdown.STREAMS_CLOSE);
            streams = null;
            try {
                streamsMetrics.close();
            } catch (Exception e) {
                log.warn("{}: unbinding the Streams metrics failed: {}", name(), e.toString());
            }
            log.info("{} stopped", name());
        }
    }
}
