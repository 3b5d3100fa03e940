package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the gateway is and who asks: {@code --server}, {@code --token}, {@code --certificate-authority}.
 * When not given, the running launcher's state supplies them, found in {@code $BERTH_HOME}, else
 * {@code $BERTH_DATA_DIR}, else {@code ~/.berth}: the launcher's {@code berth.json} (ignored when its
 * {@code pid} is no longer alive) and the kubeconfig {@code berth up} wrote. The kubectl-style commands
 * have one way in, the API: nothing here reaches Kafka ({@code berth.properties}' {@code bootstrap.servers}
 * and {@code registry.url} are read only for {@code cluster-info}).
 */
public final class ConnectionOptions {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String DEFAULT_SERVER = "http://localhost:7070";

    @Option(names = {"-s", "--server"}, paramLabel = "URL",
            description = "the gateway's URL (default: $BERTH_SERVER, else the running 'berth up' from $BERTH_HOME or ~/.berth, else " + DEFAULT_SERVER + ")")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "bearer token for the gateway (default: $BERTH_TOKEN, else the token of the kubeconfig 'berth up' wrote in $BERTH_HOME or ~/.berth)")
    String token;

    @Option(names = "--certificate-authority", paramLabel = "FILE",
            description = "CA certificate (PEM) to trust for an https server (default: the CA in the kubeconfig 'berth up' wrote)")
    Path certificateAuthority;

    /**
     * What an https gateway's certificate is checked against: {@code --certificate-authority}, else
     * the launcher kubeconfig's CA when its cluster is this server, else the JVM's default trust
     * (null). Never "trust anything".
     */
    public javax.net.ssl.SSLContext sslContext() {
        if (!server().startsWith("https://")) return null;
        try {
            if (certificateAuthority != null) return io.berth.schemas.tls.Tls.trusting(Files.readString(certificateAuthority));
            Optional<String> ca = Kubeconfig.caPem(stateDir(System.getenv(), System.getProperty("user.home")).resolve(Kubeconfig.FILE_NAME), server());
            return ca.isPresent() ? io.berth.schemas.tls.Tls.trusting(ca.get()) : null;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the certificate authority: " + e.getMessage(), e);
        }
    }

    /** The gateway the CLI asks first: the first of {@link #servers()}. */
    public String server() {
        return servers().get(0);
    }

    /**
     * Every gateway, in the order the CLI tries them when one refuses the connection: {@code --server}
     * (a comma-separated list), {@code $BERTH_SERVER} (the same), the live launcher's {@code gatewayUrls}
     * ({@code berth up --ha} has two), the gateways the launcher's kubeconfig lists in its
     * {@value Kubeconfig#SERVERS_EXTENSION} extension, else {@value #DEFAULT_SERVER}.
     */
    public java.util.List<String> servers() {
        if (server != null) return list(server);
        String env = System.getenv("BERTH_SERVER");
        if (env != null && !env.isBlank()) return list(env);
        Properties launcher = launcherState();
        if (launcher.getProperty("gateway.urls") != null) return list(launcher.getProperty("gateway.urls"));
        if (launcher.getProperty("gateway.url") != null) return list(launcher.getProperty("gateway.url"));
        java.util.List<String> fromKubeconfig = Kubeconfig.servers(stateDir(System.getenv(), System.getProperty("user.home")).resolve(Kubeconfig.FILE_NAME));
        if (fromKubeconfig.size() > 1) return fromKubeconfig.stream().map(ConnectionOptions::trimSlash).toList();
        return list(DEFAULT_SERVER);
    }

    private static java.util.List<String> list(String urls) {
        java.util.List<String> out = java.util.Arrays.stream(urls.split(",")).map(String::strip).filter(u -> !u.isEmpty())
                .map(ConnectionOptions::trimSlash).toList();
        if (out.isEmpty()) throw new IllegalArgumentException("--server: no URL in \"" + urls + "\"");
        return out;
    }

    /**
     * The bearer token: {@code --token}, {@code $BERTH_TOKEN}, else the current user's token in the
     * launcher's {@code kubeconfig} ({@code berth up} writes it there) when its cluster is the server
     * this command talks to; null when there is none.
     */
    public String token() {
        if (token != null && !token.isBlank()) return token.strip();
        String env = System.getenv("BERTH_TOKEN");
        if (env != null && !env.isBlank()) return env.strip();
        return Kubeconfig.token(stateDir(System.getenv(), System.getProperty("user.home")).resolve(Kubeconfig.FILE_NAME), server()).orElse(null);
    }

    private static String trimSlash(String url) {
        String u = url.contains("://") ? url : "http://" + url;
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }

    /** The launcher's directory: {@code $BERTH_HOME}, {@code $BERTH_DATA_DIR}, else {@code ~/.berth}. */
    public static Path stateDir(Map<String, String> env, String userHome) {
        for (String var : new String[]{"BERTH_HOME", "BERTH_DATA_DIR"}) {
            String dir = env.get(var);
            if (dir != null && !dir.isBlank()) return Path.of(dir);
        }
        return Path.of(userHome, ".berth");
    }

    /** {@code stateDir/berth.properties}. */
    public static Path stateFilePath(Map<String, String> env, String userHome) {
        return stateDir(env, userHome).resolve("berth.properties");
    }

    /**
     * {@code bootstrap.servers} and {@code registry.url} from the launcher's state in {@code dir}:
     * berth.properties first, else a live berth.json; empty when neither is there.
     */
    public static Properties read(Path dir) {
        Properties p = readProperties(dir.resolve("berth.properties"));
        return p.isEmpty() ? readLauncherJson(dir.resolve("berth.json")) : p;
    }

    private static Properties readProperties(Path file) {
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

    private static Properties readLauncherJson(Path file) {
        Properties p = new Properties();
        if (!Files.isReadable(file)) return p;
        try {
            JsonNode state = JSON.readTree(file.toFile());
            if (!alive(state)) return p; // a stale file of a stopped 'berth up'
            if (state.hasNonNull("bootstrapServers")) p.setProperty("bootstrap.servers", state.get("bootstrapServers").asText());
            if (state.hasNonNull("registryUrl")) p.setProperty("registry.url", state.get("registryUrl").asText());
            if (state.hasNonNull("gatewayUrl")) p.setProperty("gateway.url", state.get("gatewayUrl").asText());
            if (state.path("gatewayUrls").size() > 1) {
                java.util.List<String> urls = new java.util.ArrayList<>();
                state.get("gatewayUrls").forEach(u -> urls.add(u.asText()));
                p.setProperty("gateway.urls", String.join(",", urls));
            }
        } catch (IOException e) {
            // unreadable: no defaults
        }
        return p;
    }

    /** Whether the launcher of a {@code berth.json} lives: its {@code pid}, or for {@code berth up --ha} any of its {@code pids}. */
    private static boolean alive(JsonNode state) {
        JsonNode pid = state.get("pid");
        if (pid == null || !pid.canConvertToLong() || isAlive(pid.longValue())) return true;
        for (JsonNode p : state.path("pids")) if (p.canConvertToLong() && isAlive(p.longValue())) return true;
        return false;
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private Properties launcherState() {
        return read(stateDir(System.getenv(), System.getProperty("user.home")));
    }
}
