package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * apps/v1 StatefulSets' rollouts and claims through the gateway on a real broker (the test plays state-streams by
 * producing the view and reads the intents): the OpenAPI v3 schemas kubectl explain and client-side validation read,
 * the ControllerRevisions kubectl's {@code rollout history|undo sts/NAME} read (owned by the set, {@code data} the
 * patch restoring the template), both undo paths (kubectl's PATCH with a revision's data, Berth's rollback
 * subresource), kubectl's restart patch, and the PersistentVolumeClaims with Kubernetes' pvc-protection finalizer.
 */
class StatefulSetsApiTest extends GatewayApiFixture {
    static final String STS = "/apis/apps/v1/namespaces/default/statefulsets";
    static final String CR = "/apis/apps/v1/namespaces/default/controllerrevisions";
    static final String PVC = "/api/v1/namespaces/default/persistentvolumeclaims";

    @Override
    boolean withStateStreams() {
        return false;
    }

    static String manifest(String name, String image) {
        return """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: %s}
                spec:
                  serviceName: %s
                  replicas: 2
                  selector: {matchLabels: {app: %s}}
                  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      containers: [{name: web, image: "%s", volumeMounts: [{name: data, mountPath: /data}]}]
                  volumeClaimTemplates:
                  - metadata: {name: data}
                    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 16Mi}}}
                """.formatted(name, name, name, name, image);
    }

    /** The view state-streams would write for {@code name}: revisions 1 (web:1) and 2 (web:2), two ready pods and their claims on n1. */
    static WorkloadView view(String name) {
        Intent v2 = new ManifestParser().parse("", manifest(name, "berth/web:2")).intents().get(0);
        Intent v1 = new ManifestParser().parse("", manifest(name, "berth/web:1")).intents().get(0);
        DeploymentSpec d2 = (DeploymentSpec) v2.getPayload(), d1 = (DeploymentSpec) v1.getPayload();
        long t = System.currentTimeMillis() - 60_000;
        return WorkloadView.newBuilder().setKey(Topics.resourceKey("default", ResourceKind.STATEFULSET, name)).setKind(ResourceKind.STATEFULSET)
                .setNamespace("default").setName(name).setUid("uid-" + name)
                .setGeneration(2).setObservedGeneration(2).setCreatedAt(t).setUpdatedAt(t).setResourceVersion("1")
                .setDeployment(d2).setStatefulSet(v2.getStatefulSet()).setTemplateHash("h2").setRevision(2)
                .setHistory(List.of(
                        Revision.newBuilder().setRevision(1).setTemplateHash("h1").setTemplate(d1.getTemplate()).setCreatedAt(t).build(),
                        Revision.newBuilder().setRevision(2).setTemplateHash("h2").setTemplate(d2.getTemplate()).setCreatedAt(t + 1000).build()))
                .setStatefulSetStatus(StatefulSetStatus.newBuilder().setReplicas(2).setReadyReplicas(2).setAvailableReplicas(2)
                        .setCurrentReplicas(2).setUpdatedReplicas(2).setCurrentRevision("h2").setUpdateRevision("h2")
                        .setPods(Map.of("0", name + "-t1", "1", name + "-t2"))
                        .setClaims(Map.of("data-" + name + "-0", "n1", "data-" + name + "-1", "n1")).build())
                .build();
    }

    @BeforeAll
    void produceTheStatefulSet() throws Exception {
        produce(Topics.WORKLOADS, "default/statefulset/web", view("web"));
        eventually(() -> {
            try {
                return get(STS + "/web").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder b = request(path).header("Content-Type", contentType);
        return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The intent {@code intentId} as the gateway produced it on berth.intents. */
    Intent intent(String intentId) {
        try (KafkaConsumer<String, Intent> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringDeserializer(), serdes.value(Intent.class).deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.INTENTS.name()).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<Intent> out = new ArrayList<>();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            return out.stream().filter(i -> i.getIntentId().equals(intentId)).findFirst().orElseThrow(() -> new AssertionError("no intent " + intentId));
        }
    }

    @Test
    void shouldDescribeStatefulSetsAndClaimsInOpenApi() throws Exception {
        JsonNode apps = getJson("/openapi/v3/apis/apps/v1").path("components").path("schemas");
        JsonNode sts = apps.path("io.k8s.api.apps.v1.StatefulSet");
        assertEquals("StatefulSet", sts.path("x-kubernetes-group-version-kind").get(0).path("kind").asText());
        JsonNode spec = apps.path("io.k8s.api.apps.v1.StatefulSetSpec").path("properties");
        // kubectl explain statefulset.spec.volumeClaimTemplates(.spec.resources…): a list of claims, their spec by $ref
        JsonNode templates = spec.path("volumeClaimTemplates");
        assertEquals("array", templates.path("type").asText());
        assertTrue(templates.path("description").asText("").startsWith("volumeClaimTemplates is a list of claims"), templates.toString());
        String claimSpec = templates.path("items").path("properties").path("spec").toString();
        assertTrue(claimSpec.contains("#/components/schemas/io.k8s.api.core.v1.PersistentVolumeClaimSpec"), claimSpec);
        assertTrue(apps.path("io.k8s.api.core.v1.PersistentVolumeClaimSpec").path("properties").has("resources"),
                "the claim's spec travels with the apps/v1 document");
        for (String field : List.of("serviceName", "podManagementPolicy", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "template")) {
            assertTrue(spec.has(field), field);
        }
        assertTrue(apps.path("io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy").path("properties").has("partition"));
        JsonNode core = getJson("/openapi/v3/api/v1").path("components").path("schemas");
        assertEquals("PersistentVolumeClaim", core.path("io.k8s.api.core.v1.PersistentVolumeClaim").path("x-kubernetes-group-version-kind").get(0)
                .path("kind").asText());
        assertTrue(core.path("io.k8s.api.core.v1.PersistentVolumeClaimSpec").path("properties").has("accessModes"));
        // the PATCH of a statefulset takes fieldValidation: kubectl apply --validate=strict validates on the server
        JsonNode patch = getJson("/openapi/v3/apis/apps/v1").path("paths").path("/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}").path("patch");
        assertTrue(patch.path("parameters").findValuesAsText("name").contains("fieldValidation"), patch.toString());
    }

    @Test
    void shouldServeTheControllerRevisionsKubectlRollsAStatefulSetBackWith() throws Exception {
        // kubectl's statefulSetHistory: list by the set's selector, keep those it controls
        JsonNode list = getJson(CR + "?labelSelector=" + URLEncoder.encode("app=web", StandardCharsets.UTF_8));
        assertEquals(List.of("web-h1", "web-h2"), list.path("items").findValuesAsText("name").stream().filter(n -> n.startsWith("web-")).toList());
        JsonNode first = list.path("items").get(0);
        assertEquals(1, first.path("revision").asLong());
        JsonNode owner = first.path("metadata").path("ownerReferences").get(0);
        assertEquals("StatefulSet", owner.path("kind").asText());
        assertEquals("uid-web", owner.path("uid").asText());
        assertTrue(owner.path("controller").asBoolean());
        assertEquals("berth/web:1", first.path("data").path("spec").path("template").path("spec").path("containers").get(0).path("image").asText());
        assertEquals("replace", first.path("data").path("spec").path("template").path("$patch").asText());

        // kubectl rollout undo sts/web: a strategic merge patch of the revision's data — the set's own fields stay
        HttpResponse<String> undo = send("PATCH", STS + "/web?wait=false", "application/strategic-merge-patch+json", first.path("data").toString());
        assertEquals(202, undo.statusCode(), undo.body());
        Intent applied = intent(JSON.readTree(undo.body()).path("intentId").asText());
        assertEquals(IntentAction.APPLY, applied.getAction());
        assertEquals(ResourceKind.STATEFULSET, applied.getKind());
        DeploymentSpec d = (DeploymentSpec) applied.getPayload();
        assertEquals("berth/web:1", d.getTemplate().getContainers().get(0).getImage());
        assertEquals(2, d.getReplicas());
        assertEquals("web", applied.getStatefulSet().getServiceName());
        assertEquals(List.of("data"), applied.getStatefulSet().getVolumeClaimTemplates().stream().map(VolumeClaimTemplate::getName).toList());

        // kubectl rollout restart sts/web: the template's restartedAt annotation
        HttpResponse<String> restart = send("PATCH", STS + "/web?wait=false", "application/strategic-merge-patch+json",
                "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\"2026-12-06T05:00:00Z\"}}}}}");
        assertEquals(202, restart.statusCode(), restart.body());
        DeploymentSpec restarted = (DeploymentSpec) intent(JSON.readTree(restart.body()).path("intentId").asText()).getPayload();
        assertEquals("2026-12-06T05:00:00Z", restarted.getTemplate().getAnnotations().get("kubectl.kubernetes.io/restartedAt"));
        assertEquals("berth/web:2", restarted.getTemplate().getContainers().get(0).getImage());
    }

    @Test
    void shouldProduceAStatefulSetRollbackThroughTheRollbackSubresource() throws Exception {
        HttpResponse<String> bad = send("POST", STS + "/web/rollback", "application/json", "{\"rollbackTo\":{\"revision\":7}}");
        assertEquals(422, bad.statusCode(), bad.body());
        assertEquals("Invalid value: 7: unable to find specified revision 7 in history", JSON.readTree(bad.body()).at("/details/causes/0/message").asText());
        HttpResponse<String> kind = send("POST", STS + "/web/rollback", "application/json", "{\"kind\":\"DaemonSetRollback\"}");
        assertEquals(422, kind.statusCode(), kind.body());
        assertEquals(404, send("POST", STS + "/nope/rollback", "application/json", "{}").statusCode());
        HttpResponse<String> r = send("POST", STS + "/web/rollback?wait=false", "application/json",
                "{\"kind\":\"StatefulSetRollback\",\"name\":\"web\",\"rollbackTo\":{\"revision\":1}}");
        assertEquals(202, r.statusCode(), r.body());
        JsonNode receipt = JSON.readTree(r.body());
        assertEquals("ROLLBACK", receipt.path("action").asText());
        assertEquals("default/statefulset/web", receipt.path("key").asText());
        Intent i = intent(receipt.path("intentId").asText());
        assertEquals(ResourceKind.STATEFULSET, i.getKind());
        assertEquals(new RollbackSpec(1L), i.getPayload());
    }

    @Test
    void shouldServeTheClaimsWithThePvcProtectionFinalizer() throws Exception {
        JsonNode claim = getJson(PVC + "/data-web-0");
        assertEquals("Bound", claim.path("status").path("phase").asText());
        assertEquals(List.of("kubernetes.io/pvc-protection"), JobsApiTest.toList(claim.path("metadata").path("finalizers")));
        assertEquals("local-n1-data-web-0", claim.path("spec").path("volumeName").asText());
        assertEquals(List.of("data-web-0", "data-web-1"), getJson(PVC).path("items").findValuesAsText("name").stream()
                .filter(n -> n.startsWith("data-web-")).toList());
    }

    @Test
    void shouldKeepListingTheClaimsOfADeletedSetThatRetainsThem() throws Exception {
        WorkloadView live = view("gone");
        produce(Topics.WORKLOADS, "default/statefulset/gone", live);
        eventually(() -> {
            try {
                return get(STS + "/gone").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        // what state-streams leaves once the deleted set's pods are gone (whenDeleted: Retain, the default)
        WorkloadView claimsOnly = WorkloadView.newBuilder(live).setDeleted(true).setStatefulSetStatus(StatefulSetStatus.newBuilder()
                .setClaims(live.getStatefulSetStatus().getClaims()).setClaimsRetained(true).build()).build();
        produce(Topics.WORKLOADS, "default/statefulset/gone", claimsOnly);
        eventually(() -> {
            try {
                return get(STS + "/gone").statusCode() == 404;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals("Bound", getJson(PVC + "/data-gone-0").path("status").path("phase").asText());
        assertTrue(getJson("/api/v1/persistentvolumeclaims").path("items").findValuesAsText("name").contains("data-gone-1"));
        assertFalse(getJson("/apis/apps/v1/statefulsets").path("items").findValuesAsText("name").contains("gone"));
    }
}
