package io.berth.scheduler;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static io.berth.scheduler.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class SchedulerTopologyTest {
    private static final Instant START = Instant.parse("2026-11-22T05:00:00Z");
    private static final Duration RETRY = SchedulerSettings.DEFAULTS.retryInterval();

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, PlacementRequest> requests;
    private TestInputTopic<String, byte[]> rawRequests;
    private TestOutputTopic<String, Assignment> assignments;
    private TestOutputTopic<String, TaskStatus> statuses;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private TestOutputTopic<String, AuditRecord> audit;
    private TestInputTopic<String, Tick> ticks;

    @BeforeEach
    void setUp() {
        BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, SchedulerService.APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(SchedulerTopology.build(serdes, SchedulerSettings.DEFAULTS), props, START);
        StringSerializer keys = new StringSerializer();
        requests = driver.createInputTopic(Topics.PLACEMENT_REQUESTS.name(), keys, serdes.value(Topics.PLACEMENT_REQUESTS).serializer());
        rawRequests = driver.createInputTopic(Topics.PLACEMENT_REQUESTS.name(), keys, new ByteArraySerializer());
        ticks = driver.createInputTopic(Topics.TICKS.name(), keys, serdes.value(Topics.TICKS).serializer(), START, Duration.ZERO);
        StringDeserializer keysOut = new StringDeserializer();
        assignments = driver.createOutputTopic(Topics.ASSIGNMENTS.name(), keysOut, serdes.value(Topics.ASSIGNMENTS).deserializer());
        statuses = driver.createOutputTopic(Topics.TASK_STATUS.name(), keysOut, serdes.value(Topics.TASK_STATUS).deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTERS.name(), keysOut, serdes.value(Topics.DEAD_LETTERS).deserializer());
        audit = driver.createOutputTopic(Topics.AUDIT.name(), keysOut, serdes.value(Topics.AUDIT).deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    /** What state-streams' ticker would list: berth.state.nodes and the live berth.assignments. */
    private final java.util.Map<String, NodeView> clusterNodes = new java.util.TreeMap<>();
    private final java.util.Map<String, Assignment> clusterLedger = new java.util.TreeMap<>();

    /** A node appears or changes: the next tick (piped now, at the same time) lists it. */
    private void addNode(NodeView n) {
        clusterNodes.put(n.getNodeId(), n);
        ticks.pipeInput("0", ledgerTick(clusterNodes.values(), clusterLedger.values()), clock);
    }

    private void send(PlacementRequest r) {
        requests.pipeInput(Topics.SCHEDULING_KEY, r, clock);
    }

    /** Time passes as ticks on berth.ticks (partition 0: the task that holds the requests). */
    private void tick() {
        advance(RETRY);
    }

    private Instant clock = START;

    private void advance(Duration d) {
        clock = clock.plus(d);
        ticks.pipeInput("0", ledgerTick(clusterNodes.values(), clusterLedger.values()), clock);
    }

    @Test
    void shouldAssignARequestAndReportItAssigned() {
        addNode(node("node-1", 2000, 1024 * MI));
        send(request("web-abc123-aaaaa", 500, 256 * MI));

        TestRecord<String, Assignment> a = assignments.readRecord();
        assertEquals(Topics.assignmentKey("node-1", "web-abc123-aaaaa"), a.key());
        assertEquals("node-1", a.value().getNodeId());
        assertEquals(WEB, a.value().getWorkloadKey());
        assertEquals(500, a.value().getRequests().getCpuMillis());
        assertEquals(START.toEpochMilli(), a.value().getAssignedAt());
        TestRecord<String, TaskStatus> s = statuses.readRecord();
        assertEquals(WEB, s.key());
        assertEquals(TaskState.ASSIGNED, s.value().getState());
        assertEquals("node-1", s.value().getNodeId());
        assertEquals("web-abc123-aaaaa", s.value().getTaskId());
        assertTrue(assignments.isEmpty() && statuses.isEmpty());
    }

    @Test
    void shouldSpreadReplicasAcrossNodes() {
        List.of("node-1", "node-2", "node-3").forEach(id -> addNode(node(id, 4000, 4096 * MI)));
        for (int i = 0; i < 6; i++) send(request("web-abc123-" + i, 100, 64 * MI));
        var perNode = assignments.readValuesToList().stream()
                .collect(java.util.stream.Collectors.groupingBy(Assignment::getNodeId, java.util.stream.Collectors.counting()));
        assertEquals(java.util.Map.of("node-1", 2L, "node-2", 2L, "node-3", 2L), perNode);
    }

    @Test
    void shouldReportUnschedulableOnceThenPlaceWhenANodeWithRoomAppears() {
        addNode(node("node-1", 4000, 128 * MI));
        addNode(node("node-2", 4000, 128 * MI));
        addNode(cordoned(node("node-3", 4000, 4096 * MI)));
        send(request("web-abc123-big01", 100, 1024 * MI));

        TaskStatus s = statuses.readValue();
        assertEquals(TaskState.UNSCHEDULABLE, s.getState());
        assertEquals("0/3 nodes are available: 2 Insufficient memory, 1 node(s) were unschedulable.", s.getMessage());
        tick();
        tick();
        assertTrue(statuses.isEmpty(), "an unchanged reason is not reported again");
        assertTrue(assignments.isEmpty());

        addNode(node("node-4", 4000, 4096 * MI));
        tick();
        assertEquals("node-4", assignments.readValue().getNodeId());
        assertEquals(TaskState.ASSIGNED, statuses.readValue().getState());
    }

    /** Issue 16: each decision counted by result and timed; a poison request counted as a dead letter of its topic. */
    @Test
    void shouldCountAndTimeEachPlacementDecisionAndEachDeadLetter() {
        var meters = io.berth.schemas.metrics.ProcessMetrics.meters();
        java.util.function.Function<String, Double> placements = result -> meters.get("berth.placements").tag("result", result).counter().count();
        java.util.function.Supplier<Long> timed = () -> meters.get("berth.placement.duration").timer().count();
        java.util.function.Supplier<Double> dead = () -> {
            var c = meters.find("berth.dead.letters").tag("topic", Topics.PLACEMENT_REQUESTS.name()).counter();
            return c == null ? 0 : c.count();
        };
        double placed = placements.apply("placed"), unplaceable = placements.apply("unplaceable"), deadBefore = dead.get();
        long timedBefore = timed.get();
        addNode(node("node-1", 4000, 128 * MI));
        send(request("web-abc123-small", 100, 64 * MI));
        send(request("web-abc123-big01", 100, 1024 * MI));
        rawRequests.pipeInput(Topics.SCHEDULING_KEY, new byte[]{1, 2, 3}, clock);
        assertEquals(placed + 1, placements.apply("placed"), 0.0);
        assertEquals(unplaceable + 1, placements.apply("unplaceable"), 0.0);
        assertEquals(timedBefore + 2, timed.get(), "every decision timed");
        assertEquals(deadBefore + 1, dead.get(), 0.0);
    }

    @Test
    void shouldReportAChangedReason() {
        addNode(node("node-1", 4000, 128 * MI));
        send(request("web-abc123-big01", 100, 1024 * MI));
        assertEquals("0/1 nodes are available: 1 Insufficient memory.", statuses.readValue().getMessage());
        addNode(cordoned(node("node-1", 4000, 128 * MI)));
        tick();
        assertEquals("0/1 nodes are available: 1 node(s) were unschedulable.", statuses.readValue().getMessage());
    }

    @Test
    void shouldKeepATaskPastMaxPodsUnschedulableWithTooManyPods() {
        addNode(NodeView.newBuilder(node("node-1", 4000, 1024 * MI)).setMaxPods(2).build());
        send(request("web-abc123-pod01", 0, 0));
        Assignment first = assignments.readValue();
        clusterLedger.put(first.getTaskId(), first); // one booked as the tick shows it
        tick();
        send(request("web-abc123-pod02", 0, 0));
        assertEquals("node-1", assignments.readValue().getNodeId(), "the second pod is the last that fits");
        send(request("web-abc123-pod03", 0, 0));
        TaskStatus s = lastStatus();
        assertEquals(TaskState.UNSCHEDULABLE, s.getState());
        assertEquals("0/1 nodes are available: 1 Too many pods.", s.getMessage());
    }

    @Test
    void shouldPlaceAWaitingTaskOnceATombstoneFreesCapacity() {
        addNode(node("node-1", 1000, 512 * MI));
        send(request("web-abc123-first", 800, 256 * MI));
        Assignment first = assignments.readValue();
        send(request("web-abc123-secnd", 800, 256 * MI));
        assertEquals("0/1 nodes are available: 1 Insufficient cpu.", lastStatus().getMessage());

        clusterLedger.put(first.getTaskId(), first);   // the ticker sees the placement
        tick();
        clusterLedger.remove(first.getTaskId());       // the controller revokes it; the next tick no longer lists it
        tick();
        assertEquals("web-abc123-secnd", assignments.readValue().getTaskId());
    }

    @Test
    void shouldNotPlaceTheSameTaskTwice() {
        addNode(node("node-1", 4000, 4096 * MI));
        send(request("web-abc123-aaaaa", 100, 64 * MI));
        send(request("web-abc123-aaaaa", 100, 64 * MI));
        tick();
        assertEquals(1, assignments.readValuesToList().size());
    }

    @Test
    void shouldCountItsOwnPlacementsBeforeTheLedgerShowsThem() {
        // Capacity for exactly one: the second request arrives before anything could be read back.
        addNode(node("node-1", 1000, 1024 * MI));
        send(request("web-abc123-one01", 600, 64 * MI));
        send(request("web-abc123-two02", 600, 64 * MI));
        assertEquals(1, assignments.readValuesToList().size());
    }

    @Test
    void shouldPlaceOnANodeAsSoonAsATickListsIt() {
        addNode(node("node-1", 1000, 128 * MI));
        send(request("web-abc123-small", 100, 64 * MI)); // reads the snapshot
        addNode(node("node-2", 4000, 4096 * MI));         // a tick lists the new node
        send(request("web-abc123-big01", 100, 1024 * MI));
        List<TaskStatus> all = statuses.readValuesToList();
        assertEquals(List.of(TaskState.ASSIGNED, TaskState.ASSIGNED), all.stream().map(TaskStatus::getState).toList(), "no false UNSCHEDULABLE");
        assertEquals("node-2", all.get(1).getNodeId());
    }

    @Test
    void shouldDeadLetterAPoisonRequestAndCarryOn() {
        addNode(node("node-1", 4000, 4096 * MI));
        rawRequests.pipeInput(Topics.SCHEDULING_KEY, new byte[]{1, 2, 3}, clock);
        send(request("web-abc123-aaaaa", 100, 64 * MI));

        DeadLetter letter = deadLetters.readValue();
        assertEquals(Topics.PLACEMENT_REQUESTS.name(), letter.getSourceTopic());
        assertEquals(0, letter.getOffset());
        assertEquals("scheduler", letter.getComponent());
        assertTrue(letter.getReason().contains("shorter than the 5-byte Confluent header"), letter.getReason());
        assertEquals("web-abc123-aaaaa", assignments.readValue().getTaskId(), "the next request is still placed");
        AuditRecord audited = audit.readValue();
        assertEquals("DeadLettered", audited.getChange(), "the dead letter is audited too");
        assertEquals("controller/scheduler", audited.getActor());
        assertEquals(Topics.PLACEMENT_REQUESTS.name(), audited.getCauseTopic());
        assertEquals(0, audited.getCauseOffset());
        assertEquals(letter.getReason(), audited.getMessage());
    }

    @Test
    void shouldDeadLetterAnInvalidRequest() {
        addNode(node("node-1", 4000, 4096 * MI));
        send(request("web-abc123-neg01", -5, 64 * MI));
        assertTrue(deadLetters.readValue().getReason().contains("negative requests"));
        assertTrue(assignments.isEmpty() && statuses.isEmpty());
    }

    @Test
    void shouldDropARequestThatWaitedTooLong() {
        addNode(node("node-1", 100, 64 * MI));
        PlacementRequest r = PlacementRequest.newBuilder(request("web-abc123-late1", 500, 64 * MI)).setTimestamp(START.toEpochMilli()).build();
        send(r);
        statuses.readValue();
        advance(SchedulerSettings.DEFAULTS.pendingTtl().plus(RETRY));
        addNode(node("node-2", 4000, 4096 * MI));
        tick();
        assertTrue(assignments.isEmpty(), "a request older than the pending TTL is not placed any more");
    }

    @Test
    void shouldPublishTheVerdictWithTheAssignedStatusAndAuditThePlacement() {
        addNode(node("n1", 1000, 64 * MI));
        addNode(node("n2", 2000, 1024 * MI));
        addNode(node("n3", 1000, 1024 * MI));
        send(request("web-abc123-aaaaa", 500, 128 * MI));

        TaskStatus s = statuses.readValue();
        PlacementVerdict v = s.getPlacement();
        assertEquals("n2", v.getNodeId());
        assertEquals(2, v.getFeasible());
        assertEquals(3, v.getTotal());
        assertEquals("n3", v.getRunnerUp());
        assertEquals(java.util.Map.of("n1", "Insufficient memory"), v.getRejected());
        assertEquals(List.of("spread", "leastAllocated"), v.getScores().stream().map(RankerScore::getRanker).toList());
        // n2: cpu (2000-500)/2000 = 75, memory (1024-128)/1024 = 87 -> 81; n3: 50 and 87 -> 68
        assertEquals("n2 of 3 feasible — spread 1.00, leastAllocated 0.81; runner-up n3 (spread 1.00, leastAllocated 0.68); "
                + "n1: Insufficient memory", v.getMessage());
        assertEquals(START.toEpochMilli(), v.getDecidedAt());

        TestRecord<String, AuditRecord> a = audit.readRecord();
        assertEquals("default/pod/web-abc123-aaaaa", a.key());
        AuditRecord r = a.value();
        assertEquals(a.key(), r.getKey());
        assertEquals("pod", r.getKind());
        assertEquals("default", r.getNamespace());
        assertEquals("web-abc123-aaaaa", r.getName());
        assertEquals("TaskPlaced", r.getChange());
        assertEquals("controller/scheduler", r.getActor());
        assertEquals(Topics.PLACEMENT_REQUESTS.name(), r.getCauseTopic());
        assertEquals(0, r.getCausePartition());
        assertEquals(0, r.getCauseOffset());
        assertEquals(Topics.PLACEMENT_REQUESTS.name() + "/0/0", r.getCause());
        assertEquals("", r.getViewType());
        assertEquals(v, r.getPlacement());
        assertEquals(v.getMessage(), r.getMessage());
        assertEquals(START.toEpochMilli(), r.getTimestamp());
        assertEquals(START.toEpochMilli(), a.timestamp());
        assertTrue(audit.isEmpty());
    }

    @Test
    void shouldAuditEachNewUnschedulableVerdictAndTheLaterPlacementWithTheRequestsOwnOffset() {
        addNode(node("node-1", 4000, 128 * MI));
        send(request("web-abc123-small", 100, 64 * MI));       // offset 0
        send(request("web-abc123-big01", 100, 1024 * MI));     // offset 1
        audit.readRecord();                                     // the small one's placement

        TaskStatus s = statuses.readValuesToList().get(1);
        assertEquals(TaskState.UNSCHEDULABLE, s.getState());
        assertEquals("none of 1 feasible; node-1: Insufficient memory", s.getPlacement().getMessage());
        AuditRecord first = audit.readValue();
        assertEquals("TaskUnschedulable", first.getChange());
        assertEquals("default/pod/web-abc123-big01", first.getKey());
        assertEquals(1, first.getCauseOffset());
        assertEquals(java.util.Map.of("node-1", "Insufficient memory"), first.getPlacement().getRejected());

        tick();
        assertTrue(audit.isEmpty(), "an unchanged verdict is not audited again");
        addNode(cordoned(node("node-1", 4000, 128 * MI)));
        tick();
        AuditRecord changed = audit.readValue();
        assertEquals("TaskUnschedulable", changed.getChange());
        assertEquals("none of 1 feasible; node-1: node(s) were unschedulable", changed.getMessage());
        assertEquals(1, changed.getCauseOffset(), "a retry is still caused by the request");

        addNode(node("node-2", 4000, 4096 * MI));
        tick();
        AuditRecord placed = audit.readValue();
        assertEquals("TaskPlaced", placed.getChange());
        assertEquals("node-2", placed.getPlacement().getNodeId());
        assertEquals(Topics.PLACEMENT_REQUESTS.name() + "/0/1", placed.getCause());
        assertEquals(START.toEpochMilli() + 2 * RETRY.toMillis(), placed.getTimestamp(), "placed on the tick that lists node-2");
        assertEquals("node-2", lastStatus().getPlacement().getNodeId());
    }

    @Test
    void shouldNumberTheAuditRecordsOfOneMillisecond() {
        addNode(node("node-1", 4000, 4096 * MI));
        send(request("web-abc123-aaaaa", 100, 64 * MI));
        send(request("web-abc123-bbbbb", 100, 64 * MI));
        assertEquals(List.of(0L, 1L), audit.readValuesToList().stream().map(AuditRecord::getSeq).toList());
    }

    @Test
    void shouldParseTheCauseItKeptAndTreatAnythingElseAsATick() {
        Audits.Cause c = new Audits.Cause("berth.placement-requests", 0, 42);
        assertEquals(c, Audits.Cause.parse(c.text()));
        assertEquals(Audits.Cause.tick(), Audits.Cause.parse(null));
        assertEquals(Audits.Cause.tick(), Audits.Cause.parse("garbage"));
        AuditRecord r = Audits.decision("TaskPlaced", request("t", 1, 1), PlacementVerdict.newBuilder().build(), Audits.Cause.tick(), 7, 0);
        assertEquals("tick/7", r.getCause());
        assertEquals(-1, r.getCauseOffset());
    }

    private TaskStatus lastStatus() {
        List<TaskStatus> all = statuses.readValuesToList();
        return all.get(all.size() - 1);
    }
}
