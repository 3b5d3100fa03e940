package io.berth.node.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import io.berth.node.health.RuntimeHealth;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The short-call gate without an engine: a held response keeps its connection; with every one
 * held, the next call fails after the wait (not after httpclient's 3 minutes), and the detector
 * turns that into ContainerRuntimeUnhealthy / DockerAPIExhausted; a closed response frees its slot.
 */
class GatedHttpClientTest {
    private static final DockerHttpClient ENGINE = new DockerHttpClient() {
        @Override
        public Response execute(Request request) {
            return new Response() {
                @Override public int getStatusCode() { return 200; }
                @Override public Map<String, List<String>> getHeaders() { return Map.of(); }
                @Override public InputStream getBody() { return new ByteArrayInputStream(new byte[0]); }
                @Override public void close() { }
            };
        }

        @Override
        public void close() { }
    };

    private static DockerHttpClient.Request get(String path) {
        return DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET).path(path).build();
    }

    @Test
    void failsFastWhenEveryConnectionIsHeldAndReportsIt() {
        DockerCallStats stats = new DockerCallStats(2, 50);
        GatedHttpClient gate = new GatedHttpClient(ENGINE, 2, 50, stats);
        DockerHttpClient.Response a = gate.execute(get("/containers/a/logs?follow=1"));
        DockerHttpClient.Response b = gate.execute(get("/events"));
        assertEquals(2, gate.inFlight());
        long t0 = System.nanoTime();
        GatedHttpClient.DockerBusyException busy = assertThrows(GatedHttpClient.DockerBusyException.class, () -> gate.execute(get("/containers/json")));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000, "bounded by the wait, not by the pool's 3 minutes");
        assertEquals("Docker API busy: no connection of 2 free within 50 ms for GET /containers/json", busy.getMessage());

        DockerCallStats.Snapshot s = stats.snapshot();
        assertEquals(1, s.timeouts());
        assertEquals(2, s.inFlight());
        RuntimeHealth.Verdict v = RuntimeHealth.judge(s, System.currentTimeMillis(), System.currentTimeMillis(), RuntimeHealth.Thresholds.DEFAULT);
        assertTrue(v.unhealthy());
        assertEquals(RuntimeHealth.EXHAUSTED, v.reason());

        a.close();
        a.close(); // closing twice frees one slot, once
        DockerHttpClient.Response c = gate.execute(get("/containers/json"));
        assertEquals(2, gate.inFlight());
        c.close();
        b.close();
        assertEquals(0, gate.inFlight());
        assertEquals(0, stats.snapshot().inFlight());
    }
}
