package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.*;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** The CLI commands against a real gateway (real broker, state-streams and gateway in-process), through --server. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayCommandsTest extends InProcessControlPlaneTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static final String NGINX = io.berth.ops.Examples.NGINX;

    @Test
    @Order(1)
    void shouldApplyTheNginxDeploymentAndPrintItAsKubectlDoes() throws Exception {
        Run r = run(new ApplyCommand(), NGINX, "-f", "-");
        assertEquals(0, r.exit, r.err);
        assertEquals("deployment.apps/nginx-deployment created\n", r.out);

        Run again = run(new ApplyCommand(), NGINX.replace("replicas: 3", "replicas: 2"), "-f", "-");
        assertEquals(0, again.exit, again.err);
        assertEquals("deployment.apps/nginx-deployment configured\n", again.out);
        Run same = run(new ApplyCommand(), NGINX.replace("replicas: 3", "replicas: 2"), "-f", "-");
        assertEquals(0, same.exit, same.err);
        assertEquals("deployment.apps/nginx-deployment unchanged\n", same.out);

        Run get = run(new GetCommand(), "", "deployments");
        assertEquals(0, get.exit, get.err);
        String[] lines = get.out.split("\n");
        assertEquals("NAME               READY   UP-TO-DATE   AVAILABLE   AGE", lines[0]);
        assertTrue(lines[1].matches("nginx-deployment   0/2     \\d\\s+0\\s+\\d+s"), lines[1]);

        Run json = run(new GetCommand(), "", "deployment", "nginx-deployment", "-o", "json");
        assertEquals(0, json.exit, json.err);
        JsonNode d = JSON.readTree(json.out);
        assertEquals("Deployment", d.path("kind").asText());
        assertEquals(2, d.path("spec").path("replicas").asInt());

        Run yaml = run(new GetCommand(), "", "deploy/nginx-deployment", "-o", "yaml");
        assertEquals(0, yaml.exit, yaml.err);
        assertTrue(yaml.out.startsWith("apiVersion: apps/v1\nkind: Deployment\n"), yaml.out);
        assertEquals("deployment.apps/nginx-deployment\n", run(new GetCommand(), "", "deployments", "-o", "name").out);
        Run all = run(new GetCommand(), "", "deployments", "-A");
        assertTrue(all.out.startsWith("NAMESPACE   NAME               READY"), all.out);
        assertTrue(all.out.contains("\ndefault     nginx-deployment   "), all.out);

        eventually("2 pods in get pods", () -> run(new GetCommand(), "", "pods", "-l", "app=nginx").out.split("\n").length == 3);
        Run pods = run(new GetCommand(), "", "pods", "-o", "wide");
        assertTrue(pods.out.startsWith("NAME "), pods.out);
        assertTrue(pods.out.split("\n")[0].endsWith("IP       NODE     NOMINATED NODE   READINESS GATES"), pods.out);
        Run none = run(new GetCommand(), "", "pods", "-l", "app=other");
        assertEquals(0, none.exit);
        assertEquals("No resources found in default namespace.\n", none.err);
    }

    @Test
    @Order(2)
    void shouldScaleDescribeAndWatch() throws Exception {
        AtomicReference<String> watched = new AtomicReference<>("");
        StringWriter watchOut = new StringWriter();
        Thread watcher = new Thread(() -> {
            GetCommand get = new GetCommand();
            get.withClock(Clock.systemUTC());
            CommandLine cl = new CommandLine(get);
            cl.setOut(new PrintWriter(watchOut, true));
            cl.setErr(new PrintWriter(new StringWriter()));
            cl.execute("pods", "-l", "app=nginx", "-w", "-o", "json", "--server=" + server, "--token=" + TOKEN);
        });
        watcher.setDaemon(true);
        watcher.start();
        eventually("the watch lists the 2 pods", () -> watchOut.toString().split("\n").length >= 2);

        Run scale = run(new ScaleCommand(), "", "deployment/nginx-deployment", "--replicas", "4");
        assertEquals(0, scale.exit, scale.err);
        assertEquals("deployment.apps/nginx-deployment scaled\n", scale.out);
        eventually("2 more pods ADDED on the watch", () -> watchOut.toString().lines()
                .filter(l -> l.contains("\"type\":\"ADDED\"")).count() >= 4);
        watcher.interrupt();

        Run describe = run(new DescribeCommand(), "", "deployment", "nginx-deployment");
        assertEquals(0, describe.exit, describe.err);
        assertTrue(describe.out.startsWith("Name:"), describe.out);
        assertTrue(describe.out.contains("Namespace:              default"), describe.out);
        assertTrue(describe.out.contains("Replicas:               4 desired"), describe.out);
        assertTrue(describe.out.contains("Image:"), describe.out);
        assertTrue(describe.out.contains("nginx:1.14.2"), describe.out);
        assertTrue(describe.out.contains("Events:"), describe.out);

        String pod = run(new GetCommand(), "", "pods", "-o", "name").out.lines().findFirst().orElseThrow().substring(4);
        Run dp = run(new DescribeCommand(), "", "pod", pod);
        assertEquals(0, dp.exit, dp.err);
        assertTrue(dp.out.contains("Containers:\n  nginx:\n"), dp.out);
        assertTrue(dp.out.contains("Labels:"), dp.out);
    }

    @Test
    @Order(3)
    void shouldStreamTableRowsWithGetWatch() throws Exception {
        StringWriter watchOut = new StringWriter();
        Thread watcher = new Thread(() -> {
            GetCommand get = new GetCommand();
            get.withClock(Clock.systemUTC());
            CommandLine cl = new CommandLine(get);
            cl.setOut(new PrintWriter(watchOut, true));
            cl.setErr(new PrintWriter(new StringWriter()));
            cl.execute("deployments", "-w", "--server=" + server, "--token=" + TOKEN);
        });
        watcher.setDaemon(true);
        watcher.start();
        eventually("the watch lists the deployment", () -> watchOut.toString().lines().count() >= 2);
        assertEquals(0, run(new ScaleCommand(), "", "deployment/nginx-deployment", "--replicas", "5").exit);
        eventually("a row showing 5 desired", () -> watchOut.toString().lines().anyMatch(l -> l.matches("nginx-deployment\\s+\\d/5\\s.*")));
        watcher.interrupt();
        List<String> lines = watchOut.toString().lines().toList();
        assertEquals("NAME               READY   UP-TO-DATE   AVAILABLE   AGE", lines.get(0));
        assertEquals(1, lines.stream().filter(l -> l.startsWith("NAME")).count(), "one header: " + lines);
        assertTrue(lines.subList(1, lines.size()).stream().allMatch(l -> l.startsWith("nginx-deployment   ")), lines.toString());

        Run events = run(new GetCommand(), "", "events");
        assertEquals(0, events.exit, events.err);
        assertTrue(events.out.startsWith("LAST SEEN   TYPE ") || events.err.equals("No resources found in default namespace.\n"), events.out + events.err);
    }

    @Test
    @Order(3)
    void shouldReportServerErrorsAsKubectlDoesWithANonZeroExit() {
        Run get = run(new GetCommand(), "", "pods", "nope");
        assertEquals(1, get.exit);
        assertEquals("Error from server (NotFound): pods \"nope\" not found\n", get.err);
        Run deploy = run(new GetCommand(), "", "deploy", "nope");
        assertEquals("Error from server (NotFound): deployments.apps \"nope\" not found\n", deploy.err);
        Run cordon = run(new CordonCommand(), "", "n9");
        assertEquals(1, cordon.exit);
        assertEquals("Error from server (NotFound): nodes \"n9\" not found\n", cordon.err);
        Run badScale = run(new ScaleCommand(), "", "deployment/nope", "--replicas", "2");
        assertEquals(1, badScale.exit);
        assertTrue(badScale.err.startsWith("Error from server (NotFound): "), badScale.err);

        Run refused = new GatewayCommandsTest.Noop().run(new GetCommand(), "pods", "--server=http://127.0.0.1:1");
        assertEquals(1, refused.exit);
        assertEquals("The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n", refused.err);
    }

    @Test
    @Order(4)
    void shouldDeleteAndPrintVersions() throws Exception {
        Run version = run(new VersionCommand(), "");
        assertEquals(0, version.exit, version.err);
        assertEquals("Client Version: v0.1.0\nServer Version: v0.1.0\n", version.out);
        Run info = run(new ClusterInfoCommand(), "");
        assertEquals(0, info.exit, info.err);
        assertTrue(info.out.startsWith("Berth control plane is running at " + server + "\n"), info.out);

        Run delete = run(new DeleteCommand(), NGINX, "-f", "-");
        assertEquals(0, delete.exit, delete.err);
        assertEquals("deployment.apps \"nginx-deployment\" deleted\n", delete.out);
        Run again = run(new DeleteCommand(), "", "deployment", "nginx-deployment");
        assertEquals(1, again.exit, "deleting what is gone: " + again.out);
        assertEquals("Error from server (NotFound): deployments.apps \"nginx-deployment\" not found\n", again.err);
        eventually("the deployment gone", () -> run(new GetCommand(), "", "deployments").err.startsWith("No resources found"));
    }

    @Test
    @Order(5)
    void shouldCordonUncordonAndDrainANode() throws Exception {
        produce(io.berth.schemas.Topics.NODE_EVENTS, "n7", io.berth.schemas.avro.NodeEvent.newBuilder().setNodeId("n7")
                .setType(io.berth.schemas.avro.NodeEventType.REGISTER).setTimestamp(System.currentTimeMillis()).setSequence(1)
                .setRunningTaskIds(List.of()).setRegistration(io.berth.schemas.avro.NodeRegistration.newBuilder().setName("n7")
                        .setAddress("10.0.0.7").setLabels(java.util.Map.of()).setCapacity(new io.berth.schemas.avro.Resources(4000L, 4L << 30))
                        .setDaemonVersion("test").setStartedAt(System.currentTimeMillis()).setIncarnation("i1").build()).build());
        eventually("n7 in get nodes", () -> run(new GetCommand(), "", "nodes").out.contains("n7 "));
        Run cordon = run(new CordonCommand(), "", "n7");
        assertEquals(0, cordon.exit, cordon.err);
        assertEquals("node/n7 cordoned\n", cordon.out);
        assertTrue(run(new GetCommand(), "", "nodes", "n7").out.contains(",SchedulingDisabled"));
        assertEquals("node/n7 already cordoned\n", run(new CordonCommand(), "", "n7").out);
        Run uncordon = run(new UncordonCommand(), "", "n7");
        assertEquals("node/n7 uncordoned\n", uncordon.out, uncordon.err);
        Run drain = run(new DrainCommand(), "", "n7", "--timeout", "30s");
        assertEquals(0, drain.exit, drain.err);
        assertEquals("node/n7 cordoned\nnode/n7 drained\n", drain.out);
    }

    @Test
    @Order(6)
    void shouldPrintPodLogsFromTheLogsTopic() throws Exception {
        for (int i = 1; i <= 3; i++) {
            produce(io.berth.schemas.Topics.LOGS, "logged-pod", io.berth.schemas.avro.LogLine.newBuilder().setTaskId("logged-pod")
                    .setPodName("logged-pod").setNamespace("default").setContainer("web").setStream("stdout").setLine("line " + i)
                    .setTimestamp(System.currentTimeMillis()).setNodeId("n7").build());
        }
        Run all = run(new LogsCommand(), "", "logged-pod");
        assertEquals(0, all.exit, all.err);
        assertEquals("line 1\nline 2\nline 3\n", all.out);
        assertEquals("line 2\nline 3\n", run(new LogsCommand(), "", "logged-pod", "--tail", "2").out);
        assertEquals("", run(new LogsCommand(), "", "logged-pod", "-c", "other").out);
        Run missing = run(new LogsCommand(), "", "nope");
        assertEquals(1, missing.exit);
        assertEquals("Error from server (NotFound): pods \"nope\" not found\n", missing.err);
    }

    /** Runs a command with only the given arguments (no --server added). */
    static final class Noop {
        Run run(KubectlCommand command, String... args) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            CommandLine cl = new CommandLine(command);
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            int exit = cl.execute(args);
            return new Run(exit, out.toString(), err.toString());
        }
    }
}
