package io.berth.ops.replay;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.scheduler.SchedulerSettings;
import io.berth.scheduler.SchedulerTopology;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The scheduler replayed alone ({@link Replayer#verifyScheduler}): a history recorded from the real
 * {@link SchedulerTopology} (ledger ticks of partition 0 listing nodes and the live assignments,
 * requests of the controllers, ticks of other partitions that the scheduler ignores) replays with
 * the same placements and verdicts; a forged placement is the first difference, with both sides.
 */
class SchedulerReplayVerifyTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Replayer.Options ALL = new Replayer.Options(6, Long.MIN_VALUE, Long.MAX_VALUE, 3000, Duration.ofMillis(250));

    /** Records the scheduler's lanes and outputs as a live log would hold them. */
    private static final class Recording {
        final BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
        final List<Recorded> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        private final TopologyTestDriver driver;
        private final Map<String, TestInputTopic<String, byte[]>> in = new HashMap<>();
        private final Map<String, TestOutputTopic<String, byte[]>> out = new LinkedHashMap<>();
        private final Map<String, Long> next = new HashMap<>();
        final Map<String, NodeView> nodes = new TreeMap<>();
        final Map<String, Assignment> ledger = new TreeMap<>();
        long now = T0.toEpochMilli();

        Recording() throws Exception {
            Properties p = new Properties();
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, "berth-scheduler");
            p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("berth-sched-recording").toString());
            driver = new TopologyTestDriver(SchedulerTopology.build(serdes, SchedulerSettings.DEFAULTS), p, T0);
            for (Topic<?> t : Replayer.SCHEDULER_INPUTS) in.put(t.name(), driver.createInputTopic(t.name(), new StringSerializer(), new ByteArraySerializer()));
            for (Topic<?> t : Replayer.SCHEDULER_OUTPUTS) out.put(t.name(), driver.createOutputTopic(t.name(), new StringDeserializer(), new ByteArrayDeserializer()));
        }

        void node(String id, long cpu, boolean cordoned) {
            nodes.put(id, NodeView.newBuilder().setNodeId(id).setName(id).setCapacity(new Resources(cpu, 8L << 30)).setReady(true)
                    .setCordoned(cordoned).build());
        }

        /** The ticker: partition 0 with the cluster (the scheduler reads it), partition 1 without (it ignores it). */
        void tick(long ms) {
            now += ms;
            List<TickNode> list = new ArrayList<>();
            for (NodeView n : nodes.values()) {
                List<TickAssignment> on = ledger.values().stream().filter(a -> a.getNodeId().equals(n.getNodeId()))
                        .map(a -> TickAssignment.newBuilder().setTaskId(a.getTaskId()).setWorkloadKey(a.getWorkloadKey())
                                .setCpuMillis(a.getRequests().getCpuMillis()).setMemoryBytes(a.getRequests().getMemoryBytes()).build()).toList();
                list.add(TickNode.newBuilder().setId(n.getNodeId()).setReady(true).setCpuMillis(n.getCapacity().getCpuMillis())
                        .setMemoryBytes(n.getCapacity().getMemoryBytes()).setCordoned(n.getCordoned()).setAssignments(on).build());
            }
            Tick zero = Tick.newBuilder().setPartition(0).setPartitions(6).setNodes(list).setLedger(true).build();
            pipe(Topics.TICKS, "0", zero, inputs);
            Tick one = Tick.newBuilder().setPartition(1).setPartitions(6).setNodes(list).build();
            inputs.add(new Recorded(Topics.TICKS.name(), 1, next.merge(Topics.TICKS.name() + "/1", 1L, Long::sum) - 1, now, "1",
                    serdes.value(Topics.TICKS).serialize(Topics.TICKS.name(), one), Map.of()));
        }

        /** A controller's request: an output of state-streams, an input of the scheduler. */
        void request(String task, long cpu) {
            now += 5;
            ContainerSpec c = ContainerSpec.newBuilder().setName("web").setImage("nginx").build();
            PlacementRequest r = PlacementRequest.newBuilder().setRequestId("req-" + task).setTaskId(task).setWorkloadKey("default/deployment/web")
                    .setPodName(task).setRequests(new Resources(cpu, 64L << 20)).setSpreadKey("default/deployment/web")
                    .setTemplate(PodTemplate.newBuilder().setContainers(List.of(c)).build()).build();
            pipe(Topics.PLACEMENT_REQUESTS, Topics.SCHEDULING_KEY, r, outputs);
        }

        private <V extends org.apache.avro.specific.SpecificRecord> void pipe(Topic<V> t, String key, V value, List<Recorded> into) {
            byte[] bytes = serdes.value(t).serialize(t.name(), value);
            long offset = next.merge(t.name() + "/0", 1L, Long::sum) - 1;
            into.add(new Recorded(t.name(), 0, offset, now, key, bytes, Map.of()));
            in.get(t.name()).pipeInput(new TestRecord<>(key, bytes, new RecordHeaders(), now));
            collect();
        }

        private void collect() {
            out.forEach((topic, t) -> {
                while (!t.isEmpty()) {
                    TestRecord<String, byte[]> r = t.readRecord();
                    Map<String, String> headers = new LinkedHashMap<>();
                    for (Header h : r.headers()) headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
                    long offset = next.merge(topic + "/out", 1L, Long::sum) - 1;
                    outputs.add(new Recorded(topic, 0, offset, r.timestamp(), r.key(), r.value(), headers));
                    if (topic.equals(Topics.ASSIGNMENTS.name()) && r.value() != null) {
                        Assignment a = serdes.value(Topics.ASSIGNMENTS).deserialize(topic, r.value());
                        ledger.put(a.getTaskId(), a);   // the ticker sees it on a later tick
                    }
                }
            });
        }
    }

    private static Recording history() throws Exception {
        Recording rec = new Recording();
        rec.request("web-abc123-early", 500);            // before any cluster: waits, no verdict
        rec.node("n1", 1000, false);
        rec.node("n2", 1000, true);                       // cordoned
        rec.tick(250);                                    // placed now, on n1
        rec.request("web-abc123-aaaaa", 400);             // fits n1 (in flight counts the first)
        rec.request("web-abc123-bbbbb", 400);             // unschedulable: cpu on n1, n2 cordoned
        rec.tick(250);                                    // the ledger shows the first two
        rec.ledger.remove("web-abc123-early");            // the controller revokes one
        rec.tick(250);                                    // bbbbb fits now
        rec.node("n2", 1000, false);                      // uncordoned
        rec.tick(250);
        for (int i = 0; i < 4; i++) rec.request("web-abc123-more" + i, 300);
        rec.tick(250);
        return rec;
    }

    @Test
    void theSchedulersRecordedPlacementsReplayWithoutADifference() throws Exception {
        Recording rec = history();
        List<String> placed = rec.outputs.stream().filter(r -> r.topic().equals(Topics.ASSIGNMENTS.name()))
                .map(r -> rec.serdes.value(Topics.ASSIGNMENTS).deserialize(r.topic(), r.value()))
                .map(a -> a.getTaskId() + "@" + a.getNodeId()).toList();
        assertTrue(placed.size() >= 6, placed.toString());
        assertTrue(rec.outputs.stream().anyMatch(r -> r.topic().equals(Topics.TASK_STATUS.name())
                && rec.serdes.value(Topics.TASK_STATUS).deserialize(r.topic(), r.value()).getState() == TaskState.UNSCHEDULABLE));
        Replayer.Result r = Replayer.verifyScheduler(rec.serdes.registry(), rec.inputs, rec.outputs, ALL);
        r.report().first().ifPresent(d -> fail(d.describe()));
        assertEquals(0, r.orderConflicts());
        assertTrue(r.report().decisions() >= 12, r.report().summary());
        System.out.printf("scheduler replay: %s; %d inputs in %d ms%n", r.report().summary(), r.inputs(), r.replayMillis());
    }

    @Test
    void aForgedPlacementIsTheFirstDifference() throws Exception {
        Recording rec = history();
        int i = 0;
        TaskStatus original = null;
        for (; i < rec.outputs.size(); i++) {
            Recorded r = rec.outputs.get(i);
            if (!r.topic().equals(Topics.TASK_STATUS.name())) continue;
            TaskStatus s = rec.serdes.value(Topics.TASK_STATUS).deserialize(r.topic(), r.value());
            if (s.getState() == TaskState.ASSIGNED) {
                original = s;
                break;
            }
        }
        assertNotNull(original);
        Recorded r = rec.outputs.get(i);
        TaskStatus forged = TaskStatus.newBuilder(original).setNodeId("n9").build();
        rec.outputs.set(i, new Recorded(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(),
                rec.serdes.value(Topics.TASK_STATUS).serialize(r.topic(), forged), r.headers()));
        Replayer.Result result = Replayer.verifyScheduler(rec.serdes.registry(), rec.inputs, rec.outputs, ALL);
        DecisionDiff.Difference d = result.report().first().orElseThrow();
        assertEquals(Topics.TASK_STATUS.name(), d.topic());
        assertTrue(d.recorded().what().contains(original.getTaskId() + " ASSIGNED on n9"), d.describe());
        assertTrue(d.replayed().what().contains(original.getTaskId() + " ASSIGNED on " + original.getNodeId()), d.describe());
    }
}
