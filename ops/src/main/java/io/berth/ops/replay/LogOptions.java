package io.berth.ops.replay;

import io.berth.ops.kubectl.ConnectionOptions;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.KafkaClientConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Where {@code berth replay} reads the log: {@code --bootstrap-servers}, {@code --kafka-config} and
 * {@code --registry-url}, defaulting to the running {@code berth up} found in {@code $BERTH_HOME},
 * {@code $BERTH_DATA_DIR} or {@code ~/.berth}. Replay reads Kafka itself (it re-runs the controllers
 * over the recorded records and writes nothing); every other client command goes through the gateway.
 */
public final class LogOptions {
    static final String DEFAULT_BOOTSTRAP = "localhost:9092";
    static final String DEFAULT_REGISTRY = "http://localhost:8081";

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,…]",
            description = "Kafka bootstrap servers (default: the running 'berth up' from $BERTH_HOME or ~/.berth, else " + DEFAULT_BOOTSTRAP + ")")
    String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client settings (security.protocol, sasl.*, ssl.* …) for replay's own consumer")
    Path kafkaConfig;

    @Option(names = "--registry-url", paramLabel = "URL",
            description = "schema registry URL (default: the running 'berth up' from $BERTH_HOME or ~/.berth, else " + DEFAULT_REGISTRY + ")")
    String registryUrl;

    public String bootstrapServers() {
        return bootstrapServers != null ? bootstrapServers : launcher().getProperty("bootstrap.servers", DEFAULT_BOOTSTRAP);
    }

    public String registryUrl() {
        return registryUrl != null ? registryUrl : launcher().getProperty("registry.url", DEFAULT_REGISTRY);
    }

    /** The bus: bootstrap servers and {@code --kafka-config}, checked. */
    public BerthConfig kafka() {
        Map<String, String> extra = kafkaConfig == null ? Map.of() : Map.of(KafkaClientConfig.SETTING, kafkaConfig.toAbsolutePath().toString());
        BerthConfig c = new BerthConfig(bootstrapServers(), registryUrl(), stateDir(), extra);
        c.kafkaConfig();
        return c;
    }

    private static Path stateDir() {
        return ConnectionOptions.stateDir(System.getenv(), System.getProperty("user.home"));
    }

    private static Properties launcher() {
        return ConnectionOptions.read(stateDir());
    }
}
