package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 14's acceptance: what the gateway does not serve is answered as kube-apiserver answers it, with a
 * {@code v1 Status} (404 NotFound for an unknown path or group, 405 MethodNotAllowed for a verb a served
 * path does not take), never HTML and never a hang, so kubectl and client libraries print their usual errors.
 */
class UnknownPathsTest extends GatewayApiFixture {

    HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest r = request(path).timeout(java.time.Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.ofString(method.equals("GET") || method.equals("DELETE") ? "" : "{}"))
                .header("Content-Type", "application/json").build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    void assertStatus(HttpResponse<String> r, int code, String reason) throws Exception {
        assertEquals(code, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"), r.headers().map().toString());
        JsonNode s = JSON.readTree(r.body());
        assertEquals("Status", s.path("kind").asText(), r.body());
        assertEquals("Failure", s.path("status").asText(), r.body());
        assertEquals(reason, s.path("reason").asText(), r.body());
        assertEquals(code, s.path("code").asInt(), r.body());
    }

    @Test
    void shouldAnswerUnknownPathsAndGroupsWithANotFoundStatus() throws Exception {
        assertStatus(send("GET", "/apis/widgets.example.com/v1/namespaces/default/widgets"), 404, "NotFound");
        assertStatus(send("GET", "/api/v2/pods"), 404, "NotFound");
        assertStatus(send("GET", "/no/such/path"), 404, "NotFound");
        assertStatus(send("POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets"), 404, "NotFound");
    }

    @Test
    void shouldAnswerAVerbAServedPathDoesNotTakeWithMethodNotAllowed() throws Exception {
        assertStatus(send("PUT", "/api/v1/namespaces/default/pods"), 405, "MethodNotAllowed");
        assertStatus(send("DELETE", "/api/v1/namespaces/default/events"), 405, "MethodNotAllowed");
    }
}
