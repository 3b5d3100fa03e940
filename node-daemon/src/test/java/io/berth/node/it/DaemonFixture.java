package io.berth.node.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.berth.node.NodeDaemonService;
import io.berth.node.docker.DockerRuntime;
import io.berth.node.docker.Labels;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.testing.TestKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * One real Kafka and the real Docker engine for the whole test class; daemons get node ids
 * unique to this run so that tests (and other users of the shared engine) never see each
 * other's containers.
 */
final class DaemonFixture implements AutoCloseable {
    static final String IMAGE = "berth/busybox:latest";

    final TestKafka kafka = TestKafka.start().withBerthTopics();
    final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    final BerthSerdes serdes = new BerthSerdes(registry);
    final DockerClient docker = DockerRuntime.connect("unix:///var/run/docker.sock");
    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
            Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"), new StringSerializer(), new ByteArraySerializer());
    private final Set<String> nodeIds = ConcurrentHashMap.newKeySet();
    private final List<NodeDaemonService> daemons = new ArrayList<>();
    private final String run = UUID.randomUUID().toString().substring(0, 6);
    private final int partitions;

    DaemonFixture() throws Exception {
        try (var admin = kafka.admin()) {
            partitions = admin.describeTopics(List.of(Topics.ASSIGNMENTS.name())).allTopicNames().get()
                    .get(Topics.ASSIGNMENTS.name()).partitions().size();
        }
    }

    String nodeId(String name) {
        String id = "t" + run + name;
        nodeIds.add(id);
        return id;
    }

    static String taskId(String name) {
        return name + "-6f5d4c-" + UUID.randomUUID().toString().substring(0, 5);
    }

    NodeDaemonService startDaemon(String nodeId) throws Exception {
        return startDaemon(nodeId, Map.of());
    }

    /** A daemon with extra settings (e.g. a tiny Docker pool). */
    NodeDaemonService startDaemon(String nodeId, Map<String, String> settings) throws Exception {
        BerthConfig cfg = BerthConfig.of(kafka.bootstrapServers(), "mem://", Path.of("target"))
                .with("node-name", nodeId).with("node-id", nodeId)
                .with("node-labels", "zone=a,disk=ssd")
                .with("node-cpu-millis", "4000").with("node-memory-bytes", Long.toString(8L << 30));
        for (Map.Entry<String, String> s : settings.entrySet()) cfg = cfg.with(s.getKey(), s.getValue());
        NodeDaemonService d = new NodeDaemonService(cfg, registry);
        synchronized (daemons) {
            daemons.add(d);
        }
        d.start();
        return d;
    }

    static Assignment assignment(String nodeId, String taskId, List<String> command, String restartPolicy) {
        return assignment(nodeId, taskId, IMAGE, command, restartPolicy, List.of());
    }

    static Assignment assignment(String nodeId, String taskId, String image, List<String> command, String restartPolicy, List<ContainerPort> ports) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("main").setImage(image)
                .setCommand(command).setArgs(List.of())
                .setEnv(List.of(EnvVar.newBuilder().setName("GREETING").setValue("hello").build()))
                .setPorts(ports)
                .setRequests(res(250, 32L << 20))
                .setLimits(res(500, 64L << 20))
                .build();
        PodTemplate t = PodTemplate.newBuilder().setContainers(List.of(c)).setRestartPolicy(restartPolicy)
                .setTerminationGracePeriodSeconds(1).setLabels(Map.of("app", "web")).build();
        return Assignment.newBuilder().setTaskId(taskId).setNodeId(nodeId).setWorkloadKey("default/deployment/web")
                .setNamespace("default").setPodName(taskId).setTemplate(t).setRequests(res(250, 32L << 20))
                .setAssignedAt(System.currentTimeMillis()).build();
    }

    /** An assignment running one given container (probes, ports …) with a 1 s grace. */
    static Assignment assignment(String nodeId, String taskId, ContainerSpec c, String restartPolicy) {
        PodTemplate t = PodTemplate.newBuilder().setContainers(List.of(c)).setRestartPolicy(restartPolicy)
                .setTerminationGracePeriodSeconds(1).setLabels(Map.of("app", "web")).build();
        return Assignment.newBuilder().setTaskId(taskId).setNodeId(nodeId).setWorkloadKey("default/deployment/web")
                .setNamespace("default").setPodName(taskId).setTemplate(t).setRequests(res(100, 16L << 20))
                .setAssignedAt(System.currentTimeMillis()).build();
    }

    static Resources res(long cpu, long mem) {
        return Resources.newBuilder().setCpuMillis(cpu).setMemoryBytes(mem).build();
    }

    void assign(Assignment a) throws Exception {
        byte[] v = serdes.value(Assignment.class).serialize(Topics.ASSIGNMENTS.name(), a);
        send(a.getNodeId(), a.getTaskId(), v);
    }

    /** Writes raw bytes as an assignment value (poison-record tests). */
    void assignRaw(String nodeId, String taskId, byte[] value) throws Exception {
        send(nodeId, taskId, value);
    }

    void revoke(String nodeId, String taskId) throws Exception {
        send(nodeId, taskId, null);
    }

    private void send(String nodeId, String taskId, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(Topics.ASSIGNMENTS.name(), Topics.assignmentPartition(nodeId, partitions),
                Topics.assignmentKey(nodeId, taskId), value)).get();
    }

    Tail<TaskStatus> statuses() {
        return new Tail<>(kafka.bootstrapServers(), Topics.TASK_STATUS, serdes);
    }

    Tail<NodeEvent> nodeEvents() {
        return new Tail<>(kafka.bootstrapServers(), Topics.NODE_EVENTS, serdes);
    }

    Tail<DeadLetter> deadLetters() {
        return new Tail<>(kafka.bootstrapServers(), Topics.DEAD_LETTERS, serdes);
    }

    Tail<LogLine> logs() {
        return new Tail<>(kafka.bootstrapServers(), Topics.LOGS, serdes);
    }

    List<Container> containersOf(String nodeId) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.NODE, nodeId)).exec();
    }

    List<Container> containersOfTask(String nodeId, String taskId) {
        return containersOf(nodeId).stream().filter(c -> taskId.equals(c.getLabels().get(Labels.TASK))).toList();
    }

    static void eventually(String what, Duration timeout, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50); // polling interval of the test's own wait, not a fixed delay
        }
    }

    /** Stops this test's daemons and removes every container they labelled. */
    void cleanUp() {
        synchronized (daemons) {
            daemons.forEach(NodeDaemonService::close);
            daemons.clear();
        }
        for (String id : nodeIds) {
            for (Container c : containersOf(id)) {
                try {
                    docker.removeContainerCmd(c.getId()).withForce(true).exec();
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
        }
    }

    @Override
    public void close() throws Exception {
        cleanUp();
        producer.close();
        docker.close();
        kafka.close();
    }
}
