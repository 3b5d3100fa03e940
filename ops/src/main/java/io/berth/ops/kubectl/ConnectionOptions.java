package io.berth.ops.kubectl;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Where the cluster is: {@code --bootstrap-servers} and {@code --registry-url}. When not given, the
 * launcher's state file {@code $BERTH_HOME/berth.properties} (default {@code ~/.berth}) supplies
 * {@code bootstrap.servers} and {@code registry.url}; failing that, localhost defaults.
 */
public final class ConnectionOptions {
    public static final String DEFAULT_BOOTSTRAP = "localhost:9092";
    public static final String DEFAULT_REGISTRY = "http://localhost:8081";

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,…]",
            description = "Kafka bootstrap servers (default: bootstrap.servers from $BERTH_HOME/berth.properties, else " + DEFAULT_BOOTSTRAP + ")")
    String bootstrapServers;

    @Option(names = "--registry-url", paramLabel = "URL",
            description = "schema registry URL (default: registry.url from $BERTH_HOME/berth.properties, else " + DEFAULT_REGISTRY + ")")
    String registryUrl;

    public String bootstrapServers() {
        return bootstrapServers != null ? bootstrapServers : stateFile().getProperty("bootstrap.servers", DEFAULT_BOOTSTRAP);
    }

    public String registryUrl() {
        return registryUrl != null ? registryUrl : stateFile().getProperty("registry.url", DEFAULT_REGISTRY);
    }

    /** {@code $BERTH_HOME/berth.properties}, else {@code ~/.berth/berth.properties}. */
    public static Path stateFilePath(Map<String, String> env, String userHome) {
        String home = env.get("BERTH_HOME");
        Path dir = home != null && !home.isBlank() ? Path.of(home) : Path.of(userHome, ".berth");
        return dir.resolve("berth.properties");
    }

    /** The launcher's state file, empty when absent or unreadable. */
    static Properties read(Path file) {
        Properties p = new Properties();
        if (Files.isReadable(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                // an unreadable state file means "no defaults", as if absent
            }
        }
        return p;
    }

    private Properties stateFile() {
        return read(stateFilePath(System.getenv(), System.getProperty("user.home")));
    }
}
