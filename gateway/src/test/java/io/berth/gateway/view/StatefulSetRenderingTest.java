package io.berth.gateway.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.berth.gateway.view.ViewFixtures.NOW;
import static io.berth.gateway.view.ViewFixtures.T0;
import static org.junit.jupiter.api.Assertions.*;

/** A StatefulSet's WorkloadView rendered as apps/v1 StatefulSet, its table row, its claims as v1 PersistentVolumeClaims and its pods' owner. */
class StatefulSetRenderingTest {
    static WorkloadView statefulSet(StatefulSetStatus status) {
        Intent i = new ManifestParser().parse("", """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: web}
                spec:
                  serviceName: web
                  replicas: 3
                  selector: {matchLabels: {app: web}}
                  updateStrategy: {rollingUpdate: {partition: 1}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: web, image: "berth/web:1", volumeMounts: [{name: data, mountPath: /data}]}]
                  volumeClaimTemplates:
                  - metadata: {name: data}
                    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
                """).intents().get(0);
        return WorkloadView.newBuilder().setKey("default/statefulset/web").setKind(ResourceKind.STATEFULSET).setNamespace("default")
                .setName("web").setUid("uid-web").setGeneration(1).setObservedGeneration(1).setCreatedAt(T0).setUpdatedAt(T0)
                .setResourceVersion("7").setDeployment((DeploymentSpec) i.getPayload()).setStatefulSet(i.getStatefulSet())
                .setTemplateHash("a1b2").setStatefulSetStatus(status).build();
    }

    static StatefulSetStatus status() {
        return StatefulSetStatus.newBuilder().setReplicas(3).setReadyReplicas(2).setAvailableReplicas(2).setCurrentReplicas(3)
                .setUpdatedReplicas(3).setCurrentRevision("a1b2").setUpdateRevision("a1b2")
                .setPods(Map.of("0", "t0", "1", "t1", "2", "t2"))
                .setClaims(Map.of("data-web-0", "n1", "data-web-1", "n2", "data-web-2", ""))
                .setClaimsCreatedAt(Map.of("data-web-0", T0, "data-web-1", T0, "data-web-2", T0)).build();
    }

    @Test
    void shouldRenderTheSpecAndStatusAsKubernetesWritesThemAndKubectlsRow() {
        ObjectNode o = KubeObjects.statefulSet(statefulSet(status()));
        JsonNode spec = o.path("spec");
        assertEquals("web", spec.path("serviceName").asText());
        assertEquals("OrderedReady", spec.path("podManagementPolicy").asText());
        assertEquals(1, spec.path("updateStrategy").path("rollingUpdate").path("partition").asInt());
        assertEquals("1Gi", spec.path("volumeClaimTemplates").get(0).path("spec").path("resources").path("requests").path("storage").asText());
        assertEquals("web-a1b2", o.path("status").path("updateRevision").asText());
        assertEquals(List.of("NAME", "READY", "AGE"), JsonTables.header("statefulsets", true, false, false));
        assertEquals(List.of("web", "2/3", "3m20s"), JsonTables.row("statefulsets", true, o, false, false, NOW));
    }

    @Test
    void shouldListEachClaimAsAPersistentVolumeClaimBoundOnceItsFirstPodWasPlaced() {
        List<ObjectNode> claims = KubeObjects.persistentVolumeClaims(statefulSet(status()));
        assertEquals(List.of("data-web-0", "data-web-1", "data-web-2"), claims.stream().map(c -> c.path("metadata").path("name").asText()).toList());
        assertEquals(List.of("NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "AGE"),
                JsonTables.header("persistentvolumeclaims", true, false, false));
        assertEquals(List.of("data-web-0", "Bound", "local-n1-data-web-0", "1Gi", "RWO", "local", "3m20s"),
                JsonTables.row("persistentvolumeclaims", true, claims.get(0), false, false, NOW));
        assertEquals(List.of("data-web-2", "Pending", "", "", "", "local", "3m20s"),
                JsonTables.row("persistentvolumeclaims", true, claims.get(2), false, false, NOW));
    }

    @Test
    void shouldShowAPodsStatefulSetOwnerAndItsClaimVolume() {
        PodTemplate t = PodTemplate.newBuilder().setLabels(Map.of("app", "web"))
                .setContainers(List.of(ContainerSpec.newBuilder().setName("web").setImage("berth/web:1").build()))
                .setVolumes(List.of(Volume.newBuilder().setName("data").setType("persistentVolumeClaim").setSource("data-web-0").build())).build();
        TaskView pod = TaskView.newBuilder().setTaskId("web-a1b2-xyzab").setPodName("web-0").setNamespace("default")
                .setWorkloadKey("default/statefulset/web").setTemplate(t).setTemplateHash("a1b2").setPhase(TaskPhase.RUNNING)
                .setCreatedAt(T0).build();
        ObjectNode o = KubeObjects.pod(pod, Map.of(), key -> "uid-web");
        assertEquals("web-0", o.path("metadata").path("name").asText());
        JsonNode ref = o.path("metadata").path("ownerReferences").get(0);
        assertEquals("StatefulSet", ref.path("kind").asText());
        assertEquals("web", ref.path("name").asText());
        assertEquals("a1b2", o.path("metadata").path("labels").path("controller-revision-hash").asText());
        assertEquals("data-web-0", o.path("spec").path("volumes").get(0).path("persistentVolumeClaim").path("claimName").asText());
    }
}
