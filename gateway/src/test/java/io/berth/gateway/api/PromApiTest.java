package io.berth.gateway.api;

import io.berth.schemas.metrics.Promtool;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} on the gateway: authenticated as the rest of the API, Prometheus' text format (OpenMetrics when
 * asked), promtool-clean, and counting what it names: requests by verb, resource and code, intents, and
 * kube-state-metrics' series from the views the real state-streams writes.
 */
class PromApiTest extends GatewayApiFixture {
    static final String WEB = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: prom-web
              namespace: default
            spec:
              replicas: 2
              selector:
                matchLabels: {app: prom-web}
              template:
                metadata:
                  labels: {app: prom-web}
                spec:
                  containers:
                  - name: web
                    image: berth/busybox:latest
            """;

    @Test
    void shouldRefuseAScrapeWithoutAToken() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), r.body());
    }

    @Test
    void shouldCountRequestsIntentsAndServeKubeStateSeriesThatPromtoolAccepts() throws Exception {
        assertEquals(200, get("/api/v1/namespaces/default/pods").statusCode());
        HttpResponse<String> applied = send("POST", "/apis/berth.io/v1/apply", "application/yaml", WEB);
        assertTrue(applied.statusCode() < 300, applied.body());
        HttpResponse<String> invalid = send("POST", "/apis/berth.io/v1/apply", "application/yaml", WEB.replace("replicas: 2", "replicas: -1"));
        assertEquals(422, invalid.statusCode(), invalid.body());

        // the pods of the Deployment exist (no node: Pending) once state-streams has reconciled
        String[] scrape = new String[1];
        eventually(() -> {
            scrape[0] = metrics(null);
            return scrape[0].contains("kube_deployment_spec_replicas{deployment=\"prom-web\",namespace=\"default\"} 2")
                    && scrape[0].matches("(?s).*kube_pod_status_phase\\{namespace=\"default\",phase=\"Pending\",pod=\"prom-web-[^\"]+\",uid=\"[^\"]*\"} 1.*");
        });
        String m = scrape[0];
        assertTrue(m.matches("(?s).*apiserver_request_total\\{code=\"200\",resource=\"pods\",subresource=\"\",verb=\"LIST\"} [1-9].*"), m);
        assertTrue(m.matches("(?s).*apiserver_request_duration_seconds_bucket\\{resource=\"pods\",subresource=\"\",verb=\"LIST\",le=\"0.005\"}.*"), m);
        assertTrue(m.matches("(?s).*berth_intents_total\\{kind=\"Deployment\",result=\"accepted\"} [1-9].*"), m);
        assertTrue(m.matches("(?s).*berth_intents_total\\{kind=\"Deployment\",result=\"rejected\"} [1-9].*"), m);
        assertTrue(m.contains("apiserver_longrunning_requests{verb=\"WATCH\"}"), m);
        assertTrue(m.matches("(?s).*berth_pods_pending [2-9].*"), m);
        assertTrue(m.contains("berth_reconcile_total"), "state-streams of the same process records into the same registry");
        Promtool.assertValid("the gateway's /metrics", m);
    }

    @Test
    void shouldAnswerOpenMetricsWhenAsked() throws Exception {
        HttpResponse<String> r = http.send(request("/metrics").header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", r.headers().firstValue("content-type").orElse(""));
        assertTrue(r.body().endsWith("# EOF\n"));
    }

    HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        return http.send(request(path).header("content-type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String metrics(String accept) {
        try {
            HttpRequest.Builder b = request("/metrics");
            if (accept != null) b.header("Accept", accept);
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("content-type").orElse(""));
            return r.body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
