package io.berth.registry.server;

import io.berth.registry.core.CompatibilityLevel;
import io.berth.registry.core.Registry;
import io.berth.registry.core.RegistryState;
import io.berth.registry.storage.KafkaStore;
import io.berth.registry.storage.SchemasTopic;
import io.berth.schemas.Topics;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.BerthService;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Berth's Confluent-compatible schema registry (schemas/README.md, REGISTRY.md): the REST API on
 * {@code host:port}, state in the compacted one-partition {@code _schemas} topic, one writer
 * elected among instances through the Kafka group {@code schema-registry}.
 *
 * <p>{@link #start()} verifies (or creates) the topics, reads {@code _schemas} to its end,
 * listens, joins the election and returns once a leader is known (this instance or another).
 *
 * <p>Settings ({@link BerthConfig#extra()}): {@code registry-topic} (default {@code _schemas}),
 * {@code registry-group-id} (default {@code schema-registry}), {@code registry-compatibility}
 * (default BACKWARD), {@code registry-advertised-url} (URL followers forward writes to; default
 * {@code http://<host>:<port>}), {@code registry-session-timeout-ms} (default 10000),
 * {@code registry-timeout-ms} (store writes, default 10000), {@code auth-token-file} (who may write:
 * Basic {@code user:token} or a bearer token from this file; unset = writes open),
 * {@code tls-cert-file}/{@code tls-private-key-file} (HTTPS, required off the loopback, as the
 * gateway: {@code Tls.serverOptions}), {@code registry-ca-file} (the CA followers trust when they
 * forward a write to an HTTPS leader).
 */
public final class RegistryServer implements BerthService {
    public static final int DEFAULT_PORT = 8081;
    private static final Logger LOG = LoggerFactory.getLogger(RegistryServer.class);

    private final BerthConfig config;
    private final String host;
    private final int requestedPort;
    private final String topic;
    private volatile int port;
    private volatile boolean https;
    private Vertx vertx;
    private HttpServer http;
    private KafkaStore store;
    private LeaderElection election;
    private boolean closed;

    /** @param port the HTTP port; 0 picks an ephemeral one (see {@link #port()}). */
    public RegistryServer(BerthConfig config, String host, int port) {
        this.config = config;
        this.host = host;
        this.requestedPort = port;
        this.topic = config.get("registry-topic", Topics.SCHEMAS_TOPIC);
    }

    @Override
    public String name() {
        return "registry";
    }

    @Override
    public synchronized void start() throws Exception {
        if (closed) throw new IllegalStateException("registry " + name() + " was closed; create a new RegistryServer");
        try {
            startComponents();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private void startComponents() throws Exception {
        // first: a registry that would serve credentials in the clear off the loopback refuses before it touches Kafka
        io.vertx.core.http.HttpServerOptions options = io.berth.schemas.tls.Tls.serverOptions(config, "registry-host", host);
        try (Admin admin = Admin.create(clientProps("admin"))) {
            SchemasTopic.ensure(admin, topic);
            SchemasTopic.ensure(admin, coordinationTopic());
        }
        RegistryState state = new RegistryState();
        Duration timeout = Duration.ofMillis(config.getLong("registry-timeout-ms", 10_000));
        store = new KafkaStore(clientProps("store"), topic, state, timeout);
        store.start();
        Registry registry = new Registry(state, store, CompatibilityLevel.parse(config.get("registry-compatibility", CompatibilityLevel.DEFAULT.name())));
        election = new LeaderElection(clientProps("election"), coordinationTopic(), config.get("registry-group-id", LeaderElection.DEFAULT_GROUP_ID),
                this::advertisedUrl, Duration.ofMillis(config.getLong("registry-session-timeout-ms", 10_000)), store::catchUp);
        vertx = Vertx.vertx();
        https = options.isSsl();
        http = vertx.createHttpServer(options)
                .requestHandler(new RegistryApi(registry, election, writers(), io.berth.schemas.tls.Tls.registryTrust(config)).router(vertx))
                .listen(requestedPort, host).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        port = http.actualPort();
        election.start();
        if (!election.awaitLeader(Duration.ofSeconds(30))) {
            LOG.warn("registry {}: no leader elected within 30 s; writes answer 50004 until one is", url());
        }
        LOG.info("registry listening on {} ({} read to its end, leader {})", url(), topic, election.leaderUrl().orElse("unknown"));
    }

    /**
     * Who may write: the tokens of {@code auth-token-file} (kube-apiserver's {@code --token-auth-file}
     * format; {@code berth up} and {@code berth registry} always set it). Without it writes are open,
     * as for a registry embedded in a test, and a warning says so.
     */
    private io.berth.schemas.auth.TokenAuthenticator writers() {
        String file = config.get("auth-token-file", null);
        if (file == null || file.isBlank()) {
            LOG.warn("registry: no auth-token-file set; schema writes are NOT authenticated");
            return null;
        }
        return new io.berth.schemas.auth.TokenAuthenticator(java.nio.file.Path.of(file));
    }

    /** The one-partition topic whose group membership elects the writer; it also carries the leader's URL. */
    private String coordinationTopic() {
        return topic + "_leader";
    }

    private Properties clientProps(String role) {
        return config.clientProps("berth-registry-" + role);
    }

    /** The HTTP port (the ephemeral one chosen when constructed with 0), known once started. */
    public int port() {
        return port;
    }

    /** The base URL clients on this machine use, e.g. {@code http://localhost:8081} ({@code https} with TLS). */
    public String url() {
        return (https ? "https://" : "http://") + (isWildcard(host) ? "localhost" : host) + ":" + port;
    }

    /** Whether this instance is the registry's single writer right now. */
    public boolean isLeader() {
        return election != null && election.isLeader();
    }

    private String advertisedUrl() {
        String configured = config.get("registry-advertised-url", null);
        if (configured != null) return configured;
        if (!isWildcard(host)) return url();
        try {
            return "http://" + InetAddress.getLocalHost().getHostName() + ":" + port;
        } catch (Exception e) {
            return url();
        }
    }

    private static boolean isWildcard(String host) {
        return host == null || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (election != null) election.close();
        if (http != null) {
            try {
                http.close().toCompletionStage().toCompletableFuture().get(io.berth.schemas.service.Shutdown.VERTX_CLOSE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.warn("registry HTTP server did not close cleanly: {}", e.toString());
            }
        }
        if (store != null) store.close();
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(io.berth.schemas.service.Shutdown.VERTX_CLOSE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.warn("registry Vert.x did not close cleanly: {}", e.toString());
            }
        }
    }
}
