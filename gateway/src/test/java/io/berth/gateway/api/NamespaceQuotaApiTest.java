package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Namespaces, ResourceQuotas and LimitRanges through the gateway, on a real broker with the real
 * state-streams: a quota refuses a Deployment over it in Kubernetes' words (and nothing reaches the
 * bus), a LimitRange's defaults are stored on the Deployment, a deleted namespace is Terminating, takes
 * nothing new, and is gone with everything in it; the built-in namespaces may not be deleted.
 */
class NamespaceQuotaApiTest extends GatewayApiFixture {

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = request(path).header("Content-Type", "application/yaml");
        return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String deployment(String name, int replicas, String resources) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s}
                spec:
                  replicas: %d
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      containers: [{name: main, image: berth/busybox:latest%s}]
                """.formatted(name, replicas, name, name, resources.isEmpty() ? "" : ", resources: " + resources);
    }

    void createNamespace(String name) throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/namespaces", "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + "}\n");
        assertEquals(201, r.statusCode(), r.body());
    }

    @Test
    void shouldRefuseToDeleteBuiltInNamespaces() throws Exception {
        for (String ns : new String[]{"default", "kube-system", "kube-public"}) {
            HttpResponse<String> r = send("DELETE", "/api/v1/namespaces/" + ns, null);
            assertEquals(403, r.statusCode(), r.body());
            assertEquals("namespaces \"" + ns + "\" is forbidden: this namespace may not be deleted", JSON.readTree(r.body()).path("message").asText());
        }
        assertTrue(getJson("/api/v1/namespaces").findValuesAsText("name").containsAll(java.util.List.of("default", "kube-system", "kube-public")));
        assertEquals(404, send("DELETE", "/api/v1/namespaces/never-was", null).statusCode());
    }

    @Test
    void shouldRefuseADeploymentOverQuotaAndServeUsage() throws Exception {
        createNamespace("quota-team");
        String base = "/api/v1/namespaces/quota-team/resourcequotas";
        HttpResponse<String> bad = send("POST", base, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: broken}\nspec: {hard: {pods: many}}\n");
        assertEquals(422, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("spec.hard[pods]: Invalid value: \\\"many\\\""), bad.body());
        assertEquals(404, get(base + "/broken").statusCode(), "nothing was stored");
        HttpResponse<String> q = send("POST", base, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: compute}\nspec: {hard: {pods: \"3\", requests.cpu: \"1\"}}\n");
        assertEquals(201, q.statusCode(), q.body());

        String deployments = "/apis/apps/v1/namespaces/quota-team/deployments";
        HttpResponse<String> missing = send("POST", deployments, deployment("nocpu", 1, ""));
        assertEquals(403, missing.statusCode(), missing.body());
        assertEquals("deployments.apps \"nocpu\" is forbidden: failed quota: compute: must specify requests.cpu for: main",
                JSON.readTree(missing.body()).path("message").asText());
        assertEquals(201, send("POST", deployments, deployment("web", 2, "{requests: {cpu: 200m}}")).statusCode());
        HttpResponse<String> over = send("POST", deployments, deployment("api", 2, "{requests: {cpu: 100m}}"));
        assertEquals(403, over.statusCode(), over.body());
        assertEquals("deployments.apps \"api\" is forbidden: exceeded quota: compute, requested: pods=2, used: pods=2, limited: pods=3",
                JSON.readTree(over.body()).path("message").asText());
        assertEquals("Forbidden", JSON.readTree(over.body()).path("reason").asText());
        assertEquals(404, get(deployments + "/api").statusCode(), "nothing reached the bus");

        HttpResponse<String> scale = send("PATCH", deployments + "/web/scale", "{\"spec\":{\"replicas\":4}}");
        assertEquals(403, scale.statusCode(), scale.body());
        assertTrue(scale.body().contains("exceeded quota: compute, requested: pods=4, used: pods=0, limited: pods=3"), scale.body());

        JsonNode quota = getJson(base + "/compute");
        assertEquals("2", quota.path("status").path("used").path("pods").asText());
        assertEquals("400m", quota.path("status").path("used").path("requests.cpu").asText());
        assertEquals("3", quota.path("status").path("hard").path("pods").asText());
        HttpResponse<String> table = http.send(request(base).header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode t = JSON.readTree(table.body());
        assertEquals("REQUEST", t.path("columnDefinitions").get(2).path("name").asText().toUpperCase(), table.body());
        assertEquals("pods: 2/3, requests.cpu: 400m/1", t.path("rows").get(0).path("cells").get(2).asText());
    }

    @Test
    void shouldStoreLimitRangeDefaultsAndRefuseOverMax() throws Exception {
        createNamespace("limited");
        HttpResponse<String> lr = send("POST", "/api/v1/namespaces/limited/limitranges", """
                apiVersion: v1
                kind: LimitRange
                metadata: {name: container-limits}
                spec:
                  limits:
                  - type: Container
                    default: {cpu: 500m, memory: 128Mi}
                    defaultRequest: {cpu: 100m, memory: 64Mi}
                    max: {cpu: "1"}
                """);
        assertEquals(201, lr.statusCode(), lr.body());
        String deployments = "/apis/apps/v1/namespaces/limited/deployments";
        assertEquals(201, send("POST", deployments, deployment("plain", 1, "")).statusCode());
        JsonNode resources = getJson(deployments + "/plain").path("spec").path("template").path("spec").path("containers").get(0).path("resources");
        assertEquals("500m", resources.path("limits").path("cpu").asText(), resources.toString());
        assertEquals("128Mi", resources.path("limits").path("memory").asText());
        assertEquals("100m", resources.path("requests").path("cpu").asText());
        assertEquals("64Mi", resources.path("requests").path("memory").asText());
        HttpResponse<String> big = send("POST", deployments, deployment("big", 1, "{limits: {cpu: 2}}"));
        assertEquals(403, big.statusCode(), big.body());
        assertEquals("deployments.apps \"big\" is forbidden: maximum cpu usage per Container is 1, but limit is 2",
                JSON.readTree(big.body()).path("message").asText());
    }

    @Test
    void shouldTerminateANamespaceAndEverythingInIt() throws Exception {
        createNamespace("doomed");
        assertEquals(201, send("POST", "/apis/apps/v1/namespaces/doomed/deployments", deployment("web", 1, "")).statusCode());
        assertEquals(201, send("POST", "/api/v1/namespaces/doomed/configmaps", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n").statusCode());
        assertEquals(201, send("POST", "/api/v1/namespaces/doomed/services",
                "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n").statusCode());

        HttpResponse<String> deleted = send("DELETE", "/api/v1/namespaces/doomed", null);
        assertEquals(200, deleted.statusCode(), deleted.body());
        JsonNode ns = JSON.readTree(deleted.body());
        assertEquals("Terminating", ns.path("status").path("phase").asText(), ns.toString());
        assertFalse(ns.path("metadata").path("deletionTimestamp").asText().isEmpty());
        assertFalse(ns.path("metadata").path("annotations").has("berth.io/deletion-timestamp"));
        eventually(() -> status("/api/v1/namespaces/doomed") == 404);
        assertEquals(404, status("/apis/apps/v1/namespaces/doomed/deployments/web"));
        assertEquals(404, status("/api/v1/namespaces/doomed/configmaps/settings"));
        assertEquals(404, status("/api/v1/namespaces/doomed/services/web"));
        assertFalse(getJson("/api/v1/namespaces").findValuesAsText("name").contains("doomed"));
        // the audit names the namespace controller as who deleted the ConfigMap
        eventually(() -> getJsonUnchecked("/apis/berth.io/v1/audit?namespace=doomed").toString().contains("namespace-controller"));
    }

    /**
     * The Terminating state is stored, not held by the gateway that took the delete: here no gateway took it (the
     * test writes the namespace's intent with its deletion time itself, as a gateway that died right after would
     * have left it), and the gateway serving sweeps the namespace empty and gone all the same.
     */
    @Test
    void shouldResumeASweepItDidNotStart() throws Exception {
        createNamespace("orphaned");
        assertEquals(201, send("POST", "/apis/apps/v1/namespaces/orphaned/deployments", deployment("web", 1, "")).statusCode());
        assertEquals(201, send("POST", "/api/v1/namespaces/orphaned/configmaps", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n").statusCode());
        io.berth.schemas.avro.Intent mark = io.berth.gateway.manifest.Intents.forActor("api:gone-gateway").apply(io.berth.schemas.avro.ResourceKind.NAMESPACE,
                "", "orphaned", java.util.Map.of(), java.util.Map.of("berth.io/deletion-timestamp", Long.toString(System.currentTimeMillis())), null);
        produce(io.berth.schemas.Topics.INTENTS, io.berth.gateway.manifest.Intents.key(mark), mark);
        eventually(() -> status("/api/v1/namespaces/orphaned") == 404);
        assertEquals(404, status("/apis/apps/v1/namespaces/orphaned/deployments/web"));
        assertEquals(404, status("/api/v1/namespaces/orphaned/configmaps/settings"));
    }

    @Test
    void shouldRefuseNewObjectsInATerminatingNamespace() throws Exception {
        // the test plays a namespace whose termination never ends: its view, Terminating, that state-streams
        // never wrote (so the sweep's delete intent finds nothing to delete and the view stays)
        String key = io.berth.schemas.Topics.resourceKey("", io.berth.schemas.avro.ResourceKind.NAMESPACE, "closing");
        long t = System.currentTimeMillis();
        produce(io.berth.schemas.Topics.WORKLOADS, key, io.berth.schemas.avro.WorkloadView.newBuilder().setKey(key)
                .setKind(io.berth.schemas.avro.ResourceKind.NAMESPACE).setNamespace("").setName("closing").setUid("uid-closing")
                .setCreatedAt(t).setUpdatedAt(t).setResourceVersion("1")
                .setAnnotations(java.util.Map.of("berth.io/deletion-timestamp", Long.toString(t))).build());
        eventually(() -> getJsonUnchecked("/api/v1/namespaces/closing").path("status").path("phase").asText().equals("Terminating"));
        HttpResponse<String> late = send("POST", "/api/v1/namespaces/closing/configmaps", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: late}\n");
        assertEquals(403, late.statusCode(), late.body());
        assertEquals("configmaps \"late\" is forbidden: unable to create new content in namespace closing because it is being terminated",
                JSON.readTree(late.body()).path("message").asText());
        HttpResponse<String> deploy = send("POST", "/apis/apps/v1/namespaces/closing/deployments", deployment("web", 1, ""));
        assertEquals(403, deploy.statusCode(), deploy.body());
        assertEquals("deployments.apps \"web\" is forbidden: unable to create new content in namespace closing because it is being terminated",
                JSON.readTree(deploy.body()).path("message").asText());
        HttpResponse<String> again = send("POST", "/api/v1/namespaces", "apiVersion: v1\nkind: Namespace\nmetadata: {name: closing}\n");
        assertEquals(409, again.statusCode(), again.body());
        assertEquals("object is being deleted: namespaces \"closing\" already exists", JSON.readTree(again.body()).path("message").asText());
        produce(io.berth.schemas.Topics.WORKLOADS, key, null);
        eventually(() -> status("/api/v1/namespaces/closing") == 404);
    }

    JsonNode getJsonUnchecked(String path) {
        try {
            return getJson(path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    int status(String path) {
        try {
            return get(path).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
