package io.berth.schemas.service;

/**
 * A Berth service (state-streams, scheduler, node daemon, gateway, registry). The launcher in
 * {@code ops} runs several in one process ({@code berth up}) or one per process
 * ({@code berth <service> --bootstrap-servers …}). {@link #start()} returns once the service is
 * ready (connected, topics verified, listening); {@link #close()} stops it and is idempotent.
 */
public interface BerthService extends AutoCloseable {
    String name();

    void start() throws Exception;

    @Override
    void close();
}
