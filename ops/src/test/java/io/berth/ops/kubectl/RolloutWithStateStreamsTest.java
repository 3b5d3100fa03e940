package io.berth.ops.kubectl;

import io.berth.gateway.GatewayService;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.service.BerthConfig;
import io.berth.state.StateStreamsService;
import io.berth.testing.TestKafka;
import org.junit.jupiter.api.*;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The rollout commands against the real control loop's bookkeeping (broker, state-streams and gateway
 * in-process, no node): revisions, ReplicaSets, undo renumbering, pause refusing undo, promote refused
 * on a deployment that is not a canary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class RolloutWithStateStreamsTest {
    TestKafka kafka;
    GatewayService gateway;
    StateStreamsService streams;
    String server;

    @BeforeAll
    void start() throws Exception {
        kafka = TestKafka.start().withBerthTopics();
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        BerthConfig config = BerthConfig.of(kafka.bootstrapServers(), "in-memory", Files.createTempDirectory("rollout-ss"))
                .with("replication-factor", "1").with("gateway-port", "0").with("gateway-write-wait-ms", "20000");
        streams = new StateStreamsService(config, registry);
        streams.start();
        gateway = new GatewayService(config, registry);
        gateway.start();
        server = "http://127.0.0.1:" + gateway.port();
    }

    @AfterAll
    void stop() {
        if (gateway != null) gateway.close();
        if (streams != null) streams.close();
        if (kafka != null) kafka.close();
    }

    record Run(int exit, String out, String err) {}

    Run run(KubectlCommand command, String stdin, String... args) {
        command.withClock(Clock.systemUTC()).withStdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server=" + server);
        return new Run(cl.execute(all.toArray(String[]::new)), out.toString(), err.toString());
    }

    Run rollout(String... args) {
        return run(new RolloutCommand(), "", args);
    }

    static void eventually(String what, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.get()) {
            if (System.currentTimeMillis() > deadline) fail("not within 30 s: " + what);
            Thread.sleep(100);
        }
    }

    @Test
    void shouldKeepRevisionsUndoPauseAndRefuseAPromoteThroughTheRealControlLoop() throws Exception {
        String nginx = KubectlCommandsTest.NGINX.replace("replicas: 3", "replicas: 2");
        assertEquals(0, run(new ApplyCommand(), nginx, "-f", "-").exit);
        Run h1 = rollout("history", "deployment/nginx-deployment");
        assertEquals(0, h1.exit, h1.err);
        assertEquals("deployment.apps/nginx-deployment\nREVISION  CHANGE-CAUSE\n1         <none>\n\n", h1.out);

        Run set = run(new SetCommand(), "", "image", "deployment/nginx-deployment", "nginx=nginx:1.16.1");
        assertEquals(0, set.exit, set.err);
        assertEquals("deployment.apps/nginx-deployment image updated\n", set.out);
        Run h2 = rollout("history", "deploy/nginx-deployment");
        assertTrue(h2.out.contains("\n1         <none>\n2         <none>\n"), h2.out);
        Run rs = run(new GetCommand(), "", "rs");
        assertEquals(3, rs.out.lines().count(), rs.out);
        assertTrue(rs.out.startsWith("NAME                          DESIRED   CURRENT   READY   AGE\n"), rs.out);
        Run one = rollout("history", "deployment/nginx-deployment", "--revision", "2");
        assertTrue(one.out.contains("nginx:1.16.1"), one.out);

        Run status = rollout("status", "deployment/nginx-deployment", "--watch=false");
        assertEquals(0, status.exit, status.err);
        assertTrue(status.out.startsWith("Waiting for deployment \"nginx-deployment\" rollout to finish: "), "no node runs the pods: " + status.out);

        Run undo = rollout("undo", "deployment/nginx-deployment");
        assertEquals(0, undo.exit, undo.err);
        assertEquals("deployment.apps/nginx-deployment rolled back\n", undo.out);
        eventually("revision 1 renumbered 3", () -> rollout("history", "deployment/nginx-deployment").out.contains("\n2         <none>\n3         <none>\n"));
        assertTrue(run(new GetCommand(), "", "deployment", "nginx-deployment", "-o", "json").out.contains("nginx:1.14.2"));

        assertEquals("deployment.apps/nginx-deployment paused\n", rollout("pause", "deployment/nginx-deployment").out);
        Run again = rollout("pause", "deployment/nginx-deployment");
        assertEquals("error: deployments.apps \"nginx-deployment\" is already paused\n", again.err);
        Run refused = rollout("undo", "deployment/nginx-deployment");
        assertEquals(1, refused.exit);
        assertTrue(refused.err.startsWith("error: you cannot rollback a paused deployment"), refused.err);
        assertEquals("deployment.apps/nginx-deployment resumed\n", rollout("resume", "deployment/nginx-deployment").out);

        Run promote = rollout("promote", "deployment/nginx-deployment");
        assertEquals(1, promote.exit);
        assertEquals("error: deployment \"nginx-deployment\" has no canary step to promote\n", promote.err);
        Run bad = rollout("undo", "deployment/nginx-deployment", "--to-revision", "9");
        assertEquals("error: unable to find specified revision 9 in history\n", bad.err);
    }
}
