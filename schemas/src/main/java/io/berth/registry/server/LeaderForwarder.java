package io.berth.registry.server;

import io.berth.registry.core.RegistryError;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Sends a write a follower received to the leader and relays the answer unchanged (as SR's
 * {@code RestService} forwarding does). Fails with 50004 when no leader is known and 50003 when
 * the leader cannot be reached. Runs on a worker thread (it blocks).
 */
final class LeaderForwarder {
    static final String FORWARDED_HEADER = "X-Berth-Registry-Forwarded";
    private final HttpClient http;
    private final LeaderElection election;

    /** @param ssl the trust the leader's HTTPS is checked against (the registry's {@code registry-ca-file}); null: the JVM's default */
    LeaderForwarder(LeaderElection election, javax.net.ssl.SSLContext ssl) {
        this.election = election;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
        if (ssl != null) b.sslContext(ssl);
        this.http = b.build();
    }

    void forward(RoutingContext ctx) {
        if (ctx.request().getHeader(FORWARDED_HEADER) != null) {
            throw new RegistryError(RegistryError.LEADER_UNKNOWN, "This registry instance received a forwarded write but is not the leader "
                    + "(leadership is moving); retry the request.");
        }
        String leader = election.leaderUrl().orElseThrow(() -> new RegistryError(RegistryError.LEADER_UNKNOWN,
                "No registry leader is known yet; writes are refused until one is elected. Retry shortly."));
        byte[] body = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(leader + ctx.request().uri()))
                .timeout(Duration.ofSeconds(30))
                .header(FORWARDED_HEADER, "true")
                .method(ctx.request().method().name(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType != null) request.header("Content-Type", contentType);
        String authorization = ctx.request().getHeader("Authorization");
        if (authorization != null) request.header("Authorization", authorization); // the leader checks it again
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new RegistryError(RegistryError.FORWARDING_FAILED, "Error while forwarding the request to the leader " + leader + ": " + e);
        }
        ctx.response().setStatusCode(response.statusCode())
                .putHeader("Content-Type", response.headers().firstValue("Content-Type").orElse(RegistryApi.CONTENT_TYPE))
                .end(io.vertx.core.buffer.Buffer.buffer(response.body()));
    }
}
