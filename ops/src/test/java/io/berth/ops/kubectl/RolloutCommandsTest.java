package io.berth.ops.kubectl;

import io.berth.gateway.GatewayService;
import io.berth.ops.kubectl.InProcessControlPlaneTest.Run;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.service.BerthConfig;
import io.berth.testing.TestKafka;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.*;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code rollout status|history|undo|pause|resume|promote|abort}, {@code set image} and {@code get rs}
 * against a real gateway on a real broker; the test plays state-streams, producing the deployment
 * views itself, and reads the intents the commands cause.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class RolloutCommandsTest {
    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    static final long T0 = Instant.parse("2026-11-22T05:00:00Z").toEpochMilli();
    TestKafka kafka;
    InMemorySchemaRegistryClient registry;
    GatewayService gateway;
    KafkaProducer<String, byte[]> producer;
    String server;

    @BeforeAll
    void start() throws Exception {
        kafka = TestKafka.start().withBerthTopics();
        registry = new InMemorySchemaRegistryClient();
        // no state-streams: writes answer 202 after a short wait, reads show what the test produces
        BerthConfig config = BerthConfig.of(kafka.bootstrapServers(), "in-memory", InProcessControlPlaneTest.dataDirWithToken("rollout-cli"))
                .with("replication-factor", "1").with("gateway-port", "0").with("gateway-write-wait-ms", "300");
        gateway = new GatewayService(config, registry);
        gateway.start();
        server = "http://127.0.0.1:" + gateway.port();
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    void stop() {
        if (producer != null) producer.close();
        if (gateway != null) gateway.close();
        if (kafka != null) kafka.close();
    }

    Run run(KubectlCommand top, String... args) {
        return InProcessControlPlaneTest.execute(top, server, args);
    }

    Run rollout(String... args) {
        return run(new RolloutCommand(), args);
    }

    /** Runs a command in the background, its output readable while it runs. */
    record Background(CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {}

    Background background(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(new RolloutCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server=" + server);
        all.add("--token=" + InProcessControlPlaneTest.TOKEN);
        return new Background(CompletableFuture.supplyAsync(() -> cl.execute(all.toArray(String[]::new))), out, err);
    }

    <V extends SpecificRecord> void produce(Topic<V> topic, String key, V value) throws Exception {
        AvroSerde<V> serde = new AvroSerde<>(registry, topic.valueClass());
        producer.send(new ProducerRecord<>(topic.name(), key, serde.serialize(topic.name(), value))).get();
    }

    static void eventually(String what, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.get()) {
            if (System.currentTimeMillis() > deadline) fail("not within 20 s: " + what);
            Thread.sleep(50);
        }
    }

    List<Intent> intents() {
        AvroSerde<Intent> serde = new AvroSerde<>(registry, Intent.class);
        try (KafkaConsumer<String, Intent> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringDeserializer(), serde.deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.INTENTS.name()).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<Intent> out = new ArrayList<>();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            out.sort(Comparator.comparingLong(Intent::getTimestamp));
            return out;
        }
    }

    Intent lastIntent(String name) {
        List<Intent> mine = intents().stream().filter(i -> i.getName().equals(name)).toList();
        assertFalse(mine.isEmpty(), "no intent for " + name);
        return mine.get(mine.size() - 1);
    }

    static DeploymentSpec spec(String name, String image, boolean paused) {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s}
                spec:
                  replicas: 3
                  paused: %s
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      containers: [{name: web, image: "%s"}, {name: side, image: berth/busybox:latest}]
                """.formatted(name, paused, name, name, image);
        return (DeploymentSpec) new ManifestParser().parse("", yaml).intents().get(0).getPayload();
    }

    /** A deployment view; {@code progress} = {generation, observedGeneration, revision, replicas, updated, available}. */
    static WorkloadView.Builder view(String name, long... progress) {
        DeploymentSpec v1 = spec(name, "berth/busybox:1", false), v2 = spec(name, "berth/busybox:2", false);
        return WorkloadView.newBuilder().setKey("default/deployment/" + name).setKind(ResourceKind.DEPLOYMENT).setName(name)
                .setUid("uid-" + name).setCreatedAt(T0).setDeployment(v2).setTemplateHash("bbbbbb")
                .setGeneration(progress[0]).setObservedGeneration(progress[1]).setRevision(progress[2])
                .setReplicas((int) progress[3]).setUpdatedReplicas((int) progress[4]).setAvailableReplicas((int) progress[5])
                .setReadyReplicas((int) progress[5])
                .setHistory(List.of(Revision.newBuilder().setRevision(1).setTemplateHash("aaaaaa").setTemplate(v1.getTemplate()).setCreatedAt(T0).build(),
                        Revision.newBuilder().setRevision(2).setTemplateHash("bbbbbb").setTemplate(v2.getTemplate())
                                .setChangeCause("berth set image deployment/" + name + " web=berth/busybox:2").setCreatedAt(T0 + 1000).build()));
    }

    void show(WorkloadView v) throws Exception {
        produce(Topics.WORKLOADS, v.getKey(), v);
    }

    void showAndWait(WorkloadView v) throws Exception {
        show(v);
        eventually(v.getName() + " visible", () -> run(new GetCommand(), "deployment", v.getName()).exit == 0);
    }

    static final Condition PROGRESSING = new Condition("Progressing", "True", "ReplicaSetUpdated", "", T0);

    @Test
    void shouldFollowARolloutWithKubectlsMessagesUntilItSucceeds() throws Exception {
        showAndWait(view("web", 2, 1, 2, 3, 0, 3).build());
        Background status = background("status", "deployment/web");
        String p = "Waiting for deployment \"web\" rollout to finish: ";
        List<String> expected = List.of("Waiting for deployment spec update to be observed...",
                p + "1 out of 3 new replicas have been updated...",
                p + "1 old replicas are pending termination...",
                p + "2 of 3 updated replicas are available...",
                "deployment \"web\" successfully rolled out");
        eventually("the first message", () -> status.out.toString().contains(expected.get(0)));
        show(view("web", 2, 2, 2, 4, 1, 3).setConditions(List.of(PROGRESSING)).build());
        eventually("1 of 3 updated", () -> status.out.toString().contains(expected.get(1)));
        show(view("web", 2, 2, 2, 4, 3, 2).setConditions(List.of(PROGRESSING)).build());
        eventually("old pending", () -> status.out.toString().contains(expected.get(2)));
        show(view("web", 2, 2, 2, 3, 3, 2).setConditions(List.of(PROGRESSING)).build());
        eventually("available", () -> status.out.toString().contains(expected.get(3)));
        show(view("web", 2, 2, 2, 3, 3, 3).setConditions(List.of(new Condition("Progressing", "True", "NewReplicaSetAvailable", "", T0))).build());
        int exit = status.exit.get(20, TimeUnit.SECONDS);
        assertEquals(0, exit, status.out + "/" + status.err);
        assertEquals(String.join("\n", expected) + "\n", status.out.toString());
        assertEquals("", status.err.toString());

        Run once = rollout("status", "deploy", "web", "--watch=false");
        assertEquals(0, once.exit, once.err);
        assertEquals("deployment \"web\" successfully rolled out\n", once.out);
        Run pinned = rollout("status", "deployments/web", "--revision", "1");
        assertEquals(1, pinned.exit);
        assertEquals("error: desired revision (1) is different from the running revision (2)\n", pinned.err);
        Run missing = rollout("status", "deployment/nope");
        assertEquals(1, missing.exit);
        assertEquals("Error from server (NotFound): deployments.apps \"nope\" not found\n", missing.err);
        Run notDeployment = rollout("status", "pod/web");
        assertEquals(1, notDeployment.exit);
    }

    @Test
    void shouldExitOneWhenTheProgressDeadlineIsExceeded() throws Exception {
        showAndWait(view("slow", 2, 2, 2, 4, 1, 3).setConditions(List.of(PROGRESSING)).build());
        Background status = background("status", "deployment/slow", "--timeout=30s");
        eventually("waiting", () -> status.out.toString().contains("1 out of 3 new replicas have been updated..."));
        show(view("slow", 2, 2, 2, 4, 1, 3).setConditions(List.of(new Condition("Progressing", "False", "ProgressDeadlineExceeded",
                "ReplicaSet \"slow-bbbbbb\" has timed out progressing.", T0))).build());
        assertEquals(1, status.exit.get(20, TimeUnit.SECONDS));
        assertEquals("error: deployment \"slow\" exceeded its progress deadline\n", status.err.toString());
        // as state-streams records it: the failure kept in status.berth too
        show(view("slow", 2, 2, 2, 4, 1, 3).setConditions(List.of(new Condition("Progressing", "False", "ProgressDeadlineExceeded", "", T0)))
                .setRollout(RolloutStatus.newBuilder().setPhase("Failed").setReason("ProgressDeadlineExceeded").setFailedRevision(2)
                        .setFailedReason("ProgressDeadlineExceeded").setFailedMessage("ReplicaSet \"slow-bbbbbb\" has timed out progressing.").build()).build());
        eventually("the failure recorded", () -> run(new GetCommand(), "deployment", "slow", "-o", "json").out.contains("failedRevision"));
        Run again = rollout("status", "deployment/slow");
        assertEquals(1, again.exit);
        assertEquals("error: deployment \"slow\" exceeded its progress deadline\n", again.err);
    }

    @Test
    void shouldExitOneWhenTheFollowedRevisionFailedEvenAfterAnAutomaticRollback() throws Exception {
        showAndWait(view("crash", 2, 2, 2, 4, 1, 3).setConditions(List.of(PROGRESSING)).build());
        Background status = background("status", "deployment/crash");
        eventually("waiting", () -> status.out.toString().contains("1 out of 3 new replicas have been updated..."));
        // state-streams rolled back by itself: revision 2's template failed, revision 1's is current again as revision 3
        show(view("crash", 3, 3, 3, 3, 3, 3).setTemplateHash("aaaaaa")
                .setConditions(List.of(new Condition("Progressing", "True", "RolledBack", "Rollout of revision 2 failed (RolloutFailed); "
                        + "rolled back from revision 2 to revision 1: pod crash-bbbbbb-x1 is crash-looping (restarted 3 times)", T0)))
                .setRollout(RolloutStatus.newBuilder().setPhase("RolledBack").setReason("NewReplicaSetAvailable").setFailedRevision(2).setFailedReason("RolloutFailed")
                        .setFailedMessage("pod crash-bbbbbb-x1 is crash-looping (restarted 3 times)").setRolledBackFrom(2).build()).build());
        assertEquals(1, status.exit.get(20, TimeUnit.SECONDS));
        assertEquals("error: deployment \"crash\" rollout failed: pod crash-bbbbbb-x1 is crash-looping (restarted 3 times)"
                + " (rolled back from revision 2 to revision 1, now revision 3)\n", status.err.toString());
        Run pinned = rollout("status", "deployment/crash", "--revision=2");
        assertEquals(1, pinned.exit);
        assertTrue(pinned.err.startsWith("error: deployment \"crash\" rollout failed: pod crash-bbbbbb-x1"), pinned.err);
        Run current = rollout("status", "deployment/crash");
        assertEquals(0, current.exit, "revision 3 itself is fine: " + current.err);
    }

    @Test
    void shouldTimeOutAsKubectlDoes() throws Exception {
        showAndWait(view("stuck", 2, 2, 2, 4, 1, 3).build());
        long start = System.currentTimeMillis();
        Run r = rollout("status", "deployment/stuck", "--timeout", "1s");
        assertEquals(1, r.exit);
        assertEquals("Waiting for deployment \"stuck\" rollout to finish: 1 out of 3 new replicas have been updated...\n", r.out);
        assertEquals("error: timed out waiting for the condition\n", r.err);
        assertTrue(System.currentTimeMillis() - start < 10_000);
        Run bad = rollout("status", "deployment/stuck", "--timeout", "soon");
        assertEquals(1, bad.exit);
        assertTrue(bad.err.startsWith("error: invalid argument \"soon\" for \"--timeout\" flag"), bad.err);
    }

    @Test
    void shouldPrintTheHistoryAndOneRevisionsTemplate() throws Exception {
        showAndWait(view("hist", 2, 2, 2, 3, 3, 3).build());
        Run h = rollout("history", "deployment/hist");
        assertEquals(0, h.exit, h.err);
        assertEquals("""
                deployment.apps/hist
                REVISION  CHANGE-CAUSE
                1         <none>
                2         berth set image deployment/hist web=berth/busybox:2

                """, h.out);
        Run one = rollout("history", "deployment/hist", "--revision=2");
        assertEquals(0, one.exit, one.err);
        assertTrue(one.out.startsWith("deployment.apps/hist with revision #2\nPod Template:\n  Labels:"), one.out);
        assertTrue(one.out.contains("pod-template-hash=bbbbbb"), one.out);
        assertTrue(one.out.contains("  Containers:\n  web:\n    Image:"), one.out);
        assertTrue(one.out.contains("berth/busybox:2"), one.out);
        Run describe = run(new DescribeCommand(), "deployment", "hist");
        assertEquals(0, describe.exit, describe.err);
        assertTrue(java.util.regex.Pattern.compile("\nOldReplicaSets: +<none>\nNewReplicaSet: +hist-bbbbbb \\(0/3 replicas created\\)\n")
                .matcher(describe.out).find(), describe.out);
        Run none = rollout("history", "deployment/hist", "--revision=9");
        assertEquals(1, none.exit);
        assertEquals("error: unable to find the specified revision\n", none.err);
    }

    @Test
    void shouldUndoToThePreviousOrAGivenRevision() throws Exception {
        showAndWait(view("undo", 2, 2, 2, 3, 3, 3).build());
        Run prev = rollout("undo", "deployment/undo");
        assertEquals(0, prev.exit, prev.err);
        assertEquals("deployment.apps/undo rolled back\n", prev.out);
        Intent i = lastIntent("undo");
        assertEquals(IntentAction.ROLLBACK, i.getAction());
        assertEquals(new RollbackSpec(0L), i.getPayload());
        Run to1 = rollout("undo", "deployment", "undo", "--to-revision=1");
        assertEquals(0, to1.exit, to1.err);
        assertEquals(new RollbackSpec(1L), lastIntent("undo").getPayload());
        Run to7 = rollout("undo", "deployment/undo", "--to-revision", "7");
        assertEquals(1, to7.exit);
        assertEquals("error: unable to find specified revision 7 in history\n", to7.err);
        Run same = rollout("undo", "deployment/undo", "--to-revision", "2");
        assertEquals(0, same.exit);
        assertEquals("deployment.apps/undo skipped rollback (current template already matches revision 2)\n", same.out);
        Run missing = rollout("undo", "deployment/nope");
        assertEquals("Error from server (NotFound): deployments.apps \"nope\" not found\n", missing.err);
    }

    @Test
    void shouldPauseAndResumeWithKubectlsErrors() throws Exception {
        showAndWait(view("pz", 2, 2, 2, 3, 3, 3).build());
        Run pause = rollout("pause", "deployment/pz");
        assertEquals(0, pause.exit, pause.err);
        assertEquals("deployment.apps/pz paused\n", pause.out);
        Intent i = lastIntent("pz");
        assertEquals(IntentAction.APPLY, i.getAction());
        assertTrue(((DeploymentSpec) i.getPayload()).getPaused());
        assertEquals("berth/busybox:2", ((DeploymentSpec) i.getPayload()).getTemplate().getContainers().get(0).getImage());
        Run resumeUnpaused = rollout("resume", "deployment/pz");
        assertEquals(1, resumeUnpaused.exit);
        assertEquals("error: deployments.apps \"pz\" is not paused\n", resumeUnpaused.err);

        WorkloadView held = view("held", 2, 2, 2, 3, 3, 3).build();
        showAndWait(WorkloadView.newBuilder(held).setDeployment(DeploymentSpec.newBuilder(held.getDeployment()).setPaused(true).build()).build());
        Run again = rollout("pause", "deployment/held");
        assertEquals(1, again.exit);
        assertEquals("error: deployments.apps \"held\" is already paused\n", again.err);
        Run undoPaused = rollout("undo", "deployment/held");
        assertEquals(1, undoPaused.exit);
        assertTrue(undoPaused.err.startsWith("error: you cannot rollback a paused deployment; resume it first"), undoPaused.err);
        Run resume = rollout("resume", "deploy/held");
        assertEquals(0, resume.exit, resume.err);
        assertEquals("deployment.apps/held resumed\n", resume.out);
        assertFalse(((DeploymentSpec) lastIntent("held").getPayload()).getPaused());
    }

    @Test
    void shouldPromoteAndAbortACanary() throws Exception {
        WorkloadView can = view("can", 2, 2, 2, 3, 1, 3).setRollout(RolloutStatus.newBuilder().setPhase("Paused").setReason("CanaryPauseStep")
                .setCanaryStep(1).build()).build();
        showAndWait(WorkloadView.newBuilder(can).setDeployment(DeploymentSpec.newBuilder(can.getDeployment()).setStrategyType("Canary")
                .setCanarySteps(List.of(new CanaryStep(30, false, 0), new CanaryStep(0, true, 0))).build()).build());
        Run full = rollout("promote", "--full", "deployment/can");
        assertEquals(0, full.exit, full.err);
        assertEquals("deployment.apps/can fully promoted\n", full.out);
        Intent p = lastIntent("can");
        assertEquals(IntentAction.PROMOTE, p.getAction());
        assertEquals(Map.of("berth.io/promote", "full"), p.getAnnotations());
        Run step = rollout("promote", "deployment/can");
        assertEquals("deployment.apps/can promoted\n", step.out);
        assertEquals(Map.of(), lastIntent("can").getAnnotations());
        Run abort = rollout("abort", "deployment/can");
        assertEquals(0, abort.exit, abort.err);
        assertEquals("deployment.apps/can aborted\n", abort.out);
        assertEquals(IntentAction.ABORT, lastIntent("can").getAction());
        showAndWait(view("over", 2, 2, 2, 3, 3, 3).setRollout(RolloutStatus.newBuilder().setPhase("Complete").setReason("NewReplicaSetAvailable").build()).build());
        Run describe = run(new DescribeCommand(), "deployment", "can");
        assertTrue(describe.out.matches("(?s).*\nRollout: +Paused \\(CanaryPauseStep\\), canary step 1/2\n.*"), describe.out);
        Run over = rollout("promote", "deployment/over");
        assertEquals(1, over.exit);
        assertEquals("error: deployment \"over\" has no canary step to promote\n", over.err);
        Run overAbort = rollout("abort", "deployment/over");
        assertEquals("error: deployment \"over\" has no rollout in progress to abort\n", overAbort.err);
        Run missing = rollout("promote", "deployment/nope");
        assertEquals(1, missing.exit);
        assertEquals("Error from server (NotFound): deployments.apps \"nope\" not found\n", missing.err);
    }

    @Test
    void shouldSetImagesKeepingTheChangeCause() throws Exception {
        showAndWait(view("img", 2, 2, 2, 3, 3, 3).setAnnotations(Map.of("kubernetes.io/change-cause", "first")).build());
        Run set = run(new SetCommand(), "image", "deployment/img", "web=berth/busybox:3", "side=berth/busybox:4");
        assertEquals(0, set.exit, set.err);
        assertEquals("deployment.apps/img image updated\n", set.out);
        Intent i = lastIntent("img");
        List<ContainerSpec> containers = ((DeploymentSpec) i.getPayload()).getTemplate().getContainers();
        assertEquals(List.of("berth/busybox:3", "berth/busybox:4"), containers.stream().map(ContainerSpec::getImage).toList());
        assertEquals(Map.of("kubernetes.io/change-cause", "first"), i.getAnnotations());
        Run all = run(new SetCommand(), "image", "deploy", "img", "*=berth/busybox:5");
        assertEquals(0, all.exit, all.err);
        assertTrue(((DeploymentSpec) lastIntent("img").getPayload()).getTemplate().getContainers().stream()
                .allMatch(c -> c.getImage().equals("berth/busybox:5")));
        int before = intents().size();
        Run same = run(new SetCommand(), "image", "deployment/img", "web=berth/busybox:2");
        assertEquals(0, same.exit, same.err);
        assertEquals("", same.out, "no change, no patch, nothing printed (kubectl)");
        assertEquals(before, intents().size());
        Run foo = run(new SetCommand(), "image", "deployment/img", "foo=x");
        assertEquals(1, foo.exit);
        assertEquals("error: unable to find container named \"foo\"\n", foo.err);
    }

    @Test
    void shouldListReplicaSetsAsKubectlDoes() throws Exception {
        showAndWait(view("rs", 2, 2, 2, 3, 3, 3).setRollout(RolloutStatus.newBuilder().setPhase("Complete").build()).build());
        for (int n = 1; n <= 3; n++) {
            String id = "rs-bbbbbb-x" + n;
            produce(Topics.TASKS, id, TaskView.newBuilder().setTaskId(id).setPodName(id).setWorkloadKey("default/deployment/rs")
                    .setTemplate(spec("rs", "berth/busybox:2", false).getTemplate()).setTemplateHash("bbbbbb").setPhase(TaskPhase.RUNNING).setLabels(Map.of("app", "rs"))
                    .setReady(n < 3).setReadyAt(T0).setStartedAt(T0).setCreatedAt(T0).setNodeId("n1")
                    .setContainerStatuses(n != 1 ? List.of() : List.of(
                            ContainerStatus.newBuilder().setName("web").setState("running").setReady(true).setRestartCount(1).build(),
                            ContainerStatus.newBuilder().setName("side").setState("running").setReady(false).setRestartCount(2).build()))
                    .build());
        }
        eventually("3 pods", () -> run(new GetCommand(), "pods", "-o", "name").out.lines().filter(l -> l.startsWith("pod/rs-")).count() == 3);
        Run rs = run(new GetCommand(), "rs", "-l", "app=rs");
        assertEquals(0, rs.exit, rs.err);
        String[] lines = rs.out.split("\n");
        assertEquals("NAME        DESIRED   CURRENT   READY   AGE", lines[0]);
        assertTrue(lines[1].matches("rs-aaaaaa   0         0         0       \\S+"), lines[1]);
        assertTrue(lines[2].matches("rs-bbbbbb   3         3         2       \\S+"), lines[2]);
        Run one = run(new GetCommand(), "replicasets", "rs-bbbbbb", "-o", "name");
        assertEquals("replicaset.apps/rs-bbbbbb\n", one.out);
        Run pods = run(new GetCommand(), "pods", "-l", "app=rs");
        assertTrue(pods.out.contains("rs-bbbbbb-x1   1/2     Running   3 "), "READY and RESTARTS from the containers' snapshot: " + pods.out);
        assertTrue(pods.out.contains("rs-bbbbbb-x2   2/2 "), pods.out);
    }
}
