package io.berth.scheduler;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static io.berth.scheduler.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The scheduler decides only from its two input lanes (requests, ticks of partition 0): the same
 * records in the same order give the same placements and verdicts, in a fresh instance with
 * nothing else fed; and every output names its cause and the offsets read before it.
 */
class SchedulerReplayTest {
    private static final Instant START = Instant.parse("2026-11-22T05:00:00Z");

    @TempDir
    Path stateDir;

    /** One recorded input: a request or a tick, at a time. */
    private record In(String topic, Object value, long timestamp) {}

    /** One output as the replayer compares it, with its headers. */
    private record Out(String topic, String key, String what, long timestamp, String cause, String seen) {}

    private List<In> history() {
        NodeView small = node("node-1", 1000, 512 * MI), big = node("node-2", 4000, 4096 * MI);
        long t = START.toEpochMilli();
        List<In> in = new ArrayList<>();
        in.add(new In(Topics.PLACEMENT_REQUESTS.name(), request("web-abc123-early", 100, 64 * MI), t));   // before any cluster: waits
        in.add(new In(Topics.TICKS.name(), ledgerTick(List.of(small), List.of()), t + 250));
        in.add(new In(Topics.PLACEMENT_REQUESTS.name(), request("web-abc123-aaaaa", 600, 128 * MI), t + 300));
        in.add(new In(Topics.PLACEMENT_REQUESTS.name(), request("web-abc123-bbbbb", 600, 128 * MI), t + 310)); // unschedulable: cpu
        in.add(new In(Topics.TICKS.name(), ledgerTick(List.of(small, big), List.of()), t + 500));                 // node-2 appears
        in.add(new In(Topics.PLACEMENT_REQUESTS.name(), request("web-abc123-ccccc", 100, 1024 * MI), t + 600));
        in.add(new In(Topics.TICKS.name(), Tick.newBuilder().setPartition(0).setLedger(true).build(), t + 750)); // unchanged
        return in;
    }

    private List<Out> run(List<In> inputs, String dir) {
        BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, SchedulerService.APPLICATION_ID);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(dir).toString());
        List<Out> out = new ArrayList<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(SchedulerTopology.build(serdes, SchedulerSettings.DEFAULTS), p, START)) {
            TestInputTopic<String, PlacementRequest> requests = driver.createInputTopic(Topics.PLACEMENT_REQUESTS.name(), new StringSerializer(),
                    serdes.value(Topics.PLACEMENT_REQUESTS).serializer());
            TestInputTopic<String, Tick> ticks = driver.createInputTopic(Topics.TICKS.name(), new StringSerializer(), serdes.value(Topics.TICKS).serializer());
            TestOutputTopic<String, Assignment> assignments = driver.createOutputTopic(Topics.ASSIGNMENTS.name(), new StringDeserializer(),
                    serdes.value(Topics.ASSIGNMENTS).deserializer());
            TestOutputTopic<String, TaskStatus> statuses = driver.createOutputTopic(Topics.TASK_STATUS.name(), new StringDeserializer(),
                    serdes.value(Topics.TASK_STATUS).deserializer());
            for (In i : inputs) {
                if (i.value() instanceof Tick t) ticks.pipeInput("0", t, i.timestamp());
                else requests.pipeInput(Topics.SCHEDULING_KEY, (PlacementRequest) i.value(), i.timestamp());
                for (TestRecord<String, Assignment> r : assignments.readRecordsToList()) {
                    out.add(out(Topics.ASSIGNMENTS.name(), r, "assign " + r.value().getTaskId() + " to " + r.value().getNodeId()));
                }
                for (TestRecord<String, TaskStatus> r : statuses.readRecordsToList()) {
                    out.add(out(Topics.TASK_STATUS.name(), r, r.value().getTaskId() + " " + r.value().getState() + " " + r.value().getNodeId()
                            + " " + r.value().getMessage()));
                }
            }
        }
        return out;
    }

    private static Out out(String topic, TestRecord<String, ?> r, String what) {
        return new Out(topic, r.key(), what, r.timestamp(), header(r, ReplayHeaders.CAUSE), header(r, ReplayHeaders.SEEN));
    }

    private static String header(TestRecord<String, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldPlaceTheSameOnAReplayOfItsInputs() {
        List<Out> live = run(history(), "live");
        List<Out> replay = run(history(), "replay");
        assertEquals(live, replay);
        List<String> placements = live.stream().filter(o -> o.topic().equals(Topics.ASSIGNMENTS.name())).map(Out::what).toList();
        assertEquals(List.of("assign web-abc123-early to node-1", "assign web-abc123-aaaaa to node-1",
                "assign web-abc123-bbbbb to node-2", "assign web-abc123-ccccc to node-2"), placements);
        assertTrue(live.stream().anyMatch(o -> o.what().startsWith("web-abc123-bbbbb UNSCHEDULABLE")), "a verdict before node-2 was listed");
    }

    @Test
    void shouldNameTheCauseAndTheOffsetsReadBeforeIt() {
        List<Out> live = run(history(), "headers");
        String requests = Topics.PLACEMENT_REQUESTS.name() + "/0", ticks = Topics.TICKS.name() + "/0";
        // the early request waited for the cluster: it was placed on the first tick (ticks offset 0) after request 0
        Out early = live.get(0);
        assertEquals("assign web-abc123-early to node-1", early.what());
        assertEquals(ticks + "/0", early.cause());
        assertEquals(requests + "=0," + ticks + "=0", early.seen());
        // bbbbb was retried and placed on the tick that listed node-2 (ticks offset 1), after requests 0..2
        Out b = live.stream().filter(o -> o.what().equals("assign web-abc123-bbbbb to node-2")).findFirst().orElseThrow();
        assertEquals(ticks + "/1", b.cause());
        assertEquals(requests + "=2," + ticks + "=1", b.seen());
        assertTrue(live.stream().allMatch(o -> o.cause() != null && o.seen() != null), "every output names its cause");
    }

    @Test
    void shouldDecideNothingBeforeATickCarriedTheCluster() {
        List<In> onlyRequest = history().subList(0, 1);
        assertEquals(List.of(), run(onlyRequest, "none"), "no false UNSCHEDULABLE on an unknown cluster");
    }
}
