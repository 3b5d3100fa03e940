package io.berth.gateway;

import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.TopicCheckingService;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import io.berth.gateway.api.LogsApi;
import io.berth.gateway.api.ReadApi;
import io.berth.gateway.api.ViewCache;
import io.berth.gateway.api.WriteApi;
import io.berth.schemas.serde.BerthSerdes;

/**
 * The gateway's HTTP listener (default port 7070): the Kubernetes-shaped REST and watch API, every
 * route behind the {@link io.berth.gateway.api.Guard} (origin, bearer token, content type) and the
 * {@link io.berth.gateway.rbac.Authorizer} (impersonation, RBAC) but health and version. The schema registry has its own
 * listener (8081), as Confluent's does.
 */
public final class GatewayService extends TopicCheckingService {
    public static final int DEFAULT_PORT = 7070;
    public static final String VERSION = "0.1.0";

    private final SchemaRegistryClient registry;
    private Vertx vertx;
    private HttpServer server;
    private ViewCache cache;
    /** Stops following ImageTagMoved events (rollout-on: image). */
    private Runnable imageTriggers = () -> {};
    private WriteApi writes;
    private io.berth.gateway.api.AuditApi audit;
    private io.berth.gateway.timetravel.SnapshotWriter snapshots;
    private io.berth.gateway.timetravel.TimeMachine timeMachine;
    private io.berth.gateway.rbac.RbacStore rbac;
    private io.berth.gateway.config.ConfigApi configs;
    private io.berth.gateway.api.Caps caps;
    private io.berth.gateway.stream.NodeDialer streamDialer;
    private io.berth.gateway.metrics.MetricsStore metrics;
    private io.berth.gateway.prom.PromApi prom;
    /** Connections opened over {@code gateway-max-connections}: their requests get 429, then they are closed. */
    private final java.util.Set<io.vertx.core.http.HttpConnection> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public GatewayService(BerthConfig config, SchemaRegistryClient registry) {
        super(config);
        this.registry = registry;
    }

    @Override
    public String name() {
        return "gateway";
    }

    /** The port it listens on, once started. */
    public int port() {
        return server == null ? -1 : server.actualPort();
    }

    private HttpServer secureServer;

    @Override
    protected void run() throws Exception {
        cache = new ViewCache(config.clientProps("berth-gateway-views"), new BerthSerdes(registry),
                Integer.parseInt(config.get("gateway-watch-history", "10000")));
        cache.start();
        if (!cache.awaitCaughtUp(Duration.ofSeconds(60))) log.warn("gateway: views not caught up after 60 s; serving anyway");
        rbac = new io.berth.gateway.rbac.RbacStore(config.clientProps("berth-gateway-rbac"), new BerthSerdes(registry));
        rbac.start();
        if (!rbac.awaitCaughtUp(Duration.ofSeconds(60))) log.warn("gateway: RBAC objects not caught up after 60 s; serving anyway");
        io.berth.gateway.rbac.Authorizer authorizer = new io.berth.gateway.rbac.Authorizer(rbac);
        caps = new io.berth.gateway.api.Caps(config);
        warmRegistry();
        // an event loop busy longer than this is logged by Vert.x's blocked-thread checker (tests set it low)
        vertx = Vertx.vertx(new io.vertx.core.VertxOptions()
                .setMaxEventLoopExecuteTime(config.getLong("gateway-max-event-loop-execute-ms", 2000))
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
                .setBlockedThreadCheckInterval(config.getLong("gateway-blocked-thread-check-ms", 1000))
                .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
        Router router = Router.router(vertx);
        byte[] clusterSecret = clusterSecret();
        // the dashboard: its static files and login exchange before the Guard, its sessions accepted by it
        var uiSessions = new io.berth.gateway.ui.UiSessions(System::currentTimeMillis);
        var ui = new io.berth.gateway.ui.UiRoutes(vertx, uiSessions);
        ui.mountOpen(router);
        router.route().handler(new io.berth.gateway.api.Guard(tokens(), clusterSecret, System::currentTimeMillis).withSessions(uiSessions::bearer)::handle);
        router.route().handler(authorizer::handle);
        (prom = new io.berth.gateway.prom.PromApi(cache, caps)).mount(router); // /metrics (Prometheus), and every request counted
        ui.mountGuarded(router);
        // livez: what only a restart fixes; readyz: that and what traffic must wait for (kube-apiserver's split)
        router.get("/healthz").handler(ctx -> health(ctx, "healthz", false));
        router.get("/livez").handler(ctx -> health(ctx, "livez", false));
        router.get("/readyz").handler(ctx -> health(ctx, "readyz", true));
        router.get("/version").handler(this::handleVersion);
        new io.berth.gateway.api.Discovery().mount(router);
        new io.berth.gateway.api.OpenApi().mount(router);
        new io.berth.gateway.api.OpenApiV2().mount(router);
        BerthSerdes serdes = new BerthSerdes(registry);
        if (Boolean.parseBoolean(config.get("gateway-audit-snapshots", "true"))) {
            snapshots = new io.berth.gateway.timetravel.SnapshotWriter(config.clientProps("berth-gateway-audit-snapshots"), serdes,
                    config.getLong("gateway-audit-snapshot-every", 1000));
            snapshots.start();
        }
        timeMachine = new io.berth.gateway.timetravel.TimeMachine(config.clientProps("berth-gateway-time-travel"), serdes,
                config.getLong("gateway-time-travel-skew-ms", 5000));
        var timeTravel = new io.berth.gateway.timetravel.TimeTravelApi(vertx, timeMachine, System::currentTimeMillis);
        timeTravel.mount(router);
        io.berth.schemas.secrets.SecretBox secretBox = secretBox();
        configs = new io.berth.gateway.config.ConfigApi(vertx, config.clientProps("berth-gateway-configs"), serdes, secretBox,
                authorizer, System::currentTimeMillis)
                .withNodeAuthorizer(new io.berth.gateway.rbac.NodeAuthorizer(cache, config.getLong("node-authorizer-wait-ms", 20_000)));
        if (!configs.awaitCaughtUp(Duration.ofSeconds(60))) log.warn("gateway: Secrets and ConfigMaps not caught up after 60 s; serving anyway");
        configs.withCaps(caps);
        streamDialer = new io.berth.gateway.stream.NodeDialer(vertx, clusterSecret, System::currentTimeMillis);
        new io.berth.gateway.stream.PodStreamsApi(vertx, cache, streamDialer, new io.berth.gateway.stream.StreamCaps(
                (int) config.getLong(io.berth.gateway.stream.PodStreamsApi.MAX_STREAMS, 64),
                config.getLong(io.berth.gateway.stream.PodStreamsApi.STREAM_IDLE, 4 * 3600))).mount(router);
        // metrics.k8s.io (kubectl top): the nodes' usage windows, fresh for gateway-metrics-max-age-ms (default 2 min)
        metrics = new io.berth.gateway.metrics.MetricsStore(config.clientProps("berth-gateway-metrics"), serdes, clusterSecret,
                config.getLong("gateway-metrics-max-age-ms", 120_000), System::currentTimeMillis);
        metrics.start();
        new io.berth.gateway.metrics.MetricsApi(cache, metrics, System::currentTimeMillis).mount(router);
        configs.mount(router); // before the read API's generic routes
        new ReadApi(vertx, cache, timeTravel).withCaps(caps).mount(router);
        writes = new WriteApi(vertx, cache, config, registry);
        var rbacApi = new io.berth.gateway.rbac.RbacApi(vertx, rbac, authorizer, System::currentTimeMillis);
        writes.authorizeWith(authorizer, rbacApi);
        writes.configsWith(configs);
        imageTriggers = io.berth.gateway.api.ImageTriggers.follow(vertx, cache, writes);
        writes.mount(router);
        configs.withNamespaces(ns -> writes.quotaUsed(ns), cache::terminating);
        // namespaces being terminated: their objects deleted, then the namespace (any gateway; resumes after a restart)
        vertx.setPeriodic(1000, id -> writes.sweepNamespaces());
        rbacApi.withCaps(caps);
        rbacApi.mount(router);
        var rollouts = new io.berth.gateway.api.RolloutApi(vertx, cache, writes);
        rollouts.withCaps(caps);
        rollouts.mount(router);
        new LogsApi(vertx, cache, config, registry).withCaps(caps).mount(router);
        audit = new io.berth.gateway.api.AuditApi(vertx, config, registry);
        audit.mount(router);
        new io.berth.gateway.api.NodeJoinApi(clusterSecret).mount(router);
        router.route().failureHandler(ReadApi::handleFailure);
        // no route for the path: 404; a route for the path but not for the method: 405 (Vert.x tells them
        // apart only when nothing matches every path, so there is no catch-all route); both as Status objects
        router.errorHandler(404, ReadApi::handleFailure);
        router.errorHandler(405, ReadApi::handleFailure);
        String host = config.get("gateway-host", "127.0.0.1");
        int port = Integer.parseInt(config.get("gateway-port", Integer.toString(DEFAULT_PORT)));
        // one listener per event loop (gateway-event-loops, default the core count): lists are CPU-bound
        int loops = Integer.parseInt(config.get("gateway-event-loops", Integer.toString(Runtime.getRuntime().availableProcessors())));
        io.vertx.core.http.HttpServerOptions options = serverOptions(host)
                .setIdleTimeout(caps.idleTimeoutSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setWebSocketSubProtocols(io.berth.gateway.ui.UiRoutes.subprotocols(io.berth.gateway.stream.PodStreamsApi.SUBPROTOCOLS));
        server = listen(router, options, host, port, Math.max(1, loops));
        log.info("gateway listening on {}://{}:{} (registry {})", options.isSsl() ? "https" : "http", host, server.actualPort(), config.registryUrl());
        String securePort = config.get(SECURE_PORT, null);
        if (!options.isSsl() && securePort != null && !securePort.isBlank()) {
            // kube-apiserver's secure port: kubectl and client-go send credentials only over TLS, so a
            // loopback gateway serving plain HTTP (for the berth CLI) also serves HTTPS for them
            io.vertx.core.http.HttpServerOptions secure = secureOptions()
                    .setIdleTimeout(caps.idleTimeoutSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS)
                    .setWebSocketSubProtocols(io.berth.gateway.ui.UiRoutes.subprotocols(io.berth.gateway.stream.PodStreamsApi.SUBPROTOCOLS));
            secureServer = listen(router, secure, host, Integer.parseInt(securePort.strip()), Math.max(1, loops));
            log.info("gateway listening on https://{}:{} (the secure port, for Kubernetes clients)", host, secureServer.actualPort());
        }
    }

    /** The setting of the extra HTTPS port a plain-HTTP gateway also serves (absent: none; 0: any free port). */
    public static final String SECURE_PORT = "gateway-secure-port";

    /** The secure port's certificate and key (PEM); client certificates signed by {@code client-ca-file} are requested. */
    public static final String SECURE_CERT_FILE = "gateway-secure-cert-file", SECURE_KEY_FILE = "gateway-secure-key-file";

    private io.vertx.core.http.HttpServerOptions secureOptions() {
        String cert = config.get(SECURE_CERT_FILE, null), key = config.get(SECURE_KEY_FILE, null);
        if (cert == null || cert.isBlank() || key == null || key.isBlank()) {
            throw new IllegalStateException(SECURE_PORT + " needs " + SECURE_CERT_FILE + " and " + SECURE_KEY_FILE);
        }
        io.vertx.core.http.HttpServerOptions o = new io.vertx.core.http.HttpServerOptions().setSsl(true)
                .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(cert).setKeyPath(key));
        String clientCa = config.get("client-ca-file", null);
        if (clientCa != null && !clientCa.isBlank()) {
            o.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(clientCa)).setClientAuth(io.vertx.core.http.ClientAuth.REQUEST);
        }
        return o;
    }

    /** The secure (HTTPS) port a plain-HTTP gateway also listens on, once started; -1 when none. */
    public int securePort() {
        return secureServer == null ? -1 : secureServer.actualPort();
    }

    /**
     * The bearer tokens every route but health and version needs: {@code auth-token-file}
     * (kube-apiserver's {@code --token-auth-file} format), default {@code <data-dir>/tokens.csv}.
     * A missing file means no tokens: every request is 401 until {@code berth token create} writes one.
     */
    private io.berth.schemas.auth.TokenAuthenticator tokens() {
        java.nio.file.Path path = tokenFile();
        log.info("gateway: bearer tokens from {}", path);
        return new io.berth.schemas.auth.TokenAuthenticator(path);
    }

    /**
     * The cluster secret node keys derive from: {@code cluster-secret-file}, else {@code <data-dir>/cluster.secret}
     * if it exists; null (nodes cannot join) otherwise.
     */
    private byte[] clusterSecret() throws java.io.IOException {
        String configured = config.get(io.berth.schemas.auth.ClusterSecret.CONFIG_KEY, null);
        java.nio.file.Path file = configured != null ? java.nio.file.Path.of(configured)
                : config.dataDir() == null ? null : config.dataDir().resolve(io.berth.schemas.auth.ClusterSecret.FILE_NAME);
        byte[] secret = io.berth.schemas.auth.ClusterSecret.read(file).orElse(null);
        if (secret == null) log.warn("gateway: no cluster secret ({}): nodes cannot join", file);
        return secret;
    }

    /**
     * The keys Secret values are encrypted with: {@code secrets-key-file}, else {@code <data-dir>/secrets.key}
     * if it exists; null (Secrets refused with 503, never stored in plain text) otherwise.
     */
    private io.berth.schemas.secrets.SecretBox secretBox() throws java.io.IOException {
        String configured = config.get(io.berth.schemas.secrets.SecretBox.CONFIG_KEY, null);
        java.nio.file.Path file = configured != null ? java.nio.file.Path.of(configured)
                : config.dataDir() == null ? null : config.dataDir().resolve(io.berth.schemas.secrets.SecretBox.FILE_NAME);
        io.berth.schemas.secrets.SecretBox box = io.berth.schemas.secrets.SecretBox.read(file).orElse(null);
        if (box == null) log.warn("gateway: no Secret encryption key ({}): Secrets are refused", file);
        return box;
    }

    /** The token file: {@code auth-token-file}, default {@code <data-dir>/tokens.csv}. */
    public java.nio.file.Path tokenFile() {
        String file = config.get("auth-token-file", null);
        return file != null && !file.isBlank() ? java.nio.file.Path.of(file)
                : config.dataDir().resolve(io.berth.schemas.auth.TokenFile.FILE_NAME);
    }

    /** HTTPS or loopback-only HTTP, as {@link io.berth.schemas.tls.Tls#serverOptions} decides. */
    public io.vertx.core.http.HttpServerOptions serverOptions(String host) {
        return io.berth.schemas.tls.Tls.serverOptions(config, "gateway-host", host);
    }

    /** Deploys {@code instances} listeners sharing {@code port}, each on its own event loop; returns one of them. */
    private HttpServer listen(Router router, io.vertx.core.http.HttpServerOptions options, String host, int requested, int instances) throws Exception {
        int port = requested;
        if (port == 0 && instances > 1) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
                port = probe.getLocalPort(); // instances share a port only when they name the same one
            }
        }
        final int bound = port;
        java.util.List<HttpServer> servers = new java.util.concurrent.CopyOnWriteArrayList<>();
        vertx.deployVerticle(() -> new VerticleBase() {
            @Override
            public Future<?> start() {
                return vertx.createHttpServer(options)
                        .connectionHandler(conn -> {
                            if (!caps.connectionOpened(conn)) {
                                refused.add(conn);
                                if (conn instanceof io.vertx.core.net.impl.ConnectionBase c) c.closeFuture().onComplete(v -> refused.remove(conn));
                            }
                        })
                        .requestHandler(req -> {
                            if (refused.contains(req.connection())) refuse(req);
                            else router.handle(req);
                        })
                        .listen(bound, host).onSuccess(servers::add);
            }
        }, new DeploymentOptions().setInstances(instances)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return servers.get(0);
    }

    /** A request on a connection over the cap: 429 in Kubernetes' shape, and the connection closed after it. */
    private void refuse(io.vertx.core.http.HttpServerRequest req) {
        req.response().setStatusCode(429).putHeader("Retry-After", "1").putHeader("content-type", "application/json")
                .putHeader("Connection", "close").end(caps.connectionRefusal().toString())
                .onComplete(v -> req.connection().close());
    }

    /**
     * Registers the schemas of the topics the gateway writes, so that no first write of a subject asks
     * the registry over HTTP from an event loop (the serializers find the id in the client's cache).
     * A registry that does not answer now is not fatal: intents are sent off the event loop anyway.
     */
    private void warmRegistry() {
        for (io.berth.schemas.Topic<?> t : java.util.List.of(io.berth.schemas.Topics.INTENTS, io.berth.schemas.Topics.RBAC,
                io.berth.schemas.Topics.AUDIT, io.berth.schemas.Topics.CONFIGS)) {
            try {
                registry.register(t.name() + "-value", org.apache.avro.specific.SpecificData.get().getSchema(t.valueClass()));
            } catch (RuntimeException e) {
                log.warn("gateway: could not register the schema of {} at start ({}); its first write will", t.name(), e.toString());
            }
        }
    }

    /** The caps this gateway enforces, with their counters (tests, health). */
    public io.berth.gateway.api.Caps caps() {
        return caps;
    }

    /** The gateway's Vert.x (tests watch its blocked-thread checker). */
    public Vertx vertx() {
        return vertx;
    }

    /** Extra readiness checks (the all-in-one adds its Streams services): name → why not ready, empty when ready. */
    private final java.util.Map<String, java.util.function.Supplier<java.util.Optional<String>>> readinessChecks = new java.util.concurrent.ConcurrentSkipListMap<>();

    /** The views this gateway serves from (health, tests). */
    public ViewCache viewCache() {
        return cache;
    }

    /** A readiness check shown (and failing) in {@code /readyz}, e.g. a Streams service of the same process. */
    public GatewayService readinessCheck(String name, java.util.function.Supplier<java.util.Optional<String>> why) {
        readinessChecks.put(name, why);
        return this;
    }

    /**
     * {@code /livez}, {@code /healthz} and {@code /readyz} as kube-apiserver answers them: 200 {@code ok}
     * when every check passes, else 503 with one line per check ({@code [+]name ok} /
     * {@code [-]name failed: reason}) and {@code <endpoint> check failed}; {@code ?verbose} lists the
     * checks on success too.
     */
    private void health(RoutingContext ctx, String endpoint, boolean readiness) {
        java.util.Map<String, java.util.Optional<String>> results = new java.util.LinkedHashMap<>();
        results.put("ping", java.util.Optional.empty());
        results.put("view-cache", readiness ? cache.notReady() : cache.dead());
        if (readiness) readinessChecks.forEach((name, check) -> {
            java.util.Optional<String> why;
            try {
                why = check.get();
            } catch (RuntimeException e) {
                why = java.util.Optional.of(e.toString());
            }
            results.put(name, why);
        });
        boolean ok = results.values().stream().allMatch(java.util.Optional::isEmpty);
        StringBuilder body = new StringBuilder();
        if (!ok || ctx.queryParams().contains("verbose")) {
            results.forEach((name, why) -> body.append(why.isEmpty() ? "[+]" + name + " ok\n" : "[-]" + name + " failed: " + why.get() + "\n"));
            body.append(ok ? endpoint + " check passed" : endpoint + " check failed");
        } else {
            body.append("ok");
        }
        ctx.response().setStatusCode(ok ? 200 : 503).putHeader("content-type", "text/plain; charset=utf-8").end(body.toString());
    }

    private void handleVersion(RoutingContext ctx) {
        ctx.response().putHeader("content-type", "application/json")
                .end(new JsonObject().put("major", "0").put("minor", "1").put("gitVersion", "v" + VERSION)
                        .put("gitCommit", "").put("gitTreeState", "clean").put("buildDate", "")
                        .put("goVersion", "java" + System.getProperty("java.version"))
                        .put("compiler", "javac").put("platform", System.getProperty("os.name").toLowerCase() + "/"
                                + System.getProperty("os.arch").replace("x86_64", "amd64")).encode());
    }

    /**
     * Stops serving first, then closes every Kafka-backed part at the same time (each bounded), so the whole
     * takes at most about {@link io.berth.schemas.service.Shutdown#SERVICE_CLOSE}, broker or not.
     */
    @Override
    public void close() {
        imageTriggers.run();
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(io.berth.schemas.service.Shutdown.VERTX_CLOSE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.warn("gateway did not stop cleanly: {}", e.toString());
            }
            vertx = null;
        }
        java.util.List<AutoCloseable> parts = new java.util.ArrayList<>();
        if (writes != null) parts.add(writes::close);
        if (audit != null) parts.add(audit::close);
        if (snapshots != null) parts.add(snapshots::close);
        if (timeMachine != null) parts.add(timeMachine::close);
        if (cache != null) parts.add(cache::close);
        if (rbac != null) parts.add(rbac::close);
        if (configs != null) parts.add(configs::close);
        if (metrics != null) parts.add(metrics::close);
        if (prom != null) parts.add(prom::close);
        io.berth.schemas.service.Shutdown.closeAll("gateway", io.berth.schemas.service.Shutdown.SERVICE_CLOSE
                .minus(io.berth.schemas.service.Shutdown.VERTX_CLOSE), parts);
        log.info("gateway stopped");
    }
}
