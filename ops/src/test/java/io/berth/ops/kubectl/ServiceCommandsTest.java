package io.berth.ops.kubectl;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.*;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** get svc / get ep / describe svc / delete svc against a real gateway and state-streams (real broker, in-process). */
class ServiceCommandsTest extends InProcessControlPlaneTest {
    static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              type: NodePort
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
            """;

    static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: berth/busybox:latest, ports: [{containerPort: 8080}]}]
            """;

    /** The node reports the pod ready (no ASSIGNED first: the controller takes the node from the status). */
    static TaskStatus status(String pod, String ip) {
        return TaskStatus.newBuilder().setTaskId(pod).setWorkloadKey("default/deployment/web").setNodeId("n1").setState(TaskState.READY)
                .setContainerId("c-" + pod).setPodIP(ip)
                .setPublishedPorts(List.of(PublishedPort.newBuilder().setContainerPort(8080).setHostPort(40000).build())).build();
    }

    @Test
    void getsDescribesAndDeletesAService() throws Exception {
        Run applied = run(new ApplyCommand(), SERVICE, "-f", "-");
        assertEquals(0, applied.exit, applied.err);
        assertEquals("service/web created\n", applied.out);
        eventually("a cluster IP", () -> run(new GetCommand(), "", "svc").out.contains("10.96."));
        Run svc = run(new GetCommand(), "", "services");
        String[] lines = svc.out.split("\n");
        assertEquals("NAME   TYPE       CLUSTER-IP", lines[0].substring(0, lines[0].indexOf("CLUSTER-IP") + 10), svc.out);
        assertTrue(lines[0].matches("NAME   TYPE       CLUSTER-IP\\s+EXTERNAL-IP   PORT\\(S\\)        AGE"), lines[0]);
        assertTrue(lines[1].matches("web    NodePort   10\\.96\\.\\d+\\.\\d+\\s+<none>        80:30080/TCP   \\d+s"), lines[1]);

        // two pods of a deployment, through the real workload controller, reported ready on n1
        produce(Topics.NODES, "n1", NodeView.newBuilder().setNodeId("n1").setName("n1").setAddress("10.0.0.1").setReady(true)
                .setCapacity(new Resources(4000L, 8L << 30)).build());
        assertEquals(0, run(new ApplyCommand(), DEPLOYMENT, "-f", "-").exit);
        List<String> pods = new ArrayList<>();
        eventually("two pods", () -> {
            pods.clear();
            for (String l : run(new GetCommand(), "", "pods", "-o", "name").out.split("\n")) if (l.startsWith("pod/")) pods.add(l.substring(4));
            return pods.size() == 2;
        });
        java.util.Collections.sort(pods);
        produce(Topics.TASK_STATUS, "default/deployment/web", status(pods.get(0), "172.17.0.2"));
        produce(Topics.TASK_STATUS, "default/deployment/web", status(pods.get(1), "172.17.0.3"));
        eventually("two endpoints", () -> run(new GetCommand(), "", "ep").out.contains("172.17.0.2:8080,172.17.0.3:8080"));
        Run ep = run(new GetCommand(), "", "endpoints", "web");
        assertEquals(0, ep.exit, ep.err);
        assertTrue(ep.out.startsWith("NAME   ENDPOINTS                         AGE\nweb    172.17.0.2:8080,172.17.0.3:8080   "), ep.out);
        assertEquals("endpoints/web\n", run(new GetCommand(), "", "ep", "-o", "name").out);

        Run described = run(new DescribeCommand(), "", "svc", "web");
        assertEquals(0, described.exit, described.err);
        assertTrue(described.out.contains("Type:              NodePort\n") || described.out.matches("(?s).*Type:\\s+NodePort\n.*"), described.out);
        assertTrue(described.out.matches("(?s).*Endpoints:\\s+172\\.17\\.0\\.2:8080,172\\.17\\.0\\.3:8080\n.*"), described.out);

        Run clash = run(new ApplyCommand(), SERVICE.replace("name: web}", "name: api}"), "-f", "-");
        assertNotEquals(0, clash.exit);
        assertTrue(clash.err.contains("spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"), clash.err);

        Run deleted = run(new DeleteCommand(), "", "svc", "web");
        assertEquals(0, deleted.exit, deleted.err);
        assertEquals("service \"web\" deleted\n", deleted.out);
        eventually("the endpoints gone", () -> run(new GetCommand(), "", "ep").err.startsWith("No resources found"));
    }
}
