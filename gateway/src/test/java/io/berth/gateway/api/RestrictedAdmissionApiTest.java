package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@code restricted} level on the real gateway and state-streams over a real broker: a pod
 * running as the image's root user is refused 403 in Kubernetes' words, one with a compliant
 * securityContext is admitted and reads back with it; bad securityContext values are 422.
 */
class RestrictedAdmissionApiTest extends GatewayApiFixture {
    static final String NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: {name: tight, labels: {pod-security.berth.io/enforce: restricted}}\n";

    static String deployment(String name, String podSecurityContext, String containerSecurityContext) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s, namespace: tight}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      securityContext: %s
                      containers:
                      - name: app
                        image: berth/busybox:latest
                        securityContext: %s
                """.formatted(name, name, name, podSecurityContext, containerSecurityContext);
    }

    HttpResponse<String> apply(String manifest) throws Exception {
        return http.send(request("/apis/berth.io/v1/apply").header("content-type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(manifest)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldRefuseARootPodAndAdmitACompliantOneReadingItsSecurityContextBack() throws Exception {
        assertEquals(200, apply(NAMESPACE).statusCode());

        HttpResponse<String> root = apply(deployment("root", "{}", "{}"));
        System.out.println("refusal: HTTP " + root.statusCode() + " " + root.body()); // the README quotes it
        assertEquals(403, root.statusCode(), root.body());
        JsonNode s = JSON.readTree(root.body());
        assertEquals("Forbidden", s.path("reason").asText());
        assertEquals("deployments.apps \"root\" is forbidden: violates PodSecurity \"restricted:latest\": "
                + "unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), "
                + "runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), "
                + "seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")",
                s.path("message").asText());
        assertEquals(404, get("/apis/apps/v1/namespaces/tight/deployments/root").statusCode(), "nothing was written");

        HttpResponse<String> user0 = apply(deployment("zero", "{runAsNonRoot: true, runAsUser: 0, seccompProfile: {type: RuntimeDefault}}",
                "{capabilities: {drop: [ALL], add: [SYS_ADMIN]}}"));
        assertEquals(403, user0.statusCode(), user0.body());
        assertTrue(JSON.readTree(user0.body()).path("message").asText().endsWith(": unrestricted capabilities (container \"app\" must not include "
                + "\"SYS_ADMIN\" in securityContext.capabilities.add), runAsUser=0 (pod must not set runAsUser=0)"), user0.body());

        HttpResponse<String> ok = apply(deployment("ok", "{runAsNonRoot: true, runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, seccompProfile: {type: RuntimeDefault}}",
                "{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}"));
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("Deployment", JSON.readTree(ok.body()).path("items").path(0).path("kind").asText(), "applied, not dead-lettered: " + ok.body());
        JsonNode spec = getJson("/apis/apps/v1/namespaces/tight/deployments/ok").path("spec").path("template").path("spec");
        assertEquals("{\"runAsUser\":1000,\"runAsGroup\":3000,\"runAsNonRoot\":true,\"fsGroup\":2000,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}",
                spec.path("securityContext").toString());
        assertEquals("{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"add\":[\"NET_BIND_SERVICE\"],\"drop\":[\"ALL\"]},\"readOnlyRootFilesystem\":true}",
                spec.path("containers").path(0).path("securityContext").toString());
    }

    @Test
    void shouldRefuseBadSecurityContextValues422NamingTheField() throws Exception {
        HttpResponse<String> r = apply(deployment("bad", "{runAsUser: -1, seccompProfile: {type: Loose}}", "{seccompProfile: {type: Localhost}}")
                .replace("namespace: tight", "namespace: default"));
        assertEquals(422, r.statusCode(), r.body());
        String causes = JSON.readTree(r.body()).path("details").path("causes").toString();
        assertTrue(causes.contains("spec.template.spec.securityContext.runAsUser"), causes);
        assertTrue(causes.contains("Unsupported value: \\\"Loose\\\""), causes);
        assertTrue(causes.contains("spec.template.spec.containers[0].securityContext.seccompProfile.localhostProfile"), causes);
    }

    @Test
    void shouldRefuseUnconfinedSeccompAtBaseline() throws Exception {
        HttpResponse<String> r = apply(deployment("loose", "{seccompProfile: {type: Unconfined}}", "{}").replace("namespace: tight", "namespace: default"));
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("deployments.apps \"loose\" is forbidden: violates PodSecurity \"baseline:latest\": "
                + "seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")", JSON.readTree(r.body()).path("message").asText());
    }
}
