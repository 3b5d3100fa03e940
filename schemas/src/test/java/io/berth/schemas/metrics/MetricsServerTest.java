package io.berth.schemas.metrics;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(MetricsServer s, String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path));
        if (accept != null) b.header("Accept", accept);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeTheProcessRegistryInTextFormatThatPromtoolAccepts() throws Exception {
        ProcessMetrics.deadLetter("berth.intents");
        try (MetricsServer s = MetricsServer.start("127.0.0.1", 0)) {
            HttpResponse<String> r = get(s, "/metrics", null);
            assertEquals(200, r.statusCode());
            assertEquals(ProcessMetrics.TEXT_004, r.headers().firstValue("content-type").orElse(""));
            assertTrue(r.body().contains("berth_dead_letters_total{topic=\"berth.intents\"}"), r.body());
            assertTrue(r.body().contains("jvm_memory_used_bytes"), "JVM metrics are bound");
            assertTrue(r.body().contains("process_uptime_seconds"), "process metrics are bound");
            Promtool.assertValid("a process registry", r.body());
        }
    }

    @Test
    void shouldAnswerOpenMetricsWhenTheScraperAsksForIt() throws Exception {
        try (MetricsServer s = MetricsServer.start("127.0.0.1", 0)) {
            // Prometheus' own Accept header
            HttpResponse<String> r = get(s, "/metrics", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                    + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
            assertEquals(200, r.statusCode());
            assertEquals(ProcessMetrics.OPENMETRICS, r.headers().firstValue("content-type").orElse(""));
            assertTrue(r.body().endsWith("# EOF\n"), "an OpenMetrics exposition ends with # EOF");
        }
    }

    @Test
    void shouldAnswer404ElsewhereAnd405ToOtherMethods() throws Exception {
        try (MetricsServer s = MetricsServer.start("127.0.0.1", 0)) {
            assertEquals(404, get(s, "/", null).statusCode());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(s.url())).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
        }
    }
}
