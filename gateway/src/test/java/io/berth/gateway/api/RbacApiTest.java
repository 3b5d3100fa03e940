package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.schemas.auth.TokenFile;
import io.berth.schemas.service.BerthConfig;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 12, RBAC on the real gateway and broker: roles and bindings applied as manifests (berth apply's
 * route and the rbac.authorization.k8s.io REST routes), every route authorized after authentication,
 * refusals as Kubernetes words them, escalation refused, access reviews and impersonation.
 */
class RbacApiTest extends GatewayApiFixture {
    static final String VIEWER = "viewer-token-0123456789abcdef";
    static final String BOB = "bob-token-0123456789abcdef";
    static final String NSADMIN = "nsadmin-token-0123456789abcdef";
    static final String APPLY = "/apis/berth.io/v1/apply";
    static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";

    static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 1
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: c, image: berth/busybox:latest}]}
            """;

    @Override
    boolean withStateStreams() {
        return false;
    }

    BerthConfig config;

    @Override
    BerthConfig configure(BerthConfig config) {
        this.config = config;
        try {
            TokenFile.write(config.dataDir().resolve(TokenFile.FILE_NAME), List.of(
                    new TokenFile.Entry(TOKEN, USER, "1000", List.of("system:masters")),
                    new TokenFile.Entry(VIEWER, "viewer", "1001", List.of()),
                    new TokenFile.Entry(BOB, "bob", "1002", List.of("dev")),
                    new TokenFile.Entry(NSADMIN, "nsadmin", "1003", List.of())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return config;
    }

    HttpRequest.Builder as(String token, String path) {
        return HttpRequest.newBuilder(java.net.URI.create(base + path)).header("Authorization", "Bearer " + token);
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> apply(String token, String yaml) throws Exception {
        return send(as(token, APPLY + "?wait=false").header("Content-Type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(yaml)));
    }

    HttpResponse<String> post(String token, String path, String json) throws Exception {
        return send(as(token, path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Asserts a 403 Forbidden Status with exactly this message. */
    static void assertForbidden(String message, HttpResponse<String> r) throws Exception {
        assertEquals(403, r.statusCode(), r.body());
        JsonNode s = JSON.readTree(r.body());
        assertEquals("Status", s.path("kind").asText());
        assertEquals("Failure", s.path("status").asText());
        assertEquals("Forbidden", s.path("reason").asText());
        assertEquals(message, s.path("message").asText());
        assertEquals(403, s.path("code").asInt());
    }

    static String binding(String kind, String name, String namespace, String roleKind, String role, String subjectKind, String subject) {
        return "apiVersion: rbac.authorization.k8s.io/v1\nkind: " + kind + "\nmetadata: {name: " + name
                + (namespace == null ? "" : ", namespace: " + namespace) + "}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: " + roleKind
                + ", name: " + role + "}\nsubjects: [{kind: " + subjectKind + ", apiGroup: rbac.authorization.k8s.io, name: " + subject + "}]\n";
    }

    @Test
    void shouldLetAViewUserReadButNotWriteScaleReadSecretsOrExec() throws Exception {
        HttpResponse<String> bound = apply(TOKEN, binding("RoleBinding", "viewer-view", "default", "ClusterRole", "view", "User", "viewer"));
        assertEquals(202, bound.statusCode(), bound.body());
        assertEquals("RoleBinding", JSON.readTree(bound.body()).path("items").get(0).path("kind").asText(), bound.body());

        assertEquals(200, send(as(VIEWER, "/api/v1/namespaces/default/pods")).statusCode());
        assertEquals(200, send(as(VIEWER, "/apis/apps/v1/namespaces/default/deployments")).statusCode());
        assertEquals(200, send(as(VIEWER, "/api/v1/namespaces/default/services")).statusCode());
        assertNotEquals(403, send(as(VIEWER, "/api/v1/namespaces/default/pods/p1/log")).statusCode(), "view reads logs");
        try (Watch w = new Watch(VIEWER, "/api/v1/namespaces/default/pods?watch=true")) {
            assertEquals(200, w.status, "view may watch");
        }

        HttpResponse<String> refused = apply(VIEWER, DEPLOYMENT);
        System.out.println("403 for the view user's apply: " + refused.body()); // quoted in the README
        assertForbidden("deployments.apps is forbidden: User \"viewer\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"default\"",
                refused);
        assertForbidden("deployments.apps is forbidden: User \"viewer\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"default\"",
                send(as(VIEWER, "/apis/apps/v1/namespaces/default/deployments").header("Content-Type", "application/yaml")
                        .POST(HttpRequest.BodyPublishers.ofString(DEPLOYMENT))));
        assertForbidden("deployments.apps \"web\" is forbidden: User \"viewer\" cannot update resource \"deployments/scale\" in API group \"apps\" in the namespace \"default\"",
                send(as(VIEWER, "/apis/apps/v1/namespaces/default/deployments/web/scale").header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"spec\":{\"replicas\":5}}"))));
        assertForbidden("secrets is forbidden: User \"viewer\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\"",
                send(as(VIEWER, "/api/v1/namespaces/default/secrets")));
        assertForbidden("secrets \"db\" is forbidden: User \"viewer\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\"",
                send(as(VIEWER, "/api/v1/namespaces/default/secrets/db")));
        assertForbidden("pods \"p1\" is forbidden: User \"viewer\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"default\"",
                post(VIEWER, "/api/v1/namespaces/default/pods/p1/exec?command=sh", "{}"));
        assertForbidden("deployments.apps \"web\" is forbidden: User \"viewer\" cannot delete resource \"deployments\" in API group \"apps\" in the namespace \"default\"",
                send(as(VIEWER, "/apis/apps/v1/namespaces/default/deployments/web").DELETE()));
        assertForbidden("pods is forbidden: User \"viewer\" cannot list resource \"pods\" in API group \"\" in the namespace \"prod\"",
                send(as(VIEWER, "/api/v1/namespaces/prod/pods")));
        assertForbidden("nodes is forbidden: User \"viewer\" cannot list resource \"nodes\" in API group \"\" at the cluster scope",
                send(as(VIEWER, "/api/v1/nodes")));
        assertForbidden("rolebindings.rbac.authorization.k8s.io is forbidden: User \"viewer\" cannot create resource \"rolebindings\" in API group \"rbac.authorization.k8s.io\" in the namespace \"default\"",
                apply(VIEWER, binding("RoleBinding", "self", "default", "ClusterRole", "cluster-admin", "User", "viewer")));
    }

    @Test
    void shouldGrantANamespacedRoleOnlyInItsNamespaceAndNotWatchWithoutWatch() throws Exception {
        String role = """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: pod-reader, namespace: team-a}
                rules:
                - apiGroups: [""]
                  resources: [pods]
                  verbs: [get, list]
                ---
                """ + binding("RoleBinding", "bob-reads", "team-a", "Role", "pod-reader", "Group", "dev");
        HttpResponse<String> r = apply(TOKEN, role);
        assertEquals(202, r.statusCode(), r.body());

        assertEquals(200, send(as(BOB, "/api/v1/namespaces/team-a/pods")).statusCode());
        assertForbidden("pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"",
                send(as(BOB, "/api/v1/namespaces/default/pods")));
        assertForbidden("pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" at the cluster scope",
                send(as(BOB, "/api/v1/pods")));
        assertForbidden("pods is forbidden: User \"bob\" cannot watch resource \"pods\" in API group \"\" in the namespace \"team-a\"",
                send(as(BOB, "/api/v1/namespaces/team-a/pods?watch=true")));
        assertForbidden("pods \"p1\" is forbidden: User \"bob\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"team-a\"",
                send(as(BOB, "/api/v1/namespaces/team-a/pods/p1/log")));
        assertForbidden("deployments.apps is forbidden: User \"bob\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"team-a\"",
                send(as(BOB, "/apis/apps/v1/namespaces/team-a/deployments")));

        JsonNode bindings = JSON.readTree(get(RBAC + "/namespaces/team-a/rolebindings").body());
        assertEquals("bob-reads", bindings.path("items").get(0).path("metadata").path("name").asText(), bindings.toString());
        assertEquals("Role", bindings.path("items").get(0).path("roleRef").path("kind").asText());
        HttpResponse<String> gone = send(request(RBAC + "/namespaces/team-a/rolebindings/bob-reads").DELETE());
        assertEquals(200, gone.statusCode(), gone.body());
        assertForbidden("pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"team-a\"",
                send(as(BOB, "/api/v1/namespaces/team-a/pods")));
        assertEquals(404, get(RBAC + "/namespaces/team-a/rolebindings/bob-reads").statusCode());
    }

    @Test
    void shouldLetClusterAdminsDoAllButChangeTheBuiltIns() throws Exception {
        assertEquals(200, get("/api/v1/nodes").statusCode());
        HttpResponse<String> secrets = get("/api/v1/namespaces/default/secrets");
        assertEquals(200, secrets.statusCode(), "allowed: " + secrets.body());
        assertEquals("SecretList", JSON.readTree(secrets.body()).path("kind").asText());
        assertEquals(202, apply(TOKEN, DEPLOYMENT).statusCode());
        JsonNode roles = JSON.readTree(get(RBAC + "/clusterroles").body());
        List<String> names = new java.util.ArrayList<>();
        roles.path("items").forEach(i -> names.add(i.path("metadata").path("name").asText()));
        assertTrue(names.containsAll(List.of("cluster-admin", "admin", "edit", "view")), names.toString());
        JsonNode masters = JSON.readTree(get(RBAC + "/clusterrolebindings/cluster-admin").body());
        assertEquals("system:masters", masters.path("subjects").get(0).path("name").asText(), masters.toString());
        HttpResponse<String> changed = send(request(RBAC + "/clusterroles/view").header("Content-Type", "application/yaml").PUT(HttpRequest.BodyPublishers.ofString(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: view}\nrules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n")));
        assertEquals(422, changed.statusCode(), changed.body());
        assertTrue(changed.body().contains("metadata.name: Invalid value: \\\"view\\\": is a built-in ClusterRole of Berth and cannot be changed"), changed.body());
        HttpResponse<String> invalid = apply(TOKEN, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: broken}\nrules: [{resources: [pods]}]\n");
        assertEquals(422, invalid.statusCode(), invalid.body());
        assertTrue(invalid.body().contains("rules[0].verbs: Required value"), invalid.body());
    }

    @Test
    void shouldRefuseBindingsThatGrantMoreThanTheWriterHolds() throws Exception {
        assertEquals(202, apply(TOKEN, binding("RoleBinding", "nsadmin", "team-b", "ClusterRole", "admin", "User", "nsadmin")).statusCode());
        HttpResponse<String> ok = apply(NSADMIN, binding("RoleBinding", "bob-edits", "team-b", "ClusterRole", "edit", "User", "bob"));
        assertEquals(202, ok.statusCode(), "an admin of team-b may hand out edit in team-b: " + ok.body());
        assertEquals(200, send(as(BOB, "/apis/apps/v1/namespaces/team-b/deployments")).statusCode());

        HttpResponse<String> escalate = apply(NSADMIN, binding("RoleBinding", "bob-owns", "team-b", "ClusterRole", "cluster-admin", "User", "bob"));
        assertEquals(403, escalate.statusCode(), escalate.body());
        assertTrue(JSON.readTree(escalate.body()).path("message").asText().startsWith("rolebindings.rbac.authorization.k8s.io \"bob-owns\" is forbidden: "
                + "user \"nsadmin\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"), escalate.body());
        assertForbidden("clusterrolebindings.rbac.authorization.k8s.io is forbidden: User \"nsadmin\" cannot create resource \"clusterrolebindings\" in API group \"rbac.authorization.k8s.io\" at the cluster scope",
                apply(NSADMIN, binding("ClusterRoleBinding", "bob-everywhere", null, "ClusterRole", "edit", "User", "bob")));
        assertEquals(404, get(RBAC + "/namespaces/team-b/rolebindings/bob-owns").statusCode(), "nothing of the refused apply was written");
    }

    @Test
    void shouldAnswerAccessReviewsAndImpersonateOnlyForThoseAllowed() throws Exception {
        assertEquals(202, apply(TOKEN, binding("RoleBinding", "viewer-view", "default", "ClusterRole", "view", "User", "viewer")).statusCode());
        String ssar = RbacApiTest.REVIEWS + "/selfsubjectaccessreviews";
        HttpResponse<String> yes = post(VIEWER, ssar, "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\","
                + "\"spec\":{\"resourceAttributes\":{\"namespace\":\"default\",\"verb\":\"list\",\"resource\":\"pods\"}}}");
        assertEquals(201, yes.statusCode(), yes.body());
        assertTrue(JSON.readTree(yes.body()).path("status").path("allowed").asBoolean(), yes.body());
        HttpResponse<String> no = post(VIEWER, ssar, "{\"spec\":{\"resourceAttributes\":{\"namespace\":\"default\",\"verb\":\"create\",\"group\":\"apps\",\"resource\":\"deployments\"}}}");
        assertFalse(JSON.readTree(no.body()).path("status").path("allowed").asBoolean(), no.body());

        assertForbidden("users \"tester\" is forbidden: User \"viewer\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope",
                send(as(VIEWER, "/api/v1/nodes").header("Impersonate-User", "tester")));
        assertEquals(200, send(request("/api/v1/namespaces/default/pods").header("Impersonate-User", "viewer")).statusCode());
        assertForbidden("deployments.apps is forbidden: User \"viewer\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"default\"",
                send(request(APPLY).header("Impersonate-User", "viewer").header("Content-Type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(DEPLOYMENT))));
        HttpResponse<String> secrets = post(TOKEN, ssar, "{\"spec\":{\"resourceAttributes\":{\"namespace\":\"default\",\"verb\":\"get\",\"resource\":\"secrets\"}}}");
        assertTrue(JSON.readTree(secrets.body()).path("status").path("allowed").asBoolean(), secrets.body());
        HttpResponse<String> asViewer = send(request(ssar).header("Impersonate-User", "viewer").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"spec\":{\"resourceAttributes\":{\"namespace\":\"default\",\"verb\":\"get\",\"resource\":\"secrets\"}}}")));
        assertFalse(JSON.readTree(asViewer.body()).path("status").path("allowed").asBoolean(), asViewer.body());
        HttpResponse<String> sar = post(TOKEN, RbacApiTest.REVIEWS + "/subjectaccessreviews",
                "{\"spec\":{\"user\":\"viewer\",\"resourceAttributes\":{\"namespace\":\"default\",\"verb\":\"watch\",\"group\":\"apps\",\"resource\":\"deployments\"}}}");
        assertTrue(JSON.readTree(sar.body()).path("status").path("allowed").asBoolean(), sar.body());
        assertForbidden("subjectaccessreviews.authorization.k8s.io is forbidden: User \"viewer\" cannot create resource \"subjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope",
                post(VIEWER, RbacApiTest.REVIEWS + "/subjectaccessreviews", "{\"spec\":{\"user\":\"tester\"}}"));
    }

    @Test
    void shouldAuditRbacChangesWithTheAuthenticatedActor() throws Exception {
        assertEquals(202, apply(TOKEN, binding("RoleBinding", "audited", "audit-ns", "ClusterRole", "view", "User", "viewer")).statusCode());
        eventually(() -> {
            try {
                for (JsonNode i : getJson(AuditApi.PATH + "?actor=api%3A" + USER).path("items")) {
                    if (i.toString().contains("audit-ns/rolebinding/audited")) return true;
                }
                return false;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void shouldAuthorizeOnEveryGatewayFromTheLog() throws Exception {
        io.berth.gateway.GatewayService second = new io.berth.gateway.GatewayService(config, registry);
        second.start();
        try {
            String other = "http://127.0.0.1:" + second.port();
            HttpRequest.Builder bobOnSecond = HttpRequest.newBuilder(java.net.URI.create(other + "/apis/apps/v1/namespaces/team-c/deployments"))
                    .header("Authorization", "Bearer " + BOB);
            assertEquals(403, send(bobOnSecond).statusCode());
            assertEquals(202, apply(TOKEN, binding("RoleBinding", "dev-views", "team-c", "ClusterRole", "view", "Group", "dev")).statusCode());
            eventually(() -> {
                try {
                    return send(bobOnSecond).statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            second.close();
        }
        io.berth.gateway.GatewayService restarted = new io.berth.gateway.GatewayService(config, registry);
        restarted.start();
        try {
            HttpResponse<String> r = send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + restarted.port()
                    + "/apis/apps/v1/namespaces/team-c/deployments")).header("Authorization", "Bearer " + BOB));
            assertEquals(200, r.statusCode(), "a gateway started later reads the binding from berth.rbac: " + r.body());
        } finally {
            restarted.close();
        }
    }

    static final String REVIEWS = "/apis/authorization.k8s.io/v1";

    /** A watch with another user's token. */
    final class Watch implements AutoCloseable {
        final int status;
        final java.io.InputStream in;

        Watch(String token, String path) throws Exception {
            HttpResponse<java.io.InputStream> r = http.send(as(token, path).build(), HttpResponse.BodyHandlers.ofInputStream());
            status = r.statusCode();
            in = r.body();
        }

        @Override
        public void close() throws Exception {
            in.close();
        }
    }
}
