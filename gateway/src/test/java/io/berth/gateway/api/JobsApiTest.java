package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.JobStatus;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.WorkloadView;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * batch/v1 Jobs through the gateway on a real broker (the test plays state-streams by producing the views):
 * discovery and OpenAPI name them, list/get/Table read them, writes are validated (422 in Kubernetes' words,
 * a changed template of an existing Job refused as immutable) and produced as intents.
 */
class JobsApiTest extends GatewayApiFixture {
    static final String JOBS = "/apis/batch/v1/namespaces/default/jobs";

    @Override
    boolean withStateStreams() {
        return false;
    }

    static String manifest(String name, String image, String restartPolicy) {
        return """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: %s}
                spec:
                  completions: 2
                  template:
                    spec:
                      restartPolicy: %s
                      containers: [{name: main, image: %s, command: [echo, hi]}]
                """.formatted(name, restartPolicy, image);
    }

    /** The view state-streams would write for the job of {@code manifest}, complete. */
    static WorkloadView view(String manifest) {
        Intent i = new ManifestParser().parse("", manifest).intents().get(0);
        long t = System.currentTimeMillis() - 60_000;
        return WorkloadView.newBuilder().setKey(Topics.resourceKey("default", ResourceKind.JOB, i.getName())).setKind(ResourceKind.JOB)
                .setNamespace("default").setName(i.getName()).setUid("uid-" + i.getName()).setLabels(i.getLabels())
                .setGeneration(1).setCreatedAt(t).setUpdatedAt(t).setResourceVersion("1")
                .setDeployment((DeploymentSpec) i.getPayload()).setJob(i.getJob())
                .setJobStatus(JobStatus.newBuilder().setSucceeded(2).setStartTime(t).setCompletionTime(t + 30_000).build())
                .setConditions(List.of(new Condition("Complete", "True", "Completed", "Reached expected number of succeeded pods", t + 30_000)))
                .build();
    }

    HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder b = request(path).header("Content-Type", contentType);
        return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldListBatchV1JobsInDiscoveryAndOpenApi() throws Exception {
        assertTrue(getJson("/apis").path("groups").findValuesAsText("name").contains("batch"));
        assertEquals("batch/v1", getJson("/apis/batch").path("preferredVersion").path("groupVersion").asText());
        JsonNode jobs = resource(getJson("/apis/batch/v1"), "jobs");
        assertEquals("jobs", jobs.path("name").asText());
        assertEquals("Job", jobs.path("kind").asText());
        assertTrue(jobs.path("namespaced").asBoolean());
        assertEquals(List.of("create", "delete", "get", "list", "patch", "update", "watch"),
                toList(jobs.path("verbs")));
        assertEquals(List.of("all"), toList(jobs.path("categories")));
        assertFalse(jobs.has("shortNames"));
        HttpResponse<String> aggregated = http.send(request("/apis")
                .header("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList").build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(aggregated.body().contains("{\"metadata\":{\"name\":\"batch\"},\"versions\":[{\"version\":\"v1\",\"resources\":[{\"resource\":\"cronjobs\""),
                aggregated.body());
        assertTrue(aggregated.body().contains("{\"resource\":\"jobs\""), aggregated.body());
        JsonNode schemas = getJson("/openapi/v3/apis/batch/v1").path("components").path("schemas");
        JsonNode job = schemas.path("io.k8s.api.batch.v1.Job");
        assertEquals("Job", job.path("x-kubernetes-group-version-kind").get(0).path("kind").asText());
        assertTrue(schemas.path("io.k8s.api.batch.v1.JobSpec").path("properties").has("completions"));
        assertTrue(getJson("/openapi/v3").path("paths").has("apis/batch/v1"));
    }

    /** The resource named {@code name} of an APIResourceList (kube-apiserver lists them by name: cronjobs before jobs). */
    static JsonNode resource(JsonNode resourceList, String name) {
        for (JsonNode r : resourceList.path("resources")) if (r.path("name").asText().equals(name)) return r;
        fail("no resource " + name + " in " + resourceList);
        return null;
    }

    static List<String> toList(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void shouldServeAJobAsListGetAndTable() throws Exception {
        produce(Topics.WORKLOADS, "default/job/pi", view(manifest("pi", "perl:5.34", "Never")));
        eventually(() -> {
            try {
                return get(JOBS + "/pi").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode job = getJson(JOBS + "/pi");
        assertEquals("batch/v1", job.path("apiVersion").asText());
        assertEquals("Complete", job.path("status").path("conditions").get(0).path("type").asText());
        JsonNode list = getJson("/apis/batch/v1/jobs");
        assertEquals("JobList", list.path("kind").asText());
        assertTrue(list.path("items").findValuesAsText("name").contains("pi"));
        HttpResponse<String> table = http.send(request(JOBS).header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode t = JSON.readTree(table.body());
        assertEquals(List.of("Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"),
                t.path("columnDefinitions").findValuesAsText("name"));
        JsonNode cells = t.path("rows").get(0).path("cells");
        assertEquals("pi", cells.get(0).asText());
        assertEquals("Complete", cells.get(1).asText());
        assertEquals("2/2", cells.get(2).asText());
        assertEquals("30s", cells.get(3).asText());
        HttpResponse<String> missing = get(JOBS + "/nope");
        assertEquals(404, missing.statusCode());
        assertEquals("jobs.batch \"nope\" not found", JSON.readTree(missing.body()).path("message").asText());
    }

    @Test
    void shouldRefuseAnInvalidJobInKubernetesWords() throws Exception {
        HttpResponse<String> r = send("POST", JOBS, "application/yaml", manifest("bad", "busybox", "Always"));
        assertEquals(422, r.statusCode(), r.body());
        JsonNode s = JSON.readTree(r.body());
        assertEquals("Job.batch \"bad\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Always\": "
                + "supported values: \"OnFailure\", \"Never\"", s.path("message").asText());
        assertEquals("batch", s.path("details").path("group").asText());
        assertEquals("Job", s.path("details").path("kind").asText());
        assertEquals("spec.template.spec.restartPolicy", s.path("details").path("causes").get(0).path("field").asText());
    }

    @Test
    void shouldRefuseAChangedTemplateOfAnExistingJobAsImmutable() throws Exception {
        produce(Topics.WORKLOADS, "default/job/fixed", view(manifest("fixed", "perl:5.34", "Never")));
        eventually(() -> {
            try {
                return get(JOBS + "/fixed").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        HttpResponse<String> r = send("PUT", JOBS + "/fixed", "application/yaml", manifest("fixed", "perl:5.36", "Never"));
        assertEquals(422, r.statusCode(), r.body());
        String message = JSON.readTree(r.body()).path("message").asText();
        assertTrue(message.startsWith("Job.batch \"fixed\" is invalid: spec.template: Invalid value: {"), message);
        assertTrue(message.contains("perl:5.36") && message.endsWith(": field is immutable"), message);
        HttpResponse<String> completions = send("PUT", JOBS + "/fixed", "application/yaml",
                manifest("fixed", "perl:5.34", "Never").replace("completions: 2", "completions: 3"));
        assertEquals(422, completions.statusCode(), completions.body());
        assertEquals("Job.batch \"fixed\" is invalid: spec.completions: Invalid value: 3: field is immutable",
                JSON.readTree(completions.body()).path("message").asText());
        // what may change: parallelism (and suspend, deadlines): produced as an intent
        HttpResponse<String> scaled = send("PUT", JOBS + "/fixed?wait=false", "application/yaml",
                manifest("fixed", "perl:5.34", "Never").replace("completions: 2", "completions: 2\n  parallelism: 2"));
        assertEquals(202, scaled.statusCode(), scaled.body());
        assertEquals("default/job/fixed", JSON.readTree(scaled.body()).path("key").asText());
        // a Job's pods go with it: Orphan is refused rather than ignored
        HttpResponse<String> orphan = send("DELETE", JOBS + "/fixed?propagationPolicy=Orphan", "application/json", null);
        assertEquals(400, orphan.statusCode(), orphan.body());
    }

    @Test
    void shouldProduceTheIntentOfANewJob() throws Exception {
        HttpResponse<String> r = send("POST", JOBS + "?wait=false", "application/yaml", manifest("fresh", "busybox", "OnFailure"));
        assertEquals(202, r.statusCode(), r.body());
        JsonNode receipt = JSON.readTree(r.body());
        assertEquals("APPLY", receipt.path("action").asText());
        assertEquals("default/job/fresh", receipt.path("key").asText());
    }
}
