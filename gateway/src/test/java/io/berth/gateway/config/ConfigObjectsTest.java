package io.berth.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.gateway.manifest.ManifestProblem;
import io.berth.schemas.avro.ConfigObject;
import io.berth.schemas.secrets.SecretBox;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ConfigObjectsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final SecretBox BOX = SecretBox.of("k1", new byte[32]);

    private static JsonNode yaml(String s) throws Exception {
        return YAML.readTree(s);
    }

    @Test
    void shouldEncryptEverySecretValueAndRevealItOnlyWhenAsked() throws Exception {
        String b64 = Base64.getEncoder().encodeToString("from-data".getBytes(StandardCharsets.UTF_8));
        ConfigObjects.Parsed p = ConfigObjects.parse(yaml("""
                apiVersion: v1
                kind: Secret
                metadata: {name: db, labels: {app: web}}
                type: Opaque
                data: {password: %s, both: %s}
                stringData: {user: alice, both: from-stringData}
                """.formatted(b64, b64)), "prod", BOX, "api:admin", 1000);
        assertTrue(p.valid(), p.problems().toString());
        ConfigObject o = p.object();
        assertEquals("prod", o.getNamespace());
        assertEquals(List.of("both", "password", "user"), List.copyOf(o.getData().keySet()));
        String stored = o.toString();
        for (String plain : List.of("from-data", b64, "alice", "from-stringData")) assertFalse(stored.contains(plain), plain + " in " + stored);
        o.getData().values().forEach(v -> assertTrue(SecretBox.isEncrypted(v), v));

        JsonNode revealed = ConfigObjects.render(o, 7, BOX, true);
        assertEquals(b64, revealed.path("data").path("password").asText());
        assertEquals("from-stringData", new String(Base64.getDecoder().decode(revealed.path("data").path("both").asText())));
        assertEquals("7", revealed.path("metadata").path("resourceVersion").asText());
        assertEquals("web", revealed.path("metadata").path("labels").path("app").asText());
        assertEquals("Opaque", revealed.path("type").asText());

        String redacted = ConfigObjects.render(o, 7, null, false).toString();
        for (String plain : List.of("from-data", b64, "alice")) assertFalse(redacted.contains(plain), redacted);
        assertTrue(redacted.contains("\"password\":\"<redacted>\""), redacted);
    }

    @Test
    void shouldKeepConfigMapDataAsIs() throws Exception {
        ConfigObjects.Parsed p = ConfigObjects.parse(yaml("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cfg, namespace: ns1}
                data: {MODE: fast, app.conf: "a=1\\n"}
                binaryData: {blob: AAEC}
                """), "default", null, "api:admin", 1000);
        assertTrue(p.valid(), p.problems().toString());
        assertEquals("ns1", p.namespace());
        JsonNode r = ConfigObjects.render(p.object(), 1, null, false);
        assertEquals("fast", r.path("data").path("MODE").asText());
        assertEquals("AAEC", r.path("binaryData").path("blob").asText());
    }

    record Bad(String manifest, String field, String detail) {}

    @Test
    void shouldRefuseBadManifestsNamingTheField() throws Exception {
        for (Bad b : List.of(
                new Bad("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: '%%%'}", "data[k]", "illegal base64 data"),
                new Bad("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {'bad key': v}", "data[bad key]", "a valid config key"),
                new Bad("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls", "type", "Unsupported value"),
                new Bad("apiVersion: v1\nkind: Secret\nmetadata: {name: Bad_Name}", "metadata.name", "RFC 1123"),
                new Bad("apiVersion: v1\nkind: Secret\nmetadata: {}", "metadata.name", "Required value"),
                new Bad("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: 1}", "data[k]", "must be a string"),
                new Bad("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\nbinaryData: {k: AA==}", "data[k]", "duplicate"),
                new Bad("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nspec: {}", "spec", "Unknown field"))) {
            ConfigObjects.Parsed p = ConfigObjects.parse(yaml(b.manifest()), "default", BOX, "api:a", 0);
            assertFalse(p.valid(), b.manifest());
            ManifestProblem first = p.problems().get(0);
            assertEquals(b.field(), first.field(), b.manifest());
            assertTrue(first.detail().contains(b.detail()), first.detail());
            assertFalse(first.detail().contains("%%%"), "a secret value is never echoed");
        }
    }

    @Test
    void shouldSplitConfigsFromAnApply() {
        ConfigApi.Split s = ConfigApi.split("""
                apiVersion: v1
                kind: Secret
                metadata: {name: s}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec: {containers: [{name: c, image: i}]}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: c}
                """);
        assertEquals(2, s.configs().size());
        assertTrue(s.rest().contains("\"Pod\""));
        assertFalse(s.rest().contains("Secret"));
    }
}
