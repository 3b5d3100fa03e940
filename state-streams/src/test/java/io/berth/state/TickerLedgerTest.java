package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The ticks carry the node facts the scheduler places on (capacity, labels, cordon) and, on
 * partition 0 only, the allocation ledger as berth.assignments shows it: whole when the ticker
 * starts, then only what changed, in ledger-only records (ledgerMore) before the tick proper, at most
 * {@link Ticker#CHUNK} changes per record. (The test driver runs one task, partition 0; that other
 * partitions carry no ledger is not driven here.)
 */
class TickerLedgerTest {
    private static Assignment assignment(String taskId, int hostPort) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("c").setImage("nginx")
                .setPorts(hostPort == 0 ? List.of() : List.of(ContainerPort.newBuilder().setContainerPort(80).setHostPort(hostPort).build())).build();
        return Assignment.newBuilder().setTaskId(taskId).setNodeId("n1").setWorkloadKey("default/deployment/web")
                .setTemplate(PodTemplate.newBuilder().setContainers(List.of(c)).build())
                .setRequests(new Resources(250L, 64L << 20)).setAssignedAt(1).build();
    }

    private static TestOutputTopic<String, Tick> ticks(Harness h) {
        return h.driver.createOutputTopic(Topics.TICKS.name(), new StringDeserializer(), h.serdes.value(Tick.class).deserializer());
    }

    private static TestInputTopic<String, Assignment> assignments(Harness h) {
        return h.driver.createInputTopic(Topics.ASSIGNMENTS.name(), new StringSerializer(), h.serdes.value(Assignment.class).serializer());
    }

    private static List<Tick> zero(TestOutputTopic<String, Tick> ticks) {
        return ticks.readValuesToList().stream().filter(t -> t.getPartition() == 0).toList();
    }

    @Test
    void partitionZeroTicksCarryNodeFactsAndTheLedgerAsChanges() throws Exception {
        try (Harness h = new Harness()) {
            TestOutputTopic<String, Tick> ticks = ticks(h);
            TestInputTopic<String, Assignment> assignments = assignments(h);
            h.node(register("n1"));
            assignments.pipeInput(Topics.assignmentKey("n1", "t0"), assignment("t0", 0));
            h.advance(Duration.ofMillis(250));
            List<Tick> first = zero(ticks);
            Tick reset = first.stream().filter(Tick::getLedgerMore).findFirst().orElseThrow();
            assertTrue(reset.getLedgerReset(), "a starting ticker sends the whole ledger");
            assertEquals(List.of("t0"), reset.getLedgerChanges().stream().map(TickLedgerChange::getTaskId).toList());
            Tick proper = first.get(first.size() - 1);
            assertFalse(proper.getLedgerMore(), "the tick proper comes last");
            assertTrue(proper.getLedger());
            assertEquals(1, proper.getLedgerVersion());
            assertTrue(proper.getLedgerChanges().isEmpty(), "a stored tick stays small");
            TickNode n1 = proper.getNodes().stream().filter(n -> n.getId().equals("n1")).findFirst().orElseThrow();
            assertEquals(4000L, n1.getCpuMillis());
            assertEquals(8L << 30, n1.getMemoryBytes());
            assertFalse(n1.getCordoned());
            assertTrue(n1.getAssignments().isEmpty());

            assignments.pipeInput(Topics.assignmentKey("n1", "t1"), assignment("t1", 8080));
            h.advance(Duration.ofMillis(250));
            List<Tick> second = zero(ticks);
            assertEquals(2, second.size(), "one ledger record and the tick proper: " + second);
            Tick change = second.get(0);
            assertTrue(change.getLedgerMore());
            assertFalse(change.getLedgerReset());
            assertNull(change.getNodes());
            assertEquals(1, change.getLedgerChanges().size(), "only what changed");
            TickLedgerChange c = change.getLedgerChanges().get(0);
            assertEquals("n1", c.getNodeId());
            TickAssignment ta = c.getAssignment();
            assertEquals("t1", ta.getTaskId());
            assertEquals("default/deployment/web", ta.getWorkloadKey());
            assertEquals(250L, ta.getCpuMillis());
            assertEquals(64L << 20, ta.getMemoryBytes());
            assertEquals(List.of(8080), ta.getHostPorts());

            h.advance(Duration.ofMillis(250));
            assertTrue(zero(ticks).stream().noneMatch(Tick::getLedgerMore), "nothing changed, no ledger record");

            assignments.pipeInput(Topics.assignmentKey("n1", "t1"), null);   // the controller frees it
            h.advance(Duration.ofMillis(250));
            TickLedgerChange freed = zero(ticks).get(0).getLedgerChanges().get(0);
            assertEquals("n1", freed.getNodeId());
            assertEquals("t1", freed.getTaskId());
            assertNull(freed.getAssignment(), "released");

            h.advance(Ticker.LEDGER_FULL_EVERY);
            Tick again = zero(ticks).stream().filter(Tick::getLedgerReset).findFirst().orElseThrow();
            assertEquals(List.of("t0"), again.getLedgerChanges().stream().map(TickLedgerChange::getTaskId).toList(),
                    "the periodic whole ledger lists what is live");
        }
    }

    @Test
    void aBigChangeIsSplitIntoRecordsOfAtMostAChunk() throws Exception {
        try (Harness h = new Harness()) {
            TestOutputTopic<String, Tick> ticks = ticks(h);
            TestInputTopic<String, Assignment> assignments = assignments(h);
            h.node(register("n1"));
            h.advance(Duration.ofMillis(250));
            ticks.readRecordsToList();
            int n = Ticker.CHUNK + 1;
            for (int i = 0; i < n; i++) assignments.pipeInput(Topics.assignmentKey("n1", "t" + i), assignment("t" + i, 0));
            h.advance(Duration.ofMillis(250));
            List<Tick> out = zero(ticks);
            assertEquals(3, out.size(), "two ledger records and the tick proper");
            assertEquals(Ticker.CHUNK, out.get(0).getLedgerChanges().size());
            assertEquals(1, out.get(1).getLedgerChanges().size());
            assertTrue(out.get(0).getLedgerMore() && out.get(1).getLedgerMore() && !out.get(2).getLedgerMore());
        }
    }
}
