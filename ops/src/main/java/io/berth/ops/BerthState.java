package io.berth.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a running {@code berth up} records in {@code <dataDir>/berth.json} so that other commands
 * ({@code status}, {@code down}, {@code node start}, later {@code apply}/{@code get}) find the
 * cluster without being told: pid, bootstrap servers, registry and gateway URLs, ports.
 * {@code ready} turns true once every service has started.
 */
public record BerthState(long pid, boolean ready, String bootstrapServers, String registryUrl, String gatewayUrl,
                         int kafkaPort, boolean embeddedKafka, int registryPort, int gatewayPort, String node,
                         String dataDir, long startedAt, long readyAt) {
    public static final String FILE = "berth.json";
    public static final String PID_FILE = "berth.pid";
    public static final String LOG_FILE = "berth.log";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static Path file(Path dataDir) {
        return dataDir.resolve(FILE);
    }

    public static Optional<BerthState> read(Path dataDir) {
        Path f = file(dataDir);
        if (!Files.exists(f)) return Optional.empty();
        try {
            return Optional.of(JSON.readValue(f.toFile(), BerthState.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Writes atomically (temp file + rename), so readers never see half a file. */
    public void write(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, file(dataDir), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static void delete(Path dataDir) {
        try {
            Files.deleteIfExists(file(dataDir));
        } catch (IOException ignored) {
        }
    }

    public boolean alive() {
        return Processes.alive(pid);
    }

    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        m.put("bootstrapServers", bootstrapServers);
        m.put("registryUrl", registryUrl);
        m.put("gatewayUrl", gatewayUrl);
        return m;
    }
}
