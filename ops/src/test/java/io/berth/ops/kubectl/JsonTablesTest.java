package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.gateway.view.KubeObjects;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Tables rendered from the Kubernetes JSON the gateway serves, against golden strings of what kubectl prints. */
class JsonTablesTest {
    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    static final ObjectMapper JSON = new ObjectMapper();
    static final long T0 = Instant.parse("2026-11-22T05:00:00Z").toEpochMilli();
    static final long NOW = T0 + 3 * 60_000 + 20_000;

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    static PodTemplate template() {
        ContainerSpec c = ContainerSpec.newBuilder().setName("nginx").setImage("nginx:1.14.2")
                .setPorts(List.of(ContainerPort.newBuilder().setContainerPort(80).build())).build();
        return PodTemplate.newBuilder().setLabels(Map.of("app", "nginx")).setContainers(List.of(c)).build();
    }

    static TaskView task(String id, TaskPhase phase, boolean ready, String nodeId, String reason) {
        return TaskView.newBuilder().setTaskId(id).setPodName(id).setNamespace("default").setWorkloadKey("default/deployment/nginx-deployment")
                .setLabels(Map.of("app", "nginx")).setTemplate(template()).setTemplateHash("66b6c48dd5")
                .setPhase(phase).setReady(ready).setNodeId(nodeId).setReason(reason).setRestartCount(phase == TaskPhase.RUNNING ? 2 : 0)
                .setContainerId(phase == TaskPhase.RUNNING ? "c0ffee" : null)
                .setCreatedAt(T0).setUpdatedAt(T0 + 60_000).setStartedAt(phase == TaskPhase.RUNNING ? T0 + 2000 : 0).setResourceVersion("42").build();
    }

    static NodeView node(String id, boolean ready, boolean cordoned) {
        return NodeView.newBuilder().setNodeId(id).setName(id).setAddress("10.0.0." + id.charAt(id.length() - 1))
                .setLabels(Map.of("zone", "a")).setCapacity(new Resources(4000L, 8L << 30))
                .setAllocated(new Resources(0L, 0L)).setReady(ready).setCordoned(cordoned)
                .setLastHeartbeat(NOW - 500).setRegisteredAt(T0 - 86_400_000L).setResourceVersion("7").build();
    }

    @Test
    void shouldPrintPodsAsKubectlDoes() {
        Map<String, NodeView> nodes = new HashMap<>(Map.of("n1", node("n1", true, false), "n2", node("n2", true, false)));
        List<TaskView> tasks = List.of(
                task("nginx-deployment-66b6c48dd5-4jw2m", TaskPhase.RUNNING, true, "n1", ""),
                task("nginx-deployment-66b6c48dd5-8kq9x", TaskPhase.SCHEDULED, false, "n2", ""),
                task("nginx-deployment-66b6c48dd5-b7z2c", TaskPhase.PENDING, false, "", "Unschedulable"),
                task("nginx-deployment-66b6c48dd5-c1x2d", TaskPhase.FAILED, false, "n2", "ErrImagePull"),
                task("nginx-deployment-66b6c48dd5-d9k3l", TaskPhase.RUNNING, false, "n1", "CrashLoopBackOff"),
                task("nginx-deployment-66b6c48dd5-e0p4q", TaskPhase.TERMINATING, false, "n1", ""));
        List<JsonNode> pods = new ArrayList<>();
        for (TaskView t : tasks) pods.add(KubeObjects.pod(t, nodes));
        assertEquals("NAMESPACE   NAME                                READY   STATUS    RESTARTS   AGE\n"
                + "default     nginx-deployment-66b6c48dd5-4jw2m   1/1     Running   2          3m20s\n",
                JsonTables.render(ResourceTypes.PODS, pods.subList(0, 1), false, true, NOW));
        assertEquals("""
                NAME                                READY   STATUS              RESTARTS   AGE
                nginx-deployment-66b6c48dd5-4jw2m   1/1     Running             2          3m20s
                nginx-deployment-66b6c48dd5-8kq9x   0/1     ContainerCreating   0          3m20s
                nginx-deployment-66b6c48dd5-b7z2c   0/1     Pending             0          3m20s
                nginx-deployment-66b6c48dd5-c1x2d   0/1     ErrImagePull        0          3m20s
                nginx-deployment-66b6c48dd5-d9k3l   0/1     CrashLoopBackOff    2          3m20s
                nginx-deployment-66b6c48dd5-e0p4q   0/1     Terminating         0          3m20s
                """, JsonTables.render(ResourceTypes.PODS, pods, false, false, NOW));
    }

    @Test
    void shouldAddKubectlsWideColumnsForPods() throws Exception {
        JsonNode pod = KubeObjects.pod(task("nginx-deployment-66b6c48dd5-4jw2m", TaskPhase.RUNNING, true, "n1", ""), Map.of("n1", node("n1", true, false)));
        JsonNode pending = KubeObjects.pod(task("nginx-deployment-66b6c48dd5-b7z2c", TaskPhase.PENDING, false, "", "Unschedulable"), Map.of());
        assertEquals("""
                NAME                                READY   STATUS    RESTARTS   AGE     IP         NODE     NOMINATED NODE   READINESS GATES
                nginx-deployment-66b6c48dd5-4jw2m   1/1     Running   2          3m20s   10.0.0.1   n1       <none>           <none>
                nginx-deployment-66b6c48dd5-b7z2c   0/1     Pending   0          3m20s   <none>     <none>   <none>           <none>
                """, JsonTables.render(ResourceTypes.PODS, List.of(pod, pending), true, false, NOW));
        // a pod IP, when the gateway knows one, wins over the host's
        JsonNode withIp = json("{'metadata':{'name':'p','creationTimestamp':'2026-11-22T05:00:00Z'},'spec':{'nodeName':'n1','containers':[{'name':'c'}]},"
                + "'status':{'phase':'Running','podIP':'172.17.0.3','hostIP':'10.0.0.1','containerStatuses':[{'ready':true,'restartCount':0,'state':{'running':{}}}]}}");
        assertEquals("p      1/1     Running   0          3m20s   172.17.0.3   n1     <none>           <none>",
                JsonTables.render(ResourceTypes.PODS, List.of(withIp), true, false, NOW).split("\n")[1]);
    }

    @Test
    void shouldPrintDeploymentsAsKubectlDoes() throws Exception {
        JsonNode d = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'nginx-deployment','namespace':'default',"
                + "'creationTimestamp':'2026-11-22T05:00:00Z'},'spec':{'replicas':3,'selector':{'matchLabels':{'app':'nginx'}},"
                + "'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:1.14.2'}]}}},"
                + "'status':{'replicas':3,'readyReplicas':2,'updatedReplicas':3,'availableReplicas':2}}");
        assertEquals("""
                NAME               READY   UP-TO-DATE   AVAILABLE   AGE
                nginx-deployment   2/3     3            2           3m20s
                """, JsonTables.render(ResourceTypes.DEPLOYMENTS, List.of(d), false, false, NOW));
        assertEquals("""
                NAME               READY   UP-TO-DATE   AVAILABLE   AGE     CONTAINERS   IMAGES         SELECTOR
                nginx-deployment   2/3     3            2           3m20s   nginx        nginx:1.14.2   app=nginx
                """, JsonTables.render(ResourceTypes.DEPLOYMENTS, List.of(d), true, false, NOW));
        JsonNode fresh = json("{'metadata':{'name':'web','namespace':'team-a','creationTimestamp':'2026-11-22T05:03:15Z'},'spec':{'replicas':6},'status':{}}");
        assertEquals("""
                NAMESPACE   NAME   READY   UP-TO-DATE   AVAILABLE   AGE
                team-a      web    0/6     0            0           5s
                """, JsonTables.render(ResourceTypes.DEPLOYMENTS, List.of(fresh), false, true, NOW));
    }

    @Test
    void shouldPrintNodesAsKubectlDoes() {
        List<NodeView> views = List.of(node("n1", true, false), node("n2", false, false), node("n3", true, true));
        List<JsonNode> nodes = views.stream().map(n -> (JsonNode) KubeObjects.node(n)).toList();
        assertEquals("""
                NAME   STATUS                     ROLES    AGE   VERSION
                n1     Ready                      <none>   24h   v0.1.0-berth
                n2     NotReady                   <none>   24h   v0.1.0-berth
                n3     Ready,SchedulingDisabled   <none>   24h   v0.1.0-berth
                """, JsonTables.render(ResourceTypes.NODES, nodes, false, false, NOW));
        assertEquals("NAME   STATUS   ROLES    AGE   VERSION        INTERNAL-IP   EXTERNAL-IP   OS-IMAGE    KERNEL-VERSION   CONTAINER-RUNTIME",
                JsonTables.render(ResourceTypes.NODES, nodes.subList(0, 1), true, false, NOW).split("\n")[0]);
    }

    @Test
    void shouldPrintEventsServicesAndNamespaces() throws Exception {
        JsonNode scaled = json("{'metadata':{'name':'e1','namespace':'default'},'involvedObject':{'kind':'Deployment','name':'web'},"
                + "'reason':'ScalingReplicaSet','message':'Scaled up replica set web-5d8f to 3','type':'Normal','lastTimestamp':'2026-11-22T05:03:00Z'}");
        JsonNode backoff = json("{'metadata':{'name':'e2','namespace':'default'},'involvedObject':{'kind':'Pod','name':'web-5d8f-x2k'},"
                + "'reason':'BackOff','message':'Back-off restarting failed container','type':'Warning','lastTimestamp':'2026-11-22T05:03:18Z'}");
        assertEquals("""
                LAST SEEN   TYPE      REASON              OBJECT             MESSAGE
                20s         Normal    ScalingReplicaSet   deployment/web     Scaled up replica set web-5d8f to 3
                2s          Warning   BackOff             pod/web-5d8f-x2k   Back-off restarting failed container
                """, JsonTables.render(ResourceTypes.EVENTS, List.of(scaled, backoff), false, false, NOW));

        JsonNode svc = json("{'metadata':{'name':'web','namespace':'default','creationTimestamp':'2026-11-22T05:00:00Z'},"
                + "'spec':{'type':'NodePort','selector':{'app':'web'},'ports':[{'port':80,'nodePort':30080,'protocol':'TCP'}]}}");
        assertEquals("""
                NAME   TYPE       CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE
                web    NodePort   <none>       <none>        80:30080/TCP   3m20s
                """, JsonTables.render(ResourceTypes.SERVICES, List.of(svc), false, false, NOW));

        JsonNode ns = json("{'metadata':{'name':'team-a','creationTimestamp':'2026-11-22T05:00:00Z'},'status':{'phase':'Active'}}");
        assertEquals("NAME     STATUS   AGE\nteam-a   Active   3m20s\n", JsonTables.render(ResourceTypes.NAMESPACES, List.of(ns), false, true, NOW));
    }

    @Test
    void shouldShowWaitingAndTerminatedReasonsAsKubectlDoes() throws Exception {
        String base = "{'metadata':{'name':'p','creationTimestamp':'2026-11-22T05:00:00Z'%s},'spec':{'containers':[{'name':'c'}]},'status':%s}";
        assertEquals("ImagePullBackOff", JsonTables.podStatus(json(String.format(base, "",
                "{'phase':'Pending','containerStatuses':[{'state':{'waiting':{'reason':'ImagePullBackOff'}}}]}"))));
        assertEquals("Completed", JsonTables.podStatus(json(String.format(base, "",
                "{'phase':'Succeeded','containerStatuses':[{'state':{'terminated':{'reason':'Completed','exitCode':0}}}]}"))));
        assertEquals("ExitCode:137", JsonTables.podStatus(json(String.format(base, "",
                "{'phase':'Failed','containerStatuses':[{'state':{'terminated':{'exitCode':137}}}]}"))));
        assertEquals("Evicted", JsonTables.podStatus(json(String.format(base, "", "{'phase':'Failed','reason':'Evicted'}"))));
        assertEquals("Terminating", JsonTables.podStatus(json(String.format(base, ",'deletionTimestamp':'2026-11-22T05:03:00Z'",
                "{'phase':'Running','containerStatuses':[{'ready':true,'state':{'running':{}}}]}"))));
        assertEquals("Unknown", JsonTables.podStatus(json(String.format(base, ",'deletionTimestamp':'2026-11-22T05:03:00Z'",
                "{'phase':'Unknown','reason':'NodeLost'}"))));
    }
}
