package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.CronJobStatus;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.WorkloadView;
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
 * batch/v1 CronJobs through the gateway on a real broker (the test plays state-streams by producing the views):
 * discovery and OpenAPI name them, list/get/Table read them, writes are validated (422 in Kubernetes' words) and
 * produced as intents, and a Job posted as {@code kubectl create job --from=cronjob/NAME} posts it (owned by the
 * CronJob) becomes a JOB intent carrying the owner annotation.
 */
class CronJobsApiTest extends GatewayApiFixture {
    static final String CRONJOBS = "/apis/batch/v1/namespaces/default/cronjobs";

    @Override
    boolean withStateStreams() {
        return false;
    }

    static String manifest(String name, String schedule) {
        return """
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: %s}
                spec:
                  schedule: "%s"
                  jobTemplate:
                    metadata: {labels: {kind: report}}
                    spec:
                      template:
                        spec:
                          restartPolicy: OnFailure
                          containers: [{name: main, image: busybox, command: [date]}]
                """.formatted(name, schedule);
    }

    /** The view state-streams would write for the CronJob of {@code manifest}, with one active job. */
    static WorkloadView view(String manifest) {
        Intent i = new ManifestParser().parse("", manifest).intents().get(0);
        long t = System.currentTimeMillis() - 7_200_000; // two hours ago, scheduled 30 minutes ago
        return WorkloadView.newBuilder().setKey(Topics.resourceKey("default", ResourceKind.CRONJOB, i.getName())).setKind(ResourceKind.CRONJOB)
                .setNamespace("default").setName(i.getName()).setUid("uid-" + i.getName()).setLabels(i.getLabels())
                .setGeneration(1).setCreatedAt(t).setUpdatedAt(t).setResourceVersion("1")
                .setDeployment((DeploymentSpec) i.getPayload()).setCronJob(i.getCronJob())
                .setCronJobStatus(CronJobStatus.newBuilder().setActive(List.of(i.getName() + "-1")).setLastScheduleTime(t + 5_400_000)
                        .setJobs(Map.of(i.getName() + "-1", "Active")).build())
                .build();
    }

    HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder b = request(path).header("Content-Type", contentType);
        return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    void await(String path) throws InterruptedException {
        eventually(() -> {
            try {
                return get(path).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    List<Intent> intents() {
        try (KafkaConsumer<String, Intent> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringDeserializer(), serdes.value(Intent.class).deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.INTENTS.name()).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<Intent> out = new ArrayList<>();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                for (ConsumerRecord<String, Intent> r : c.poll(Duration.ofMillis(200))) out.add(r.value());
            }
            return out;
        }
    }

    @Test
    void shouldListCronJobsInDiscoveryAndOpenApi() throws Exception {
        JsonNode cronJobs = JobsApiTest.resource(getJson("/apis/batch/v1"), "cronjobs");
        assertEquals("CronJob", cronJobs.path("kind").asText());
        assertEquals("cronjob", cronJobs.path("singularName").asText());
        assertTrue(cronJobs.path("namespaced").asBoolean());
        assertEquals(List.of("create", "delete", "get", "list", "patch", "update", "watch"), JobsApiTest.toList(cronJobs.path("verbs")));
        assertEquals(List.of("cj"), JobsApiTest.toList(cronJobs.path("shortNames")));
        assertEquals(List.of("all"), JobsApiTest.toList(cronJobs.path("categories")));
        JsonNode schemas = getJson("/openapi/v3/apis/batch/v1").path("components").path("schemas");
        assertEquals("CronJob", schemas.path("io.k8s.api.batch.v1.CronJob").path("x-kubernetes-group-version-kind").get(0).path("kind").asText());
        assertTrue(schemas.path("io.k8s.api.batch.v1.CronJobSpec").path("properties").has("schedule"));
        assertTrue(schemas.path("io.k8s.api.batch.v1.JobTemplateSpec").path("properties").has("spec"));
        assertTrue(getJson("/openapi/v3/apis/batch/v1").path("paths").has("/apis/batch/v1/namespaces/{namespace}/cronjobs/{name}"),
                getJson("/openapi/v3/apis/batch/v1").path("paths").fieldNames().next());
    }

    @Test
    void shouldServeACronJobAsListGetAndTable() throws Exception {
        produce(Topics.WORKLOADS, "default/cronjob/nightly", view(manifest("nightly", "0 3 * * *")));
        await(CRONJOBS + "/nightly");
        JsonNode cj = getJson(CRONJOBS + "/nightly");
        assertEquals("batch/v1", cj.path("apiVersion").asText());
        assertEquals("0 3 * * *", cj.path("spec").path("schedule").asText());
        assertEquals("nightly-1", cj.path("status").path("active").get(0).path("name").asText());
        JsonNode list = getJson("/apis/batch/v1/cronjobs");
        assertEquals("CronJobList", list.path("kind").asText());
        assertTrue(list.path("items").findValuesAsText("name").contains("nightly"));
        // a CronJob is no Job: the jobs list does not show it
        assertFalse(getJson("/apis/batch/v1/jobs").path("items").findValuesAsText("name").contains("nightly"));
        HttpResponse<String> table = http.send(request(CRONJOBS).header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode t = JSON.readTree(table.body());
        assertEquals(List.of("Name", "Schedule", "Timezone", "Suspend", "Active", "Last schedule", "Age", "Containers", "Images", "Selector"),
                t.path("columnDefinitions").findValuesAsText("name"));
        JsonNode cells = t.path("rows").get(0).path("cells");
        assertEquals(List.of("nightly", "0 3 * * *", "<none>", "False", "1", "30m", "120m"),
                List.of(cells.get(0).asText(), cells.get(1).asText(), cells.get(2).asText(), cells.get(3).asText(), cells.get(4).asText(),
                        cells.get(5).asText(), cells.get(6).asText()));
        HttpResponse<String> missing = get(CRONJOBS + "/nope");
        assertEquals(404, missing.statusCode());
        assertEquals("cronjobs.batch \"nope\" not found", JSON.readTree(missing.body()).path("message").asText());
        // its jobs go with it: Orphan is refused rather than ignored
        HttpResponse<String> orphan = send("DELETE", CRONJOBS + "/nightly?propagationPolicy=Orphan", "application/json", null);
        assertEquals(400, orphan.statusCode(), orphan.body());
        assertTrue(orphan.body().contains("a CronJob's jobs and their pods are deleted with it"), orphan.body());
    }

    @Test
    void shouldRefuseAnInvalidCronJobInKubernetesWords() throws Exception {
        HttpResponse<String> r = send("POST", CRONJOBS, "application/yaml", manifest("bad", "61 * * * *"));
        assertEquals(422, r.statusCode(), r.body());
        JsonNode s = JSON.readTree(r.body());
        assertTrue(s.path("message").asText().startsWith("CronJob.batch \"bad\" is invalid: spec.schedule: Invalid value: \"61 * * * *\": "),
                s.path("message").asText());
        assertEquals("batch", s.path("details").path("group").asText());
        assertEquals("CronJob", s.path("details").path("kind").asText());
        assertEquals("spec.schedule", s.path("details").path("causes").get(0).path("field").asText());
        HttpResponse<String> policy = send("POST", CRONJOBS, "application/yaml",
                manifest("bad", "@daily").replace("  schedule:", "  concurrencyPolicy: Never\n  schedule:"));
        assertEquals(422, policy.statusCode(), policy.body());
        assertEquals("CronJob.batch \"bad\" is invalid: spec.concurrencyPolicy: Unsupported value: \"Never\": supported values: "
                + "\"Allow\", \"Forbid\", \"Replace\"", JSON.readTree(policy.body()).path("message").asText());
        HttpResponse<String> longName = send("POST", CRONJOBS, "application/yaml", manifest("n".repeat(53), "@daily"));
        assertEquals(422, longName.statusCode(), longName.body());
        assertTrue(JSON.readTree(longName.body()).path("message").asText().endsWith("must be no more than 52 characters"), longName.body());
    }

    @Test
    void shouldProduceTheIntentOfANewCronJob() throws Exception {
        HttpResponse<String> r = send("POST", CRONJOBS + "?wait=false", "application/yaml", manifest("fresh", "*/10 * * * *"));
        assertEquals(202, r.statusCode(), r.body());
        JsonNode receipt = JSON.readTree(r.body());
        assertEquals("APPLY", receipt.path("action").asText());
        assertEquals("default/cronjob/fresh", receipt.path("key").asText());
        HttpResponse<String> delete404 = send("DELETE", CRONJOBS + "/absent", "application/json", null);
        assertEquals(404, delete404.statusCode());
    }

    /** What kubectl create job NAME --from=cronjob/CJ does: GET the CronJob, POST a Job of its jobTemplate, owned by it. */
    @Test
    void shouldCreateAJobFromACronJobAsKubectlDoes() throws Exception {
        produce(Topics.WORKLOADS, "default/cronjob/backup", view(manifest("backup", "@hourly")));
        await(CRONJOBS + "/backup");
        JsonNode cj = getJson(CRONJOBS + "/backup");
        ObjectNode job = JSON.createObjectNode().put("kind", "Job").put("apiVersion", "batch/v1");
        ObjectNode meta = job.putObject("metadata").put("name", "backup-manual");
        ObjectNode annotations = meta.putObject("annotations").put("cronjob.kubernetes.io/instantiate", "manual");
        cj.path("spec").path("jobTemplate").path("metadata").path("annotations").fields()
                .forEachRemaining(e -> annotations.set(e.getKey(), e.getValue()));
        meta.set("labels", cj.path("spec").path("jobTemplate").path("metadata").path("labels"));
        ArrayNode owners = meta.putArray("ownerReferences");
        owners.addObject().put("apiVersion", "batch/v1").put("kind", "CronJob").put("name", "backup")
                .put("uid", cj.path("metadata").path("uid").asText()).put("controller", true);
        job.set("spec", cj.path("spec").path("jobTemplate").path("spec"));
        job.putObject("status");
        HttpResponse<String> r = send("POST", "/apis/batch/v1/namespaces/default/jobs?wait=false&fieldManager=kubectl-create&fieldValidation=Strict",
                "application/json", job.toString());
        assertEquals(202, r.statusCode(), r.body());
        assertEquals("default/job/backup-manual", JSON.readTree(r.body()).path("key").asText());
        Intent produced = intents().stream().filter(i -> i.getKind() == ResourceKind.JOB && i.getName().equals("backup-manual"))
                .findFirst().orElseThrow();
        assertEquals(IntentAction.APPLY, produced.getAction());
        assertEquals("CronJob/backup", produced.getAnnotations().get(Topics.OWNER_ANNOTATION));
        assertEquals("manual", produced.getAnnotations().get("cronjob.kubernetes.io/instantiate"));
        assertEquals(Map.of("kind", "report"), produced.getLabels());
        assertEquals("backup-manual", ((DeploymentSpec) produced.getPayload()).getTemplate().getLabels().get("batch.kubernetes.io/job-name"));
        assertEquals(1, produced.getJob().getCompletions());
    }
}
