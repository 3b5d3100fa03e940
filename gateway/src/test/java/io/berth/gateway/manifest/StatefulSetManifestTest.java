package io.berth.gateway.manifest;

import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.StatefulSetSpec;
import io.berth.schemas.avro.VolumeClaimTemplate;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** apps/v1 StatefulSet manifests: the intent they become, Kubernetes' defaults, and the validation rules in their wording. */
class StatefulSetManifestTest {
    private static final ManifestOptions OPTIONS = ManifestOptions.defaults().withActor("cli:test")
            .withClock(Clock.fixed(Instant.parse("2026-12-06T05:00:00Z"), ZoneOffset.UTC), () -> "id-1");

    static String statefulSet(String spec) {
        return """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                """ + spec.indent(2) + """
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: web
                        image: berth/busybox:latest
                        volumeMounts: [{name: data, mountPath: /data}]
                """;
    }

    private static final String CLAIMS = """
            volumeClaimTemplates:
            - metadata: {name: data}
              spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
            """;

    private static ManifestResult parse(String text) {
        return new ManifestParser(OPTIONS).parse("", text);
    }

    private static List<String> errors(String text) {
        return parse(text).errors().stream().map(ManifestProblem::message).toList();
    }

    @Test
    void shouldBecomeAStatefulSetIntentWithKubernetesDefaultsAndItsClaimTemplates() {
        ManifestResult r = parse(statefulSet("serviceName: web\nreplicas: 3\n" + CLAIMS));
        assertEquals(List.of(), r.errors().stream().map(ManifestProblem::message).toList());
        Intent i = r.intents().get(0);
        assertEquals(ResourceKind.STATEFULSET, i.getKind());
        DeploymentSpec d = (DeploymentSpec) i.getPayload();
        assertEquals(3, d.getReplicas());
        assertEquals("RollingUpdate", d.getStrategyType());
        StatefulSetSpec s = i.getStatefulSet();
        assertEquals("web", s.getServiceName());
        assertEquals("OrderedReady", s.getPodManagementPolicy());
        assertEquals(0, s.getPartition());
        assertEquals(List.of(VolumeClaimTemplate.newBuilder().setName("data").setStorage("1Gi").setAccessModes(List.of("ReadWriteOnce")).build()),
                s.getVolumeClaimTemplates());
    }

    @Test
    void shouldReadParallelAndThePartition() {
        Intent i = parse(statefulSet("serviceName: web\npodManagementPolicy: Parallel\nupdateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}\n"
                + CLAIMS)).intents().get(0);
        assertEquals("Parallel", i.getStatefulSet().getPodManagementPolicy());
        assertEquals(2, i.getStatefulSet().getPartition());
    }

    @Test
    void shouldRefuseAStatefulSetWithoutItsServiceNameNamingTheField() {
        ManifestResult r = parse(statefulSet(CLAIMS));
        assertTrue(r.intents().isEmpty(), "nothing to send");
        assertTrue(r.errors().stream().map(ManifestProblem::message).anyMatch(m -> m.contains("spec.serviceName: Required value")),
                r.errors().toString());
    }

    @Test
    void shouldRefuseBadFieldsInKubernetesWords() {
        assertTrue(errors(statefulSet("serviceName: web\npodManagementPolicy: Random\n" + CLAIMS)).stream()
                .anyMatch(m -> m.contains("spec.podManagementPolicy: Unsupported value: \"Random\": supported values: \"OrderedReady\", \"Parallel\"")));
        assertTrue(errors(statefulSet("serviceName: web\nupdateStrategy: {rollingUpdate: {partition: -1}}\n" + CLAIMS)).stream()
                .anyMatch(m -> m.contains("spec.updateStrategy.rollingUpdate.partition: Invalid value: -1")));
        assertTrue(errors(statefulSet("serviceName: web\n")).stream()
                .anyMatch(m -> m.contains("spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"data\"")),
                "a mount names a volume or a claim template");
        assertTrue(errors(statefulSet("serviceName: web\nvolumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: [ReadWriteOnce]}}]\n"))
                .stream().anyMatch(m -> m.contains("spec.volumeClaimTemplates[0].spec.resources[storage]: Required value")));
        assertTrue(errors(statefulSet("serviceName: web\npersistentVolumeClaimRetentionPolicy: {whenDeleted: Delete}\n" + CLAIMS)).stream()
                .anyMatch(m -> m.contains("spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: \"Delete\"")));
    }
}
