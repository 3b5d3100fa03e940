package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The pure parts of the HTTP edge: kubectl's error wording, Warning headers, apply verdicts, describe's layout. */
class GatewayClientTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void shouldWordServerErrorsAsKubectlDoes() throws Exception {
        assertEquals("Error from server (NotFound): pods \"x\" not found", Gateway.error(404,
                json("{'kind':'Status','status':'Failure','reason':'NotFound','message':'pods \\\"x\\\" not found','code':404}"), null).getMessage());
        assertEquals("Error from server (Conflict): the object has been modified", Gateway.error(409, null, "the object has been modified").getMessage());
        assertEquals("Error from server: the server responded with status 500", Gateway.error(500, null, "").getMessage());
    }

    @Test
    void shouldReadTheTextOfWarningHeaders() {
        assertEquals(List.of("unknown field \"spec.replica\"", "plain"),
                Gateway.warnings(List.of("299 - \"unknown field \\\"spec.replica\\\"\"", "plain")));
    }

    @Test
    void shouldBuildKubernetesPathsAndQueries() {
        assertEquals("/apis/apps/v1/namespaces/team-a/deployments/web", Gateway.item("deployments", "team-a", "web"));
        assertEquals("/api/v1/pods", Gateway.collection("pods", null));
        assertEquals("/api/v1/nodes/n1", Gateway.item("nodes", null, "n1"));
        assertEquals("?labelSelector=app%3Dnginx%2Ctier%21%3Ddb&watch=true",
                Gateway.query(Gateway.params("labelSelector", "app=nginx,tier!=db", "fieldSelector", null, "watch", "true")));
    }

    @Test
    void shouldSayCreatedConfiguredOrUnchangedFromTheServedResourceVersion() throws Exception {
        JsonNode applied = json("{'kind':'Deployment','metadata':{'name':'web','namespace':'default','resourceVersion':'12'}}");
        assertEquals("deployment.apps/web created", ApplyCommand.result(applied, Map.of()));
        assertEquals("deployment.apps/web configured", ApplyCommand.result(applied, Map.of("default/deployment/web", "9")));
        assertEquals("deployment.apps/web unchanged", ApplyCommand.result(applied, Map.of("default/deployment/web", "12")));
        assertEquals("service/api created", ApplyCommand.result(json("{'kind':'IntentReceipt','key':'default/service/api'}"), Map.of()));
    }

    @Test
    void shouldDescribeAPodAsKubectlDoes() throws Exception {
        JsonNode pod = json("""
                {'kind':'Pod','metadata':{'name':'web-5d8f-x2k4q','namespace':'default','labels':{'app':'web','pod-template-hash':'5d8f'},
                 'annotations':{'berth.io/workload':'default/deployment/web'},'creationTimestamp':'2026-11-22T05:00:00Z'},
                 'spec':{'nodeName':'n1','containers':[{'name':'web','image':'berth/busybox:latest','ports':[{'containerPort':8080,'protocol':'TCP'}],
                   'resources':{'limits':{'cpu':'1','memory':'128Mi'},'requests':{'cpu':'250m','memory':'64Mi'}}}]},
                 'status':{'phase':'Running','hostIP':'10.0.0.1','startTime':'2026-11-22T05:00:02Z',
                   'conditions':[{'type':'PodScheduled','status':'True'},{'type':'Ready','status':'True'}],
                   'containerStatuses':[{'name':'web','ready':true,'restartCount':1,'containerID':'docker://c0ffee','state':{'running':{'startedAt':'2026-11-22T05:00:02Z'}}}]}}
                """);
        JsonNode event = json("{'involvedObject':{'kind':'Pod','name':'web-5d8f-x2k4q'},'type':'Normal','reason':'Scheduled',"
                + "'message':'Successfully assigned default/web-5d8f-x2k4q to n1','source':{'component':'berth-scheduler'},'lastTimestamp':'2026-11-22T05:00:01Z'}");
        long now = Instant.parse("2026-11-22T05:01:00Z").toEpochMilli();
        assertEquals("""
                Name:            web-5d8f-x2k4q
                Namespace:       default
                Node:            n1/10.0.0.1
                Start Time:      Sun, 22 Nov 2026 05:00:02 +0000
                Labels:          app=web
                                 pod-template-hash=5d8f
                Annotations:     berth.io/workload=default/deployment/web
                Status:          Running
                IP:              <none>
                Controlled By:   Deployment/web
                Containers:
                  web:
                    Container ID:   docker://c0ffee
                    Image:          berth/busybox:latest
                    Port:           8080/TCP
                    State:          Running
                      Started:      Sun, 22 Nov 2026 05:00:02 +0000
                    Ready:          True
                    Restart Count:  1
                    Limits:
                      cpu:     1
                      memory:  128Mi
                    Requests:
                      cpu:     250m
                      memory:  64Mi
                    Environment:  <none>
                Conditions:
                  Type              Status
                  PodScheduled      True
                  Ready             True
                Node-Selectors:  <none>
                Events:
                  Type    Reason     Age   From             Message
                  ----    ------     ----  ----             -------
                  Normal  Scheduled  59s   berth-scheduler  Successfully assigned default/web-5d8f-x2k4q to n1
                """, DescribeCommand.describe(ResourceTypes.PODS, pod, List.of(event), now));
    }

    @Test
    void shouldDescribeWhereAPodWasPlacedAndWhy() throws Exception {
        JsonNode pod = json("""
                {'kind':'Pod','metadata':{'name':'web-5d8f-x2k4q','namespace':'default','annotations':{'berth.io/workload':'default/deployment/web'}},
                 'spec':{'nodeName':'n2','containers':[]},'status':{'phase':'Pending'}}
                """);
        String verdict = json("""
                {'nodeId':'n2','feasible':2,'total':4,
                 'scores':[{'ranker':'spread','score':0,'normalized':1.0},{'ranker':'leastAllocated','score':71,'normalized':0.71}],
                 'runnerUp':'n3','runnerUpScores':[{'ranker':'spread','score':0,'normalized':1.0},{'ranker':'leastAllocated','score':65,'normalized':0.65}],
                 'rejected':{'n1':'Insufficient memory','n4':'node(s) were unschedulable'},'rejectedOmitted':3}
                """).toString();
        ((com.fasterxml.jackson.databind.node.ObjectNode) pod.path("metadata").path("annotations"))
                .put("berth.io/placement", "n2 of 4 feasible — spread 1.00, leastAllocated 0.71; runner-up n3 (spread 1.00, leastAllocated 0.65); "
                        + "n1: Insufficient memory; n4: node(s) were unschedulable; 3 more rejected")
                .put("berth.io/placement-verdict", verdict);
        String text = DescribeCommand.describe(ResourceTypes.PODS, pod, List.of(), 0);
        assertTrue(text.contains("""
                Controlled By:   Deployment/web
                Placement:       n2 of 4 feasible — spread 1.00, leastAllocated 0.71
                  Runner-up:  n3 (spread 1.00, leastAllocated 0.65)
                  n1:         Insufficient memory
                  n4:         node(s) were unschedulable
                  …           3 more rejected
                Containers:
                """), text);
        assertTrue(text.contains("Annotations:     berth.io/workload=default/deployment/web\nStatus:"), "the verdict is not repeated under Annotations:\n" + text);
    }
}
