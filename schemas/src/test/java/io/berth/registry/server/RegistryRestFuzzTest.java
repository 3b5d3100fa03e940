package io.berth.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.registry.RegistryFixture;
import io.berth.testing.Fuzz;
import net.jqwik.api.*;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The registry's REST API (Confluent's, REGISTRY.md §2) on a real instance on the embedded broker,
 * against generated requests: every route and some that do not exist, any method, random and
 * hostile subjects, versions and ids, bodies from a valid Avro schema through mutated ones to
 * random text, and several content types. Each request must be answered within 10 s with a 2xx
 * or a 4xx carrying Confluent's {@code {"error_code", "message"}}; a 5xx (an exception inside the
 * registry) or no answer fails. Afterwards the registry still answers and registers (in {@link #stop()}).
 */
@AddLifecycleHook(Fuzz.class)
class RegistryRestFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static RegistryFixture fixture;
    static String base;
    static HttpClient http;

    @BeforeContainer
    static void start() throws Exception {
        fixture = new RegistryFixture();
        base = fixture.startInstance().url();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        // a cold registry's first write (producer metadata, the first append) can take over 10 s on a loaded machine:
        // warm it up outside the per-request bound
        assertEquals(200, send(new Request("POST", "/subjects/warm-up-value/versions", CONTENT_TYPE, body(SCHEMA)), Duration.ofSeconds(60)).statusCode());
    }

    /** After every request: the registry still answers and registers (checked here, as jqwik runs properties in no fixed order). */
    @AfterContainer
    static void stop() {
        try {
            HttpResponse<String> r = send(new Request("POST", "/subjects/after-fuzz-value/versions", CONTENT_TYPE,
                    body(SCHEMA.replace("WarmUp", "AfterFuzz"))), Duration.ofSeconds(30));
            assertTrue(r.statusCode() == 200 || r.statusCode() == 409 || r.statusCode() == 422, r.statusCode() + " " + r.body());
            assertEquals(200, send(new Request("GET", "/subjects", null, null)).statusCode());
        } finally {
            if (fixture != null) fixture.close();
        }
    }

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    static final String SCHEMA = "{\"type\":\"record\",\"name\":\"WarmUp\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";

    record Request(String method, String path, String contentType, String body) {}

    @Property(tries = 200)
    void everyRequestIsAnsweredWithA2xxOrAConfluent4xx(@ForAll("requests") Request request) {
        HttpResponse<String> r = send(request);
        int status = r.statusCode();
        assertTrue(status >= 200 && status < 500, () -> request + " → " + status + " " + r.body());
        if (status >= 400 && !request.method().equals("HEAD")) {
            JsonNode body = json(r.body());
            assertNotNull(body, () -> request + " → " + status + " without a JSON body: " + r.body());
            assertTrue(body.path("error_code").isInt() && body.path("message").isTextual(), () -> request + " → " + r.body());
        }
    }

    @Example
    void shouldAnswerAFormOrMultipartContentTypeWith415NotA500() {
        // found by everyRequestIsAnsweredWithA2xxOrAConfluent4xx: GET / with Content-Type multipart/form-data was a 500
        // ("Request method must be one of POST, PUT, PATCH or DELETE to decode a multipart request", from the body handler)
        for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
            for (String type : List.of("multipart/form-data; boundary=x", "application/x-www-form-urlencoded")) {
                HttpResponse<String> r = send(new Request(method, "/subjects/fuzz-value/versions", type, method.equals("GET") ? null : "a=b"));
                assertEquals(415, r.statusCode(), method + " " + type + ": " + r.body());
                assertEquals(415, json(r.body()).path("error_code").asInt(), r.body());
            }
        }
    }

    static HttpResponse<String> send(Request q) {
        return send(q, TIMEOUT);
    }

    static HttpResponse<String> send(Request q, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + q.path())).timeout(timeout)
                .method(q.method(), q.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(q.body()));
        if (q.contentType() != null) b.header("Content-Type", q.contentType());
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException e) {
            throw new AssertionError("no answer within " + timeout + " to " + q, e);
        } catch (Exception e) {
            throw new AssertionError(q + " failed: " + e, e);
        }
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            return null;
        }
    }

    static String body(String schema) {
        return JSON.createObjectNode().put("schema", schema).toString();
    }

    @Provide
    Arbitrary<Request> requests() {
        Arbitrary<String> subject = Arbitraries.oneOf(
                Arbitraries.of("fuzz-value", "berth.intents-value", "a", "A", "x-key", ":.:", "..", ".", "%", "%2F", "a/b", "a b", "é",
                        "😀", "\u0000", "null", "latest", "-1", "s".repeat(300), "x".repeat(5000)),
                Arbitraries.strings().ofMaxLength(12)).map(RegistryRestFuzzTest::encode);
        Arbitrary<String> version = Arbitraries.of("1", "2", "latest", "-1", "-2", "0", "2147483647", "2147483648", "99999999999999999999",
                "1.5", "abc", "%20", "1e3", "0x1", "");
        Arbitrary<String> id = Arbitraries.of("1", "2", "0", "-1", "2147483647", "2147483648", "x", "1.0", "");
        Arbitrary<String> query = Arbitraries.of("", "", "", "?deleted=true", "?permanent=true", "?normalize=true", "?verbose=true",
                "?subject=fuzz-value", "?defaultToGlobal=true", "?deleted=maybe", "?subjectPrefix=%00", "?offset=-1&limit=-1",
                "?fetchMaxId=true", "?format=resolved", "?deletedOnly=true", "?deleted=true&permanent=true");
        Arbitrary<String> path = Combinators.combine(
                Arbitraries.of("/", "/schemas/types", "/schemas/ids/{id}", "/schemas/ids/{id}/schema", "/schemas/ids/{id}/versions",
                        "/schemas/ids/{id}/subjects", "/subjects", "/subjects/{s}", "/subjects/{s}/versions",
                        "/subjects/{s}/versions/{v}", "/subjects/{s}/versions/{v}/schema", "/subjects/{s}/versions/{v}/referencedby",
                        "/compatibility/subjects/{s}/versions", "/compatibility/subjects/{s}/versions/{v}", "/config", "/config/{s}",
                        "/mode", "/mode/{s}", "/contexts", "/nope", "/subjects/{s}/versions/{v}/extra", "//subjects"),
                subject, version, id, query).as((p, s, v, i, q) -> p.replace("{s}", s).replace("{v}", v).replace("{id}", i) + q);
        Arbitrary<String> method = Arbitraries.of("GET", "GET", "POST", "POST", "POST", "PUT", "PUT", "DELETE", "DELETE", "PATCH", "HEAD", "OPTIONS");
        Arbitrary<String> contentType = Arbitraries.of(null, "application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json",
                "application/json", "application/octet-stream", "text/plain", "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded", "application/json; charset=utf-16", "garbage");
        return Combinators.combine(method, path, contentType, bodies()).as(Request::new);
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static Arbitrary<String> bodies() {
        Arbitrary<String> fieldType = Arbitraries.of("\"int\"", "\"string\"", "\"long\"", "[\"null\",\"string\"]", "\"nope\"", "5",
                "{\"type\":\"array\",\"items\":\"int\"}", "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"A\"]}", "\"Fuzz\"");
        Arbitrary<String> fieldName = Arbitraries.of("a", "b", "1a", "", "ä", "a-b");
        Arbitrary<String> recordName = Arbitraries.of("Fuzz", "Fuzz2", "io.berth.Fuzz", "1Bad", "", "a.b.");
        Arbitrary<String> schema = Combinators.combine(recordName, fieldName, fieldType, Arbitraries.of("", ",\"default\":null", ",\"default\":1", ",\"default\":\"x\""))
                .as((n, f, t, d) -> "{\"type\":\"record\",\"name\":\"" + n + "\",\"fields\":[{\"name\":\"" + f + "\",\"type\":" + t + d + "}]}");
        Arbitrary<String> schemaText = Arbitraries.oneOf(schema, Arbitraries.of("\"string\"", "\"int\"", "{}", "[]", "[\"null\"]", "null", "",
                "{\"type\":\"record\"", "{\"type\":\"fixed\",\"name\":\"F\",\"size\":-1}", "syntax = \"proto3\";", "{\"type\":\"object\"}"),
                Arbitraries.strings().ofMaxLength(30));
        Arbitrary<String> schemaBody = Combinators.combine(schemaText, Arbitraries.of("", "AVRO", "PROTOBUF", "JSON", "XML"),
                Arbitraries.of("", "[]", "[{\"name\":\"x\",\"subject\":\"fuzz-value\",\"version\":1}]",
                        "[{\"name\":\"x\",\"subject\":\"nope\",\"version\":-5}]", "[null]", "5", "[{}]")).as((s, type, refs) -> {
            ObjectNode b = JSON.createObjectNode().put("schema", s);
            if (!type.isEmpty()) b.put("schemaType", type);
            if (!refs.isEmpty()) b.set("references", json(refs));
            return b.toString();
        });
        Arbitrary<String> config = Arbitraries.of("{\"compatibility\":\"BACKWARD\"}", "{\"compatibility\":\"NONE\"}", "{\"compatibility\":\"bogus\"}",
                "{\"compatibility\":5}", "{\"compatibilityLevel\":\"FULL\"}", "{\"mode\":\"READWRITE\"}", "{\"mode\":\"IMPORT\"}",
                "{\"mode\":\"x\"}", "{\"mode\":null}", "{}");
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(null)),
                Tuple.of(6, schemaBody),
                Tuple.of(2, config),
                Tuple.of(1, Arbitraries.of("", "null", "[]", "5", "\"x\"", "{", "{\"schema\":5}", "{\"schema\":null}", "{\"schema\":{}}",
                        "{\"schema\":[]}", "{\"schema\":\"\\u0000\"}", "{\"schema\":\"" + "x".repeat(70_000) + "\"}")),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(100)));
    }
}
