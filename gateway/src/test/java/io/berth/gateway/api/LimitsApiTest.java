package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.schemas.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13: the gateway refuses an object outside {@code io.berth.schemas.limits.Limits} with 422
 * Invalid, naming the field in Kubernetes' words, and writes nothing to berth.intents (a real broker
 * and state-streams behind a real gateway).
 */
class LimitsApiTest extends GatewayApiFixture {
    static final String WEB = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                spec:
                  containers:
                  - name: web
                    image: berth/busybox:latest
            """;

    HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        return http.send(request(path).header("content-type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    record Refusal(String name, String manifest, String field, String message) {}

    @Test
    void shouldRefuseEachObjectBeyondTheLimitsWith422NamingTheFieldAndWriteNothing() throws Exception {
        long before = intentsEnd();
        List<Refusal> table = List.of(
                new Refusal("replicas 2^31-1", WEB.replace("replicas: 2", "replicas: 2147483647"), "spec.replicas",
                        "Deployment \"web\" is invalid: spec.replicas: Invalid value: 2147483647: must be less than or equal to 10000"),
                new Refusal("replicas past int", WEB.replace("replicas: 2", "replicas: 99999999999"), "spec.replicas", null),
                new Refusal("revision history", WEB.replace("replicas: 2", "replicas: 2\n  revisionHistoryLimit: 1000000"),
                        "spec.revisionHistoryLimit",
                        "Deployment \"web\" is invalid: spec.revisionHistoryLimit: Invalid value: 1000000: must be less than or equal to 25"),
                new Refusal("an env value of 9,000 bytes", WEB.replace("image: berth/busybox:latest",
                        "image: berth/busybox:latest\n        env:\n        - name: BLOB\n          value: " + "x".repeat(9000)),
                        "spec.template.spec.containers[0].env[0].value", null),
                new Refusal("an object of 200 KiB", WEB.replace("image: berth/busybox:latest", "image: berth/busybox:latest\n        args:\n"
                        + ("        - " + "a".repeat(8000) + "\n").repeat(25)), "", null),
                new Refusal("maxUnavailable overflow", WEB.replace("replicas: 2", "replicas: 2\n  strategy:\n    rollingUpdate:\n"
                        + "      maxUnavailable: \"99999999999999999999%\""), "spec.strategy.rollingUpdate.maxUnavailable", null));
        for (Refusal c : table) {
            HttpResponse<String> r = send("POST", "/apis/berth.io/v1/apply", "application/yaml", c.manifest());
            assertEquals(422, r.statusCode(), c.name() + ": " + r.body());
            JsonNode s = JSON.readTree(r.body());
            assertEquals("Invalid", s.path("reason").asText(), c.name());
            List<String> fields = new ArrayList<>();
            s.path("details").path("causes").forEach(x -> fields.add(x.path("field").asText()));
            assertTrue(fields.contains(c.field()), c.name() + ": " + r.body());
            if (c.message() != null) assertEquals(c.message(), s.path("message").asText(), c.name());
        }
        HttpResponse<String> size = send("POST", "/apis/berth.io/v1/apply", "application/yaml", table.get(4).manifest());
        assertTrue(JSON.readTree(size.body()).path("message").asText().contains("Request entity too large: the object is"), size.body());

        // the scale subresource of an existing deployment
        HttpResponse<String> created = send("POST", "/apis/berth.io/v1/apply", "application/yaml", WEB);
        assertEquals(200, created.statusCode(), created.body());
        long afterCreate = intentsEnd();
        for (String n : List.of("2147483647", "2147483648", "-1")) {
            HttpResponse<String> scaled = send("PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale", "application/json",
                    "{\"spec\":{\"replicas\":" + n + "}}");
            assertEquals(422, scaled.statusCode(), n + ": " + scaled.body());
            assertTrue(JSON.readTree(scaled.body()).path("message").asText().startsWith("Scale \"web\" is invalid: spec.replicas: Invalid value: " + n),
                    scaled.body());
        }
        assertEquals("Scale \"web\" is invalid: spec.replicas: Invalid value: 2147483647: must be less than or equal to 10000",
                JSON.readTree(send("PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale", "application/json",
                        "{\"spec\":{\"replicas\":2147483647}}").body()).path("message").asText());
        assertEquals(1, afterCreate - before, "only the valid apply reached berth.intents");
        assertEquals(afterCreate, intentsEnd(), "no refused scale reached berth.intents");
        assertEquals(2, getJson("/apis/apps/v1/namespaces/default/deployments/web").path("spec").path("replicas").asInt());
    }

    long intentsEnd() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < Topics.INTENTS.partitions(); p++) tps.add(new TopicPartition(Topics.INTENTS.name(), p));
            return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
