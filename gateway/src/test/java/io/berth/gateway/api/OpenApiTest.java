package io.berth.gateway.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The OpenAPI v3 documents kubectl explain reads: Kubernetes' schemas, every reference resolvable in its document. */
class OpenApiTest {
    static Discovery.GroupVersion gv(String group, String version) {
        return Discovery.GROUPS.stream().filter(g -> g.group().equals(group) && g.version().equals(version)).findFirst().orElseThrow();
    }

    @Test
    void shouldServeKubernetesSchemasWithTheirFieldDescriptionsForEveryKindThatHasOne() {
        JsonObject schemas = OpenApi.document(gv("apps", "v1")).getJsonObject("components").getJsonObject("schemas");
        JsonObject deployment = schemas.getJsonObject("io.k8s.api.apps.v1.Deployment");
        assertEquals(new JsonObject().put("group", "apps").put("version", "v1").put("kind", "Deployment"),
                deployment.getJsonArray("x-kubernetes-group-version-kind").getJsonObject(0));
        assertEquals("#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec",
                deployment.getJsonObject("properties").getJsonObject("spec").getJsonArray("allOf").getJsonObject(0).getString("$ref"));
        JsonObject replicas = schemas.getJsonObject("io.k8s.api.apps.v1.DeploymentSpec").getJsonObject("properties").getJsonObject("replicas");
        assertEquals("integer", replicas.getString("type"));
        assertTrue(replicas.getString("description").startsWith("Number of desired pods."), replicas.encode());
        assertTrue(schemas.containsKey("io.k8s.api.core.v1.Container"), "the pod template's containers are reachable");
        JsonArray required = schemas.getJsonObject("io.k8s.api.apps.v1.DeploymentSpec").getJsonArray("required");
        assertEquals(new JsonArray().add("selector").add("template"), required);
    }

    @Test
    void shouldResolveEveryReferenceWithinItsOwnDocument() {
        for (Discovery.GroupVersion g : Discovery.GROUPS) {
            JsonObject doc = OpenApi.document(g);
            JsonObject schemas = doc.getJsonObject("components").getJsonObject("schemas");
            List<String> refs = new ArrayList<>();
            collect(doc, refs);
            for (String ref : refs) {
                assertTrue(ref.startsWith("#/components/schemas/"), ref);
                assertTrue(schemas.containsKey(ref.substring("#/components/schemas/".length())), g.groupVersion() + ": " + ref + " does not resolve");
            }
            for (Discovery.ApiResource r : g.resources()) {
                assertTrue(schemas.containsKey(OpenApi.schemaName(g, r.kind())), g.groupVersion() + " " + r.kind());
            }
        }
    }

    @Test
    void shouldKeepTheTopLevelSchemaForKindsKubernetesModelsDoesNotCover() {
        JsonObject schemas = OpenApi.document(gv("metrics.k8s.io", "v1beta1")).getJsonObject("components").getJsonObject("schemas");
        JsonObject pods = schemas.getJsonObject(OpenApi.schemaName(gv("metrics.k8s.io", "v1beta1"), "PodMetrics"));
        assertNotNull(pods);
        assertTrue(pods.getJsonObject("properties").containsKey("metadata"));
    }

    private static void collect(Object node, List<String> refs) {
        if (node instanceof JsonObject o) {
            if (o.getString("$ref") != null) refs.add(o.getString("$ref"));
            for (String k : o.fieldNames()) collect(o.getValue(k), refs);
        } else if (node instanceof JsonArray a) {
            for (Object v : a) collect(v, refs);
        }
    }
}
