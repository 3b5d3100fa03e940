package io.berth.gateway.api;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13, crash-only: {@code /livez} and {@code /readyz} tell the truth, as kube-apiserver's do. A
 * process-level check that fails (here a Streams service of the all-in-one, as {@code AllInOne}
 * registers them) fails readiness only; a view cache whose reader thread ended fails liveness too,
 * because only a restart brings it back.
 */
class HealthApiTest extends GatewayApiFixture {

    @Test
    void shouldReportEachCheckAndFailReadinessThenLivenessWhenTheyFail() throws Exception {
        HttpResponse<String> ready = get("/readyz");
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("ok", ready.body());
        HttpResponse<String> verbose = get("/readyz?verbose");
        assertEquals("[+]ping ok\n[+]view-cache ok\nreadyz check passed", verbose.body());

        AtomicReference<Optional<String>> streams = new AtomicReference<>(Optional.of("Kafka Streams is ERROR"));
        gateway.readinessCheck("state-streams", streams::get);
        HttpResponse<String> notReady = get("/readyz");
        assertEquals(503, notReady.statusCode());
        assertEquals("[+]ping ok\n[+]view-cache ok\n[-]state-streams failed: Kafka Streams is ERROR\nreadyz check failed", notReady.body());
        assertEquals(200, get("/livez").statusCode(), "a Streams service of the process does not make the gateway itself dead");
        streams.set(Optional.empty());
        assertEquals(200, get("/readyz").statusCode());

        // the view cache's reader ends (as after an error it did not survive): nothing would ever be served fresh again
        gateway.viewCache().close();
        HttpResponse<String> dead = get("/livez");
        assertEquals(503, dead.statusCode());
        assertEquals("[+]ping ok\n[-]view-cache failed: the view cache reader stopped\nlivez check failed", dead.body());
        assertEquals(503, get("/readyz").statusCode());
        assertEquals(503, get("/healthz").statusCode());
    }
}
