package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.gateway.view.ViewFixtures;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * apps/v1 DaemonSets and ControllerRevisions through the gateway on a real broker (the test plays state-streams
 * by producing the views and reads the intents): discovery and OpenAPI name them, list/get/Table read them,
 * writes are validated (422 in Kubernetes' words) and produced as intents, a daemon set's pod is its
 * controller's, and both rollback paths work: Berth's rollback subresource (a ROLLBACK intent) and kubectl's
 * undo (GET the ControllerRevisions by the selector, PATCH the DaemonSet with a revision's data).
 */
class DaemonSetsApiTest extends GatewayApiFixture {
    static final String DS = "/apis/apps/v1/namespaces/default/daemonsets";
    static final String CR = "/apis/apps/v1/namespaces/default/controllerrevisions";
    static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";

    @Override
    boolean withStateStreams() {
        return false;
    }

    static String manifest(String name, String image) {
        return """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: %s, labels: {team: infra}}
                spec:
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      nodeSelector: {disk: ssd}
                      containers: [{name: agent, image: "%s", command: [sleep, infinity]}]
                """.formatted(name, name, name, image);
    }

    /** The view state-streams would write for {@code name}: two revisions (agent:1 then agent:2), 2 of 2 nodes updated. */
    static WorkloadView view(String name) {
        DeploymentSpec v2 = (DeploymentSpec) new ManifestParser().parse("", manifest(name, "berth/agent:2")).intents().get(0).getPayload();
        DeploymentSpec v1 = (DeploymentSpec) new ManifestParser().parse("", manifest(name, "berth/agent:1")).intents().get(0).getPayload();
        long t = System.currentTimeMillis() - 60_000;
        return WorkloadView.newBuilder().setKey(Topics.resourceKey("default", ResourceKind.DAEMONSET, name)).setKind(ResourceKind.DAEMONSET)
                .setNamespace("default").setName(name).setUid("uid-" + name).setLabels(Map.of("team", "infra"))
                .setGeneration(2).setObservedGeneration(2).setCreatedAt(t).setUpdatedAt(t).setResourceVersion("1")
                .setDeployment(v2).setTemplateHash("h2").setRevision(2)
                .setHistory(List.of(
                        Revision.newBuilder().setRevision(1).setTemplateHash("h1").setTemplate(v1.getTemplate()).setCreatedAt(t).build(),
                        Revision.newBuilder().setRevision(2).setTemplateHash("h2").setTemplate(v2.getTemplate()).setCreatedAt(t + 1000).build()))
                .setDaemonSetStatus(DaemonSetStatus.newBuilder().setDesiredNumberScheduled(2).setCurrentNumberScheduled(2).setNumberReady(2)
                        .setNumberAvailable(2).setUpdatedNumberScheduled(2).setPods(Map.of("n1", name + "-t1", "n2", name + "-t2")).build())
                .build();
    }

    @BeforeAll
    void produceTheDaemonSet() throws Exception {
        produce(Topics.WORKLOADS, "default/daemonset/agent", view("agent"));
        TaskView pod = TaskView.newBuilder(ViewFixtures.task("agent-t1", TaskPhase.RUNNING, true, "n1"))
                .setWorkloadKey("default/daemonset/agent").setTemplateHash("h2").setLabels(Map.of("app", "agent")).build();
        produce(Topics.TASKS, "agent-t1", pod);
        eventually(() -> status(DS + "/agent") == 200 && status("/api/v1/namespaces/default/pods/agent-t1") == 200);
    }

    int status(String path) {
        try {
            return get(path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder b = request(path).header("Content-Type", contentType);
        return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    List<Intent> intents() {
        try (KafkaConsumer<String, Intent> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringDeserializer(), serdes.value(Intent.class).deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.INTENTS.name()).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<Intent> out = new ArrayList<>();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            return out;
        }
    }

    Intent intent(String intentId) {
        return intents().stream().filter(i -> i.getIntentId().equals(intentId)).findFirst().orElseThrow(() -> new AssertionError("no intent " + intentId));
    }

    @Test
    void shouldListDaemonSetsAndControllerRevisionsInDiscoveryAndOpenApi() throws Exception {
        JsonNode apps = getJson("/apis/apps/v1");
        JsonNode ds = JobsApiTest.resource(apps, "daemonsets");
        assertEquals("DaemonSet", ds.path("kind").asText());
        assertTrue(ds.path("namespaced").asBoolean());
        assertEquals(List.of("create", "delete", "get", "list", "patch", "update", "watch"), JobsApiTest.toList(ds.path("verbs")));
        assertEquals(List.of("ds"), JobsApiTest.toList(ds.path("shortNames")));
        assertEquals(List.of("all"), JobsApiTest.toList(ds.path("categories")));
        JsonNode cr = JobsApiTest.resource(apps, "controllerrevisions");
        assertEquals("ControllerRevision", cr.path("kind").asText());
        assertEquals(List.of("get", "list"), JobsApiTest.toList(cr.path("verbs")));
        assertFalse(cr.has("shortNames"));
        HttpResponse<String> aggregated = http.send(request("/apis")
                .header("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList").build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(aggregated.body().contains("{\"resource\":\"daemonsets\""), aggregated.body());
        assertTrue(aggregated.body().contains("{\"resource\":\"controllerrevisions\""), aggregated.body());
        JsonNode schemas = getJson("/openapi/v3/apis/apps/v1").path("components").path("schemas");
        assertEquals("DaemonSet", schemas.path("io.k8s.api.apps.v1.DaemonSet").path("x-kubernetes-group-version-kind").get(0).path("kind").asText());
        assertTrue(schemas.path("io.k8s.api.apps.v1.DaemonSetSpec").path("properties").has("updateStrategy"));
        assertTrue(schemas.path("io.k8s.api.apps.v1.ControllerRevision").path("properties").has("revision"));
    }

    @Test
    void shouldServeADaemonSetAsListGetAndTable() throws Exception {
        JsonNode ds = getJson(DS + "/agent");
        assertEquals("apps/v1", ds.path("apiVersion").asText());
        assertEquals("DaemonSet", ds.path("kind").asText());
        assertEquals(2, ds.path("status").path("desiredNumberScheduled").asInt());
        assertEquals(2, ds.path("status").path("observedGeneration").asInt());
        assertEquals(2, ds.path("metadata").path("generation").asInt());
        JsonNode list = getJson("/apis/apps/v1/daemonsets");
        assertEquals("DaemonSetList", list.path("kind").asText());
        assertTrue(list.path("items").findValuesAsText("name").contains("agent"));
        JsonNode t = JSON.readTree(http.send(request(DS).header("Accept", TABLE).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(List.of("Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node selector", "Age", "Containers", "Images", "Selector"),
                t.path("columnDefinitions").findValuesAsText("name"));
        JsonNode cells = t.path("rows").get(0).path("cells");
        assertEquals(List.of("agent", "2", "2", "2", "2", "2", "disk=ssd"), JobsApiTest.toList(cells).subList(0, 7));
        HttpResponse<String> missing = get(DS + "/nope");
        assertEquals(404, missing.statusCode());
        assertEquals("daemonsets.apps \"nope\" not found", JSON.readTree(missing.body()).path("message").asText());

        // its pod names it as its controller (kubectl drain --ignore-daemonsets looks for that, then GETs the DaemonSet)
        JsonNode owner = getJson("/api/v1/namespaces/default/pods/agent-t1").path("metadata").path("ownerReferences").get(0);
        assertEquals("DaemonSet", owner.path("kind").asText());
        assertEquals("agent", owner.path("name").asText());
        assertEquals("uid-agent", owner.path("uid").asText());
        assertTrue(owner.path("controller").asBoolean());
    }

    @Test
    void shouldServeTheControllerRevisionsKubectlRollsBackWith() throws Exception {
        // kubectl's daemonSetHistory: list by the DaemonSet's selector, keep those it controls
        String selector = URLEncoder.encode("app=agent", StandardCharsets.UTF_8);
        JsonNode list = getJson(CR + "?labelSelector=" + selector);
        assertEquals("ControllerRevisionList", list.path("kind").asText());
        assertEquals(List.of("agent-h1", "agent-h2"), list.path("items").findValuesAsText("name").stream().filter(n -> n.startsWith("agent-")).toList());
        JsonNode first = list.path("items").get(0);
        assertEquals(1, first.path("revision").asLong());
        assertEquals("uid-agent", first.path("metadata").path("ownerReferences").get(0).path("uid").asText());
        assertEquals("replace", first.path("data").path("spec").path("template").path("$patch").asText());
        assertEquals(0, getJson(CR + "?labelSelector=" + URLEncoder.encode("app=other", StandardCharsets.UTF_8)).path("items").size());
        assertEquals("agent-h2", getJson(CR + "/agent-h2").path("metadata").path("name").asText());
        assertEquals(404, get(CR + "/agent-nope").statusCode());
        JsonNode t = JSON.readTree(http.send(request(CR).header("Accept", TABLE).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(List.of("Name", "Controller", "Revision", "Age"), t.path("columnDefinitions").findValuesAsText("name"));
        assertEquals(List.of("agent-h1", "daemonset.apps/agent", "1"), JobsApiTest.toList(t.path("rows").get(0).path("cells")).subList(0, 3));

        // kubectl rollout undo: a strategic merge patch of the revision's data, a template change (a new rollout)
        HttpResponse<String> undo = send("PATCH", DS + "/agent?wait=false", "application/strategic-merge-patch+json", first.path("data").toString());
        assertEquals(202, undo.statusCode(), undo.body());
        Intent applied = intent(JSON.readTree(undo.body()).path("intentId").asText());
        assertEquals(IntentAction.APPLY, applied.getAction());
        assertEquals(ResourceKind.DAEMONSET, applied.getKind());
        DeploymentSpec d = (DeploymentSpec) applied.getPayload();
        assertEquals("berth/agent:1", d.getTemplate().getContainers().get(0).getImage());
        assertEquals(Map.of("app", "agent"), d.getSelector());
        assertFalse(applied.getAnnotations().containsKey("deprecated.daemonset.template.generation"));
    }

    @Test
    void shouldProduceAnIntentForAnUndoThroughTheRollbackSubresource() throws Exception {
        HttpResponse<String> bad = send("POST", DS + "/agent/rollback", "application/json", "{\"rollbackTo\":{\"revision\":7}}");
        assertEquals(422, bad.statusCode(), bad.body());
        assertEquals("Invalid value: 7: unable to find specified revision 7 in history",
                JSON.readTree(bad.body()).at("/details/causes/0/message").asText());
        assertEquals(404, send("POST", DS + "/nope/rollback", "application/json", "{}").statusCode());
        HttpResponse<String> r = send("POST", DS + "/agent/rollback?wait=false", "application/json",
                "{\"kind\":\"DaemonSetRollback\",\"name\":\"agent\",\"rollbackTo\":{\"revision\":1}}");
        assertEquals(202, r.statusCode(), r.body());
        JsonNode receipt = JSON.readTree(r.body());
        assertEquals("ROLLBACK", receipt.path("action").asText());
        assertEquals("default/daemonset/agent", receipt.path("key").asText());
        Intent i = intent(receipt.path("intentId").asText());
        assertEquals(ResourceKind.DAEMONSET, i.getKind());
        assertEquals(new RollbackSpec(1L), i.getPayload());
    }

    @Test
    void shouldRefuseAnInvalidDaemonSetInKubernetesWords() throws Exception {
        HttpResponse<String> r = send("POST", DS, "application/yaml",
                manifest("bad", "busybox").replace("containers:", "restartPolicy: Never\n      containers:"));
        assertEquals(422, r.statusCode(), r.body());
        JsonNode s = JSON.readTree(r.body());
        assertEquals("DaemonSet.apps \"bad\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
                s.path("message").asText());
        assertEquals("apps", s.path("details").path("group").asText());
        HttpResponse<String> surge = send("POST", DS, "application/yaml",
                manifest("surge", "busybox").replace("  template:", "  updateStrategy: {rollingUpdate: {maxSurge: 1}}\n  template:"));
        assertEquals(422, surge.statusCode(), surge.body());
        assertEquals("spec.updateStrategy.rollingUpdate.maxSurge", JSON.readTree(surge.body()).at("/details/causes/0/field").asText());
        // its pods go with it: Orphan is refused rather than ignored
        assertEquals(400, send("DELETE", DS + "/agent?propagationPolicy=Orphan", "application/json", null).statusCode());
    }

    @Test
    void shouldRefuseToApplyADaemonSetsPod() throws Exception {
        HttpResponse<String> r = send("PUT", "/api/v1/namespaces/default/pods/agent-t1", "application/yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: agent-t1, labels: {app: agent, extra: "yes"}}
                spec:
                  containers: [{name: web, image: berth/busybox:latest}]
                """);
        assertEquals(422, r.statusCode(), r.body());
        assertTrue(JSON.readTree(r.body()).path("message").asText().contains("pod agent-t1 is managed by daemonset agent"), r.body());
    }

    @Test
    void shouldProduceTheIntentOfANewDaemonSet() throws Exception {
        HttpResponse<String> r = send("POST", DS + "?wait=false", "application/yaml", manifest("fresh", "busybox"));
        assertEquals(202, r.statusCode(), r.body());
        JsonNode receipt = JSON.readTree(r.body());
        assertEquals("APPLY", receipt.path("action").asText());
        assertEquals("default/daemonset/fresh", receipt.path("key").asText());
        HttpResponse<String> dup = send("POST", DS, "application/yaml", manifest("agent", "busybox"));
        assertEquals(409, dup.statusCode(), dup.body());
    }
}
