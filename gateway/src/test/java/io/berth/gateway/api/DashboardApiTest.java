package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.ui.UiRoutes;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 16: the dashboard's files are served under /ui with a CSP and no cookie; its login token (from
 * POST /ui/api/login, behind the Guard) buys once a session token that the Guard accepts as the user's.
 */
class DashboardApiTest extends GatewayApiFixture {

    @Override
    boolean withStateStreams() {
        return false;
    }

    private HttpResponse<String> open(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeThePageOpenlyWithACspAndNoCookieForEveryClientRoute() throws Exception {
        for (String path : new String[] {"/ui/", "/ui/workloads/default/Deployment/web", "/ui/index.html"}) {
            HttpResponse<String> page = open("GET", path, null);
            assertEquals(200, page.statusCode(), path);
            assertTrue(page.body().contains("<title>Berth</title>"), path + ": " + page.body());
            assertEquals(UiRoutes.CSP, page.headers().firstValue("Content-Security-Policy").orElse(""));
            assertTrue(page.headers().firstValue("Set-Cookie").isEmpty());
        }
        assertEquals(301, open("GET", "/ui", null).statusCode());
        assertEquals(401, open("GET", "/api/v1/pods", null).statusCode(), "the data stays behind the Guard");
    }

    @Test
    void shouldExchangeALoginTokenOnceForASessionTheApiAccepts() throws Exception {
        assertEquals(401, open("POST", "/ui/api/login", null).statusCode(), "a login token needs a credential");
        HttpResponse<String> issued = http.send(request("/ui/api/login").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, issued.statusCode(), issued.body());
        String login = JSON.readTree(issued.body()).path("token").asText();

        HttpResponse<String> asBearer = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/pods"))
                .header("Authorization", "Bearer " + login).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, asBearer.statusCode(), "a login token is not a session");

        HttpResponse<String> session = open("POST", "/ui/api/session", "{\"token\":\"" + login + "\"}");
        assertEquals(201, session.statusCode(), session.body());
        JsonNode s = JSON.readTree(session.body());
        assertEquals(USER, s.path("user").asText());
        assertTrue(session.headers().firstValue("Set-Cookie").isEmpty());

        HttpResponse<String> pods = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/pods"))
                .header("Authorization", "Bearer " + s.path("token").asText()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, pods.statusCode(), pods.body());

        HttpResponse<String> again = open("POST", "/ui/api/session", "{\"token\":\"" + login + "\"}");
        assertEquals(401, again.statusCode());
        assertTrue(again.body().contains("berth dashboard"), again.body());
        HttpResponse<String> missing = open("POST", "/ui/api/session", "{}");
        assertEquals(400, missing.statusCode());
        assertTrue(missing.body().contains("token: Required value"), missing.body());
    }
}
