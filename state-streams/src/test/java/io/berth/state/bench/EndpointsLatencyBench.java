package io.berth.state.bench;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.state.StateStreamsService;
import io.berth.testing.TestKafka;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.time.Duration;
import java.util.*;
import java.util.function.Predicate;

/**
 * Status on the bus → endpoints updated: a real broker and the real state-streams (exactly-once,
 * commit interval 100 ms); this class plays scheduler and node for one pod of a deployment behind a
 * service and flips it READY / UNREADY, timing each flip from the TaskStatus produced to the
 * EndpointsView read (read_committed) showing it. Not a test: run
 * it with the module's test classpath (see state-streams/README.md); prints p50 / p90 / max.
 */
public final class EndpointsLatencyBench {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        try (TestKafka kafka = TestKafka.start().withBerthTopics()) {
            InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
            BerthSerdes serdes = new BerthSerdes(registry);
            BerthConfig config = BerthConfig.of(kafka.bootstrapServers(), "in-memory", Files.createTempDirectory("ep-bench"))
                    .with("replication-factor", "1");
            try (StateStreamsService streams = new StateStreamsService(config, registry);
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                         new StringSerializer(), new ByteArraySerializer());
                 KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                         "isolation.level", "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
                streams.start();
                Bench b = new Bench(serdes, producer, consumer);
                b.send(Topics.NODE_EVENTS, "n1", NodeEvent.newBuilder().setNodeId("n1").setType(NodeEventType.REGISTER)
                        .setRegistration(NodeRegistration.newBuilder().setName("n1").setAddress("10.0.0.1")
                                .setCapacity(new Resources(4000L, 8L << 30)).setIncarnation("i1").build()).build());
                Timer beats = new Timer(true);
                beats.schedule(new TimerTask() {
                    @Override
                    public void run() {
                        b.send(Topics.NODE_EVENTS, "n1", NodeEvent.newBuilder().setNodeId("n1").setType(NodeEventType.HEARTBEAT).build());
                    }
                }, 0, 1000);
                ServicePort port = ServicePort.newBuilder().setPort(80).setTargetPort(8080).build();
                b.send(Topics.INTENTS, "default/service/web", intent(ResourceKind.SERVICE, "web",
                        ServiceSpec.newBuilder().setSelector(Map.of("app", "web")).setPorts(List.of(port)).build()));
                PodTemplate t = PodTemplate.newBuilder().setLabels(Map.of("app", "web")).setContainers(List.of(ContainerSpec.newBuilder()
                        .setName("web").setImage("berth/busybox:latest").setRequests(new Resources(10L, 1L << 20)).build())).build();
                b.send(Topics.INTENTS, "default/deployment/web", intent(ResourceKind.DEPLOYMENT, "web",
                        DeploymentSpec.newBuilder().setReplicas(1).setTemplate(t).build()));
                TaskView task = (TaskView) b.await(Topics.TASKS, v -> v instanceof TaskView tv && tv.getWorkloadKey().equals("default/deployment/web"));
                b.send(Topics.TASK_STATUS, "default/deployment/web", status(task, TaskState.ASSIGNED));
                b.send(Topics.TASK_STATUS, "default/deployment/web", status(task, TaskState.RUNNING));
                List<Long> ms = new ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    boolean ready = i % 2 == 0;
                    long t0 = System.nanoTime();
                    b.send(Topics.TASK_STATUS, "default/deployment/web", status(task, ready ? TaskState.READY : TaskState.UNREADY));
                    b.await(Topics.ENDPOINTS, v -> v instanceof EndpointsView e && e.getEndpoints().size() == 1
                            && e.getEndpoints().get(0).getReady() == ready);
                    ms.add((System.nanoTime() - t0) / 1_000_000);
                }
                beats.cancel();
                List<Long> sorted = new ArrayList<>(ms.subList(2, ms.size()));  // the first flips warm up
                Collections.sort(sorted);
                System.out.printf("status -> endpoints over %d flips (ms): p50 %d, p90 %d, max %d; all: %s%n", sorted.size(),
                        sorted.get(sorted.size() / 2), sorted.get(sorted.size() * 9 / 10), sorted.get(sorted.size() - 1), ms);
            }
        }
    }

    static Intent intent(ResourceKind kind, String name, Object payload) {
        return Intent.newBuilder().setIntentId(UUID.randomUUID().toString()).setAction(IntentAction.APPLY).setKind(kind)
                .setNamespace("default").setName(name).setActor("bench").setTimestamp(System.currentTimeMillis()).setPayload(payload).build();
    }

    static TaskStatus status(TaskView t, TaskState s) {
        return TaskStatus.newBuilder().setTaskId(t.getTaskId()).setWorkloadKey(t.getWorkloadKey()).setNodeId("n1").setState(s)
                .setContainerId(s == TaskState.ASSIGNED ? null : "c-" + t.getTaskId()).setPodIP("172.17.0.2")
                .setPublishedPorts(List.of(PublishedPort.newBuilder().setContainerPort(8080).setHostPort(40000).build())).build();
    }

    private record Bench(BerthSerdes serdes, KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> consumer) {
        Bench {
            List<TopicPartition> all = new ArrayList<>();
            for (Topic<?> t : List.of(Topics.TASKS, Topics.ENDPOINTS)) {
                consumer.partitionsFor(t.name()).forEach(p -> all.add(new TopicPartition(t.name(), p.partition())));
            }
            consumer.assign(all);
            consumer.seekToBeginning(all);
        }

        <V extends SpecificRecord> void send(Topic<V> topic, String key, V value) {
            producer.send(new ProducerRecord<>(topic.name(), key, serdes.value(topic).serialize(topic.name(), value)));
            producer.flush();
        }

        SpecificRecord await(Topic<?> topic, Predicate<SpecificRecord> done) {
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                    if (!r.topic().equals(topic.name()) || r.value() == null) continue;
                    SpecificRecord v = (SpecificRecord) serdes.value(topic.valueClass()).deserialize(r.topic(), r.value());
                    if (done.test(v)) return v;
                }
            }
            throw new IllegalStateException("nothing on " + topic.name() + " within 30 s");
        }
    }
}
