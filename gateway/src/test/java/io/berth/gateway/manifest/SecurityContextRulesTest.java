package io.berth.gateway.manifest;

import io.berth.schemas.policy.PodSecurity.Level;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SecurityContextRulesTest {
    record Case(String name, Level level, String spec, List<String> rules) {}

    private static String pod(String spec) {
        return "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n" + spec;
    }

    @Test
    void shouldRefuseWhatTheSpecCannotCarryByLevel() {
        String plain = "  containers: [{name: c, image: i}]\n";
        String privileged = "  containers: [{name: c, image: i, securityContext: {privileged: true}}]\n";
        String hostNet = "  hostNetwork: true\n  hostPID: false\n" + plain;
        List<Case> table = List.of(
                new Case("plain", Level.RESTRICTED, plain, List.of()),
                new Case("privileged at baseline", Level.BASELINE, privileged, List.of("privileged")),
                new Case("privileged in a privileged namespace", Level.PRIVILEGED, privileged, List.of()),
                new Case("hostNetwork", Level.BASELINE, hostNet, List.of("host namespaces")));
        for (Case c : table) {
            List<SecurityContextRules.PodManifest> pods = SecurityContextRules.pods(pod(c.spec()));
            assertEquals(1, pods.size(), c.name());
            List<String> rules = SecurityContextRules.check(c.level(), pods.get(0).spec(), pods.get(0).specPath()).stream().map(v -> v.rule()).toList();
            assertEquals(c.rules(), rules, c.name());
        }
    }

    @Test
    void shouldFindThePodSpecsOfDeploymentsPodsAndListsNamingTheField() {
        String text = """
                apiVersion: v1
                kind: List
                items:
                - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: x}, spec: {template: {spec: {containers: [{name: c, securityContext: {privileged: true}}]}}}}
                - {apiVersion: v1, kind: Service, metadata: {name: s}}
                ---
                {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: []}}
                """;
        List<SecurityContextRules.PodManifest> pods = SecurityContextRules.pods(text);
        assertEquals(List.of("Deployment d x", "Pod p null"), pods.stream().map(p -> p.kind() + " " + p.name() + " " + p.namespace()).toList());
        assertEquals("privileged (spec.template.spec.containers[0].securityContext.privileged: container \"c\" must not set securityContext.privileged=true)",
                SecurityContextRules.check(Level.BASELINE, pods.get(0).spec(), pods.get(0).specPath()).get(0).toString());
        assertEquals(List.of(), SecurityContextRules.pods("not: [valid"), "syntax errors are the parser's to report");
    }
}
