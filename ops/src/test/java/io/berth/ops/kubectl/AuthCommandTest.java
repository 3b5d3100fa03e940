package io.berth.ops.kubectl;

import io.berth.schemas.auth.TokenFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code berth auth can-i} against the real gateway: RBAC objects applied with {@code berth apply -f},
 * answers {@code yes} (exit 0) or {@code no} (exit 1) as kubectl does, {@code --as} only for those who may
 * impersonate; and a refused {@code berth scale} prints the API server's words.
 */
class AuthCommandTest extends InProcessControlPlaneTest {
    static final String VIEWER = "cli-viewer-token-0123456789";

    Run as(String token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server=" + server);
        all.add("--token=" + token);
        return berth(all.toArray(String[]::new));
    }

    @Test
    void shouldAnswerCanIForTheCallerAndForAnImpersonatedUser() throws Exception {
        List<TokenFile.Entry> tokens = new ArrayList<>(TokenFile.read(dataDir.resolve(TokenFile.FILE_NAME)));
        tokens.add(new TokenFile.Entry(VIEWER, "carol", "1001", List.of()));
        TokenFile.write(dataDir.resolve(TokenFile.FILE_NAME), tokens);
        Path binding = Files.createTempFile("carol-views", ".yaml");
        Files.writeString(binding, """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: carol-views, namespace: default}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
                subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: carol}]
                """);
        Run applied = as(TOKEN, "apply", "-f", binding.toString());
        assertEquals(0, applied.exit, applied.err);
        assertEquals("rolebinding.rbac.authorization.k8s.io/carol-views created\n", applied.out);

        Run bindings = as(TOKEN, "get", "rolebindings", "-o", "wide");
        assertEquals(0, bindings.exit, bindings.err);
        assertTrue(bindings.out.matches("(?s)NAME\\s+ROLE\\s+AGE\\s+USERS\\s+GROUPS\\s+SERVICEACCOUNTS\\s*\ncarol-views\\s+ClusterRole/view\\s+\\S+\\s+carol\\s*\n"),
                bindings.out);
        Run roles = as(TOKEN, "get", "clusterroles", "-o", "name");
        assertTrue(roles.out.contains("clusterrole.rbac.authorization.k8s.io/view\n"), roles.out);

        eventually("carol's token authenticates", () -> as(VIEWER, "auth", "can-i", "list", "pods").exit == 0);
        Run yes = as(VIEWER, "auth", "can-i", "list", "pods");
        assertEquals("yes\n", yes.out);
        Run no = as(VIEWER, "auth", "can-i", "create", "deployments.apps");
        assertEquals(1, no.exit);
        assertEquals("no\n", no.out);
        assertEquals(1, as(VIEWER, "auth", "can-i", "get", "secrets").exit, "view reads no secrets");
        assertEquals(1, as(VIEWER, "auth", "can-i", "create", "pods", "--subresource=exec").exit, "view cannot exec");
        assertEquals(0, as(VIEWER, "auth", "can-i", "get", "pods/p1", "--subresource=log").exit, "view reads logs");
        assertEquals(0, as(VIEWER, "auth", "can-i", "watch", "deploy").exit);
        assertEquals(1, as(VIEWER, "auth", "can-i", "list", "pods", "-n", "prod").exit, "the RoleBinding is for default only");
        assertEquals(1, as(VIEWER, "auth", "can-i", "update", "deployments", "web", "--subresource=scale").exit);
        assertEquals(0, as(VIEWER, "auth", "can-i", "get", "/version").exit);

        assertEquals(0, as(TOKEN, "auth", "can-i", "*", "*").exit, "the admin is in system:masters");
        Run asCarol = as(TOKEN, "auth", "can-i", "get", "secrets", "--as", "carol");
        assertEquals(1, asCarol.exit, asCarol.err);
        assertEquals("no\n", asCarol.out);
        assertEquals(0, as(TOKEN, "auth", "can-i", "get", "pods", "--as", "carol").exit);
        Run refused = as(VIEWER, "auth", "can-i", "get", "pods", "--as", "admin");
        assertEquals(1, refused.exit);
        assertEquals("Error from server (Forbidden): users \"admin\" is forbidden: User \"carol\" cannot impersonate resource \"users\" "
                + "in API group \"\" at the cluster scope\n", refused.err);

        Run scale = as(VIEWER, "scale", "deployment/web", "--replicas", "3");
        assertEquals(1, scale.exit);
        assertEquals("Error from server (Forbidden): deployments.apps \"web\" is forbidden: User \"carol\" cannot update resource "
                + "\"deployments/scale\" in API group \"apps\" in the namespace \"default\"\n", scale.err);
    }
}
