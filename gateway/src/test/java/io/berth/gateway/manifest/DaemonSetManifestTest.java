package io.berth.gateway.manifest;

import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.RollingUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** apps/v1 DaemonSet manifests: the intent they become, Kubernetes' defaults, and each validation rule in its wording. */
class DaemonSetManifestTest {
    private static final ManifestOptions OPTIONS = ManifestOptions.defaults().withActor("cli:test")
            .withClock(Clock.fixed(Instant.parse("2026-12-06T05:00:00Z"), ZoneOffset.UTC), () -> "id-1");

    /** A DaemonSet with {@code SPEC} (spec fields, two spaces) spliced in before its template. */
    static String daemonSet(String spec) {
        return daemonSet(spec, "");
    }

    /** ... and {@code POD} (pod spec fields) before its containers. */
    static String daemonSet(String spec, String pod) {
        return """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent, namespace: ops, labels: {team: infra}}
                spec:
                """ + spec.indent(2) + """
                  template:
                    metadata: {labels: {app: agent, tier: node}}
                    spec:
                """ + pod.indent(6) + """
                      containers: [{name: agent, image: berth/busybox:latest, command: [sleep, infinity]}]
                """;
    }

    private static final String SELECTOR = "selector: {matchLabels: {app: agent}}";

    private static ManifestResult parse(String text) {
        return new ManifestParser(OPTIONS).parse("", text);
    }

    private static Intent one(String text) {
        ManifestResult r = parse(text);
        assertEquals(List.of(), r.errors().stream().map(ManifestProblem::message).toList());
        assertEquals(1, r.intents().size());
        return r.intents().get(0);
    }

    @Test
    void shouldMakeADaemonSetIntentWithKubernetesDefaults() {
        Intent i = one(daemonSet(SELECTOR));
        assertEquals(IntentAction.APPLY, i.getAction());
        assertEquals(ResourceKind.DAEMONSET, i.getKind());
        assertEquals("ops/daemonset/agent", Intents.key(i));
        assertEquals(Map.of("team", "infra"), i.getLabels());
        DeploymentSpec d = (DeploymentSpec) i.getPayload();
        assertEquals(Map.of("app", "agent"), d.getSelector());
        assertEquals(Map.of("app", "agent", "tier", "node"), d.getTemplate().getLabels());
        assertEquals("Always", d.getTemplate().getRestartPolicy());
        assertEquals("RollingUpdate", d.getStrategyType());
        assertEquals(new RollingUpdate("0", "1"), d.getRollingUpdate());
        assertEquals(0, d.getMinReadySeconds());
        assertEquals(10, d.getRevisionHistoryLimit());
        assertEquals(0, d.getReplicas());
        assertNull(i.getJob());
    }

    @Test
    void shouldReadTheUpdateStrategyAndTheOtherFields() {
        Intent i = one(daemonSet(SELECTOR + """

                updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 25%, maxSurge: 0}}
                minReadySeconds: 5
                revisionHistoryLimit: 3
                """, "nodeSelector: {disk: ssd}"));
        DeploymentSpec d = (DeploymentSpec) i.getPayload();
        assertEquals(new RollingUpdate("0", "25%"), d.getRollingUpdate());
        assertEquals(5, d.getMinReadySeconds());
        assertEquals(3, d.getRevisionHistoryLimit());
        assertEquals(Map.of("disk", "ssd"), d.getTemplate().getNodeSelector());

        DeploymentSpec onDelete = (DeploymentSpec) one(daemonSet(SELECTOR + "\nupdateStrategy: {type: OnDelete}")).getPayload();
        assertEquals("OnDelete", onDelete.getStrategyType());
    }

    @Test
    void shouldDropTheTemplateGenerationAnnotationEchoedFromTheServer() {
        Intent i = one(daemonSet(SELECTOR).replace("labels: {team: infra}}",
                "labels: {team: infra}, annotations: {deprecated.daemonset.template.generation: \"3\", note: kept}, uid: x, resourceVersion: \"9\"}"));
        assertEquals(Map.of("note", "kept"), i.getAnnotations());
    }

    record Bad(String text, String message) {}

    static Stream<Bad> invalid() {
        return Stream.of(
                new Bad(daemonSet(""), "spec.selector: Required value"),
                new Bad(daemonSet("selector: {matchLabels: {}}"), "spec.selector: Invalid value: {}: empty selector is invalid for daemonset"),
                new Bad(daemonSet("selector: {matchLabels: {app: other}}"),
                        "spec.template.metadata.labels: Invalid value: {\"app\":\"agent\",\"tier\":\"node\"}: `selector` does not match template `labels`"),
                new Bad(daemonSet(SELECTOR, "restartPolicy: Never"),
                        "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""),
                new Bad(daemonSet(SELECTOR + "\nupdateStrategy: {type: Recreate}"),
                        "spec.updateStrategy.type: Unsupported value: \"Recreate\": supported values: \"OnDelete\", \"RollingUpdate\""),
                new Bad(daemonSet(SELECTOR + "\nupdateStrategy: {rollingUpdate: {maxSurge: 1}}"),
                        "spec.updateStrategy.rollingUpdate.maxSurge: Unsupported value: 1: supported values: \"0\""),
                new Bad(daemonSet(SELECTOR + "\nupdateStrategy: {rollingUpdate: {maxSurge: 10%, maxUnavailable: 0}}"),
                        "spec.updateStrategy.rollingUpdate.maxSurge: Unsupported value: \"10%\": supported values: \"0\""),
                new Bad(daemonSet(SELECTOR + "\nupdateStrategy: {rollingUpdate: {maxUnavailable: 0}}"),
                        "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"),
                new Bad(daemonSet(SELECTOR + "\nupdateStrategy: {rollingUpdate: {maxUnavailable: 120%}}"),
                        "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"120%\": must not be greater than 100%"),
                new Bad(daemonSet(SELECTOR + "\nupdateStrategy: {rollingUpdate: {maxUnavailable: -1}}"),
                        "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0"),
                new Bad(daemonSet(SELECTOR + "\nminReadySeconds: -1"), "spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0"),
                new Bad(daemonSet(SELECTOR + "\nrevisionHistoryLimit: -2"), "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0"),
                new Bad(daemonSet(SELECTOR).replace("apiVersion: apps/v1", "apiVersion: extensions/v1beta1"),
                        "apiVersion: Unsupported value: \"extensions/v1beta1\": supported values: \"apps/v1\""));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void shouldRefuseInKubernetesWords(Bad bad) {
        ManifestResult r = parse(bad.text());
        assertTrue(r.intents().isEmpty());
        assertTrue(r.errors().stream().anyMatch(e -> e.message().equals(bad.message())),
                () -> "expected " + bad.message() + " in " + r.errors().stream().map(ManifestProblem::message).toList());
    }

    @Test
    void shouldWarnOfUnknownFieldsAsForDeploymentsAndRefuseThemWhenStrict() {
        String text = daemonSet(SELECTOR + "\nreplicas: 3");
        ManifestResult lax = parse(text);
        assertEquals(1, lax.intents().size());
        assertEquals(List.of("unknown field \"spec.replicas\""), lax.warnings().stream().map(ManifestProblem::detail).toList());
        ManifestResult strict = new ManifestParser(OPTIONS.withStrict(true)).parse("", text);
        assertTrue(strict.intents().isEmpty());
        assertFalse(strict.errors().isEmpty());
    }

    @Test
    void shouldDeleteADaemonSetByName() {
        ManifestResult r = new ManifestParser(OPTIONS).parseForDelete("", daemonSet(""));
        assertEquals(1, r.intents().size());
        assertEquals(IntentAction.DELETE, r.intents().get(0).getAction());
        assertEquals(ResourceKind.DAEMONSET, r.intents().get(0).getKind());
    }

    @Test
    void shouldNameThePodSpecPathForPodSecurity() {
        List<SecurityContextRules.PodManifest> pods = SecurityContextRules.pods(daemonSet(SELECTOR));
        assertEquals(1, pods.size());
        assertEquals("DaemonSet", pods.get(0).kind());
        assertEquals("spec.template.spec", pods.get(0).specPath());
    }
}
