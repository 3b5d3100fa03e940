package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.view.ViewFixtures;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.service.BerthConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.*;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The rollout subresources and ReplicaSets on a real broker, gateway only: the test reads the intents
 * the gateway produces and plays state-streams itself by producing the views.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutApiTest extends GatewayApiFixture {
    static final String D = "/apis/apps/v1/namespaces/default/deployments/web";
    /** Gateway only: the test reads the intents and produces the views. */
    @Override
    boolean withStateStreams() {
        return false;
    }

    @Override
    BerthConfig configure(BerthConfig config) {
        return config.with("gateway-write-wait-ms", "15000");
    }

    @BeforeAll
    void produceTheDeployments() throws Exception {
        produce(Topics.WORKLOADS, "default/deployment/web", web(2, "bbbbbb", ""));
        WorkloadView done = web(2, "bbbbbb", "");
        produce(Topics.WORKLOADS, "default/deployment/done", WorkloadView.newBuilder(done).setKey("default/deployment/done").setName("done")
                .setRollout(RolloutStatus.newBuilder().setPhase("Complete").setReason("NewReplicaSetAvailable").build()).build());
        eventually(() -> status("GET", D, null) == 200 && status("GET", "/apis/apps/v1/namespaces/default/deployments/done", null) == 200);
    }

    static WorkloadView web(long revision, String hash, String lastIntentId) {
        WorkloadView base = ViewFixtures.deployment();
        PodTemplate v1 = base.getDeployment().getTemplate();
        PodTemplate v2 = PodTemplate.newBuilder(v1).setContainers(List.of(ContainerSpec.newBuilder(v1.getContainers().get(0))
                .setImage("berth/busybox:2").build())).build();
        List<Revision> history = new ArrayList<>(List.of(
                Revision.newBuilder().setRevision(1).setTemplateHash("aaaaaa").setTemplate(v1).setCreatedAt(ViewFixtures.T0).build(),
                Revision.newBuilder().setRevision(2).setTemplateHash("bbbbbb").setTemplate(v2).setChangeCause("image 2").setCreatedAt(ViewFixtures.T0).build()));
        if (revision == 3) history.set(0, Revision.newBuilder(history.get(0)).setRevision(3).build());
        history.sort(java.util.Comparator.comparingLong(Revision::getRevision));
        return WorkloadView.newBuilder(base).setRevision(revision).setTemplateHash(hash).setHistory(history).setLastIntentId(lastIntentId)
                .setDeployment(DeploymentSpec.newBuilder(base.getDeployment()).setTemplate(hash.equals("aaaaaa") ? v1 : v2)
                        .setStrategyType("Canary").setCanarySteps(List.of(new CanaryStep(30, false, 0), new CanaryStep(0, true, 0))).build())
                .setRollout(RolloutStatus.newBuilder().setPhase("Paused").setReason("CanaryPauseStep").setCanaryStep(1).build()).build();
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = request((path)).header("content-type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    int status(String method, String path, String body) {
        try {
            return send(method, path, body).statusCode();
        } catch (Exception e) {
            return -1;
        }
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

    Intent lastIntent() {
        List<ConsumerRecord<String, Intent>> all = intents();
        assertFalse(all.isEmpty(), "no intent produced");
        ConsumerRecord<String, Intent> r = all.get(all.size() - 1);
        assertEquals("default/deployment/web", r.key());
        return r.value();
    }

    @Test
    @Order(1)
    void shouldRefuseBadRollbacksWithoutProducingAnIntent() throws Exception {
        HttpResponse<String> missing = send("POST", "/apis/apps/v1/namespaces/default/deployments/nope/rollback", "{}");
        assertEquals(404, missing.statusCode());
        assertEquals("deployments.apps \"nope\" not found", JSON.readTree(missing.body()).path("message").asText());
        assertEquals(404, status("POST", "/apis/apps/v1/namespaces/default/deployments/nope/promote", null));
        assertEquals(404, status("POST", "/apis/apps/v1/namespaces/default/deployments/nope/abort", null));

        record Bad(String body, String field, String message) {}
        for (Bad bad : List.of(
                new Bad("{\"kind\":\"Scale\"}", "kind", "Unsupported value: \"Scale\": supported values: \"DeploymentRollback\""),
                new Bad("{\"name\":\"other\"}", "name", "Invalid value: \"other\": must match the deployment on the URL (\"web\")"),
                new Bad("{\"rollbackTo\":{\"revision\":-1}}", "rollbackTo.revision", "Invalid value: -1: must be greater than or equal to 0"),
                new Bad("{\"rollbackTo\":{\"revision\":\"two\"}}", "rollbackTo.revision", "Invalid value: \"two\": must be an integer"),
                new Bad("{\"rollbackTo\":{\"revision\":7}}", "rollbackTo.revision", "Invalid value: 7: unable to find specified revision 7 in history"),
                new Bad("[1]", "", "Invalid value: [1]: must be an object"))) {
            HttpResponse<String> r = send("POST", D + "/rollback", bad.body);
            assertEquals(422, r.statusCode(), r.body());
            JsonNode cause = JSON.readTree(r.body()).at("/details/causes/0");
            assertEquals(bad.field, cause.path("field").asText(), r.body());
            assertEquals(bad.message, cause.path("message").asText(), r.body());
        }
        HttpResponse<String> promote = send("POST", D + "/promote", "{\"full\":\"yes\"}");
        assertEquals(422, promote.statusCode());
        assertEquals("Invalid value: \"yes\": must be a boolean", JSON.readTree(promote.body()).at("/details/causes/0/message").asText());
        HttpResponse<String> done = send("POST", "/apis/apps/v1/namespaces/default/deployments/done/promote", null);
        assertEquals(409, done.statusCode(), done.body());
        assertEquals("deployment \"done\" has no canary step to promote", JSON.readTree(done.body()).path("message").asText());
        HttpResponse<String> abortDone = send("POST", "/apis/apps/v1/namespaces/default/deployments/done/abort", null);
        assertEquals(409, abortDone.statusCode(), abortDone.body());
        assertEquals("deployment \"done\" has no rollout in progress to abort", JSON.readTree(abortDone.body()).path("message").asText());
        assertEquals(List.of(), intents(), "nothing reaches berth.intents when validation fails");
    }

    @Test
    @Order(2)
    void shouldProduceRollbackPromoteAndAbortIntents() throws Exception {
        HttpResponse<String> r = send("POST", D + "/rollback?wait=false",
                "{\"kind\":\"DeploymentRollback\",\"apiVersion\":\"extensions/v1beta1\",\"name\":\"web\",\"rollbackTo\":{\"revision\":1}}");
        assertEquals(202, r.statusCode(), r.body());
        JsonNode receipt = JSON.readTree(r.body());
        assertEquals("IntentReceipt", receipt.path("kind").asText());
        assertEquals("ROLLBACK", receipt.path("action").asText());
        Intent rollback = lastIntent();
        assertEquals(IntentAction.ROLLBACK, rollback.getAction());
        assertEquals(ResourceKind.DEPLOYMENT, rollback.getKind());
        assertEquals(new RollbackSpec(1L), rollback.getPayload());
        assertEquals(receipt.path("intentId").asText(), rollback.getIntentId());
        assertEquals("api:" + USER, rollback.getActor(), "the actor is the token's user");

        assertEquals(202, status("POST", D + "/promote?wait=false", "{\"full\":true}"));
        Intent promote = lastIntent();
        assertEquals(IntentAction.PROMOTE, promote.getAction());
        assertEquals(Map.of("berth.io/promote", "full"), promote.getAnnotations());
        assertNull(promote.getPayload());
        assertEquals(202, status("POST", D + "/promote?wait=false", null));
        assertEquals(Map.of(), lastIntent().getAnnotations());

        assertEquals(202, status("POST", D + "/abort?wait=false", ""));
        assertEquals(IntentAction.ABORT, lastIntent().getAction());
        assertEquals(202, status("POST", D + "/rollback?wait=false", ""), "an empty body rolls back to the previous revision");
        assertEquals(new RollbackSpec(0L), lastIntent().getPayload());
    }

    @Test
    @Order(3)
    void shouldAnswerARollbackOnceTheViewShowsIt() throws Exception {
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(request((D + "/rollback"))
                .header("content-type", "application/json").header("X-Berth-User", "ana")
                .POST(HttpRequest.BodyPublishers.ofString("{\"rollbackTo\":{\"revision\":1}}")).build(), HttpResponse.BodyHandlers.ofString());
        Intent[] sent = new Intent[1];
        eventually(() -> {
            List<ConsumerRecord<String, Intent>> all = intents();
            sent[0] = all.isEmpty() ? null : all.get(all.size() - 1).value();
            return sent[0] != null && sent[0].getActor().equals("api:" + USER); // the forged X-Berth-User header is ignored
        });
        // sentinel: a newer view of the same deployment without this intent's stamp; once the gateway
        // shows it, the answer must still be waiting
        WorkloadView unrelated = web(2, "bbbbbb", "some-other-intent");
        produce(Topics.WORKLOADS, "default/deployment/web", WorkloadView.newBuilder(unrelated)
                .setDeployment(DeploymentSpec.newBuilder(unrelated.getDeployment()).setReplicas(7).build()).build());
        eventually(() -> {
            try {
                return getJson(D).path("spec").path("replicas").asInt() == 7;
            } catch (Exception e) {
                return false;
            }
        });
        assertFalse(answer.isDone(), "the answer waits for the view");
        produce(Topics.WORKLOADS, "default/deployment/web", web(3, "aaaaaa", sent[0].getIntentId()));
        HttpResponse<String> r = answer.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode d = JSON.readTree(r.body());
        assertEquals("Deployment", d.path("kind").asText());
        assertEquals("3", d.at("/metadata/annotations/deployment.kubernetes.io~1revision").asText());
        assertEquals("berth/busybox:latest", d.at("/spec/template/spec/containers/0/image").asText());
    }

    @Test
    @Order(4)
    void shouldListAndGetReplicaSetsFromTheHistoryAndThePods() throws Exception {
        TaskView v1 = TaskView.newBuilder(ViewFixtures.task("web-aaaaaa-x1", TaskPhase.RUNNING, true, "n1")).setTemplateHash("aaaaaa")
                .setReadyAt(ViewFixtures.T0).setPodIP("172.17.0.9")
                .setContainerStatuses(List.of(ContainerStatus.newBuilder().setName("web").setState("running").setReady(true).setStarted(true)
                        .setRestartCount(2).setStartedAt(ViewFixtures.T0 + 2000).setContainerId("c0ffee").setImage("berth/busybox:latest").build()))
                .build();
        TaskView v2 = TaskView.newBuilder(ViewFixtures.task("web-bbbbbb-x2", TaskPhase.RUNNING, false, "n1")).setTemplateHash("bbbbbb").build();
        produce(Topics.TASKS, v1.getTaskId(), v1);
        produce(Topics.TASKS, v2.getTaskId(), v2);
        eventually(() -> status("GET", "/api/v1/namespaces/default/pods/web-bbbbbb-x2", null) == 200);

        JsonNode list = JSON.readTree(send("GET", "/apis/apps/v1/namespaces/default/replicasets", null).body());
        assertEquals("ReplicaSetList", list.path("kind").asText());
        assertEquals(List.of("done-aaaaaa", "done-bbbbbb", "web-aaaaaa", "web-bbbbbb"), java.util.stream.StreamSupport.stream(list.path("items").spliterator(), false)
                .map(m -> m.at("/metadata/name").asText()).toList(), "sorted by namespace and name");
        JsonNode a = list.path("items").get(2);
        assertEquals("web-aaaaaa", a.at("/metadata/name").asText());
        assertEquals("3", a.at("/metadata/annotations/deployment.kubernetes.io~1revision").asText());
        assertEquals(1, a.at("/status/readyReplicas").asInt());
        assertEquals("Deployment", a.at("/metadata/ownerReferences/0/kind").asText());
        assertEquals("image 2", list.path("items").get(3).at("/metadata/annotations/kubernetes.io~1change-cause").asText());
        assertEquals(2, JSON.readTree(send("GET", "/apis/apps/v1/replicasets?labelSelector=pod-template-hash%3Dbbbbbb", null).body())
                .path("items").size());
        assertEquals(1, JSON.readTree(send("GET", "/apis/apps/v1/replicasets?fieldSelector=metadata.name%3Dweb-bbbbbb", null).body())
                .path("items").size());
        assertEquals(0, JSON.readTree(send("GET", "/apis/apps/v1/namespaces/other/replicasets", null).body()).path("items").size());
        HttpResponse<String> one = send("GET", "/apis/apps/v1/namespaces/default/replicasets/web-bbbbbb", null);
        assertEquals(200, one.statusCode());
        assertEquals("berth/busybox:2", JSON.readTree(one.body()).at("/spec/template/spec/containers/0/image").asText());
        HttpResponse<String> none = send("GET", "/apis/apps/v1/namespaces/default/replicasets/web-cccccc", null);
        assertEquals(404, none.statusCode());
        assertEquals("replicasets.apps \"web-cccccc\" not found", JSON.readTree(none.body()).path("message").asText());
        // time travel is not served for replicasets: refused with the parameter named, never answered with the present
        HttpResponse<String> past = send("GET", "/apis/apps/v1/namespaces/default/replicasets?at=2026-01-01T00:00:00Z", null);
        assertEquals(400, past.statusCode());
        assertTrue(JSON.readTree(past.body()).path("message").asText().startsWith("at: "), past.body());

        JsonNode pod = JSON.readTree(send("GET", "/api/v1/namespaces/default/pods/web-aaaaaa-x1", null).body());
        assertEquals("172.17.0.9", pod.at("/status/podIP").asText());
        assertEquals(2, pod.at("/status/containerStatuses/0/restartCount").asInt());
        assertTrue(pod.at("/status/containerStatuses/0/started").asBoolean());
        assertEquals("docker://c0ffee", pod.at("/status/containerStatuses/0/containerID").asText());
        assertEquals("Ready", pod.at("/status/conditions/1/type").asText());
    }

    @Test
    @Order(5)
    void shouldWatchReplicaSetsAsTheirPodsChange() throws Exception {
        java.util.concurrent.BlockingQueue<JsonNode> events = new java.util.concurrent.LinkedBlockingQueue<>();
        HttpResponse<java.io.InputStream> r = http.send(request((
                "/apis/apps/v1/namespaces/default/replicasets?watch=true&fieldSelector=metadata.name%3Dweb-bbbbbb&timeoutSeconds=20")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        Thread reader = new Thread(() -> {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(r.body()))) {
                String line;
                while ((line = in.readLine()) != null) if (!line.isBlank()) events.add(JSON.readTree(line));
            } catch (Exception ignored) {
                // the stream ends with the test
            }
        });
        reader.setDaemon(true);
        reader.start();
        JsonNode added = events.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertNotNull(added, "the current ReplicaSet as ADDED");
        assertEquals("ADDED", added.path("type").asText());
        assertEquals(1, added.at("/object/status/replicas").asInt());
        TaskView v3 = TaskView.newBuilder(ViewFixtures.task("web-bbbbbb-x3", TaskPhase.RUNNING, true, "n1")).setTemplateHash("bbbbbb").build();
        produce(Topics.TASKS, v3.getTaskId(), v3);
        JsonNode modified = events.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertNotNull(modified, "a MODIFIED once a pod of the revision appears");
        assertEquals("MODIFIED", modified.path("type").asText());
        assertEquals("web-bbbbbb", modified.at("/object/metadata/name").asText());
        assertEquals(2, modified.at("/object/status/replicas").asInt());
        assertEquals(1, modified.at("/object/status/readyReplicas").asInt());
        produce(Topics.WORKLOADS, "default/deployment/web", WorkloadView.newBuilder(web(3, "aaaaaa", "")).setDeleted(true).build());
        JsonNode deleted = events.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertNotNull(deleted, "DELETED once the deployment is gone");
        assertEquals("DELETED", deleted.path("type").asText());
        assertEquals("web-bbbbbb", deleted.at("/object/metadata/name").asText());
    }
}
