package io.berth.registry.server;

import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.BerthService;

/**
 * Berth's Confluent-compatible schema registry (see schemas/README.md and REGISTRY.md).
 * Skeleton: the final implementation keeps this constructor and these methods.
 */
public final class RegistryServer implements BerthService {
    public static final int DEFAULT_PORT = 8081;
    private final BerthConfig config;
    private final String host;
    private final int requestedPort;
    private volatile int port;

    /** @param port the HTTP port; 0 picks an ephemeral one (see {@link #port()}). */
    public RegistryServer(BerthConfig config, String host, int port) {
        this.config = config;
        this.host = host;
        this.requestedPort = port;
    }

    @Override
    public String name() {
        return "registry";
    }

    @Override
    public void start() throws Exception {
        throw new UnsupportedOperationException("registry server is being written");
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://" + ("0.0.0.0".equals(host) ? "localhost" : host) + ":" + port;
    }

    @Override
    public void close() {
    }
}
