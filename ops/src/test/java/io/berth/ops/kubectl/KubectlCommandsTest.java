package io.berth.ops.kubectl;

import io.berth.ops.Examples;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.AvroSerde;
import io.berth.testing.TestKafka;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The subcommands against a real broker: what they produce to berth.intents and what they print from the views. */
class KubectlCommandsTest {
    static {
        io.berth.schemas.AvroTrust.ensure(); // the fixtures build Avro records before any command class loads
    }

    static TestKafka kafka;
    static final SchemaRegistryClient REGISTRY = new InMemorySchemaRegistryClient();
    static final long T0 = Instant.parse("2026-11-22T05:00:00Z").toEpochMilli();
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(T0 + 45_000), ZoneOffset.UTC);

    static final String NGINX = Examples.NGINX;

    @BeforeAll
    static void startKafka() {
        kafka = TestKafka.start().withBerthTopics();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    record Run(int exit, String out, String err) {}

    /** Runs {@code args} ({@code args[0]} is the subcommand's name, as typed after {@code berth}). */
    static Run run(KubectlCommand command, String... args) {
        return runWithStdin(command, "", args);
    }

    static Run runWithStdin(KubectlCommand command, String stdin, String... args) {
        command.withRegistry(REGISTRY).withClock(CLOCK).withStdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of(args).subList(1, args.length));
        all.add("--bootstrap-servers=" + kafka.bootstrapServers());
        int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** Every intent on the topic, in offset order per partition. */
    static List<ConsumerRecord<String, Intent>> intents() {
        AvroSerde<Intent> serde = new AvroSerde<>(REGISTRY, Intent.class);
        try (KafkaConsumer<String, Intent> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringDeserializer(), serde.deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.INTENTS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<ConsumerRecord<String, Intent>> out = new ArrayList<>();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) c.poll(Duration.ofMillis(200)).forEach(out::add);
            return out;
        }
    }

    static <V extends SpecificRecord> void produce(Topic<V> topic, String key, V value) {
        AvroSerde<V> serde = new AvroSerde<>(REGISTRY, topic.valueClass());
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic.name(), key, value == null ? null : serde.serialize(topic.name(), value)));
            p.flush();
        }
    }

    // ---- apply ----

    @Test
    void shouldProduceNothingWhenAnyManifestIsInvalid(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a-good.yaml"), NGINX);
        Files.writeString(dir.resolve("b-bad.yaml"), NGINX.replace("replicas: 3", "replicas: -1").replace("image: nginx:1.14.2", "image: \"\""));
        int before = intents().size();
        Run r = run(new ApplyCommand(), "apply", "-f", dir.toString());
        assertEquals(1, r.exit);
        assertEquals("", r.out);
        assertTrue(r.err.contains("b-bad.yaml: The Deployment \"nginx-deployment\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"), r.err);
        assertTrue(r.err.contains("spec.template.spec.containers[0].image: Required value"), r.err);
        assertEquals(before, intents().size(), "nothing produced, not even the valid file's intent");
    }

    @Test
    void shouldRefuseUnknownFieldsByDefaultAndOnlyWarnWithValidateWarn() {
        String misspelt = NGINX.replace("replicas: 3", "replica: 3");
        int before = intents().size();
        for (String[] args : new String[][]{{"apply", "-f", "-"}, {"apply", "-f", "-", "--strict"}}) {
            Run strict = runWithStdin(new ApplyCommand(), misspelt, args);
            assertEquals(1, strict.exit);
            assertTrue(strict.err.contains("unknown field \"spec.replica\""), strict.err);
            assertEquals(before, intents().size());
        }

        Run lenient = runWithStdin(new ApplyCommand(), misspelt, "apply", "-f", "-", "--validate=warn", "--dry-run");
        assertEquals(0, lenient.exit);
        assertEquals("Warning: -: unknown field \"spec.replica\"\n", lenient.err);
        assertEquals("deployment.apps/nginx-deployment created (dry run)\n", lenient.out);
        assertEquals(before, intents().size());
    }

    @Test
    void shouldProduceAnApplyIntentForAValidManifest() {
        Run r = runWithStdin(new ApplyCommand(), NGINX.replace("nginx-deployment", "nginx-apply"), "apply", "-f", "-");
        assertEquals(0, r.exit, r.err);
        assertEquals("deployment.apps/nginx-apply created\n", r.out);
        ConsumerRecord<String, Intent> rec = intents().stream().filter(x -> x.key().equals("default/deployment/nginx-apply")).findFirst().orElseThrow();
        Intent i = rec.value();
        assertEquals(IntentAction.APPLY, i.getAction());
        assertEquals(ResourceKind.DEPLOYMENT, i.getKind());
        assertEquals(3, ((DeploymentSpec) i.getPayload()).getReplicas());
        assertTrue(i.getActor().startsWith("cli:"));
        assertFalse(i.getIntentId().isEmpty());
        assertEquals(CLOCK.millis(), i.getTimestamp());
    }

    @Test
    void shouldSayConfiguredWhenTheWorkloadViewAlreadyHoldsIt() {
        produce(Topics.WORKLOADS, "default/deployment/nginx-again", WorkloadView.newBuilder().setKey("default/deployment/nginx-again")
                .setName("nginx-again").setCreatedAt(T0).build());
        Run r = runWithStdin(new ApplyCommand(), NGINX.replace("nginx-deployment", "nginx-again"), "apply", "-f", "-");
        assertEquals(0, r.exit, r.err);
        assertEquals("deployment.apps/nginx-again configured\n", r.out);
    }

    // ---- scale and delete ----

    @Test
    void shouldRefuseReplicasBeyondTheLimitBeforeSendingAnything() {
        int before = intents().size();
        Run apply = runWithStdin(new ApplyCommand(), NGINX.replace("replicas: 3", "replicas: 2147483647"), "apply", "-f", "-");
        assertEquals(1, apply.exit, apply.out);
        assertEquals("error: -: The Deployment \"nginx-deployment\" is invalid: spec.replicas: Invalid value: 2147483647: "
                + "must be less than or equal to 10000\n", apply.err);
        Run history = runWithStdin(new ApplyCommand(), NGINX.replace("replicas: 3", "replicas: 3\n  revisionHistoryLimit: 100000"),
                "apply", "-f", "-");
        assertEquals(1, history.exit, history.out);
        assertTrue(history.err.contains("spec.revisionHistoryLimit: Invalid value: 100000: must be less than or equal to 25"), history.err);
        Run scale = run(new ScaleCommand(), "scale", "deployment/web", "--replicas", "2147483647");
        assertEquals(1, scale.exit, scale.out);
        assertEquals("error: --replicas: Invalid value: 2147483647: must be less than or equal to 10000\n", scale.err);
        assertEquals(before, intents().size(), "nothing reached berth.intents");
    }

    @Test
    void shouldProduceAScaleIntentAndRefuseNegativeReplicas() {
        int before = intents().size();
        Run bad = run(new ScaleCommand(), "scale", "deployment/web", "--replicas", "-1");
        assertEquals(1, bad.exit);
        assertEquals("error: --replicas: Invalid value: -1: must be greater than or equal to 0\n", bad.err);
        assertEquals(before, intents().size());

        Run ok = run(new ScaleCommand(), "scale", "deployment/scaled", "--replicas", "5", "-n", "team-a");
        assertEquals(0, ok.exit, ok.err);
        assertEquals("deployment.apps/scaled scaled\n", ok.out);
        Intent i = intents().stream().filter(x -> x.key().equals("team-a/deployment/scaled")).findFirst().orElseThrow().value();
        assertEquals(IntentAction.SCALE, i.getAction());
        assertEquals(new ScaleSpec(5), i.getPayload());
    }

    @Test
    void shouldProduceDeleteIntentsByNameAndByManifest(@TempDir Path dir) throws Exception {
        Run pod = run(new DeleteCommand(), "delete", "pod", "web-abc123-xyz12");
        assertEquals(0, pod.exit, pod.err);
        assertEquals("pod \"web-abc123-xyz12\" deleted\n", pod.out);
        Files.writeString(dir.resolve("d.yaml"), NGINX.replace("nginx-deployment", "nginx-gone"));
        Run file = run(new DeleteCommand(), "delete", "-f", dir.resolve("d.yaml").toString());
        assertEquals(0, file.exit, file.err);
        assertEquals("deployment.apps \"nginx-gone\" deleted\n", file.out);
        List<ConsumerRecord<String, Intent>> all = intents();
        Intent p = all.stream().filter(x -> x.key().equals("default/pod/web-abc123-xyz12")).findFirst().orElseThrow().value();
        assertEquals(IntentAction.DELETE, p.getAction());
        assertEquals(ResourceKind.POD, p.getKind());
        Intent d = all.stream().filter(x -> x.key().equals("default/deployment/nginx-gone")).findFirst().orElseThrow().value();
        assertEquals(IntentAction.DELETE, d.getAction());
        assertNull(d.getPayload());
    }

    @Test
    void shouldProduceNodeIntentsKeyedByNodeIdForTheNameGetShows() {
        produce(Topics.NODES, "node-c", NodeView.newBuilder().setNodeId("node-c").setName("worker-c")
                .setCapacity(new Resources(1000L, 1L << 30)).setReady(true).build());
        Run cordon = run(new CordonCommand(), "cordon", "worker-c");
        assertEquals(0, cordon.exit, cordon.err);
        assertEquals("node/worker-c cordoned\n", cordon.out);
        Run drain = run(new DrainCommand(), "drain", "node-c");
        assertEquals("node/node-c drained\n", drain.out);
        List<IntentAction> actions = intents().stream().filter(x -> x.key().equals("/node/node-c")).map(x -> x.value().getAction()).toList();
        assertEquals(List.of(IntentAction.CORDON, IntentAction.DRAIN), actions);
        assertEquals(ResourceKind.NODE, intents().stream().filter(x -> x.key().equals("/node/node-c")).findFirst().orElseThrow().value().getKind());

        int before = intents().size();
        Run missing = run(new UncordonCommand(), "uncordon", "ghost");
        assertEquals(1, missing.exit);
        assertEquals("Error from server (NotFound): nodes \"ghost\" not found\n", missing.err);
        assertEquals(before, intents().size());
    }

    // ---- get ----

    static PodTemplate template() {
        return PodTemplate.newBuilder().setLabels(Map.of("app", "web")).setContainers(List.of(
                ContainerSpec.newBuilder().setName("web").setImage("berth/busybox:latest").build())).build();
    }

    static TaskView task(String id, String ns, TaskPhase phase, boolean ready) {
        return TaskView.newBuilder().setTaskId(id).setPodName(id).setNamespace(ns).setWorkloadKey(ns + "/deployment/web")
                .setTemplate(template()).setPhase(phase).setReady(ready).setNodeId("node-1").setContainerId("abc")
                .setCreatedAt(T0).setStartedAt(T0 + 1000).build();
    }

    @Test
    void shouldPrintPodsNodesAndDeploymentsFromTheViews() throws Exception {
        produce(Topics.NODES, "node-1", NodeView.newBuilder().setNodeId("node-1").setName("node-1").setAddress("127.0.0.1")
                .setCapacity(new Resources(2000L, 4L << 30)).setReady(true).setRegisteredAt(T0).setLastHeartbeat(T0 + 44_000).build());
        produce(Topics.TASKS, "getweb-1", task("getweb-1", "get", TaskPhase.RUNNING, true));
        produce(Topics.TASKS, "getweb-2", task("getweb-2", "get", TaskPhase.PENDING, false));
        produce(Topics.TASKS, "getweb-3", task("getweb-3", "get", TaskPhase.RUNNING, true));
        produce(Topics.TASKS, "getweb-3", null); // tombstone: removed from the view
        produce(Topics.TASKS, "other-1", task("other-1", "elsewhere", TaskPhase.RUNNING, true));

        Run pods = run(new GetCommand(), "get", "pods", "-n", "get");
        assertEquals(0, pods.exit, pods.err);
        assertEquals("""
                NAME       READY   STATUS    RESTARTS   AGE
                getweb-1   1/1     Running   0          45s
                getweb-2   0/1     Pending   0          45s
                """, pods.out);

        Run wide = run(new GetCommand(), "get", "po", "getweb-1", "-n", "get", "-o", "wide");
        assertEquals("""
                NAME       READY   STATUS    RESTARTS   AGE   IP          NODE
                getweb-1   1/1     Running   0          45s   127.0.0.1   node-1
                """, wide.out);

        Run json = run(new GetCommand(), "get", "pods", "-n", "get", "-o", "json");
        var list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out);
        assertEquals("List", list.get("kind").asText());
        assertEquals(2, list.get("items").size());
        var pod = list.get("items").get(0);
        assertEquals("Pod", pod.get("kind").asText());
        assertEquals("getweb-1", pod.at("/metadata/name").asText());
        assertEquals("node-1", pod.at("/spec/nodeName").asText());
        assertEquals("Running", pod.at("/status/phase").asText());
        assertEquals("127.0.0.1", pod.at("/status/hostIP").asText());
        assertEquals("docker://abc", pod.at("/status/containerStatuses/0/containerID").asText());

        Run name = run(new GetCommand(), "get", "pods", "-A", "-o", "name");
        assertTrue(name.out.contains("pod/getweb-1\n") && name.out.contains("pod/other-1\n") && !name.out.contains("getweb-3"), name.out);

        Run missing = run(new GetCommand(), "get", "pod", "nope", "-n", "get");
        assertEquals(1, missing.exit);
        assertEquals("Error from server (NotFound): pods \"nope\" not found\n", missing.err);

        Run none = run(new GetCommand(), "get", "pods", "-n", "empty");
        assertEquals(0, none.exit);
        assertEquals("No resources found in empty namespace.\n", none.err);
        assertEquals("""
                {
                    "apiVersion": "v1",
                    "kind": "List",
                    "items": [],
                    "metadata": {
                        "resourceVersion": ""
                    }
                }
                """, run(new GetCommand(), "get", "pods", "-n", "empty", "-o", "json").out);
        assertTrue(run(new GetCommand(), "get", "pods", "-n", "get", "-o", "yaml").out.startsWith("apiVersion: v1\nkind: List\nitems:\n"));

        Run nodes = run(new GetCommand(), "get", "nodes", "node-1"); // other tests add nodes to the shared broker
        assertEquals("""
                NAME     STATUS   ROLES    AGE   VERSION
                node-1   Ready    <none>   45s   v0.1.0-berth
                """, nodes.out);
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run(new GetCommand(), "get", "node/node-1", "-o", "json").out);
        assertEquals("True", node.at("/status/conditions/0/status").asText());
        assertEquals("InternalIP", node.at("/status/addresses/0/type").asText());
        assertEquals("2", node.at("/status/capacity/cpu").asText());
        assertEquals("4Gi", node.at("/status/capacity/memory").asText());
        assertFalse(node.at("/spec/unschedulable").asBoolean());

        DeploymentSpec spec = DeploymentSpec.newBuilder().setReplicas(3).setSelector(Map.of("app", "web")).setTemplate(template()).build();
        produce(Topics.WORKLOADS, "get/deployment/web", WorkloadView.newBuilder().setKey("get/deployment/web").setNamespace("get")
                .setName("web").setCreatedAt(T0).setDeployment(spec).setReplicas(3).setReadyReplicas(1).setAvailableReplicas(1)
                .setUpdatedReplicas(3).build());
        Run deploys = run(new GetCommand(), "get", "deployments", "-n", "get");
        assertEquals("""
                NAME   READY   UP-TO-DATE   AVAILABLE   AGE
                web    1/3     3            1           45s
                """, deploys.out);
        var d = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run(new GetCommand(), "get", "deploy", "web", "-n", "get", "-o", "json").out);
        assertEquals(3, d.at("/spec/replicas").asInt());
        assertEquals(1, d.at("/status/readyReplicas").asInt());
    }
}
