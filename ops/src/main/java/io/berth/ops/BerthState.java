package io.berth.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a running {@code berth up} records in {@code <dataDir>/berth.json} so that other commands
 * ({@code status}, {@code down}, {@code node start}, later {@code apply}/{@code get}) find the
 * cluster without being told: pid, bootstrap servers, registry and gateway URLs, ports.
 * {@code ready} turns true once every service has started.
 * <p>
 * In HA mode ({@code berth up --ha}) no launcher stays: {@code pids} lists every control-plane process
 * (the state is live while any of them is), {@code gatewayUrls} every gateway (the CLI fails over
 * between them), {@code registryUrl} is the comma-separated list of registries and {@code pid} the
 * first gateway's.
 */
public record BerthState(long pid, boolean ready, String bootstrapServers, String registryUrl, String gatewayUrl,
                         int kafkaPort, boolean embeddedKafka, int registryPort, int gatewayPort, String node,
                         String dataDir, long startedAt, long readyAt, List<String> gatewayUrls, List<Long> pids) {
    /** The state of the all-in-one {@code berth up}: one process. */
    public BerthState(long pid, boolean ready, String bootstrapServers, String registryUrl, String gatewayUrl,
                      int kafkaPort, boolean embeddedKafka, int registryPort, int gatewayPort, String node,
                      String dataDir, long startedAt, long readyAt) {
        this(pid, ready, bootstrapServers, registryUrl, gatewayUrl, kafkaPort, embeddedKafka, registryPort, gatewayPort, node,
                dataDir, startedAt, readyAt, List.of(gatewayUrl), List.of());
    }

    public BerthState {
        gatewayUrls = gatewayUrls == null || gatewayUrls.isEmpty() ? (gatewayUrl == null ? List.of() : List.of(gatewayUrl)) : List.copyOf(gatewayUrls);
        pids = pids == null ? List.of() : List.copyOf(pids);
    }

    /** True for the state of {@code berth up --ha}. */
    public boolean ha() {
        return !pids.isEmpty();
    }

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
        return Processes.alive(pid) || pids.stream().anyMatch(Processes::alive);
    }

    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        m.put("bootstrapServers", bootstrapServers);
        m.put("registryUrl", registryUrl);
        m.put("gatewayUrl", gatewayUrl);
        m.put("gatewayUrls", gatewayUrls);
        return m;
    }
}
