package io.berth.gateway.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.RolloutTriggers.Trigger;
import io.berth.schemas.avro.Intent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RolloutTriggersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ManifestOptions OPTIONS = ManifestOptions.defaults().withActor("cli:test")
            .withClock(Clock.fixed(Instant.parse("2026-12-06T05:00:00Z"), ZoneOffset.UTC), () -> "id-1");

    @Test
    void shouldParseACommaListOfConfigMapsSecretsAndImage() {
        RolloutTriggers.Parsed p = RolloutTriggers.parse(" configmap/app-config, secret/db.creds ,image,configmap/app-config");
        assertTrue(p.ok(), p.problem());
        assertEquals(List.of(Trigger.of("configmap", "app-config"), Trigger.of("secret", "db.creds"), Trigger.of("image", "")), p.triggers());
        assertEquals("image", p.triggers().get(2).text());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "configmap", "configmap/", "cm/app", "deployment/web", "configmap/App", "configmap/a,,image", "images", "secret/a/b"})
    void shouldRefuseWhatIsNotATrigger(String value) {
        assertFalse(RolloutTriggers.parse(value).ok(), value);
    }

    @Test
    void shouldReportABadAnnotationOnItsFieldInADeploymentAndADaemonSet() {
        String deployment = ManifestParserTest.DEPLOYMENT.replace("labels: {app: web}}", "labels: {app: web}, annotations: {berth.io/rollout-on: \"configmap/app-config,cm/x\"}}");
        ManifestResult r = new ManifestParser(OPTIONS).parse("", deployment);
        assertFalse(r.ok());
        assertEquals("metadata.annotations[berth.io/rollout-on]", r.errors().get(0).field());
        assertTrue(r.errors().get(0).detail().contains("\"cm/x\" is not one of configmap/NAME, secret/NAME, image"), r.errors().get(0).detail());

        String ds = """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent, annotations: {berth.io/rollout-on: "secret/"}}
                spec:
                  selector: {matchLabels: {app: agent}}
                  template:
                    metadata: {labels: {app: agent}}
                    spec: {containers: [{name: a, image: berth/busybox:latest}]}
                """;
        ManifestResult d = new ManifestParser(OPTIONS).parse("", ds);
        assertFalse(d.ok());
        assertEquals("metadata.annotations[berth.io/rollout-on]", d.errors().get(0).field());
    }

    @Test
    void shouldKeepAValidAnnotationOnTheIntent() {
        String deployment = ManifestParserTest.DEPLOYMENT.replace("labels: {app: web}}", "labels: {app: web}, annotations: {berth.io/rollout-on: \"configmap/app-config\"}}");
        ManifestResult r = new ManifestParser(OPTIONS).parse("", deployment);
        assertTrue(r.ok(), () -> r.errors().toString());
        Intent i = r.intents().get(0);
        assertTrue(RolloutTriggers.asks(i.getAnnotations(), Trigger.of("configmap", "app-config")));
        assertFalse(RolloutTriggers.asks(i.getAnnotations(), Trigger.of("secret", "app-config")));
        assertFalse(RolloutTriggers.asks(i.getAnnotations(), Trigger.of("configmap", "other")));
        assertFalse(RolloutTriggers.asks(Map.of(), Trigger.of("configmap", "app-config")));
    }

    @Test
    void shouldRestartACopyOfTheWorkloadStampedWithTheTriggerAndChangeCause() throws Exception {
        ObjectNode live = (ObjectNode) JSON.readTree("""
                {"metadata":{"name":"web","annotations":{"berth.io/rollout-on":"configmap/app-config"}},
                 "spec":{"template":{"metadata":{"labels":{"app":"web"}}}},"status":{"replicas":2}}""");
        String stamp = RolloutTriggers.stamp(Trigger.of("configmap", "app-config"), "42");
        assertEquals("configmap/app-config@42", stamp);
        assertFalse(RolloutTriggers.alreadyTriggered(live, stamp));
        String cause = RolloutTriggers.changeCause(Trigger.of("configmap", "app-config"), null);
        assertEquals("rollout-on: configmap/app-config changed", cause);
        JsonNode out = RolloutTriggers.restarted(live, stamp, cause, Instant.parse("2026-12-06T05:00:00.123Z"));
        assertEquals("2026-12-06T05:00:00Z", out.at("/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt").asText());
        assertEquals(cause, out.at("/metadata/annotations/kubernetes.io~1change-cause").asText());
        assertFalse(out.has("status"));
        assertTrue(live.has("status"), "the store's object is not changed");
        assertTrue(RolloutTriggers.alreadyTriggered(out, stamp));
        assertFalse(RolloutTriggers.alreadyTriggered(out, "configmap/app-config@43"));
    }

    @Test
    void shouldMakeOneIntentIdPerWorkloadAndChange() {
        String a = RolloutTriggers.intentId("default/deployment/web", "configmap/app-config@42");
        assertEquals(a, RolloutTriggers.intentId("default/deployment/web", "configmap/app-config@42"));
        assertNotEquals(a, RolloutTriggers.intentId("default/deployment/web", "configmap/app-config@43"));
        assertNotEquals(a, RolloutTriggers.intentId("default/deployment/api", "configmap/app-config@42"));
        assertTrue(a.length() < 253);
    }

    @Test
    void shouldHashDecodedContentIndependentOfOrder() {
        Map<String, byte[]> one = new java.util.LinkedHashMap<>();
        one.put("a", "1".getBytes(StandardCharsets.UTF_8));
        one.put("b", "2".getBytes(StandardCharsets.UTF_8));
        Map<String, byte[]> two = new java.util.LinkedHashMap<>();
        two.put("b", "2".getBytes(StandardCharsets.UTF_8));
        two.put("a", "1".getBytes(StandardCharsets.UTF_8));
        assertEquals(RolloutTriggers.contentHash(one, Map.of()), RolloutTriggers.contentHash(two, Map.of()));
        assertNotEquals(RolloutTriggers.contentHash(one, Map.of()), RolloutTriggers.contentHash(Map.of("a", "1".getBytes(StandardCharsets.UTF_8)), Map.of()));
        assertNotEquals(RolloutTriggers.contentHash(Map.of("ab", new byte[0]), Map.of()), RolloutTriggers.contentHash(Map.of("a", "b".getBytes(StandardCharsets.UTF_8)), Map.of()));
    }
}
