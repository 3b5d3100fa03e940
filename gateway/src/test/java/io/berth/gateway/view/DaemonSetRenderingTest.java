package io.berth.gateway.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.api.Patches;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.berth.gateway.view.ViewFixtures.NOW;
import static io.berth.gateway.view.ViewFixtures.T0;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A DaemonSet's WorkloadView rendered as apps/v1 DaemonSet, its table row (kubectl's printDaemonSet), its
 * ControllerRevisions (what kubectl rollout history/undo read), its pods' owner and the nodes' hostname label.
 */
class DaemonSetRenderingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static DeploymentSpec spec(String extra, String podExtra) {
        Intent i = new ManifestParser().parse("", """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent, labels: {team: infra}}
                spec:
                  selector: {matchLabels: {app: agent}}
                """ + extra.indent(2) + """
                  template:
                    metadata: {labels: {app: agent}}
                    spec:
                """ + podExtra.indent(6) + """
                      containers: [{name: agent, image: "berth/agent:1.0"}]
                """).intents().get(0);
        return (DeploymentSpec) i.getPayload();
    }

    static WorkloadView daemonSet(DeploymentSpec d, DaemonSetStatus status, List<Revision> history) {
        return WorkloadView.newBuilder().setKey("default/daemonset/agent").setKind(ResourceKind.DAEMONSET).setNamespace("default")
                .setName("agent").setUid("uid-agent").setLabels(Map.of("team", "infra")).setGeneration(2).setObservedGeneration(2)
                .setCreatedAt(T0).setUpdatedAt(T0).setResourceVersion("9").setDeployment(d).setTemplateHash("b2c3")
                .setRevision(2).setHistory(history).setDaemonSetStatus(status).build();
    }

    static DaemonSetStatus status(int desired, int current, int ready, int available, int unavailable, int updated, int misscheduled) {
        return DaemonSetStatus.newBuilder().setDesiredNumberScheduled(desired).setCurrentNumberScheduled(current).setNumberReady(ready)
                .setNumberAvailable(available).setNumberUnavailable(unavailable).setUpdatedNumberScheduled(updated)
                .setNumberMisscheduled(misscheduled).setPods(Map.of("n1", "t1", "n2", "t2", "n3", "t3")).build();
    }

    static List<Revision> history(DeploymentSpec current) {
        PodTemplate old = PodTemplate.newBuilder(current.getTemplate()).setContainers(List.of(
                ContainerSpec.newBuilder(current.getTemplate().getContainers().get(0)).setImage("berth/agent:0.9").build())).build();
        return List.of(
                Revision.newBuilder().setRevision(1).setTemplateHash("a1b2").setTemplate(old).setCreatedAt(T0).build(),
                Revision.newBuilder().setRevision(2).setTemplateHash("b2c3").setTemplate(current.getTemplate()).setCreatedAt(T0 + 60_000)
                        .setChangeCause("kubectl set image ds/agent agent=berth/agent:1.0").build());
    }

    @Test
    void shouldRenderADaemonSetAsKubernetesDoes() {
        DeploymentSpec d = spec("minReadySeconds: 5", "nodeSelector: {disk: ssd}");
        ObjectNode o = KubeObjects.daemonSet(daemonSet(d, status(3, 3, 2, 2, 1, 1, 0), history(d)));
        assertEquals("apps/v1", o.path("apiVersion").asText());
        assertEquals("DaemonSet", o.path("kind").asText());
        JsonNode meta = o.path("metadata");
        assertEquals("agent", meta.path("name").asText());
        assertEquals("uid-agent", meta.path("uid").asText());
        assertEquals(2, meta.path("generation").asLong());
        assertEquals("2", meta.path("annotations").path("deprecated.daemonset.template.generation").asText());
        JsonNode spec = o.path("spec");
        assertEquals("agent", spec.path("selector").path("matchLabels").path("app").asText());
        assertEquals("agent", spec.path("template").path("metadata").path("labels").path("app").asText());
        assertEquals("Always", spec.path("template").path("spec").path("restartPolicy").asText());
        assertEquals("ssd", spec.path("template").path("spec").path("nodeSelector").path("disk").asText());
        assertEquals("RollingUpdate", spec.path("updateStrategy").path("type").asText());
        assertEquals(1, spec.path("updateStrategy").path("rollingUpdate").path("maxUnavailable").asInt());
        assertTrue(spec.path("updateStrategy").path("rollingUpdate").path("maxSurge").isInt());
        assertEquals(0, spec.path("updateStrategy").path("rollingUpdate").path("maxSurge").asInt());
        assertEquals(5, spec.path("minReadySeconds").asInt());
        assertEquals(10, spec.path("revisionHistoryLimit").asInt());
        assertFalse(spec.has("replicas"));
        assertFalse(spec.has("strategy"));

        JsonNode status = o.path("status");
        assertEquals(3, status.path("desiredNumberScheduled").asInt());
        assertEquals(3, status.path("currentNumberScheduled").asInt());
        assertEquals(2, status.path("numberReady").asInt());
        assertEquals(2, status.path("numberAvailable").asInt());
        assertEquals(1, status.path("numberUnavailable").asInt());
        assertEquals(1, status.path("updatedNumberScheduled").asInt());
        assertEquals(0, status.path("numberMisscheduled").asInt());
        assertEquals(2, status.path("observedGeneration").asInt());
    }

    @Test
    void shouldAlwaysWriteTheCountsKubernetesAlwaysWritesAndOmitTheOthersWhenZero() {
        DeploymentSpec d = spec("updateStrategy: {type: OnDelete}", "");
        WorkloadView fresh = WorkloadView.newBuilder(daemonSet(d, null, List.of())).setObservedGeneration(0).setGeneration(1).build();
        JsonNode status = KubeObjects.daemonSet(fresh).path("status");
        for (String always : List.of("currentNumberScheduled", "desiredNumberScheduled", "numberMisscheduled", "numberReady", "observedGeneration")) {
            assertTrue(status.has(always), always);
            assertEquals(0, status.path(always).asInt(), always);
        }
        for (String omitted : List.of("numberUnavailable", "numberAvailable", "updatedNumberScheduled")) assertFalse(status.has(omitted), omitted);
        JsonNode strategy = KubeObjects.daemonSet(fresh).path("spec").path("updateStrategy");
        assertEquals("OnDelete", strategy.path("type").asText());
        assertFalse(strategy.has("rollingUpdate"));
    }

    @Test
    void shouldPrintKubectlsDaemonSetColumns() {
        DeploymentSpec d = spec("", "nodeSelector: {disk: ssd, zone: a}");
        ObjectNode o = KubeObjects.daemonSet(daemonSet(d, status(3, 3, 2, 2, 1, 1, 0), history(d)));
        assertEquals(List.of("NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"),
                JsonTables.header("daemonsets", true, false, false));
        assertEquals(List.of("agent", "3", "3", "2", "1", "2", "disk=ssd,zone=a", "3m20s"), JsonTables.row("daemonsets", true, o, false, false, NOW));
        assertEquals(List.of("NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"),
                JsonTables.header("daemonsets", true, true, false));
        assertEquals(List.of("agent", "3", "3", "2", "1", "2", "disk=ssd,zone=a", "3m20s", "agent", "berth/agent:1.0", "app=agent"),
                JsonTables.row("daemonsets", true, o, true, false, NOW));

        ObjectNode none = KubeObjects.daemonSet(daemonSet(spec("", ""), null, List.of()));
        assertEquals(List.of("agent", "0", "0", "0", "0", "0", "<none>", "3m20s"), JsonTables.row("daemonsets", true, none, false, false, NOW));

        ObjectNode table = ServerTables.table("daemonsets", true, List.of(o), "9", ServerTables.Include.METADATA, NOW);
        List<String> columns = new java.util.ArrayList<>();
        table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText() + "/" + c.path("priority").asInt()));
        assertEquals(List.of("Name/0", "Desired/0", "Current/0", "Ready/0", "Up-to-date/0", "Available/0", "Node selector/0", "Age/0",
                "Containers/1", "Images/1", "Selector/1"), columns);
    }

    @Test
    void shouldSynthesizeAControllerRevisionPerRevisionAsKubectlReadsThem() {
        DeploymentSpec d = spec("", "");
        WorkloadView w = daemonSet(d, status(1, 1, 1, 1, 0, 1, 0), history(d));
        List<ObjectNode> revisions = KubeObjects.controllerRevisions(w);
        assertEquals(2, revisions.size());
        ObjectNode first = revisions.get(0);
        assertEquals("apps/v1", first.path("apiVersion").asText());
        assertEquals("ControllerRevision", first.path("kind").asText());
        JsonNode meta = first.path("metadata");
        assertEquals("agent-a1b2", meta.path("name").asText());
        assertEquals("default", meta.path("namespace").asText());
        assertEquals(Map.of("app", "agent", "controller-revision-hash", "a1b2"), JSON.convertValue(meta.path("labels"), Map.class));
        JsonNode owner = meta.path("ownerReferences").get(0);
        assertEquals("apps/v1", owner.path("apiVersion").asText());
        assertEquals("DaemonSet", owner.path("kind").asText());
        assertEquals("agent", owner.path("name").asText());
        assertEquals("uid-agent", owner.path("uid").asText()); // kubectl keeps only the revisions the DaemonSet controls, by uid
        assertTrue(owner.path("controller").asBoolean());
        assertEquals(1, first.path("revision").asLong());
        JsonNode template = first.path("data").path("spec").path("template");
        assertEquals("replace", template.path("$patch").asText());
        assertEquals("berth/agent:0.9", template.path("spec").path("containers").get(0).path("image").asText());
        assertEquals(2, revisions.get(1).path("revision").asLong());
        assertEquals("kubectl set image ds/agent agent=berth/agent:1.0",
                revisions.get(1).path("metadata").path("annotations").path("kubernetes.io/change-cause").asText());
        assertEquals(KubeObjects.controllerRevisionUid("default/daemonset/agent", "a1b2"), meta.path("uid").asText());

        // kubectl rollout undo: the revision's data, strategic-merge-patched onto the DaemonSet, restores its template
        ObjectNode ds = KubeObjects.daemonSet(w);
        ObjectNode patched = (ObjectNode) Patches.apply(ds.deepCopy(), "application/strategic-merge-patch+json", first.path("data").deepCopy());
        assertEquals("berth/agent:0.9", patched.path("spec").path("template").path("spec").path("containers").get(0).path("image").asText());
        assertFalse(patched.path("spec").path("template").has("$patch"));
        assertEquals(ds.path("spec").path("selector"), patched.path("spec").path("selector"));

        assertEquals(List.of("NAME", "CONTROLLER", "REVISION", "AGE"), JsonTables.header("controllerrevisions", true, false, false));
        assertEquals(List.of("agent-a1b2", "daemonset.apps/agent", "1", "3m20s"), JsonTables.row("controllerrevisions", true, first, false, false, NOW));
    }

    @Test
    void shouldSynthesizeTheCurrentRevisionWhenTheHistoryIsEmpty() {
        DeploymentSpec d = spec("", "");
        List<ObjectNode> revisions = KubeObjects.controllerRevisions(WorkloadView.newBuilder(daemonSet(d, null, List.of())).setRevision(1).build());
        assertEquals(1, revisions.size());
        assertEquals("agent-b2c3", revisions.get(0).path("metadata").path("name").asText());
        assertEquals(1, revisions.get(0).path("revision").asLong());
        assertTrue(KubeObjects.controllerRevisions(ViewFixtures.deployment()).isEmpty());
    }

    @Test
    void shouldMakeTheDaemonSetThePodsController() {
        TaskView t = TaskView.newBuilder(ViewFixtures.task("agent-x7k2p", TaskPhase.RUNNING, true, "n1"))
                .setWorkloadKey("default/daemonset/agent").setTemplateHash("b2c3").build();
        JsonNode pod = KubeObjects.pod(t, Map.of(), key -> key.equals("default/daemonset/agent") ? "uid-agent" : "");
        JsonNode owner = pod.path("metadata").path("ownerReferences");
        assertEquals(1, owner.size());
        assertEquals("apps/v1", owner.get(0).path("apiVersion").asText());
        assertEquals("DaemonSet", owner.get(0).path("kind").asText());
        assertEquals("agent", owner.get(0).path("name").asText());
        assertEquals("uid-agent", owner.get(0).path("uid").asText());
        assertTrue(owner.get(0).path("controller").asBoolean());
        assertTrue(owner.get(0).path("blockOwnerDeletion").asBoolean());
        JsonNode labels = pod.path("metadata").path("labels");
        assertEquals("b2c3", labels.path("controller-revision-hash").asText());
        assertFalse(labels.has("pod-template-hash"));
    }

    @Test
    void shouldGiveEveryNodeItsHostnameLabel() {
        NodeView n = ViewFixtures.node("n1", true, false);
        assertEquals("n1", KubeObjects.node(n).path("metadata").path("labels").path("kubernetes.io/hostname").asText());
        assertEquals("a", KubeObjects.node(n).path("metadata").path("labels").path("zone").asText());
        NodeView labelled = NodeView.newBuilder(n).setLabels(Map.of("kubernetes.io/hostname", "host-1")).build();
        assertEquals("host-1", KubeObjects.node(labelled).path("metadata").path("labels").path("kubernetes.io/hostname").asText());
    }
}
