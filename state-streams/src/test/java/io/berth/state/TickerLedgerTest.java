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
import java.util.Map;
import java.util.stream.Collectors;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The ticks carry the node facts the scheduler places on (capacity, labels, cordon) and, on
 * partition 0 only, every node's live assignments as berth.assignments shows them. (The test
 * driver runs one task, partition 0; that other partitions carry no ledger is not driven here.)
 */
class TickerLedgerTest {
    @Test
    void partitionZeroTicksCarryNodeFactsAndTheLiveLedger() throws Exception {
        try (Harness h = new Harness()) {
            TestOutputTopic<String, Tick> ticks = h.driver.createOutputTopic(Topics.TICKS.name(), new StringDeserializer(),
                    h.serdes.value(Tick.class).deserializer());
            TestInputTopic<String, Assignment> assignments = h.driver.createInputTopic(Topics.ASSIGNMENTS.name(), new StringSerializer(),
                    h.serdes.value(Assignment.class).serializer());
            h.node(register("n1"));
            ContainerSpec c = ContainerSpec.newBuilder().setName("c").setImage("nginx")
                    .setPorts(List.of(ContainerPort.newBuilder().setContainerPort(80).setHostPort(8080).build())).build();
            Assignment a = Assignment.newBuilder().setTaskId("t1").setNodeId("n1").setWorkloadKey("default/deployment/web")
                    .setTemplate(PodTemplate.newBuilder().setContainers(List.of(c)).build())
                    .setRequests(new Resources(250L, 64L << 20)).setAssignedAt(1).build();
            assignments.pipeInput(Topics.assignmentKey("n1", "t1"), a);
            ticks.readRecordsToList();
            h.advance(Duration.ofMillis(250));
            Map<Integer, Tick> last = ticks.readValuesToList().stream().collect(Collectors.toMap(Tick::getPartition, t -> t, (x, y) -> y));
            Tick zero = last.get(0);
            assertNotNull(zero, "partition 0 ticked");
            assertTrue(zero.getLedger());
            assertNotNull(zero.getNodes());
            TickNode n1 = zero.getNodes().stream().filter(n -> n.getId().equals("n1")).findFirst().orElseThrow();
            assertEquals(4000L, n1.getCpuMillis());
            assertEquals(8L << 30, n1.getMemoryBytes());
            assertFalse(n1.getCordoned());
            assertEquals(1, n1.getAssignments().size());
            TickAssignment ta = n1.getAssignments().get(0);
            assertEquals("t1", ta.getTaskId());
            assertEquals("default/deployment/web", ta.getWorkloadKey());
            assertEquals(250L, ta.getCpuMillis());
            assertEquals(64L << 20, ta.getMemoryBytes());
            assertEquals(List.of(8080), ta.getHostPorts());

            assignments.pipeInput(Topics.assignmentKey("n1", "t1"), null);   // the controller frees it
            h.advance(Duration.ofMillis(250));
            Tick freed = ticks.readValuesToList().stream().filter(t -> t.getPartition() == 0).reduce((x, y) -> y).orElseThrow();
            assertNotNull(freed.getNodes(), "a changed ledger is sent at once");
            assertTrue(freed.getNodes().get(0).getAssignments().isEmpty());
        }
    }
}
