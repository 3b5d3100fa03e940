package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.view.ViewFixtures;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.*;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Services and Endpoints over the REST API on a real broker with the real state-streams (its
 * endpoints controller allocates); pods are produced as task views directly.
 */
class ServicesApiTest extends GatewayApiFixture {
    static final String WEB = """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: svc}
            spec:
              type: NodePort
              selector: {app: web}
              ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
            """;
    static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: svc}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: berth/busybox:latest, ports: [{containerPort: 8080}]}]
            """;

    /** What the scheduler (ASSIGNED) and the node (RUNNING/READY with pod IP and published port) report. */
    static TaskStatus status(String pod, TaskState state, String ip, int hostPort) {
        TaskStatus.Builder s = TaskStatus.newBuilder().setTaskId(pod).setWorkloadKey("svc/deployment/web").setNodeId("n1").setState(state)
                .setPodIP(ip);
        if (state != TaskState.ASSIGNED) {
            s.setContainerId("c-" + pod).setPublishedPorts(List.of(PublishedPort.newBuilder().setContainerPort(8080).setHostPort(hostPort).build()));
        }
        return s.build();
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(request((path)).header("content-type", "application/yaml")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode quietly(String path) {
        try {
            return getJson(path);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    @Test
    void servesServicesWithTheirAllocationAndEndpointsOfTheirPods() throws Exception {
        java.util.concurrent.BlockingQueue<JsonNode> watched = watch("/api/v1/namespaces/svc/services?watch=true");
        java.util.concurrent.BlockingQueue<JsonNode> endpointEvents = watch("/api/v1/namespaces/svc/endpoints?watch=true");
        HttpResponse<String> created = send("POST", "/api/v1/namespaces/svc/services", WEB);
        assertEquals(201, created.statusCode(), created.body());
        eventually(() -> quietly("/api/v1/namespaces/svc/services/web").path("spec").path("clusterIP").asText().startsWith("10.96."));
        JsonNode svc = getJson("/api/v1/namespaces/svc/services/web");
        String ip = svc.path("spec").path("clusterIP").asText();
        assertEquals(ip, svc.path("spec").path("clusterIPs").get(0).asText());
        assertEquals("NodePort", svc.path("spec").path("type").asText());
        assertEquals(30080, svc.path("spec").path("ports").get(0).path("nodePort").asInt());
        assertEquals(List.of("web"), names(getJson("/api/v1/namespaces/svc/services")));

        // no pods yet: the endpoints object exists, without subsets
        eventually(() -> get404("/api/v1/namespaces/svc/endpoints/web") == 200);
        assertTrue(getJson("/api/v1/namespaces/svc/endpoints/web").path("subsets").isMissingNode());

        // two pods of a deployment, through the real workload controller: one ready, one running but not ready
        produce(Topics.NODES, "n1", ViewFixtures.node("n1", true, false));
        assertEquals(201, send("POST", "/apis/apps/v1/namespaces/svc/deployments", DEPLOYMENT).statusCode());
        eventually(() -> quietly("/api/v1/namespaces/svc/pods").path("items").size() == 2);
        List<String> pods = names(getJson("/api/v1/namespaces/svc/pods"));
        for (String pod : pods) produce(Topics.TASK_STATUS, "svc/deployment/web", status(pod, TaskState.ASSIGNED, "", 0));
        produce(Topics.TASK_STATUS, "svc/deployment/web", status(pods.get(0), TaskState.READY, "172.17.0.2", 40001));
        produce(Topics.TASK_STATUS, "svc/deployment/web", status(pods.get(1), TaskState.RUNNING, "172.17.0.3", 40002));
        // node addresses reach the endpoints controller with the next tick on berth.ticks (not at once from the nodes view)
        eventually(() -> quietly("/api/v1/namespaces/svc/endpoints/web").path("subsets").path(0).has("notReadyAddresses")
                && quietly("/api/v1/namespaces/svc/endpoints/web").path("metadata").path("annotations").path("berth.io/backends").asText().startsWith("10.0.0.1:"));
        JsonNode ep = getJson("/api/v1/namespaces/svc/endpoints/web");
        assertEquals("Endpoints", ep.path("kind").asText());
        JsonNode subset = ep.path("subsets").get(0);
        assertEquals("172.17.0.2", subset.path("addresses").get(0).path("ip").asText());
        assertEquals("n1", subset.path("addresses").get(0).path("nodeName").asText());
        assertEquals("Pod", subset.path("addresses").get(0).path("targetRef").path("kind").asText());
        assertEquals(pods.get(0), subset.path("addresses").get(0).path("targetRef").path("name").asText());
        assertEquals("172.17.0.3", subset.path("notReadyAddresses").get(0).path("ip").asText());
        assertEquals(8080, subset.path("ports").get(0).path("port").asInt());
        assertEquals("http", subset.path("ports").get(0).path("name").asText());
        assertEquals("10.0.0.1:40001", ep.path("metadata").path("annotations").path("berth.io/backends").asText());
        assertEquals("EndpointsList", getJson("/api/v1/namespaces/svc/endpoints").path("kind").asText());
        assertEquals(List.of("web"), names(getJson("/api/v1/endpoints")));

        // watchers saw the service with its cluster IP (ADDED, or a MODIFIED once the allocation arrived) and the endpoints change
        assertTrue(drainUntil(watched, e -> e.path("object").path("spec").path("clusterIP").asText().equals(ip)));
        assertTrue(drainUntil(endpointEvents, e -> e.path("type").asText().equals("MODIFIED")
                && e.path("object").path("subsets").path(0).path("addresses").size() == 1));

        // another service asking for the same node port is refused as Kubernetes does
        HttpResponse<String> clash = send("POST", "/api/v1/namespaces/svc/services", WEB.replace("name: web,", "name: api,"));
        assertEquals(422, clash.statusCode(), clash.body());
        assertEquals("Service \"api\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated",
                JSON.readTree(clash.body()).path("message").asText());
        // re-applying the service itself (as get -o yaml gives it, with its cluster IP) is fine and keeps the IP
        HttpResponse<String> again = send("POST", "/apis/berth.io/v1/apply", WEB.replace("type: NodePort", "type: NodePort\n  clusterIP: " + ip));
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(ip, getJson("/api/v1/namespaces/svc/services/web").path("spec").path("clusterIP").asText());

        assertEquals(200, send("DELETE", "/api/v1/namespaces/svc/services/web", "").statusCode());
        eventually(() -> get404("/api/v1/namespaces/svc/endpoints/web") == 404);
        eventually(() -> get404("/api/v1/namespaces/svc/services/web") == 404);
    }

    /** A chunked watch whose events land on a queue (the stream stays open until the test ends). */
    java.util.concurrent.BlockingQueue<JsonNode> watch(String path) throws Exception {
        java.util.concurrent.BlockingQueue<JsonNode> q = new java.util.concurrent.LinkedBlockingQueue<>();
        HttpResponse<java.io.InputStream> r = http.send(request((path)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        Thread t = new Thread(() -> {
            try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(r.body(), java.nio.charset.StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) if (!line.isBlank()) q.add(JSON.readTree(line));
            } catch (Exception ignored) {
                // closed
            }
        });
        t.setDaemon(true);
        t.start();
        return q;
    }

    static boolean drainUntil(java.util.concurrent.BlockingQueue<JsonNode> q, java.util.function.Predicate<JsonNode> p) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            JsonNode e = q.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (e != null && p.test(e)) return true;
        }
        return false;
    }

    int get404(String path) {
        try {
            return get(path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static List<String> names(JsonNode list) {
        List<String> out = new java.util.ArrayList<>();
        list.path("items").forEach(i -> out.add(i.path("metadata").path("name").asText()));
        return out;
    }
}
