package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.manifest.RolloutTriggers;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.service.BerthConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code berth.io/rollout-on} on a real broker with the real state-streams: a ConfigMap or Secret whose content
 * changes rolls out the Deployments that named it (one restart intent each, actor and change-cause naming the
 * trigger); a re-write of the same content (a Secret's new ciphertext included) and an unannotated Deployment
 * see nothing; a bad annotation is a 422 naming its field.
 */
class RolloutTriggersApiTest extends GatewayApiFixture {
    static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";
    static final String DAEMONSETS = "/apis/apps/v1/namespaces/default/daemonsets";
    static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
    static final String SECRETS = "/api/v1/namespaces/default/secrets";

    @Override
    BerthConfig configure(BerthConfig config) {
        try {
            io.berth.schemas.secrets.SecretBox.readOrCreate(config.dataDir().resolve(io.berth.schemas.secrets.SecretBox.FILE_NAME));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return config;
    }

    static String deployment(String name, String rolloutOn) {
        String annotations = rolloutOn == null ? "" : ",\"annotations\":{\"berth.io/rollout-on\":\"" + rolloutOn + "\"}";
        return """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s"%s},
                 "spec":{"replicas":1,"selector":{"matchLabels":{"app":"%s"}},
                  "template":{"metadata":{"labels":{"app":"%s"}},
                   "spec":{"containers":[{"name":"c","image":"berth/busybox:latest","envFrom":[{"configMapRef":{"name":"app-config"}}]}]}}}}
                """.formatted(name, annotations, name, name);
    }

    static String configMap(String value) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"app-config\"},\"data\":{\"MODE\":\"" + value + "\"}}";
    }

    static String secret(String value) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"db\"},\"stringData\":{\"password\":\"" + value + "\"}}";
    }

    @Test
    void shouldRollOutTheDeploymentsThatAskedWhenAConfigMapOrSecretChanges() throws Exception {
        HttpResponse<String> bad = send("POST", DEPLOYMENTS, deployment("bad", "configmap/app-config,configmaps/x"));
        assertEquals(422, bad.statusCode(), bad.body());
        JsonNode cause = JSON.readTree(bad.body()).at("/details/causes/0");
        assertEquals("metadata.annotations[berth.io/rollout-on]", cause.path("field").asText(), bad.body());
        assertTrue(cause.path("message").asText().contains("\"configmaps/x\" is not one of configmap/NAME, secret/NAME, image"), bad.body());

        assertEquals(201, send("POST", DEPLOYMENTS, deployment("web", "configmap/app-config, secret/db")).statusCode());
        assertEquals(201, send("POST", DEPLOYMENTS, deployment("plain", null)).statusCode());
        String ds = deployment("agent", "configmap/app-config").replace("\"kind\":\"Deployment\"", "\"kind\":\"DaemonSet\"").replace("\"replicas\":1,", "");
        assertEquals(201, send("POST", DAEMONSETS, ds).statusCode());
        assertEquals(201, send("POST", CONFIGMAPS, configMap("one")).statusCode());
        assertEquals(201, send("POST", SECRETS, secret("s3cret")).statusCode());
        assertEquals(200, send("PUT", CONFIGMAPS + "/app-config", configMap("one")).statusCode(), "the same content again");
        assertEquals(200, send("PUT", SECRETS + "/db", secret("s3cret")).statusCode(), "the same value, a new ciphertext");
        assertEquals(List.of(), triggered("web"), "creating or re-writing the same content triggers nothing");
        assertFalse(intents().stream().anyMatch(r -> r.key().endsWith("/bad")), "nothing of the refused Deployment reaches berth.intents");

        HttpResponse<String> changed = send("PUT", CONFIGMAPS + "/app-config", configMap("two"));
        assertEquals(200, changed.statusCode(), changed.body());
        String version = JSON.readTree(changed.body()).at("/metadata/resourceVersion").asText();
        String stamp = "configmap/app-config@" + version;
        List<ConsumerRecord<String, Intent>> fired = triggered("web");
        assertEquals(1, fired.size(), "one restart of web");
        assertEquals(List.of(), triggered("plain"), "plain did not ask");
        assertEquals("default/deployment/web", fired.get(0).key());
        assertEquals(RolloutTriggers.intentId("default/deployment/web", stamp), fired.get(0).value().getIntentId());
        assertEquals("rollout-on/configmap/app-config", fired.get(0).value().getActor());

        eventually(() -> stamp.equals(web().at("/spec/template/metadata/annotations/berth.io~1triggered-by").asText()));
        JsonNode web = web();
        assertEquals("rollout-on: configmap/app-config changed", web.at("/metadata/annotations/kubernetes.io~1change-cause").asText());
        assertEquals("2", web.at("/metadata/annotations/deployment.kubernetes.io~1revision").asText());
        assertFalse(web.at("/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt").asText().isEmpty());
        eventually(() -> stamp.equals(get(DAEMONSETS + "/agent", "/spec/template/metadata/annotations/berth.io~1triggered-by")));
        assertEquals(1, intents().stream().filter(r -> r.key().equals("default/daemonset/agent") && r.value().getIntentId().startsWith("rollout-on-")).count(),
                "a DaemonSet that asked rolls out too");
        eventually(() -> audit("deployment/web").stream().anyMatch(i -> i.path("change").asText().equals("IntentAccepted")
                && i.path("actor").asText().equals("rollout-on/configmap/app-config")));

        HttpResponse<String> secretChanged = send("PUT", SECRETS + "/db", secret("n3w"));
        assertEquals(200, secretChanged.statusCode(), secretChanged.body());
        String secretStamp = "secret/db@" + JSON.readTree(secretChanged.body()).at("/metadata/resourceVersion").asText();
        eventually(() -> secretStamp.equals(web().at("/spec/template/metadata/annotations/berth.io~1triggered-by").asText()));
        assertEquals("rollout-on: secret/db changed", web().at("/metadata/annotations/kubernetes.io~1change-cause").asText());
        assertEquals(2, triggered("web").size());
        assertFalse(web().toString().contains("n3w"), "the Secret's value is nowhere on the Deployment");
    }

    @Test
    void shouldRollOutTheWorkloadsAnnotatedImageThatRunAMovedTag() throws Exception {
        String img = deployment("img", "image").replace("berth/busybox:latest", "app");
        String other = deployment("other-img", "image").replace("berth/busybox:latest", "db:1");
        assertEquals(201, send("POST", DEPLOYMENTS, img).statusCode());
        assertEquals(201, send("POST", DEPLOYMENTS, other).statusCode());
        String id = "sha256:" + "c".repeat(64);
        produce(Topics.EVENTS, "default/deployment/img", moved("e-1", id));
        String stamp = "image/app:latest@" + id;
        eventually(() -> stamp.equals(get(DEPLOYMENTS + "/img", "/spec/template/metadata/annotations/berth.io~1triggered-by")));
        assertEquals("rollout-on: image app:latest changed to sha256:cccccccccccc", get(DEPLOYMENTS + "/img", "/metadata/annotations/kubernetes.io~1change-cause"));
        // a second report of the same move (another node, a repeat) rolls out nothing; a later move (same key, so read after it) does
        produce(Topics.EVENTS, "default/deployment/img", moved("e-2", id));
        String next = "sha256:" + "e".repeat(64);
        produce(Topics.EVENTS, "default/deployment/img", moved("e-3", next));
        eventually(() -> ("image/app:latest@" + next).equals(get(DEPLOYMENTS + "/img", "/spec/template/metadata/annotations/berth.io~1triggered-by")));
        assertEquals("3", get(DEPLOYMENTS + "/img", "/metadata/annotations/deployment.kubernetes.io~1revision"));
        assertEquals(2, triggered("img").size(), "one rollout per image id");
        assertEquals("1", get(DEPLOYMENTS + "/other-img", "/metadata/annotations/deployment.kubernetes.io~1revision"), "it runs another image");
        assertEquals(List.of(), triggered("other-img"));
    }

    static io.berth.schemas.avro.ClusterEvent moved(String uid, String id) {
        return io.berth.schemas.avro.ClusterEvent.newBuilder().setUid(uid).setNamespace("default")
                .setInvolvedKind("Pod").setInvolvedName("img-1").setInvolvedKey("default/deployment/img")
                .setReason(io.berth.schemas.ImageTagMoved.REASON).setMessage(io.berth.schemas.ImageTagMoved.message("app:latest", id, "sha256:" + "d".repeat(64)))
                .setSource("kubelet/n1").build();
    }

    String get(String path, String pointer) {
        try {
            return getJson(path).at(pointer).asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    JsonNode web() {
        try {
            return getJson(DEPLOYMENTS + "/web");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    List<JsonNode> audit(String resource) {
        List<JsonNode> out = new ArrayList<>();
        try {
            getJson(AuditApi.PATH + "?resource=" + resource).path("items").forEach(out::add);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = request(path).header("content-type", "application/json");
        b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The intents a trigger produced for one Deployment (their ids are rollout-on-…). */
    List<ConsumerRecord<String, Intent>> triggered(String deployment) {
        return intents().stream().filter(r -> r.key().equals("default/deployment/" + deployment) && r.value().getIntentId().startsWith("rollout-on-")).toList();
    }

    List<ConsumerRecord<String, Intent>> intents() {
        try (KafkaConsumer<String, Intent> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringDeserializer(), serdes.value(Intent.class).deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.INTENTS.name()).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<ConsumerRecord<String, Intent>> out = new ArrayList<>();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) c.poll(Duration.ofMillis(200)).forEach(out::add);
            out.sort(java.util.Comparator.comparingLong(r -> r.value().getTimestamp()));
            return out;
        }
    }
}
