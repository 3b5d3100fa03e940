package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.schemas.service.BerthConfig;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The admission policy on the real gateway (and state-streams) over a real broker: the issue's
 * hostile request is refused 403 naming the rule and the field; the allow-list, a namespace
 * labelled privileged and every write path that carries a pod template.
 */
class AdmissionApiTest extends GatewayApiFixture {
    /** The request: a Deployment mounting the host's root read-write at /host. */
    static String hostile(String ns, String name, String hostPath) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s, namespace: %s}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      containers:
                      - {name: sh, image: berth/busybox:latest, volumeMounts: [{name: host, mountPath: /host}]}
                      volumes:
                      - {name: host, hostPath: {path: %s}}
                """.formatted(name, ns, name, name, hostPath);
    }

    static String hostPortPod(String ns, String name, int hostPort) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, namespace: %s}
                spec:
                  containers: [{name: web, image: berth/busybox:latest, ports: [{containerPort: 80, hostPort: %d}]}]
                """.formatted(name, ns, hostPort);
    }

    @Override
    BerthConfig configure(BerthConfig config) {
        return config.with("admission.host-paths", "/data,/srv");
    }

    HttpResponse<String> send(String method, String path, String type, String body) throws Exception {
        return http.send(request(path).header("content-type", type).method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> apply(String manifest) throws Exception {
        return send("POST", "/apis/berth.io/v1/apply", "application/yaml", manifest);
    }

    @Test
    void shouldRefuseTheHostileRequest403NamingTheRuleAndTheFieldAndWriteNothing() throws Exception {
        HttpResponse<String> r = apply(hostile("adm", "evil", "/"));
        System.out.println("refusal: HTTP " + r.statusCode() + " " + r.body()); // the README quotes it
        assertEquals(403, r.statusCode(), r.body());
        JsonNode s = JSON.readTree(r.body());
        assertEquals("Forbidden", s.path("reason").asText());
        assertEquals("deployments.apps \"evil\" is forbidden: violates PodSecurity \"baseline:latest\": hostPath volumes "
                + "(spec.template.spec.volumes[0].hostPath.path: volume \"host\" mounts \"/\", not under admission.host-paths [/data, /srv])",
                s.path("message").asText());
        // climbing out of an allowed directory is the same path
        assertEquals(403, apply(hostile("adm", "evil", "/data/../etc")).statusCode());
        assertEquals(404, get("/apis/apps/v1/namespaces/adm/deployments/evil").statusCode(), "nothing was written");
    }

    @Test
    void shouldAdmitAHostPathUnderTheAllowList() throws Exception {
        HttpResponse<String> r = apply(hostile("adm", "www", "/srv/www"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(201, JSON.readTree(r.body()).path("items").path(0).path("code").asInt(201), r.body());
        assertEquals(200, get("/apis/apps/v1/namespaces/adm/deployments/www").statusCode());
    }

    @Test
    void shouldRefuseHostPort80OnEveryWritePath() throws Exception {
        HttpResponse<String> pod = send("POST", "/api/v1/namespaces/adm/pods", "application/yaml", hostPortPod("adm", "web", 80));
        assertEquals(403, pod.statusCode(), pod.body());
        assertTrue(JSON.readTree(pod.body()).path("message").asText().startsWith("pods \"web\" is forbidden: violates PodSecurity \"baseline:latest\": "
                + "hostPort (spec.containers[0].ports[0].hostPort: container \"web\" uses hostPort 80, below 1024)"), pod.body());
        assertEquals(200, apply(hostPortPod("adm", "web8080", 8080)).statusCode(), "8080 is allowed at baseline");

        // a merge patch that adds a hostPath to an admitted deployment is refused too
        assertEquals(200, apply(hostile("adm", "patched", "/data")).statusCode());
        String patch = "{\"spec\":{\"template\":{\"spec\":{\"volumes\":[{\"name\":\"host\",\"hostPath\":{\"path\":\"/\"}}]}}}}";
        HttpResponse<String> p = send("PATCH", "/apis/apps/v1/namespaces/adm/deployments/patched", "application/merge-patch+json", patch);
        assertEquals(403, p.statusCode(), p.body());
        HttpResponse<String> put = send("PUT", "/apis/apps/v1/namespaces/adm/deployments/patched", "application/yaml", hostile("adm", "patched", "/etc"));
        assertEquals(403, put.statusCode(), put.body());
    }

    @Test
    void shouldRefuseAPrivilegedContainerAtBaselineRatherThanDropTheField() throws Exception {
        String privileged = hostPortPod("adm", "root", 8080).replace("ports:", "securityContext: {privileged: true}, ports:");
        HttpResponse<String> r = apply(privileged);
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("pods \"root\" is forbidden: violates PodSecurity \"baseline:latest\": privileged "
                + "(spec.containers[0].securityContext.privileged: container \"web\" must not set securityContext.privileged=true)",
                JSON.readTree(r.body()).path("message").asText());
    }

    @Test
    void shouldAdmitAnythingInANamespaceLabelledPrivilegedAsKubectlLabelDoes() throws Exception {
        HttpResponse<String> created = send("POST", "/api/v1/namespaces", "application/yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: ops}\n");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals(403, apply(hostile("ops", "agent", "/")).statusCode(), "baseline without the label");

        // kubectl label ns ops pod-security.berth.io/enforce=privileged
        HttpResponse<String> labelled = send("PATCH", "/api/v1/namespaces/ops", "application/merge-patch+json",
                "{\"metadata\":{\"labels\":{\"pod-security.berth.io/enforce\":\"privileged\"}}}");
        assertEquals(200, labelled.statusCode(), labelled.body());
        assertEquals("privileged", getJson("/api/v1/namespaces/ops").path("metadata").path("labels").path("pod-security.berth.io/enforce").asText());

        HttpResponse<String> r = apply(hostile("ops", "agent", "/"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("Deployment", JSON.readTree(r.body()).path("items").path(0).path("kind").asText(), "state-streams applied it: " + r.body());
        assertEquals(200, get("/apis/apps/v1/namespaces/ops/deployments/agent").statusCode());
    }

    @Test
    void shouldTakeTheLevelOfANamespaceAppliedInTheSameManifest() throws Exception {
        String restricted = "apiVersion: v1\nkind: Namespace\nmetadata: {name: tight, labels: {pod-security.berth.io/enforce: restricted}}\n---\n";
        HttpResponse<String> r = apply(restricted + hostile("tight", "d", "/data"));
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(JSON.readTree(r.body()).path("message").asText().contains("violates PodSecurity \"restricted:latest\": restricted volume types"), r.body());
        assertEquals(404, get("/api/v1/namespaces/tight").statusCode(), "nothing of the request was written");

        // privileged in the same manifest: the gateway admits it and applies the namespace first, so
        // state-streams (which admits by the namespace views) applies the deployment too
        String privileged = "apiVersion: v1\nkind: Namespace\nmetadata: {name: node-agents, labels: {pod-security.berth.io/enforce: privileged}}\n---\n";
        HttpResponse<String> ok = apply(privileged + hostile("node-agents", "agent", "/"));
        assertEquals(200, ok.statusCode(), ok.body());
        JsonNode items = JSON.readTree(ok.body()).path("items");
        assertEquals("Namespace", items.path(0).path("kind").asText(), ok.body());
        assertEquals("Deployment", items.path(1).path("kind").asText(), "applied, not dead-lettered: " + ok.body());
    }
}
