package io.berth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** A plain HTTP caller for registry tests: what a foreign client sends, nothing of Berth's client. */
public final class Rest {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Rest(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** A response: status, raw body, parsed JSON (null if not JSON) and the content type. */
    public record Response(int status, String body, JsonNode json, String contentType) {
        public Response ok() {
            if (status != 200) fail("expected 200, got " + status + ": " + body);
            return this;
        }

        public Response error(int httpStatus, int errorCode) {
            if (status != httpStatus || json == null || json.path("error_code").asInt() != errorCode) {
                fail("expected HTTP " + httpStatus + " error_code " + errorCode + ", got " + status + ": " + body);
            }
            return this;
        }

        public String message() {
            return json.path("message").asText();
        }

        public int id() {
            return ok().json.get("id").asInt();
        }
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response post(String path, String body) {
        return send("POST", path, body);
    }

    public Response put(String path, String body) {
        return send("PUT", path, body);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response send(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", CONTENT_TYPE)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = r.body().isEmpty() ? null : JSON.readTree(r.body());
            } catch (Exception e) {
                json = null;
            }
            return new Response(r.statusCode(), r.body(), json, r.headers().firstValue("Content-Type").orElse(""));
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        }
    }

    // ---- Confluent calls ----

    public static String subject(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code {"schema": "<schema>"}} */
    public static String schemaBody(String schema) {
        return JSON.createObjectNode().put("schema", schema).toString();
    }

    public static String schemaBodyWithReference(String schema, String name, String subject, int version) {
        ObjectNode body = JSON.createObjectNode().put("schema", schema);
        ArrayNode refs = body.putArray("references");
        refs.addObject().put("name", name).put("subject", subject).put("version", version);
        return body.toString();
    }

    public Response register(String subject, String schema) {
        return post("/subjects/" + subject(subject) + "/versions", schemaBody(schema));
    }

    public int registerOk(String subject, String schema) {
        return register(subject, schema).id();
    }

    public Response lookup(String subject, String schema) {
        return post("/subjects/" + subject(subject), schemaBody(schema));
    }

    public void setCompatibility(String subject, String level) {
        String path = subject == null ? "/config" : "/config/" + subject(subject);
        put(path, "{\"compatibility\":\"" + level + "\"}").ok();
    }

    public static void assertJson(String expectedJson, JsonNode actual) {
        try {
            assertEquals(JSON.readTree(expectedJson), actual);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
